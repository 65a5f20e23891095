"""The bid list on the list kernel (issue 12, point 5): filters, totals of budgets, export of what is filtered."""

from __future__ import annotations

import io
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
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200
    pln.tender()
    with django_assert_num_queries(15):
        client.get(url)
