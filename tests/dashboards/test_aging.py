"""The dashboard's receivables aging (one SQL statement: a running sum of each project's invoices for the FIFO,
receipts summed once per project) against values computed by hand, and against a plain Python reckoning of the
same rules on a varied set of projects."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from dashboards import selectors
from receivables.choices import AGING_BUCKETS
from receivables.models import Project, RetentionStatement

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = D("0.00")


def statement(project, issued_on):
    """The project's retention statement, issued on ``issued_on`` (None: drafted only); the services may have
    drafted it already (the warranty ended)."""
    drafted = min(issued_on or date(2026, 1, 2), date(2026, 1, 2))
    return RetentionStatement.objects.update_or_create(project=project, defaults={
        "warranty_ends_on": drafted, "drafted_on": drafted, "project_name": project.name, "invoicing_unit": "甲方",
        "project_amount": project.amount, "retention_amount": project.retention_amount, "collected_amount": ZERO,
        "receivable_amount": project.amount, "state": "issued" if issued_on else "drafted", "issued_on": issued_on})[0]


def buckets(data):
    return {b["bucket"]: b["amount"] for b in data["buckets"]}


def test_several_invoices_partial_receipts_retention_pending_issued_and_overdue(known, demo):
    rcv = known.rcv
    cutoff = selectors.collection_cutoff(TODAY)
    assert date(2026, 2, 1) < cutoff < date(2026, 6, 1)
    # P4 (张伟, HB) ¥300,000, retention 5 % = ¥15,000, no statement: three invoices of ¥100,000 (1 May 2025,
    # 10 Jan 2026, 1 Jun 2026 — in full then, after the cut-off: nothing overdue), ¥130,000 received in two parts.
    # FIFO: the first invoice is paid; of the second 70,000 open (156 days); of the third 85,000 (14 days) —
    # its last 15,000 is the retention, not yet due.
    # (the contracts first: later facts put their owners on collection-only duty, RCV-8)
    p4, p6, p7, p8 = (rcv.project(amount=D(a)) for a in ("300000.00", "200000.00", "100000.00", "500000.00"))
    p5 = rcv.project(owner="sales_hd", amount=D("100000.00"), retention=D("10.00"))
    for project, day in ((p4, date(2025, 4, 20)), (p5, date(2025, 1, 10)), (p6, date(2025, 11, 20)),
                         (p7, date(2025, 8, 20)), (p8, date(2026, 5, 1))):
        rcv.accept(project, day)
    rcv.invoice(p4, date(2025, 5, 1), D("100000.00"))
    rcv.receipt(p4, date(2025, 7, 1), D("60000.00"))
    rcv.invoice(p4, date(2026, 1, 10), D("100000.00"))
    rcv.receipt(p4, date(2026, 2, 1), D("70000.00"))
    rcv.invoice(p4, date(2026, 6, 1), D("100000.00"))
    # P5 (刘洋, HD) ¥100,000, retention 10 %: invoiced in full on 1 Feb 2025 (499 days), ¥40,000 received; the
    # statement was issued on 1 Feb 2026, before the cut-off: the retention is owed and the whole 60,000 overdue.
    rcv.invoice(p5, date(2025, 2, 1), D("100000.00"))
    rcv.receipt(p5, date(2025, 3, 1), D("40000.00"))
    statement(p5, date(2026, 2, 1))
    # P6 (张伟) ¥200,000, retention ¥10,000, invoiced 1 Dec 2025, ¥195,000 received (part of the retention
    # too): nothing owed now, 5,000 retention still kept apart; a drafted statement counts as none.
    rcv.invoice(p6, date(2025, 12, 1), D("200000.00"))
    rcv.receipt(p6, date(2026, 1, 5), D("195000.00"))
    statement(p6, None)
    # P7 (张伟) ¥100,000, retention ¥5,000, invoiced 1 Sep 2025 (287 days), ¥50,000 received; the statement issued
    # on 10 Jun 2026 (after the cut-off): the retention is owed (50,000 in 181-365), but only the main part is
    # overdue: 95,000 − 50,000 = 45,000.
    rcv.invoice(p7, date(2025, 9, 1), D("100000.00"))
    rcv.receipt(p7, date(2025, 10, 1), D("50000.00"))
    statement(p7, date(2026, 6, 10))
    # P8 (张伟) ¥500,000 accepted 1 May 2026, nothing invoiced: only its 25,000 retention, kept apart.

    data = selectors.receivables_aging(demo.user("director"), today=TODAY)
    assert buckets(data) == {"0-30": D("85000.00"), "31-60": ZERO, "61-90": ZERO, "91-180": D("70000.00"),
                             "181-365": D("50000.00"), ">365": D("60000.00")}
    assert (data["count"], data["outstanding"]) == (5, D("265000.00"))
    assert data["retention_pending"] == D("15000.00") + D("5000.00") + D("25000.00")
    assert data["overdue"] == D("60000.00") + D("45000.00")
    assert data == python_aging(Project.objects.filter(stage__in=selectors_open_stages()), TODAY)

    # narrowed by region and by who may see what
    hd = selectors.receivables_aging(demo.user("director"), region="HD", today=TODAY)
    assert (buckets(hd)[">365"], hd["outstanding"], hd["overdue"], hd["retention_pending"], hd["count"]) == (
        D("60000.00"), D("60000.00"), D("60000.00"), ZERO, 1)
    assert selectors.receivables_aging(demo.user("rm_hd"), today=TODAY)["outstanding"] == D("60000.00")
    mine = selectors.receivables_aging(demo.user("sales_hb"), today=TODAY)
    assert (mine["count"], mine["outstanding"], mine["overdue"]) == (4, D("205000.00"), D("45000.00"))
    assert selectors.receivables_aging(demo.user("rm_hb"), region="HD", today=TODAY)["count"] == 0

    # the next receipt on P4 settles the older open invoice first
    rcv.receipt(p4, TODAY, D("80000.00"))
    after = buckets(selectors.receivables_aging(demo.user("director"), today=TODAY))
    assert (after["91-180"], after["0-30"]) == (ZERO, D("75000.00"))


def selectors_open_stages():
    from receivables.choices import OPEN_STAGES

    return OPEN_STAGES


def python_aging(projects, today: date) -> dict:
    """The dashboard's rules reckoned project by project in Python (the reference for the SQL statement)."""
    cutoff = selectors.collection_cutoff(today)
    totals = {label: ZERO for label, _low, _high in AGING_BUCKETS}
    pending = overdue = ZERO
    for p in projects.prefetch_related("invoices", "receipts").select_related("retention_statement"):
        received = sum((r.amount for r in p.receipts.all()), ZERO)
        invoices = sorted(p.invoices.all(), key=lambda i: (i.issued_on, i.pk))
        invoiced = sum((i.amount for i in invoices), ZERO)
        st = getattr(p, "retention_statement", None)
        issued = st is not None and st.issued_on is not None
        cap = p.amount if issued else p.amount - p.retention_amount
        before = ZERO
        for inv in invoices:
            open_part = max(min(before + inv.amount, cap) - max(before, received), ZERO)
            age = (today - inv.issued_on).days
            label = next(lb for lb, low, high in AGING_BUCKETS if age >= low and (high is None or age <= high))
            totals[label] += open_part
            before += inv.amount
        if not issued:
            pending += max(min(p.retention_amount, p.amount - received), ZERO)
        if issued and st.issued_on <= cutoff:
            overdue += max(invoiced - received, ZERO)
        elif p.invoiced_on and p.invoiced_on <= cutoff and p.collected_on is None:
            overdue += max(min(invoiced, p.amount - p.retention_amount) - received, ZERO)
    return {"buckets": [{"bucket": label, "amount": amount} for label, amount in totals.items()],
            "outstanding": sum(totals.values(), ZERO), "retention_pending": pending, "overdue": overdue,
            "count": projects.count(), "cutoff": cutoff}


