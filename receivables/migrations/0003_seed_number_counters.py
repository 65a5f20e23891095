"""Project numbers now come from the kernel's numbering service (series "project", one counter per year).

The counters start above every number already issued (XM{year}-{n}, where n used to be the row's id), so no number repeats and
none stored changes.
"""

from django.db import migrations

from marketing_portal.numbering import seed_counters_from_numbers


def seed(apps, schema_editor):
    numbers = apps.get_model("receivables", "Project").objects.exclude(number__isnull=True).values_list("number", flat=True)
    seed_counters_from_numbers(apps.get_model("portal", "NumberCounter"), series="project", numbers=numbers.iterator(),
                               regex=r"^XM(\d{4})-(\d+)$")


class Migration(migrations.Migration):
    dependencies = [
        ("receivables", "0002_ledger_append_only"),
        ("portal", "0002_number_counter"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
