"""Liaison-sheet numbers now come from the kernel's numbering service (series "liaison", one counter per year).

The counters start above every number already issued (JL-{year}-{n}; Max() over the text broke at the 10,000th sheet), so no number repeats and
none stored changes.
"""

from django.db import migrations

from marketing_portal.numbering import seed_counters_from_numbers


def seed(apps, schema_editor):
    numbers = apps.get_model("handoff", "Handoff").objects.exclude(number__isnull=True).values_list("number", flat=True)
    seed_counters_from_numbers(apps.get_model("portal", "NumberCounter"), series="liaison", numbers=numbers.iterator(),
                               regex=r"^JL-(\d{4})-(\d+)$")


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0001_initial"),
        ("portal", "0002_number_counter"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
