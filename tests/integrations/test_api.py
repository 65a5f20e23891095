"""The REST API: the access matrix (X-2 through the API), scopes and tokens, money recorded once by its bank
reference, bad input refused with a JSON code and nothing stored, throttling, a valid schema."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command

from integrations.models import ApiToken
from receivables.models import Invoice, Receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(rcv, today):
    """sales_hb's accepted project of ¥1,000,000.00, invoiced ¥400,000.00 on 2026-10-20."""
    project = rcv.project(owner="sales_hb", accepted_on=date(2026, 10, 9))
    rcv.invoice(project, date(2026, 10, 20), amount=Decimal("400000.00"), number="FP-0001")
    return project


def receipt_body(target, **over):
    body = {"project": target.pk, "received_on": "2026-11-02", "amount": "150000.00", "bank_reference": "BK-77",
            "payer": "华北电力公司"}
    body.update(over)
    return body


# --------------------------------------------------------------------------------------------------
# Access matrix
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who, sees", [
    ("sales_hb", True),       # owns the project
    ("rm_hb", True),          # its region's manager
    ("finance", True),        # Finance sees every project
    ("director", True),
    ("sales_hd", False),      # another region's salesperson
    ("rm_hd", False),
    ("tech_repair", False),
])
def test_projects_invoices_receipts_ledger_follow_the_pages_visibility(api, project, rcv, who, sees):
    rcv.receipt(project, date(2026, 11, 2), Decimal("100000.00"), reference="BK-1")
    client = api(who)
    receipt = Receipt.objects.get(bank_reference="BK-1")
    for path in (f"/api/projects/{project.pk}/", f"/api/invoices/{project.invoices.get().pk}/",
                 f"/api/receipts/{receipt.pk}/"):
        assert client.get(path).status_code == (200 if sees else 404), path
    listed = client.get("/api/projects/").json()["results"]
    assert (project.pk in [p["id"] for p in listed]) is sees
    invoices = client.get("/api/invoices/", {"project": project.pk}).json()
    assert invoices["count"] == (1 if sees else 0)


def test_a_project_shows_its_figures_and_an_absolute_link(api, project):
    data = api("sales_hb").get(f"/api/projects/{project.pk}/").json()
    assert data["amount"] == "1000000.00" and data["owner"] == "sales_hb" and data["accepted_on"] == "2026-10-09"
    assert data["url"].startswith("http") and data["url"].endswith(f"/receivables/{project.pk}/")
    invoice = api("sales_hb").get("/api/invoices/", {"project": project.pk}).json()["results"][0]
    assert invoice["number"] == "FP-0001" and invoice["amount"] == "400000.00"


def test_customers_contracts_tickets_and_ledger_are_narrowed_too(api, project, rcv):
    other = rcv.make.contract(by="sales_hd")
    own = project.contract
    hb, hd = api("sales_hb"), api("sales_hd")
    assert hb.get(f"/api/contracts/{own.pk}/").status_code == 200
    assert hd.get(f"/api/contracts/{own.pk}/").status_code == 404
    assert hb.get(f"/api/contracts/{other.pk}/").status_code == 404
    assert hd.get(f"/api/contracts/{other.pk}/").json()["handler"] == "sales_hd"
    assert hb.get(f"/api/customers/{own.customer_id}/").status_code == 200
    assert hd.get(f"/api/customers/{own.customer_id}/").status_code == 404
    ledger = hb.get("/api/ledger/", {"project": project.pk}).json()
    assert ledger["count"] >= 1 and {e["owner"] for e in ledger["results"]} == {"sales_hb"}
    assert hd.get("/api/ledger/", {"project": project.pk}).json()["count"] == 0
    assert hb.get("/api/tickets/").status_code == 200


def test_no_token_a_bad_an_expired_or_a_revoked_token_is_refused_with_a_code(api, project, demo, clock):
    from rest_framework.test import APIClient

    from integrations.services import token_revoke

    assert APIClient().get("/api/projects/").json()["code"] == "not_authenticated"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer mpt_not-a-token")
    response = bad.get("/api/projects/")
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    expiring = api("sales_hb", days=1)
    assert expiring.get("/api/projects/").status_code == 200
    clock.set(date.today() + timedelta(days=2))
    response = expiring.get("/api/projects/")
    assert response.status_code == 401 and response.json()["code"] == "token_expired"
    assert "过期" in response.json()["detail"]
    revoked = api("sales_hb")
    token_revoke(token_id=revoked.token.pk, by=demo.user("sales_hb"))
    assert revoked.get("/api/projects/").json()["code"] == "token_revoked"


def test_only_the_digest_of_a_token_is_stored(api):
    client = api("sales_hb")
    token = ApiToken.objects.get(pk=client.token.pk)
    assert token.digest == hashlib.sha256(client.raw.encode()).hexdigest()
    assert client.raw not in (token.prefix, token.name, token.digest) and len(token.prefix) == 12


def test_scopes_are_needed_for_reading_and_for_recording_money(api, project):
    write_only = api("finance", scopes=["write:money"])
    response = write_only.get("/api/projects/")
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    read_only = api("finance", scopes=["read"])
    response = read_only.post("/api/receipts/", receipt_body(project), format="json")
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    assert not Receipt.objects.filter(bank_reference="BK-77").exists()


