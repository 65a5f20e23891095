"""The ticket page reads the people and records it names with the ticket (issue 13): a relayed ticket, with its
salesperson, a customer, a contract and equipment, costs the page no more queries than a plain one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from repairs.models import Ticket
from tests.queries import queries_of

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["cs", "tech_repair"])
def test_ticket_page_queries_do_not_grow_with_the_people_it_names(login, rep, who):
    # given: two tickets assigned to tech_repair, one of them relayed by a salesperson, under a contract
    plain = rep.assigned()
    relayed = rep.assigned()
    contract = rep.make.contract(by="sales_hb", customer=relayed.customer)
    Ticket.objects.filter(pk=relayed.pk).update(relayed_by=rep.u("sales_hb"), source="sales_relay",
                                                contract=contract)
    client = login(rep.u(who))
    # when / then: the same queries for both pages
    counted = queries_of(client, reverse("repairs:detail", args=[plain.pk]))
    assert queries_of(client, reverse("repairs:detail", args=[relayed.pk])) == counted
    body = client.get(reverse("repairs:detail", args=[relayed.pk])).content.decode()
    assert contract.get_absolute_url() in body and "张伟" in body  # the contract and the salesperson shown


def test_a_technicians_ticket_page_is_looked_up_for_that_ticket_only(login, rep, django_assert_num_queries):
    """Issue 13: the page asks whether the technician sees *this* ticket (``selectors.ticket_visible_to``: each
    reason narrowed to its id), not the whole visible set; the GM's Office is one question. Three fewer than before
    (31)."""
    ticket = rep.assigned()
    client = login(rep.u("tech_repair"))
    url = reverse("repairs:detail", args=[ticket.pk])
    client.get(url)
    with django_assert_num_queries(25):
        assert client.get(url, HTTP_USER_AGENT=PHONE).status_code == 200
    other = rep.ticket()  # not theirs: 404, as before
    assert client.get(reverse("repairs:detail", args=[other.pk])).status_code == 404
