"""The hand-off register on the list kernel (issue 12, point 5); the finance reviewer sees the costing lines where
they decide (point 9)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook


def test_register_filters_and_exports_exactly_what_is_filtered(login, demo, hf):
    hb = hf.costed()
    hd = hf.handoff(by="sales_hd", contract=hf.signed_contract(by="sales_hd", region="HD"))
    client = login(demo.user("director"))
    context = client.get(reverse("handoff:list") + "?region=HD").context
    assert [h.pk for h in context["page"]] == [hd.pk] and context["totals"]["count"] == 1
    assert [h.pk for h in client.get(reverse("handoff:list") + "?state=review").context["page"]] == [hb.pk]
    assert [h.pk for h in client.get(reverse("handoff:list") + f"?q={hb.number}").context["page"]] == [hb.pk]
    body = b"".join(client.get(reverse("handoff:export") + "?region=HD").streaming_content)
    numbers = [r[0] for r in load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True)]
    assert numbers == [hd.number, "合计"]
    # XXX's owner choices are the handlers of the hand-offs it sees; "mine" for the issuer
    sales = login(demo.user("sales_hb"))
    assert [h.pk for h in sales.get(reverse("handoff:list") + "?mine=on").context["page"]] == [hb.pk]


def test_register_query_count_with_the_filters_applied(login, demo, hf, django_assert_num_queries):
    hf.costed()
    client = login(demo.user("xxx_estimator"))
    url = (reverse("handoff:list") + f"?q=JL&state=review&region=HB&owner={demo.user('sales_hb').pk}"
           "&date_from=2020-01-01&date_to=2030-12-31&sort=-issued")
    client.get(url)
    with django_assert_num_queries(14):  # + the totals ask which sales contracts the user sees (Party A price)
        assert client.get(url).status_code == 200
    for _n in range(3):
        hf.costed()
    with django_assert_num_queries(14):  # + the totals ask which sales contracts the user sees (Party A price)
        assert client.get(url).context["totals"]["count"] >= 1


def test_finance_reviewer_sees_the_cost_lines_without_opening_anything(login, demo, hf):
    handoff = hf.costed()
    page = login(demo.user("finance")).get(handoff.get_absolute_url()).content.decode()
    block = page[page.index('id="review-cost-lines"'):page.index('id="review-form"')]
    line = handoff.costings.get().lines.first()
    assert line.description in block and "cost-lines" in block
    assert '<details class="px-2 py-1" open>' in page  # the version under review is shown open below as well


def test_register_totals_keep_party_as_price_and_the_margin_from_xxx(login, demo, hf):
    """Given a decided hand-off (Party A's line ¥300,000, decided ¥95,000), one suggested by Finance (¥92,000) and
    one costed by XXX (¥86,000): the totals of what is filtered by hand."""
    decided, _decision = hf.decided(amount="95000.00")
    hf.suggested(amount="92000.00")
    hf.costed()
    director = login(demo.user("director")).get(reverse("handoff:list"))
    totals = director.context["totals"]
    assert (totals["count"], totals["amount"], totals["construction"], totals["main"], totals["margin"]) == (
        3, Decimal("273000.00"), Decimal("95000.00"), Decimal("900000.00"), Decimal("205000.00"))
    page = director.content.decode()
    summary = page[page.index('id="list-summary"'):page.index("</div>", page.index('id="list-summary"'))]
    for figure in ("¥273,000.00", "¥95,000.00", "¥900,000.00", "¥205,000.00", "甲方"):
        assert figure in summary
    # filtered: only the decided one
    totals = login(demo.user("director")).get(reverse("handoff:list") + "?state=contracting").context["totals"]
    assert (totals["count"], totals["amount"], totals["main"]) == (1, Decimal("95000.00"), Decimal("300000.00"))
    # XXX: the same amounts in play, but neither Party A's price nor the margin — not even as a total
    for login_name in ("xxx_estimator", "xxx_head", "xxx_negotiator"):
        response = login(demo.user(login_name)).get(reverse("handoff:list"))
        totals = response.context["totals"]
        assert (totals["count"], totals["amount"], totals["construction"]) == (
            3, Decimal("273000.00"), Decimal("95000.00"))
        assert totals["seen"] == 0 and totals["main"] == 0 and totals["margin"] == 0
        page = response.content.decode()
        summary = page[page.index('id="list-summary"'):page.index("</div>", page.index('id="list-summary"'))]
        assert "¥273,000.00" in summary
        for hidden in ("¥900,000.00", "¥300,000.00", "¥205,000.00", "甲方", "差额"):
            assert hidden not in summary, (login_name, hidden)
        assert "¥205,000.00" not in page and "¥900,000.00" not in page
    assert decided.contract.lines.get().amount == Decimal("300000.00")