# --------------------------------------------------------------------------------------------------
# Recording money
# --------------------------------------------------------------------------------------------------
def test_a_receipt_posted_twice_is_recorded_once(api, project):
    client = api("finance", scopes=["read", "write:money"])
    first = client.post("/api/receipts/", receipt_body(project), format="json")
    assert first.status_code == 201, first.json()
    again = client.post("/api/receipts/", receipt_body(project), format="json")
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Receipt.objects.filter(project=project).count() == 1
    stored = Receipt.objects.get(bank_reference="BK-77")
    assert stored.amount == Decimal("150000.00") and stored.received_on == date(2026, 11, 2)
    assert stored.payer == "华北电力公司" and stored.created_by.username == "finance"


def test_the_same_bank_reference_with_other_details_is_a_conflict_and_changes_nothing(api, project):
    client = api("finance", scopes=["read", "write:money"])
    client.post("/api/receipts/", receipt_body(project), format="json")
    response = client.post("/api/receipts/", receipt_body(project, amount="150000.01"), format="json")
    assert response.status_code == 409 and response.json()["code"] == "duplicate_conflict"
    assert list(Receipt.objects.filter(project=project).values_list("amount", flat=True)) == [Decimal("150000.00")]


def test_an_invoice_is_recorded_through_the_receivables_service(api, project):
    client = api("finance", scopes=["write:money", "read"])
    body = {"project": project.pk, "number": "FP-0002", "issued_on": "2026-11-10", "amount": "600000.00"}
    response = client.post("/api/invoices/", body, format="json")
    assert response.status_code == 201, response.json()
    project.refresh_from_db()
    assert project.invoiced_on == date(2026, 11, 10)  # ¥400,000 + ¥600,000 = the full amount
    assert client.post("/api/invoices/", body, format="json").status_code == 200
    assert Invoice.objects.filter(project=project).count() == 2
    over = client.post("/api/invoices/", {**body, "number": "FP-0003", "amount": "0.01"}, format="json")
    assert over.status_code == 400 and "amount" in over.json()["errors"]


def test_money_on_a_project_one_cannot_see_is_404_and_one_who_may_not_record_money_is_refused(api, project):
    response = api("sales_hd", scopes=["read", "write:money"]).post("/api/receipts/", receipt_body(project),
                                                                     format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api("sales_hb", scopes=["read", "write:money"]).post("/api/receipts/", receipt_body(project),
                                                                     format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    assert "财务" in response.json()["detail"]
    assert not Receipt.objects.filter(project=project).exists()


@pytest.mark.parametrize("change, field, code", [
    ({"amout": "1.00"}, "amout", "unknown_field"),
    ({"amount": "abc"}, "amount", "invalid"),
    ({"amount": 12}, None, None),  # a JSON number is a number: accepted
    ({"received_on": "02/11/2026"}, "received_on", "invalid"),
    ({"project": "one"}, "project", "invalid"),
    ({"bank_reference": ""}, "bank_reference", "blank"),
])
def test_bad_input_is_refused_with_a_code_naming_the_field_and_nothing_is_stored(api, project, change, field, code):
    client = api("finance", scopes=["read", "write:money"])
    response = client.post("/api/receipts/", receipt_body(project, **change), format="json")
    if field is None:
        assert response.status_code == 201
        return
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["errors"][field][0]["code"] == code and body["errors"][field][0]["message"]
    assert not Receipt.objects.exists() or not Receipt.objects.filter(project=project).exists()


def test_a_receipt_over_what_is_owed_is_refused_and_nothing_changes(api, project):
    client = api("finance", scopes=["read", "write:money"])
    project.refresh_from_db()
    before = (project.stage, project.collected_on, project.next_deadline_on)
    response = client.post("/api/receipts/", receipt_body(project, amount="400000.01"), format="json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "rejected"
    assert "¥400,000.00" in body["errors"]["amount"][0]["message"]  # what is owed
    project.refresh_from_db()
    assert (project.stage, project.collected_on, project.next_deadline_on) == before
    assert not Receipt.objects.filter(project=project).exists()


def test_a_service_account_records_money_with_its_finance_role(api, project, demo):
    from integrations.services import service_account_create

    account = service_account_create(name="金蝶云星空", by=demo.user("sysadmin"), roles=["finance_reviewer"])
    assert not account.user.has_usable_password()
    client = api(None, scopes=["read", "write:money"], user=account.user)
    response = client.post("/api/receipts/", receipt_body(project, bank_reference="K3-001"), format="json")
    assert response.status_code == 201, response.json()
    assert Receipt.objects.get(bank_reference="K3-001").created_by == account.user


# --------------------------------------------------------------------------------------------------
# Throttling, schema, documentation
# --------------------------------------------------------------------------------------------------
def test_requests_are_throttled_per_token(api, settings, project):
    settings.API_THROTTLE_RATE = "3/minute"
    cache.clear()
    client = api("sales_hb")
    assert [client.get("/api/projects/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/projects/")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert api("sales_hd").get("/api/projects/").status_code == 200  # another token has its own count


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/customers/", "/api/contracts/", "/api/projects/", "/api/invoices/", "/api/receipts/",
                 "/api/tickets/", "/api/ledger/"):
        assert f"{path}:" in text
    assert "bearerToken" in text


def test_the_documentation_page_needs_a_login_and_serves_its_assets_itself(client, demo):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(demo.user("finance"))
    page = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 200
