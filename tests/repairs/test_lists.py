"""The ticket list on the list kernel (issue 12, point 5): filters, "my tickets", export of what is filtered."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook


def test_ticket_list_filters_and_exports_exactly_what_is_filtered(login, demo, rep, django_assert_num_queries):
    assigned = rep.assigned(unit_name="北京电力检修公司")
    new = rep.ticket(unit_name="天津供电服务中心")
    client = login(demo.user("cs"))
    context = client.get(reverse("repairs:list") + "?q=天津").context
    assert [t.pk for t in context["page"]] == [new.pk] and context["totals"] == {"count": 1}
    assert [t.pk for t in client.get(reverse("repairs:list") + "?state=assigned").context["page"]] == [assigned.pk]
    body = b"".join(client.get(reverse("repairs:export") + "?q=天津").streaming_content)
    assert [r[0] for r in load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True)] == [
        new.number]
    # the technician's "my tickets" (?mine=1) is the kernel's mine switch
    tech = login(demo.user("tech_repair"))
    assert [t.pk for t in tech.get(reverse("repairs:list") + "?mine=1&state=open").context["page"]] == [assigned.pk]
    url = (reverse("repairs:list") + f"?q=电力&state=open&category=repair&region=HB&owner={demo.user('tech_repair').pk}"
           "&date_from=2020-01-01&date_to=2030-12-31&mine=1&sort=-received")
    tech.get(url)
    # + the menu's "named on a contract" check for technicians (daily12b); + 3: the page's customers, equipment and
    # technicians are fetched for its rows (repairs.selectors.TICKET_ROW_RELATED), whatever their number; the visible
    # set read once (repairs.selectors.visible_tickets), the GM's Office asked in one query instead of three (-1)
    with django_assert_num_queries(20):
        assert tech.get(url).status_code == 200
    for _n in range(3):
        rep.assigned()
    with django_assert_num_queries(20):
        tech.get(url)


PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def _ticket_for_everyone(rep):
    """A ticket each restricted viewer below sees: tech_repair works on it, it is of a customer of 华北 (rm_hb) whose
    contract sales_hb handles."""
    customer = rep.make.customer(region="HB", by="sales_hb")
    rep.make.contract(by="sales_hb", customer=customer)
    return rep.assigned(customer=customer)


def test_restricted_ticket_lists_read_the_visible_set_once(login, demo, rep, django_assert_num_queries):
    """Issue 13: for whoever sees part of the tickets, the visible set (ids, "mine", the technicians and customers
    of the choices) is one statement (``repairs.selectors.visible_tickets``): no COUNT, no UNION per choice, and
    the same number of queries whatever the number of tickets (24, 24, 24, 22 before; then three fewer again: the
    session is no longer written on every page)."""
    _ticket_for_everyone(rep)
    for who, url, headers, queries in (("tech_repair", "?mine=1", {"HTTP_USER_AGENT": PHONE}, 19),
                                       ("tech_repair", "", {}, 19), ("rm_hb", "", {}, 19), ("sales_hb", "", {}, 17)):
        client = login(demo.user(who))
        client.get(reverse("repairs:list") + url, **headers)
        with django_assert_num_queries(queries):
            response = client.get(reverse("repairs:list") + url, **headers)
        assert response.context["totals"]["count"] >= 1
        _ticket_for_everyone(rep)
        with django_assert_num_queries(queries):
            client.get(reverse("repairs:list") + url, **headers)
