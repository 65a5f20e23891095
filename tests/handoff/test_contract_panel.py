"""The contract page links to its hand-offs: the sales contract to the sheets raised on it, the construction
contract back to the hand-off it came from — only for those who may see the hand-off."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sales_and_construction_contract_pages_show_the_hand_off(hf, client):
    handoff, decision = hf.decided()
    client.force_login(hf.user("sales_hb"))
    page = client.get(handoff.contract.get_absolute_url()).content.decode()
    assert handoff.number in page and handoff.get_absolute_url() in page
    page = client.get(decision.construction_contract.get_absolute_url()).content.decode()
    assert handoff.number in page


def test_the_panel_is_not_shown_to_someone_who_may_not_see_the_hand_off(hf, client):
    handoff = hf.handoff()
    client.force_login(hf.user("legal"))  # legal reads contracts but is not a party to hand-offs
    response = client.get(handoff.contract.get_absolute_url())
    assert response.status_code == 200
    assert handoff.number not in response.content.decode()
    assert client.get(reverse("handoff:detail", args=[handoff.pk])).status_code == 404


def test_the_panel_narrowed_to_the_contract_sees_what_the_selector_sees(hf):
    from django.db.models import Q

    from handoff.selectors import handoffs_of_contract_visible_to, handoffs_visible_to

    # given: a decided hand-off (a sales contract and its construction contract) and one only raised
    handoff, decision = hf.decided()
    other = hf.handoff()
    contracts = (handoff.contract, decision.construction_contract, other.contract)
    for name in ("sales_hb", "sales_hd", "rm_hb", "rm_hd", "legal", "finance", "xxx_head", "xxx_estimator",
                 "director", "clerk", "archivist", "cs"):
        user = hf.user(name)
        for contract in contracts:
            # when / then: the same hand-offs as the selector of every hand-off the user may see
            expected = list(handoffs_visible_to(user).filter(Q(contract=contract) | Q(construction_contract=contract))
                            .order_by("-issued_at", "pk"))
            found = sorted(handoffs_of_contract_visible_to(user, contract), key=lambda h: (-h.issued_at.timestamp(),
                                                                                          h.pk))
            assert found == expected, (name, contract.pk)
    assert handoffs_of_contract_visible_to(hf.user("legal"), handoff.contract) == []
    assert handoffs_of_contract_visible_to(hf.user("sales_hb"), handoff.contract) == [handoff]
