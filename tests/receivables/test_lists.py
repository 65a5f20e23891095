"""Projects and the commission ledger on the list kernel (issue 12, point 5) and aging with retention not yet due
kept apart from overdue money (point 9)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from receivables.selectors import aging_of


def _rows(response):
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    return rows[0], [r for r in rows[1:] if r[0] != "合计"]


def test_retention_not_yet_due_is_kept_out_of_the_age_buckets():
    # 1,000 invoiced on 2025-01-10, 950 received: the 50 left is the retention (5 %)
    invoices = [(date(2025, 1, 10), Decimal("1000"))]
    held = aging_of(Decimal("1000"), Decimal("50"), invoices, Decimal("950"), date(2026, 3, 1), retention_due=False)
    assert held["outstanding"] == Decimal("50") and held["retention_not_due"] == Decimal("50")
    assert sum(held["buckets"].values()) == Decimal("0")
    # once the warranty has ended the same 50 is overdue money, aged from the invoice (415 days: > 365)
    due = aging_of(Decimal("1000"), Decimal("50"), invoices, Decimal("950"), date(2026, 3, 1))
    assert due["retention_not_due"] == Decimal("0") and due["buckets"][">365"] == Decimal("50")
    # 300 outstanding of which 50 retention: the retention is the newest money, the rest keeps its age
    invoices = [(date(2025, 12, 1), Decimal("600")), (date(2026, 2, 20), Decimal("400"))]
    row = aging_of(Decimal("1000"), Decimal("50"), invoices, Decimal("700"), date(2026, 3, 1), retention_due=False)
    assert row["retention_not_due"] == Decimal("50")
    assert row["buckets"]["0-30"] == Decimal("250") and sum(row["buckets"].values()) == Decimal("250")


def test_aging_page_and_export_show_retention_not_yet_due_apart(rcv, on_day, client, demo):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 5), amount=Decimal("1000000.00"))  # warranty 12 months
    rcv.invoice(project, date(2026, 1, 10))
    rcv.receipt(project, date(2026, 2, 1), Decimal("950000.00"))
    client.force_login(demo.user("finance"))
    page = client.get(reverse("receivables:aging"))
    assert page.context["grand"]["retention_not_due"] == Decimal("50000.00")
    assert sum(page.context["grand"]["buckets"].values()) == Decimal("0")
    header, rows = _rows(client.get(reverse("receivables:aging-export")))
    row = next(r for r in rows if r[0] == project.number)
    assert row[header.index("未到期质保金")] == 50000 and row[header.index("31-60 天")] == 0


def test_project_list_filters_totals_and_export(rcv, on_day, client, demo):
    on_day(date(2026, 7, 7))
    hb = rcv.project(accepted_on=date(2026, 3, 2), amount=Decimal("1000000.00"))
    rcv.invoice(hb, date(2026, 3, 10), amount=Decimal("400000.00"))
    rcv.project(accepted_on=date(2026, 5, 6), amount=Decimal("200000.00"))
    hd = rcv.project(accepted_on=date(2026, 3, 20), amount=Decimal("300000.00"), owner="sales_hd")
    client.force_login(demo.user("director"))
    context = client.get(reverse("receivables:project-list") + "?date_from=2026-03-01&date_to=2026-03-31").context
    assert {p.pk for p in context["page"]} == {hb.pk, hd.pk}
    assert context["totals"] == {"count": 2, "amount": Decimal("1300000.00"), "invoiced": Decimal("400000.00"),
                                 "received": Decimal("0")}
    # the older ?stage= link still filters; sorted by what is invoiced
    assert client.get(reverse("receivables:project-list") + "?stage=settled").context["totals"]["count"] == 0
    context = client.get(reverse("receivables:project-list") + "?region=HB&sort=-invoiced").context
    assert [p.pk for p in context["page"]][0] == hb.pk and context["totals"]["count"] == 2
    _header, rows = _rows(client.get(reverse("receivables:project-export") + "?date_from=2026-03-01&date_to=2026-03-31"
                                     "&region=HD"))
    assert [r[0] for r in rows] == [hd.number]


def test_project_list_query_count_with_the_filters_applied(rcv, on_day, client, demo, django_assert_num_queries):
    on_day(date(2026, 7, 7))
    rcv.project(accepted_on=date(2026, 6, 1))
    client.force_login(demo.user("sales_hb"))
    url = (reverse("receivables:project-list") + "?q=合同&state=open&region=HB&mine=on&date_from=2026-01-01"
           f"&date_to=2026-12-31&attention=&owner={demo.user('sales_hb').pk}&sort=-amount")
    client.get(url)
    # 18: the totals are three (count and amount; invoiced; received), summed over the invoices and receipts
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200
    for _n in range(4):
        rcv.project(accepted_on=date(2026, 6, 1))
    with django_assert_num_queries(15):
        page = client.get(url)
    assert page.context["totals"]["count"] == 5


def test_ledger_filters_and_query_count(rcv, on_day, client, demo, django_assert_num_queries):
    on_day(date(2026, 7, 7))
    rcv.project(accepted_on=date(2026, 1, 5))
    rcv.project(accepted_on=date(2026, 1, 5), owner="sales_hd")
    client.force_login(demo.user("director"))
    everything = client.get(reverse("receivables:ledger")).context["totals"]
    hd = client.get(reverse("receivables:ledger") + f"?owner={demo.user('sales_hd').pk}").context
    assert 0 < hd["totals"]["count"] < everything["count"]
    assert {e.owner.username for e in hd["page"]} == {"sales_hd"}
    _header, rows = _rows(client.get(reverse("receivables:ledger-export") + f"?owner={demo.user('sales_hd').pk}"))
    assert len(rows) == hd["totals"]["count"] and {r[3] for r in rows} == {"刘洋"}
    assert sum(Decimal(str(r[8])) for r in rows) == hd["totals"]["amount"]
    url = reverse("receivables:ledger") + "?q=合同&region=HB&date_from=2026-01-01&date_to=2026-12-31&kind=&sort=-amount"
    client.get(url)
    with django_assert_num_queries(14):
        client.get(url)
    rcv.project(accepted_on=date(2026, 1, 5))
    with django_assert_num_queries(14):
        client.get(url)