def test_the_statement_agrees_with_a_project_by_project_reckoning(known, demo):
    """Twenty projects with random invoices (several a day too), receipts and statements."""
    rcv = known.rcv
    rng = random.Random(11)
    projects = [rcv.project(owner=rng.choice(["sales_hb", "sales_hd"]), amount=D(rng.randrange(50, 500) * 1000),
                            retention=D(rng.choice(["0.00", "5.00", "10.00"]))) for _ in range(20)]
    for n, p in enumerate(projects):
        amount = p.amount
        accepted = TODAY - timedelta(days=rng.randrange(20, 580))  # signed 1 Nov 2024
        rcv.accept(p, accepted)
        left, day, received = amount, accepted, ZERO
        for _ in range(rng.randrange(0, 4)):
            if left <= 0:
                break
            part = min(left, D(rng.randrange(1, 4) * 50000))
            day = min(TODAY, day + timedelta(days=rng.choice([0, 0, 10, 40, 120])))
            rcv.invoice(p, day, part)
            left -= part
            paid = min(amount - left - received, D(rng.randrange(1, 5) * 20000))
            if rng.random() < 0.6 and day < TODAY and paid > 0:
                rcv.receipt(p, min(TODAY, day + timedelta(days=rng.randrange(1, 60))), paid)
                received += paid
        if n % 4 == 0:
            statement(p, rng.choice([None, TODAY - timedelta(days=200), TODAY - timedelta(days=5)]))
    director = demo.user("director")
    visible = Project.objects.filter(stage__in=selectors_open_stages())
    assert selectors.receivables_aging(director, today=TODAY) == python_aging(visible, TODAY)
    assert selectors.receivables_aging(director, region="HD", today=TODAY) == python_aging(
        visible.filter(region__code="HD"), TODAY)
    assert selectors.receivables_aging(demo.user("sales_hb"), today=TODAY) == python_aging(
        visible.filter(owner__username="sales_hb"), TODAY)
