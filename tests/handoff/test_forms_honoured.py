"""The forms of the hand-off page are checked before any service runs (issue 8: their ``is_valid()`` results were
ignored, so a field the form refused reached the service as if it were empty); the dashboard's chart data is
encoded once; the 10,000th liaison sheet of a year gets a number of its own."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from handoff.choices import CostingState, HandoffState
from handoff.models import Handoff
from marketing_portal.models import NumberCounter

pytestmark = pytest.mark.django_db

TOO_LONG = "9" * 31  # the amount fields take at most 30 characters


def test_an_amount_the_review_form_refuses_is_shown_on_the_form_and_nothing_is_reviewed(login, demo, hf):
    handoff = hf.costed()
    client = login(demo.user("finance"))
    response = client.post(reverse("handoff:review", args=[handoff.pk]),
                           {"decision": "suggest", "suggested_amount": TOO_LONG})
    assert response.status_code == 200
    assert "suggested_amount" in response.context["review_form"].errors
    assert TOO_LONG in response.content.decode()  # what the user typed comes back
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.REVIEW
    assert handoff.costings.get().state == CostingState.SUBMITTED


def test_an_amount_the_decision_form_refuses_is_shown_and_nothing_is_decided(login, demo, hf):
    handoff = hf.suggested()
    client = login(demo.user("sales_hb"))
    response = client.post(reverse("handoff:decide", args=[handoff.pk]), {"amount": TOO_LONG, "notes": ""})
    assert response.status_code == 200
    assert "amount" in response.context["decision_form"].errors
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.NEGOTIATION
    assert not handoff.decisions.exists()


def test_a_reason_the_withdrawal_form_refuses_is_shown_and_the_sheet_stays(login, demo, hf):
    handoff = hf.handoff()
    client = login(demo.user("sales_hb"))
    response = client.post(reverse("handoff:cancel", args=[handoff.pk]), {"reason": "改" * 301})
    assert response.status_code == 200
    assert "reason" in response.context["cancel_form"].errors
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.COSTING


def test_the_chart_data_is_json_once(login, demo, hf):
    hf.costed()
    client = login(demo.user("director"))
    year = timezone.localdate().year
    response = client.get(reverse("handoff:dashboard") + f"?year={year}")
    chart = response.context["chart"]
    assert isinstance(chart, dict) and len(chart["categories"]) == 12
    page = response.content.decode()
    encoded = page.split('<script id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(encoded)["series"][0]["name"] == chart["series"][0]["name"] == "XXX核算"  # one JSON.parse
    assert "JSON.parse(JSON.parse(" not in page


def test_the_ten_thousandth_sheet_of_a_year_has_a_number_of_its_own(hf):
    year = timezone.localdate().year
    NumberCounter.objects.create(series="liaison", year=year, last=9999)
    first = hf.handoff()
    second = hf.handoff()
    assert (first.number, second.number) == (f"JL-{year}-10000", f"JL-{year}-10001")
