"""Overlapping delegations of one principal become impossible on PostgreSQL (btree_gist exclusion constraint).

Delegations that already overlap an earlier one of the same principal are revoked first (kept, never deleted), so
the constraint can be added; on SQLite only that clean-up runs and the service's check stands alone.
"""

import marketing_portal.constraints
from django.conf import settings
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models


def revoke_overlapping(apps, schema_editor):
    from django.utils import timezone

    Delegation = apps.get_model("org", "Delegation")
    kept: dict[int, list] = {}
    for delegation in Delegation.objects.filter(revoked_at__isnull=True).order_by("created_at", "pk"):
        earlier = kept.setdefault(delegation.principal_id, [])
        if any(d.starts_on <= delegation.ends_on and delegation.starts_on <= d.ends_on for d in earlier):
            Delegation.objects.filter(pk=delegation.pk).update(revoked_at=timezone.now())
        else:
            earlier.append(delegation)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        BtreeGistExtension(),  # does nothing on SQLite
        migrations.RunPython(revoke_overlapping, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='delegation',
            constraint=marketing_portal.constraints.PostgresExclusionConstraint(condition=models.Q(('revoked_at__isnull', True)), expressions=[('principal', '='), (marketing_portal.constraints.DateRange('starts_on', 'ends_on'), '&&')], name='delegation_no_overlap', violation_error_message='There is already a delegation for part of this period; revoke it first.'),
        ),
    ]
