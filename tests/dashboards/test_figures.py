"""Every figure of the dashboard against values computed by hand from known records (see conftest.Known)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dashboards import periods, selectors
from dashboards.figures import build, headline, section_keys
from receivables.selectors import aging_rows

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = periods.year_period(2026)


def by_label(rows):
    return {r["label"]: r for r in rows}


def test_signed_amount_by_month_and_region_against_target(known, demo):
    known.signed_and_targets()
    data = selectors.signed_vs_target(demo.user("director"), YEAR)
    months = {r["month"]: r for r in data["months"]}
    # March: 300,000 + 500,000 signed; target HB 400,000 + HD 900,000 / 3
    assert (months[3]["actual"], months[3]["target"], months[3]["rate"]) == (D("800000"), D("700000"), D("114.3"))
    # April: 200,000 against HB's 400,000 (HD's target was for Q1 only)
    assert (months[4]["actual"], months[4]["target"], months[4]["rate"]) == (D("200000"), D("400000"), D("50.0"))
    assert (months[1]["actual"], months[1]["target"]) == (D("0"), D("700000"))
    assert data["target"] == D("400000") * 12 + D("900000") and data["actual"] == D("1000000")
    regions = {r["region"]: r for r in data["regions"]}
    assert (regions["HB"]["actual"], regions["HB"]["target"], regions["HB"]["rate"]) == (D("500000"), D("4800000"),
                                                                                          D("10.4"))
    assert (regions["HD"]["actual"], regions["HD"]["target"], regions["HD"]["rate"]) == (D("500000"), D("900000"),
                                                                                          D("55.6"))
    # a quarter, a month and a custom run of months cover exactly their months
    q1 = selectors.signed_vs_target(demo.user("director"), periods.quarter_period(2026, 1))
    assert (q1["actual"], q1["target"]) == (D("800000"), D("2100000"))
    march = selectors.signed_vs_target(demo.user("director"), periods.month_period(2026, 3))
    assert (march["actual"], march["target"], march["rate"]) == (D("800000"), D("700000"), D("114.3"))
    spring = selectors.signed_vs_target(demo.user("director"), periods.custom_period((2026, 3), (2026, 4)))
    assert (spring["actual"], spring["target"]) == (D("1000000"), D("1100000"))
    across = selectors.signed_vs_target(demo.user("director"), periods.custom_period((2025, 11), (2026, 3)))
    assert [r["label"] for r in across["months"]] == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert (across["actual"], across["target"]) == (D("800000"), D("2100000"))
    # the region filter
    hd = selectors.signed_vs_target(demo.user("director"), YEAR, region="HD")
    assert (hd["actual"], hd["target"]) == (D("500000"), D("900000"))


def test_signed_against_target_is_narrowed_to_what_each_role_sees(known, demo):
    known.signed_and_targets()
    # 张伟 sees his own contracts against his own target line (March 250,000)
    mine = selectors.signed_vs_target(demo.user("sales_hb"), YEAR)
    months = {r["month"]: r for r in mine["months"]}
    assert mine["personal"] and mine["actual"] == D("500000") and mine["target"] == D("250000")
    assert (months[3]["actual"], months[3]["target"], months[3]["rate"]) == (D("300000"), D("250000"), D("120.0"))
    # 刘洋 has no target of his own
    assert selectors.signed_vs_target(demo.user("sales_hd"), YEAR)["actual"] == D("500000")
    assert selectors.signed_vs_target(demo.user("sales_hd"), YEAR)["rate"] is None
    # the regional manager of 华北 sees 华北's contracts and targets only
    rm = selectors.signed_vs_target(demo.user("rm_hb"), YEAR)
    assert (rm["actual"], rm["target"]) == (D("500000"), D("4800000"))
    assert [r["region"] for r in rm["regions"]] == ["HB"]


def test_pipeline_by_state(known, demo):
    known.signed_and_targets()
    rows = {r["state"]: r for r in selectors.pipeline(demo.user("director"))}
    assert (rows["signed"]["count"], rows["signed"]["amount"]) == (3, D("1000000.00"))
    assert (rows["draft"]["count"], rows["draft"]["amount"]) == (1, D("120000.00"))
    assert set(rows) == {"signed", "draft"}
    assert {r["state"]: r["count"] for r in selectors.pipeline(demo.user("director"), region="HD")} == {"signed": 1}
    assert {r["state"]: r["count"] for r in selectors.pipeline(demo.user("sales_hd"))} == {"signed": 1}
    assert {r["state"]: r["count"] for r in selectors.pipeline(demo.user("rm_hb"))} == {"signed": 2, "draft": 1}


def test_receivables_aging_overdue_and_retention_kept_apart(known, demo):
    p1, p2 = known.receivables()
    data = selectors.receivables_aging(demo.user("director"), today=TODAY)
    buckets = {b["bucket"]: b["amount"] for b in data["buckets"]}
    # P1: receipts settle the 1 Feb invoice first: 100,000 of it open (134 days old); of the 20 May invoice
    # (26 days) 350,000 is owed now — the last 50,000 is retention not yet due.
    # P2: 190,000 owed now less 50,000 received = 140,000, 224 days old; its 10,000 retention kept apart.
    assert buckets == {"0-30": D("350000.00"), "31-60": D("0.00"), "61-90": D("0.00"), "91-180": D("100000.00"),
                       "181-365": D("140000.00"), ">365": D("0.00")}
    assert data["outstanding"] == D("590000.00")
    assert data["retention_pending"] == D("60000.00")
    # P2 is past its collection deadline (60 days after 3 Nov 2025); P1's runs to July
    assert data["overdue"] == D("140000.00")
    # the aging list (FIFO in Python) counts the same money, retention included
    listed = sum((r["outstanding"] for r in aging_rows(p1.__class__.objects.filter(pk__in=[p1.pk, p2.pk]),
                                                      as_of=TODAY)), D("0"))
    assert listed == data["outstanding"] + data["retention_pending"]
    # narrowed: 刘洋 owns none of them, 华东's manager neither; 张伟 all
    assert selectors.receivables_aging(demo.user("sales_hd"), today=TODAY)["outstanding"] == D("0.00")
    assert selectors.receivables_aging(demo.user("rm_hd"), today=TODAY)["outstanding"] == D("0.00")
    assert selectors.receivables_aging(demo.user("sales_hb"), today=TODAY)["overdue"] == D("140000.00")
    assert selectors.receivables_aging(demo.user("director"), region="HD", today=TODAY)["outstanding"] == D("0.00")


def test_retention_counts_once_its_statement_is_issued(known, demo):
    from receivables.models import RetentionStatement

    p1, _p2 = known.receivables()
    RetentionStatement.objects.create(project=p1, warranty_ends_on=date(2026, 6, 1), drafted_on=date(2026, 6, 1),
                                      project_name=p1.name, invoicing_unit="甲方", project_amount=p1.amount,
                                      retention_amount=p1.retention_amount, collected_amount=D("500000.00"),
                                      receivable_amount=D("500000.00"), state="issued", issued_on=date(2026, 6, 2))
    data = selectors.receivables_aging(demo.user("director"), today=TODAY)
    # P1's retention is now owed (in the 20 May invoice's bucket); only P2's 10,000 is still kept apart
    assert {b["bucket"]: b["amount"] for b in data["buckets"]}["0-30"] == D("400000.00")
    assert data["retention_pending"] == D("10000.00")


def test_commission_deductions_by_person_and_month(known, demo):
    from receivables.models import CommissionEntry

    p3 = known.deductions()
    step = (p3.commission_base * p3.commission_rate_percent / 100 * D("0.05")).quantize(D("0.01"))
    data = selectors.deductions(demo.user("director"), YEAR)
    assert [p["name"] for p in data["people"]] == ["刘洋"]
    by_month = data["people"][0]["by_month"]
    assert dict(by_month) == {(2026, 3): step, (2026, 4): step, (2026, 5): step, (2026, 6): step}
    assert data["total"] == step * 4
    assert CommissionEntry.objects.filter(project=p3, kind="deduction").count() == 4
    # the period narrows by entry date, the region by the project's region
    assert selectors.deductions(demo.user("director"), periods.quarter_period(2026, 2))["total"] == step * 3
    assert selectors.deductions(demo.user("director"), YEAR, region="HB")["total"] == D("0")
    # each person sees their own, a regional manager their region's
    assert selectors.deductions(demo.user("sales_hd"), YEAR)["total"] == step * 4
    assert selectors.deductions(demo.user("sales_hb"), YEAR)["total"] == D("0")
    assert selectors.deductions(demo.user("rm_hd"), YEAR)["total"] == step * 4
    assert selectors.deductions(demo.user("rm_hb"), YEAR)["total"] == D("0")


def test_hand_off_on_time_rate_over_the_period(demo, make, today):
    from handoff.services import costing_submit, costing_suggest
    from tests.handoff.conftest import COSTS, HandoffFactory, at

    hf = HandoffFactory(demo)
    # XXX: March one on time, one late; April one never costed (overdue). Finance: March one on time, one late.
    a = hf.handoff(now=at(2026, 3, 4, 9))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=a.pk, lines=COSTS, now=at(2026, 3, 5, 20))
    costing_suggest(by=demo.user("finance"), handoff_id=a.pk, suggested_amount="1", now=at(2026, 3, 6, 9))
    b = hf.handoff(now=at(2026, 3, 10, 9))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=b.pk, lines=COSTS, now=at(2026, 3, 12, 9))
    costing_suggest(by=demo.user("finance"), handoff_id=b.pk, suggested_amount="1", now=at(2026, 4, 1, 9))
    hf.handoff(now=at(2026, 4, 7, 9))
    director = demo.user("director")
    year = selectors.handoff_on_time(director, YEAR)["totals"]
    assert (year["xxx"]["on_time"], year["xxx"]["rated"], year["xxx"]["rate"]) == (1, 3, D("33.3"))
    assert (year["finance"]["on_time"], year["finance"]["rated"], year["finance"]["rate"]) == (1, 2, D("50.0"))
    q1 = selectors.handoff_on_time(director, periods.quarter_period(2026, 1))
    assert q1["totals"]["xxx"]["rate"] == D("50.0") and [r["label"] for r in q1["months"]["xxx"]] == [
        "2026-01", "2026-02", "2026-03"]
    april = selectors.handoff_on_time(director, periods.month_period(2026, 4))["totals"]["xxx"]
    assert (april["overdue"], april["rate"]) == (1, D("0.0"))
    assert selectors.handoff_on_time(director, YEAR, region="HD")["totals"]["xxx"]["rated"] == 0
    assert selectors.handoff_on_time(demo.user("sales_hd"), YEAR)["totals"]["xxx"]["rated"] == 0


def test_headline_numbers(known, demo):
    known.signed_and_targets()
    director = demo.user("director")
    sections = [build(k, director, YEAR, "", TODAY) for k in section_keys(director)]
    cards = {c["key"]: c for c in headline(sections, YEAR, "")}
    assert cards["signed"]["value"] == "¥1,000,000.00"
    assert cards["signed"]["note"] == "目标 ¥5,700,000.00 · 完成 17.5%"
    assert cards["pipeline"]["value"] == "0"  # nothing in approval: a draft and three signed
    assert cards["aging"]["value"] == "¥0.00"
    assert set(cards) == {"signed", "pipeline", "aging", "deductions", "handoff", "repairs", "tenders"}


def test_repair_service_levels_and_satisfaction_by_month_and_department(demo, today):
    from repairs.services import return_call_record
    from tests.repairs.conftest import Repairs, at

    rep = Repairs(demo)
    # March: one solved by phone, called back half an hour later, satisfaction 5; one solved by phone scored 3.
    # May: one still waiting for a technician. April: nothing.
    for day, score in ((2, 5), (9, 3)):
        ticket = rep.responded(solved=True, now=at(2026, 3, day, 9, 0))
        return_call_record(by=rep.u("cs"), ticket_id=ticket.pk, fixed=True, satisfaction=score,
                           now=at(2026, 3, day, 15, 0))
    rep.ticket(now=at(2026, 5, 6, 10, 0))
    section = build("repairs", demo.user("director"), periods.custom_period((2026, 3), (2026, 5)), "", TODAY)
    months = by_label(section.data["month"])
    assert set(months) == {"2026-03", "2026-05"}
    assert (months["2026-03"]["tickets"], months["2026-03"]["satisfaction"]) == (2, D("4.00"))
    assert months["2026-03"]["phone_rate"] == D("1.000") and months["2026-05"]["satisfaction"] is None
    assert section.data["totals"]["tickets"] == 3
    chart = section.chart
    assert chart["categories"] == ["2026-03", "2026-05"]
    assert chart["series"][0]["data"] == [2, 1] and chart["series"][1]["data"] == [4.0, None]
    assert chart["series"][0]["links"][0] == "/repairs/metrics/?start=2026-03-01&end=2026-03-31"
    department = by_label(section.data["department"])["维修中心"]
    assert department["tickets"] == 3
    assert section.extra_chart["series"][0]["links"] == ["/repairs/?department=repair"]
    # the period bounds: April alone has none
    assert build("repairs", demo.user("director"), periods.month_period(2026, 4), "", TODAY).data["totals"][
        "tickets"] == 0


def test_bids_by_state_won_amount_and_win_rate(known, demo):
    won, lost, march, preparing = known.tenders()
    director = demo.user("director")
    data = selectors.tenders(director, YEAR)
    assert data["by_state"] == {"won": {"count": 1, "budget": D("800000.00")},
                                "lost": {"count": 2, "budget": D("700000.00")},
                                "preparing": {"count": 1, "budget": D("300000.00")}}
    assert (data["count"], data["won_amount"], data["win_rate"], data["open"]) == (4, D("760000.00"), D("33.3"), 1)
    q2 = selectors.tenders(director, periods.quarter_period(2026, 2))
    assert (q2["count"], q2["won_amount"], q2["win_rate"]) == (3, D("760000.00"), D("50.0"))
    assert selectors.tenders(director, periods.month_period(2026, 3))["by_state"] == {
        "lost": {"count": 1, "budget": D("200000.00")}}
    # X-2 and the region: the regional manager his region's, a salesperson his own
    hb = selectors.tenders(demo.user("rm_hb"), YEAR)
    assert (hb["count"], hb["won_amount"], hb["win_rate"], hb["open"]) == (3, D("760000.00"), D("33.3"), 0)
    assert selectors.tenders(demo.user("rm_hb"), YEAR, region="HD")["count"] == 0
    own = selectors.tenders(demo.user("sales_hd"), YEAR)
    assert (own["count"], own["won_amount"], own["win_rate"]) == (1, D("0.00"), None)
    assert selectors.tenders(director, YEAR, region="HD") == own
    # the chart: one bar per state present, the count and the budget, each opening the bid list filtered
    section = build("tenders", director, YEAR, "", TODAY)
    assert section.chart["categories"] == ["投标文件编制中（1）", "中标（1）", "未中标（2）"]
    assert section.chart["series"][0]["data"] == [1, 1, 2]
    assert section.chart["series"][0]["links"][1] == (
        "/planning/bids/?state=won&date_from=2026-01-01&date_to=2026-12-31")
    assert section.rows[-1] == ["整个期间", 4, D("1800000.00"), D("760000.00"), D("33.3")]
