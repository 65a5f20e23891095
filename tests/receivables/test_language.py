"""Errors follow the acting user's language; what is stored (history, ledger reasons, notices) stays in the
portal's language whoever acted (X-1, issue 8)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from marketing_portal.models import Notification
from receivables import services
from receivables.models import CommissionEntry

pytestmark = pytest.mark.django_db


def test_a_refusal_is_in_english_for_a_user_who_chose_english(rcv, on_day, demo):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.invoice_record(project_id=project.pk, by=demo.user("sales_hb"), number="1",
                                issued_on=date(2026, 2, 1), amount="100")
    assert refused.value.messages == ["Only Finance records invoices."]
    assert refused.value.code == "not_allowed"
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.invoice_record(project_id=project.pk, by=demo.user("finance"), number="N1",
                                issued_on=date(2026, 2, 1), amount="0")
    assert refused.value.error_dict["amount"][0].code == "zero"
    assert refused.value.message_dict["amount"] == ["The amount must be greater than zero."]


def test_what_an_english_user_stores_is_written_in_chinese(rcv, on_day, demo):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    with translation.override("en"):
        services.project_commission_change(project_id=project.pk, by=demo.user("director"),
                                           commission_base="900000", rate_percent="3", reason="协商调整")
    entry = CommissionEntry.objects.filter(project=project, kind="base_change").get()
    assert entry.reason.startswith("提成 ")  # the ledger reason, in the portal's language
    notice = Notification.objects.filter(recipient=project.owner, key__startswith="rcv-commission-change").get()
    assert "提成" in notice.subject


def test_the_page_shows_an_english_users_error_in_english(rcv, on_day, demo, client):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    client.force_login(demo.user("finance"))
    client.cookies["django_language"] = "en"
    response = client.post(reverse("receivables:project-action", args=[project.pk, "invoice"]),
                           {"number": "N1", "issued_on": "2026-01-01", "amount": "100.00", "note": ""})
    page = response.content.decode()
    assert "is before the acceptance date" in page
    assert "早于验收日期" not in page
