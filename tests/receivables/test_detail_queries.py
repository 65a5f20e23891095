"""The project page's queries do not grow with its invoices, receipts and history (issue 13)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.queries import queries_of

pytestmark = pytest.mark.django_db


# At most, per role (issue 13 point 3: finance 32 before the acceptance was read once for the page and the rules of its
# buttons).
MOST = {"director": 30, "sales_hb": 32, "finance": 31}


@pytest.mark.parametrize("who", MOST)
def test_project_page_queries_do_not_grow_with_its_records_and_history(rcv, on_day, login, demo, who):
    # given: two accepted projects with one invoice and one receipt; then one gets many more (and their history)
    on_day(date(2026, 7, 7))
    few = rcv.project(accepted_on=date(2026, 6, 1))
    many = rcv.project(accepted_on=date(2026, 6, 1))
    for project in (few, many):
        rcv.invoice(project, date(2026, 6, 10), amount=Decimal("100000.00"))
        rcv.receipt(project, date(2026, 6, 20), Decimal("50000.00"))
    client = login(demo.user(who))
    url = reverse("receivables:project-detail", args=[many.pk])
    counted = queries_of(client, url)
    assert counted <= MOST[who]
    history_before = many.history.count()
    for n in range(6):
        rcv.invoice(many, date(2026, 6, 11 + n), amount=Decimal("10000.00"))
        rcv.receipt(many, date(2026, 6, 21 + n), Decimal("5000.00"))
    many.refresh_from_db()
    assert many.history.count() > history_before
    # when / then
    assert queries_of(client, url) == counted
    assert queries_of(client, reverse("receivables:project-detail", args=[few.pk])) == counted


def test_the_contract_panel_narrowed_to_one_contract_sees_what_the_selector_sees(rcv, demo):
    from contracts.models import Contract
    from receivables.selectors import projects_of_contract_visible_to, projects_visible_to

    # given: projects of two regions, one accepted by XXX, and a contract without a project
    hb = rcv.project(owner="sales_hb", accepted_on=date(2026, 6, 1))
    hd = rcv.project(owner="sales_hd")
    bare = rcv.contract(owner="sales_hb")
    contracts = [hb.contract, hd.contract, bare, *Contract.objects.filter(project__isnull=False)[:5]]
    for name in ("sales_hb", "sales_hd", "rm_hb", "rm_hd", "director", "finance", "xxx_head", "legal", "clerk",
                 "archivist", "cs"):
        user = demo.user(name)
        for contract in contracts:
            # when / then
            expected = set(projects_visible_to(user).filter(contract=contract).values_list("pk", flat=True))
            assert set(projects_of_contract_visible_to(user, contract).values_list("pk", flat=True)) == expected, (
                name, contract.pk)
    assert list(projects_of_contract_visible_to(demo.user("sales_hb"), hb.contract)) == [hb]
    assert not projects_of_contract_visible_to(demo.user("sales_hb"), hd.contract).exists()
