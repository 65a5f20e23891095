"""The ticket page reads the people and records it names with the ticket (issue 13): a relayed ticket, with its
salesperson, a customer, a contract and equipment, costs the page no more queries than a plain one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from repairs.models import Ticket
from tests.queries import queries_of

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
