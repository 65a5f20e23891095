"""The planning lists on the list kernel (issue 12, point 5): bids, sales reports and plans — filters, sorting, totals
(budgets; signed, invoiced and received amounts; annual targets), export of what is filtered, pinned query counts."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook


def test_bid_list_filters_totals_and_export(login, demo, pln, django_assert_num_queries):
    hb = pln.tender(budget="800000")
    pln.tender(budget="200000")
    hd = pln.tender(by="sales_hd", budget="500000")
    client = login(demo.user("mgmt_manager"))
    context = client.get(reverse("planning:tenders")).context
    assert context["totals"]["count"] == 3 and context["totals"]["budget"] == Decimal("1500000")
    context = client.get(reverse("planning:tenders") + "?region=HB&sort=-budget").context
    assert [t.pk for t in context["page"]][0] == hb.pk and context["totals"]["budget"] == Decimal("1000000")
    body = b"".join(client.get(reverse("planning:tender-export") + "?region=HD").streaming_content)
    assert [r[0] for r in load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True)] == [
        hd.number, "合计"]
    url = (reverse("planning:tenders") + f"?q=测试&state=open&region=HB&owner={demo.user('sales_hb').pk}"
           "&date_from=2020-01-01&date_to=2030-12-31&sort=-opening")
    client.get(url)
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200
    pln.tender()
    with django_assert_num_queries(12):
        client.get(url)


def _report(demo, login, kind="weekly", period="2026-W24"):
    from planning import services

    return services.report_file(by=demo.user(login), kind=kind, period=period, work_done=f"{login}拜访客户",
                                next_plan="跟进投标")


def test_report_list_filters_totals_and_export(login, demo, pln, django_assert_num_queries):
    """Given three reports — 张伟's weekly (¥368,000 signed in the week) and monthly (May, nothing signed),
    刘洋's weekly (¥500,000 in 华东) — the list filters, sorts, adds up and exports what is filtered."""
    from planning import services

    pln.signed(amount="368000", signed_on=date(2026, 6, 9))
    pln.signed(owner="sales_hd", amount="500000", signed_on=date(2026, 6, 10))
    hb_week = _report(demo, "sales_hb")
    hb_month = _report(demo, "sales_hb", kind="monthly", period="2026-05")
    hd_week = _report(demo, "sales_hd")
    services.report_comment(report_id=hb_week.pk, by=demo.user("rm_hb"), body="抓紧催收回款")
    client = login(demo.user("director"))
    url = reverse("planning:reports")
    context = client.get(url).context
    assert (context["totals"]["count"], context["totals"]["signed"]) == (3, Decimal("868000.00"))
    context = client.get(url + "?region=HB").context
    assert {r.pk for r in context["page"]} == {hb_week.pk, hb_month.pk}
    assert context["totals"]["signed"] == Decimal("368000.00")
    assert [r.pk for r in client.get(url + "?sort=-signed").context["page"]] == [hd_week.pk, hb_week.pk, hb_month.pk]
    assert [r.pk for r in client.get(url + "?kind=monthly").context["page"]] == [hb_month.pk]
    assert [r.pk for r in client.get(url + "?state=commented").context["page"]] == [hb_week.pk]
    assert [r.pk for r in client.get(url + "?q=刘洋").context["page"]] == [hd_week.pk]
    assert {r.pk for r in client.get(url + "?date_from=2026-06-01&date_to=2026/6/30").context["page"]} == {
        hd_week.pk, hb_week.pk}
    assert [r.pk for r in client.get(url + f"?owner={demo.user('sales_hd').pk}").context["page"]] == [hd_week.pk]
    # the regional manager: his region only, and only its people to choose from
    rm = login(demo.user("rm_hb")).get(url + "?region=HD").context  # not his to choose: the filter is dropped
    assert {r.region.code for r in rm["page"]} == {"HB"}
    rm = login(demo.user("rm_hb")).get(url).context
    assert rm["totals"]["count"] == 2 and [c[0] for c in rm["filter"].owner_choices] == [str(demo.user("sales_hb").pk)]
    mine = login(demo.user("sales_hb")).get(url + "?mine=on").context
    assert {r.pk for r in mine["page"]} == {hb_week.pk, hb_month.pk}
    client = login(demo.user("director"))
    body = b"".join(client.get(reverse("planning:report-export") + "?region=HB&sort=-signed").streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[4], r[10]) for r in rows[:2]] == [("张伟", 368000), ("张伟", 0)] and rows[2][0] == "合计"
    query = (url + f"?q=张伟&kind=weekly&state=on_time&region=HB&owner={demo.user('sales_hb').pk}"
             "&date_from=2026-01-01&date_to=2026-12-31&sort=-signed&mine=on")
    client = login(demo.user("director"))
    client.get(query)
    with django_assert_num_queries(10):
        assert client.get(query).status_code == 200
    _report(demo, "sales_hb", period="2026-W23")
    with django_assert_num_queries(10):
        client.get(query)


