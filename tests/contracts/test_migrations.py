"""The move of archive numbers to the shared numbering service loses nothing (migrations 0005-0007)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("contracts", "0004_long_term_signoff")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_archive_counters_and_contract_numbers_are_carried_over(tmake, transactional_demo):
    from marketing_portal.models import NumberCounter
    from marketing_portal.numbering import last_number, next_number

    archived = tmake.archived(by="sales_hb")  # HB-<year>-0001
    draft = tmake.contract(by="sales_hd")
    year = archived.archive_year
    hb, hd = transactional_demo.region("HB"), transactional_demo.region("HD")
    executor = _migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        counters = old.get_model("contracts", "ArchiveCounter")
        counters.objects.all().delete()
        counters.objects.create(region_id=hb.pk, year=year, last_seq=1)
        counters.objects.create(region_id=hd.pk, year=2025, last_seq=41)  # numbers issued before the portal's data
        NumberCounter.objects.all().delete()  # the counters start from what ArchiveCounter says
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    # the counters are the numbering service's now, at the same place
    assert last_number(f"archive:{hb.pk}", year) == 1
    assert last_number(f"archive:{hd.pk}", 2025) == 41
    # every contract got its contract number, in the order drafted, and the series goes on from there
    from contracts.models import Contract

    numbers = dict(Contract.objects.filter(pk__in=[archived.pk, draft.pk]).values_list("pk", "serial_number"))
    assert numbers == {archived.pk: f"HT-{year}-00001", draft.pk: f"HT-{year}-00002"}
    from django.db import transaction

    with transaction.atomic():
        assert next_number(f"archive:{hd.pk}", 2025) == 42
    assert tmake.contract(by="sales_hb").serial_number == f"HT-{year}-00003"
