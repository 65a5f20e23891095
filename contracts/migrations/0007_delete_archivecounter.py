from django.db import migrations


class Migration(migrations.Migration):
    """The archive counters live in ``portal.NumberCounter`` now (carried over by 0006)."""

    dependencies = [
        ("contracts", "0006_numbering_counters"),
    ]

    operations = [
        migrations.DeleteModel(name="ArchiveCounter"),
    ]