def test_plan_list_filters_target_totals_and_export(login, demo, pln, django_assert_num_queries):
    """Given 华北's 2026 plan in force (¥1,200,000 a year; 张伟's own ¥500,000 line not added to the region's), the
    centre's 2026 draft (华北 ¥100,000 a month for six months, 华东 ¥300,000 in Q1) and 华东's 2025 plan in force
    (¥2,400,000): the totals count annual region targets as the dashboard does."""
    hb = pln.plan(region="HB", by="rm_hb", rows=[("HB", None, "year", 0, 1200000), ("HB", "sales_hb", "year", 0,
                                                                                        500000)]).plan
    centre = pln.plan(rows=[("HB", None, "month", m, 100000) for m in range(1, 7)] + [("HD", None, "quarter", 1,
                                                                                       300000)], approve=False).plan
    old = pln.plan(year=2025, region="HD", rows=[("HD", None, "year", 0, 2400000)]).plan
    client = login(demo.user("director"))
    url = reverse("planning:plans")
    context = client.get(url).context  # this year (2026) unless told
    assert {p.pk for p in context["page"]} == {hb.pk, centre.pk}
    assert (context["totals"]["count"], context["totals"]["target"], context["totals"]["proposed"]) == (
        2, Decimal("1200000.00"), Decimal("2100000.00"))
    assert {r["plan"].pk: (r["target"], r["proposed"]) for r in context["rows"]} == {
        hb.pk: (Decimal("1200000.00"), Decimal("1200000.00")), centre.pk: (None, Decimal("900000.00"))}
    context = client.get(url + "?year=").context
    assert (context["totals"]["count"], context["totals"]["target"]) == (3, Decimal("3600000.00"))
    assert [p.pk for p in client.get(url + "?state=draft").context["page"]] == [centre.pk]
    assert [p.pk for p in client.get(url + "?year=&region=HD").context["page"]] == [old.pk]
    assert [p.pk for p in client.get(url + "?year=&sort=year").context["page"]][0] == old.pk
    assert [p.pk for p in client.get(url + f"?q={hb.number}").context["page"]] == [hb.pk]
    assert [p.pk for p in client.get(url + f"?owner={demo.user('rm_hb').pk}").context["page"]] == [hb.pk]
    # the regional manager sees his plan and the centre's, and of the centre's only his region's lines
    rm = login(demo.user("rm_hb")).get(url).context
    assert {p.pk for p in rm["page"]} == {hb.pk, centre.pk}
    assert rm["totals"]["proposed"] == Decimal("1800000.00")
    assert {p.pk for p in login(demo.user("rm_hb")).get(url + "?mine=on").context["page"]} == {hb.pk}
    client = login(demo.user("director"))
    body = b"".join(client.get(reverse("planning:plan-export") + "?year=2025").streaming_content)
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[8]) for r in rows[:1]] == [(old.number, 2400000)] and rows[1][0] == "合计"
    query = (url + f"?q=计划&year=2026&state=approved&region=HB&owner={demo.user('rm_hb').pk}"
             "&date_from=2020-01-01&date_to=2030-12-31&sort=-number&mine=on")
    client = login(demo.user("director"))
    client.get(query)
    with django_assert_num_queries(18):
        assert client.get(query).status_code == 200
    pln.plan(region="HN", by="rm_hn", rows=[("HN", None, "year", 0, 800000)])
    with django_assert_num_queries(18):
        client.get(query)
