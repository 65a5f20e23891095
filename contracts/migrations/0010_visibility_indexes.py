"""Indexes for the visible sets and the search at scale (issue 13).

* ``contract_construction_idx``: the construction sub-contracts XXX sees, a partial index in the list's order
  (one of the indexed lookups ``contracts.selectors.contract_id_sources`` unions).
* ``customer_credit_code_trgm``: the customer list searches the credit code too; a trigram index like the
  others of migration 0009 (``UPPER(column::text)``, what ``icontains`` compares on PostgreSQL). PostgreSQL only.
"""

from django.conf import settings
from django.db import migrations, models

TRIGRAM = [("customer_credit_code_trgm", "contracts_customer", "credit_code")]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((upper({column}::text)) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0009_search_trigram'),
        ('org', '0002_delegation_no_overlap'),
        ('portal', '0008_attachment_files'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='contract',
            index=models.Index(condition=models.Q(('direction', 'construction')), fields=['-created_at', '-id'],
                               name='contract_construction_idx'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
