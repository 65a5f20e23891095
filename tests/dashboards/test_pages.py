"""The dashboard page and its exports: the four access cases, the filters kept in the URL, bad input, the
links a click opens (the existing lists, already filtered, showing the same records), the Excel data, and a
fixed number of queries whatever the data size."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db
D = Decimal
PAGE = reverse("dashboards:dashboard")


def export(key):
    return reverse("dashboards:export", args=[key])


def sheet(response):
    return list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))


def test_four_access_cases_on_the_page_and_every_export(client, login, demo, today):
    keys = ["signed", "pipeline", "handoff", "aging", "deductions", "repairs", "tenders"]
    # anonymous: to the log-in page
    for url in [PAGE, *map(export, keys)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # no right (a repair technician, XXX, the archivist): 404
    for username in ("tech_repair", "xxx_estimator", "archivist"):
        login(demo.user(username))
        assert client.get(PAGE).status_code == 404
        assert all(client.get(export(k)).status_code == 404 for k in keys)
    # the director: every section and export
    login(demo.user("director"))
    response = client.get(PAGE)
    assert response.status_code == 200
    assert [s.key for s in response.context["sections"]] == keys
    assert all(client.get(export(k)).status_code == 200 for k in keys)
    # a salesperson: no repair metrics (not theirs to read): neither the section nor its export
    login(demo.user("sales_hb"))
    assert [s.key for s in client.get(PAGE).context["sections"]] == [*keys[:5], "tenders"]
    assert client.get(export("repairs")).status_code == 404
    assert client.get(export("nothing")).status_code == 404
    # a regional manager
    login(demo.user("rm_hb"))
    assert client.get(PAGE).status_code == 200 and client.get(export("aging")).status_code == 200


def test_filters_are_kept_in_the_url_and_bad_input_is_named(login, demo, today):
    client = login(demo.user("director"))
    page = client.get(PAGE + "?period=quarter&year=2026&quarter=2&region=HD")
    assert page.context["period"].label == "2026年第2季度" and page.context["region"] == "HD"
    body = page.content.decode()
    assert f'href="{export("signed")}?period=quarter&amp;year=2026&amp;quarter=2&amp;region=HD"' in body
    assert client.get(PAGE + "?period=month&year=2026&month=3").context["period"].label == "2026-03"
    custom = client.get(PAGE + "?period=custom&start=2025-11&end=2026-02").context["period"]
    assert custom.label == "2025-11 至 2026-02" and len(custom.months) == 4
    # bad input: the field is named, the default period (this year) is shown
    bad = client.get(PAGE + "?period=custom&start=2026-05&end=2026-02")
    assert bad.context["form"].errors == {"end": ["截止月份早于起始月份。"]}
    assert bad.context["period"].label == "2026年"
    assert "截止月份早于起始月份。" in bad.content.decode()
    assert client.get(PAGE + "?period=custom&start=2026-13").context["form"].errors["start"] == [
        "请按“年-月”格式填写月份，例如 2026-03。"]
    assert client.get(PAGE + "?period=custom&start=2023-01&end=2026-01").context["form"].errors["end"] == [
        "自定义期间最多 24 个月。"]
    assert "year" in client.get(PAGE + "?period=year&year=abc").context["form"].errors


def test_a_click_opens_the_matching_list_already_filtered(login, known, demo):
    known.signed_and_targets()
    client = login(demo.user("director"))
    sections = {s.key: s for s in client.get(PAGE + "?period=year&year=2026").context["sections"]}
    # the pipeline's "signed" bar → the contract list of signed sales contracts: the same three
    pipeline = sections["pipeline"].chart
    signed_bar = next(i for i, c in enumerate(pipeline["categories"]) if c.startswith("已签订"))
    url = pipeline["series"][0]["links"][signed_bar]
    assert url == "/contracts/?direction=sales&state=signed"
    assert len(client.get(url).context["page"].object_list) == 3
    # the March bar of the signed amount → the contracts signed in March: 300,000 and 500,000
    signed = sections["signed"].chart
    march = signed["series"][0]["links"][2]
    assert march == "/contracts/?signed_from=2026-03-01&signed_to=2026-03-31"
    listed = client.get(march)
    assert sorted(c.amount for c in listed.context["page"].object_list) == [D("300000.00"), D("500000.00")]
    assert "2026-03-01 至 2026-03-31 签订且有效的销售合同" in listed.content.decode()
    # the HD bar of the regions chart → HD's contracts signed in the period
    region = sections["signed"].extra_chart
    hd = region["series"][0]["links"][region["categories"].index("华东区")]
    assert [c.amount for c in client.get(hd).context["page"].object_list] == [D("500000.00")]


def test_a_deduction_bar_opens_the_ledger_of_that_person_and_month(login, known, demo):
    p3 = known.deductions()
    client = login(demo.user("director"))
    section = next(s for s in client.get(PAGE).context["sections"] if s.key == "deductions")
    chart = section.chart
    assert chart["series"][0]["name"] == "刘洋" and chart["stack"]
    april = chart["series"][0]["links"][3]
    assert april == (f"/receivables/ledger/?owner={p3.owner_id}&kind=rules&date_from=2026-04-01"
                     "&date_to=2026-04-30")
    entries = client.get(april).context["page"].object_list
    assert [e.kind for e in entries] == ["deduction"] and -entries[0].amount == D(str(chart["series"][0]["data"][3]))


def test_exports_carry_the_charts_figures(login, known, demo):
    known.signed_and_targets()
    known.receivables()
    client = login(demo.user("director"))
    rows = sheet(client.get(export("signed") + "?period=quarter&year=2026&quarter=1"))
    assert rows[0] == ("月份", "区域", "签订金额（元）", "目标（元）", "完成率（%）")
    assert rows[3] == ("2026-03", None, 800000, 700000, 114.3)
    assert rows[-1] == ("整个期间", "合计", 800000, 2100000, 38.1)
    aging = {r[0]: r[1] for r in sheet(client.get(export("aging")))[1:]}
    assert aging["0-30 天"] == 350000 and aging["其中逾期"] == 140000 and aging["未到期质保金（单独列示）"] == 60000
    pipeline = {r[0]: r[1:] for r in sheet(client.get(export("pipeline")))[1:]}
    # three signed in 2026 and the two projects' contracts (signed in 2024 and 2025), one draft
    assert pipeline == {"草稿": (1, 120000), "已签订，待登记": (5, 2200000)}
    response = client.get(export("pipeline"))
    assert "attachment" in response["Content-Disposition"]


def test_the_dashboard_costs_the_same_queries_with_more_data(login, known, demo, django_assert_max_num_queries,
                                                             django_capture_on_commit_callbacks):
    client = login(demo.user("director"))
    client.get(PAGE)  # the role cache and the calendar are filled by the first request

    def count():
        with django_assert_max_num_queries(40) as queries:
            assert client.get(PAGE + "?period=custom&start=2025-10&end=2026-06").status_code == 200
        return len(queries)

    empty = count()
    known.signed_and_targets()
    known.receivables()
    known.deductions()
    known.tenders()
    once = count()
    known.signed_and_targets(targets=False)
    known.receivables()
    known.deductions()
    known.tenders()
    more = count()
    # the same with twice the records; with none, two look-ups of names (regions, people) are not needed
    assert more == once == empty + 2
    # the receivables aging is one statement (two before), the repairs three (seven), the bids one; and the version
    # of the cached figures (marketing_portal.figures_cache); the policy in force read once (marketing_portal.memo)
    assert once == 28
    # a repeat view reads the figures from the cache: stored once the test's writes commit (played here)
    with django_capture_on_commit_callbacks(execute=True):
        count()
    assert count() == 9  # the session, the user, the roles, the filters' regions, the version; no figure
