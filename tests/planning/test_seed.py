"""The demo data: approved 2026 plans by region and person, reports, bids in every state; a second run adds nothing."""

from decimal import Decimal

import pytest

from planning import selectors
from planning.choices import PlanState, TenderState
from planning.models import PlanVersion, SalesReport, Tender

pytestmark = pytest.mark.django_db


def test_seed_builds_plans_reports_and_bids_once(demo, clock):
    from contracts import seed as contracts_seed
    from planning import seed

    contracts_seed.run()
    seed.run()
    assert set(Tender.objects.values_list("state", flat=True)) == set(TenderState.values)
    won = Tender.objects.get(state=TenderState.WON)
    assert won.contract is not None and won.contract.amount == won.winning_amount
    assert won.contract.customer_id == won.customer_id
    # The centre plan and the four regional plans are in force; the east's revision waits for the director.
    assert PlanVersion.objects.filter(in_force=True, plan__year=2026).count() == 5
    assert PlanVersion.objects.filter(state=PlanState.REVIEW).count() == 1
    director = demo.user("director")
    # 180 + 220 + 150 + 90 (10,000 yuan) a month in the centre plan's region lines.
    assert selectors.targets_for(director, 2026)["total"] == Decimal("76800000.00")
    # The salesperson of HB: 60 % of 1,800,000 a month (version 1 in force).
    assert selectors.targets_for(director, (2026, 3), person=demo.user("sales_hb"))["total"] == Decimal("1080000.00")
    assert SalesReport.objects.count() == 15
    counts = (Tender.objects.count(), SalesReport.objects.count(), PlanVersion.objects.count())
    seed.run()
    assert (Tender.objects.count(), SalesReport.objects.count(), PlanVersion.objects.count()) == counts
