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
