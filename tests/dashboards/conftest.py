"""Known data for the dashboard tests, built through the services (the planning, receivables and hand-off
helpers of those apps' tests), on a frozen clock: Monday 15 June 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.handoff.conftest import HandoffFactory
from tests.planning.conftest import Planning
from tests.receivables.conftest import Factory as ReceivablesFactory

TODAY = date(2026, 6, 15)
D = Decimal


class Known:
    """The records every figure test reads (see each builder for the hand-computed values)."""

    def __init__(self, demo, make):
        self.demo = demo
        self.pln = Planning(demo, make)
        self.rcv = ReceivablesFactory(demo)
        self.rcv.make = make  # one numbering of customers for all the helpers
        self.hf = HandoffFactory(demo)

    def signed_and_targets(self, targets=True):
        """Signed: 张伟 (HB) ¥300,000 on 10 March and ¥200,000 on 2 April; 刘洋 (HD) ¥500,000 on 20 March; one HB
        draft of ¥120,000. Targets (approved, in force): HB ¥400,000 every month, HD ¥900,000 for Q1 (¥300,000 a
        month), 张伟's own line ¥250,000 for March."""
        self.pln.signed(owner="sales_hb", amount="300000", signed_on=date(2026, 3, 10))
        self.pln.signed(owner="sales_hb", amount="200000", signed_on=date(2026, 4, 2))
        self.pln.signed(owner="sales_hd", amount="500000", signed_on=date(2026, 3, 20))
        self.pln.make.contract(by="sales_hb", amount=D("120000.00"))
        if not targets:
            return
        rows = [("HB", None, "month", m, 400000) for m in range(1, 13)]
        rows += [("HD", None, "quarter", 1, 900000), ("HB", "sales_hb", "month", 3, 250000)]
        self.pln.plan(rows=rows, year=2026)

    def receivables(self):
        """P1 (张伟, HB): ¥1,000,000, retention 5 % (¥50,000, no statement yet), accepted 10 Jan 2026, invoiced
        ¥600,000 on 1 Feb and ¥400,000 on 20 May (in full), ¥500,000 received on 1 Mar.
        P2 (张伟, HB): ¥200,000, retention 5 % (¥10,000), accepted 8 Oct 2025, invoiced in full on 3 Nov 2025,
        ¥50,000 received on 1 Dec 2025 — its 60 days ran out in January: overdue."""
        p1 = self.rcv.project(amount=D("1000000.00"), accepted_on=date(2026, 1, 10))
        self.rcv.invoice(p1, date(2026, 2, 1), D("600000.00"))
        self.rcv.receipt(p1, date(2026, 3, 1), D("500000.00"))
        self.rcv.invoice(p1, date(2026, 5, 20), D("400000.00"))
        p2 = self.rcv.project(amount=D("200000.00"), accepted_on=date(2025, 10, 8), signed_on=date(2025, 6, 2))
        self.rcv.invoice(p2, date(2025, 11, 3), D("200000.00"))
        self.rcv.receipt(p2, date(2025, 12, 1), D("50000.00"))
        return p1, p2

    def tenders(self):
        """Bids: 张伟 (HB) budget ¥800,000 opening 10 June, won at ¥760,000; 张伟 budget ¥500,000 opening 12 June,
        lost to another bidder at ¥480,000; 张伟 budget ¥200,000 opening 5 March, lost; 刘洋 (HD) budget ¥300,000
        opening 25 June, still being prepared. 2026: 4 bids, won ¥760,000, win rate 1 of 3 = 33.3 %;
        Q2: 1 of 2 = 50 %."""
        from planning import services

        owner = self.demo.user("sales_hb")
        won = self.pln.tender(state="submitted", budget="800000", opening_on=date(2026, 6, 10))
        services.tender_record_result(tender_id=won.pk, by=owner, result="won", result_on=TODAY,
                                      winning_amount=D("760000"))
        lost = self.pln.tender(state="submitted", budget="500000", opening_on=date(2026, 6, 12))
        services.tender_record_result(tender_id=lost.pk, by=owner, result="lost", result_on=TODAY,
                                      winning_amount=D("480000"), winner="某电气设备有限公司")
        march = self.pln.tender(state="submitted", budget="200000", opening_on=date(2026, 3, 5))
        services.tender_record_result(tender_id=march.pk, by=owner, result="lost", result_on=date(2026, 3, 20))
        preparing = self.pln.tender(by="sales_hd", budget="300000", opening_on=date(2026, 6, 25))
        return won, lost, march, preparing

    def deductions(self):
        """P3 (刘洋, HD): ¥800,000 accepted 5 Jan 2026, never invoiced: the invoice deadline is 5 Feb, every full
        30 days after it 5 % of the commission is deducted (7 Mar, 6 Apr, 6 May, 5 Jun)."""
        from receivables.sweep import project_refresh

        p3 = self.rcv.project(owner="sales_hd", amount=D("800000.00"), accepted_on=date(2026, 1, 5))
        from django.db import transaction

        from receivables.models import Project

        with transaction.atomic():
            project_refresh(Project.objects.select_for_update().get(pk=p3.pk), as_of=TODAY)
        p3.refresh_from_db()
        return p3


@pytest.fixture
def today(clock):
    return clock.set(TODAY)


@pytest.fixture
def known(demo, make, today):
    return Known(demo, make)


@pytest.fixture
def tknown(transactional_demo, tmake, clock):
    clock.set(TODAY, dates_only=True)
    return Known(transactional_demo, tmake)
