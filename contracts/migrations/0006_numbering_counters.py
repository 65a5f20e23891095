"""Archive numbers move to the shared numbering service (series ``archive:<region id>``): every counter of
``ArchiveCounter`` is carried over (never below the highest number already issued), and every existing contract
gets its contract number (``HT-<year>-<seq>``, in the order it was drafted) with the ``contract`` series seeded."""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

SERIAL_PATTERN = "HT-{year}-{seq:05d}"


def forwards(apps, schema_editor):
    ArchiveCounter = apps.get_model("contracts", "ArchiveCounter")
    Contract = apps.get_model("contracts", "Contract")
    NumberCounter = apps.get_model("portal", "NumberCounter")

    def seed(series, year, last):
        counter, _created = NumberCounter.objects.get_or_create(series=series, year=year, defaults={"last": 0})
        if counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])

    for counter in ArchiveCounter.objects.all():
        seed(f"archive:{counter.region_id}", counter.year, counter.last_seq)
    issued = (Contract.objects.filter(archive_seq__isnull=False).values("region_id", "archive_year")
              .annotate(last=Max("archive_seq")))
    for row in issued:
        seed(f"archive:{row['region_id']}", row["archive_year"], row["last"])

    last_of_year: dict[int, int] = {}
    for contract in Contract.objects.filter(serial_number__isnull=True).order_by("created_at", "pk").iterator():
        year = timezone.localtime(contract.created_at).year
        last_of_year[year] = last_of_year.get(year, 0) + 1
        contract.serial_number = SERIAL_PATTERN.format(year=year, seq=last_of_year[year])
        contract.save(update_fields=["serial_number"])
    for year, last in last_of_year.items():
        seed("contract", year, last)


def backwards(apps, schema_editor):
    ArchiveCounter = apps.get_model("contracts", "ArchiveCounter")
    NumberCounter = apps.get_model("portal", "NumberCounter")
    for counter in NumberCounter.objects.filter(series__startswith="archive:"):
        ArchiveCounter.objects.update_or_create(region_id=int(counter.series.split(":", 1)[1]), year=counter.year,
                                                defaults={"last_seq": counter.last})


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0005_contract_serial_number"),
        ("portal", "0002_number_counter"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
