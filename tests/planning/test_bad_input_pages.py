"""Issue 11's bad-input paragraph through the pages a user uses: a clear Chinese message, nothing stored changes
(the services' refusals are tested in test_reports, test_plans and test_tenders)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from planning.choices import TenderState
from planning.models import Target

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_negative_target_typed_on_the_page_is_refused_naming_its_line(client, demo, pln):
    version = pln.plan(rows=[("HB", None, "month", 1, 100000)], approve=False)
    client.force_login(demo.user("mgmt_manager"))
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-region": demo.region("HB").pk, "form-0-period": "month", "form-0-period_no": "1",
            "form-0-amount": "100000",
            "form-1-region": demo.region("HB").pk, "form-1-period": "month", "form-1-period_no": "2",
            "form-1-amount": "-5000"}
    response = client.post(reverse("planning:plan-targets", args=[version.plan_id]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "第2行" in page
    assert list(Target.objects.filter(version=version).values_list("period_no", "amount")) == [(1, 100000)]


def test_a_bid_result_before_the_opening_and_a_win_without_a_price_on_the_page(client, demo, pln, clock):
    tender = pln.tender(state="submitted", opening_on=TODAY + timedelta(days=5))
    client.force_login(demo.user("sales_hb"))
    url = reverse("planning:tender-result", args=[tender.pk])
    early = client.post(url, {"result": "lost", "result_on": TODAY.isoformat()}, follow=True)
    assert "开标前不能登记结果" in early.content.decode()
    clock.set(TODAY + timedelta(days=6))
    client.force_login(demo.user("sales_hb"))  # six days later: a new session
    no_price = client.post(url, {"result": "won", "result_on": (TODAY + timedelta(days=6)).isoformat()}, follow=True)
    assert "中标价格" in no_price.content.decode()
    tender.refresh_from_db()
    assert (tender.state, tender.result_on, tender.winning_amount) == (TenderState.SUBMITTED, None, None)
