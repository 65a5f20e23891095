"""X-2: every page, export, PDF and download: anonymous → login, no right → 404, right → 200."""

import pytest
from django.urls import reverse

from marketing_portal.files import latest_attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(make):
    return make.archived()


def _pages(contract):
    dd = contract.customer.due_diligences.first()
    return [
        reverse("contracts:detail", args=[contract.pk]),
        reverse("contracts:approval-pdf", args=[contract.pk]),
        reverse("contracts:archive-label", args=[contract.pk]),
        reverse("contracts:amend", args=[contract.pk]),
        reverse("contracts:customer-detail", args=[contract.customer_id]),
        reverse("contracts:customer-edit", args=[contract.customer_id]),
        reverse("contracts:dd-create", args=[contract.customer_id]),
        reverse("contracts:dd-detail", args=[dd.pk]),
        reverse("attachment-download", args=[latest_attachment(contract, "signed").pk]),
        reverse("attachment-download", args=[latest_attachment(dd, "evidence").pk]),
    ]


def test_anonymous_is_sent_to_login(client, archived):
    for url in _pages(archived) + [reverse("contracts:list"), reverse("contracts:register-export"),
                                   reverse("contracts:customer-list"), reverse("contracts:create"),
                                   reverse("contracts:template-list")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("username", ["sales_hd", "rm_hd", "xxx_head", "tech_repair"])
def test_no_right_is_404(login, demo, archived, username):
    client = login(demo.user(username))
    for url in _pages(archived):
        assert client.get(url).status_code == 404, (username, url)
    post = client.post(reverse("contracts:action", args=[archived.pk, "loan"]), {"purpose": "x",
                                                                                 "return_due_on": "2030-01-01"})
    assert post.status_code == 404


@pytest.mark.parametrize("username", ["sales_hb", "rm_hb", "director", "clerk", "finance", "legal", "archivist",
                                      "gm", "mgmt_manager"])
def test_right_is_200(login, demo, archived, username):
    client = login(demo.user(username))
    for url in _pages(archived):
        if url.endswith("/edit/") or url.endswith("/new/") or "/amend/" in url:
            if username not in ("sales_hb", "rm_hb", "director", "clerk", "mgmt_manager"):
                continue
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)


def test_list_and_export_show_only_visible(login, demo, make):
    mine = make.contract(by="sales_hb", title="华北变电站合同")
    other = make.contract(by="sales_hd", title="华东开关柜合同")
    client = login(demo.user("sales_hb"))
    body = client.get(reverse("contracts:list")).content.decode()
    assert mine.title in body and other.title not in body
    response = client.get(reverse("contracts:register-export"))
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1, values_only=True)]
    assert titles == [mine.title]  # the last row is the 合计 row
    # a regional manager sees their region; leadership sees both
    client = login(demo.user("rm_hd"))
    body = client.get(reverse("contracts:list")).content.decode()
    assert other.title in body and mine.title not in body
    client = login(demo.user("director"))
    body = client.get(reverse("contracts:list")).content.decode()
    assert other.title in body and mine.title in body


def test_named_participant_sees_major_contract(login, demo, make):
    from decimal import Decimal

    contract = make.submitted(amount=Decimal("3000000.00"), legal_participant=demo.user("legal"),
                              technical_participant=demo.user("tech_rnd"))
    client = login(demo.user("tech_rnd"))
    assert client.get(contract.get_absolute_url()).status_code == 200
    client = login(demo.user("tech_production"))
    assert client.get(contract.get_absolute_url()).status_code == 404


def test_customer_pages(login, demo, make):
    customer = make.customer(region="HB")
    assert login(demo.user("sales_hb")).get(customer.get_absolute_url()).status_code == 200
    assert login(demo.user("sales_hd")).get(customer.get_absolute_url()).status_code == 404
    body = login(demo.user("sales_hd")).get(reverse("contracts:customer-list")).content.decode()
    assert customer.name not in body
    assert login(demo.user("xxx_head")).get(reverse("contracts:customer-list")).status_code == 404


def test_draft_edit_and_actions_access(client, login, demo, make):
    contract = make.contract(by="sales_hb")
    edit = reverse("contracts:edit", args=[contract.pk])
    action = reverse("contracts:action", args=[contract.pk, "submit"])
    assert "/accounts/login/" in client.get(edit)["Location"]
    assert "/accounts/login/" in client.post(action)["Location"]
    other = login(demo.user("sales_hd"))
    assert other.get(edit).status_code == 404
    assert other.post(action).status_code == 404
    assert login(demo.user("sales_hb")).get(edit).status_code == 200


def test_templates_pages(client, login, demo):
    from contracts.services import template_create

    template = template_create(by=demo.user("clerk"), code="t1", name="标准合同", kind="contract", direction="sales")
    url = reverse("contracts:template-detail", args=[template.pk])
    assert "/accounts/login/" in client.get(url)["Location"]
    assert login(demo.user("sales_hd")).get(url).status_code == 200
    # only template keepers may add versions or templates
    assert login(demo.user("sales_hd")).post(url, {}).status_code == 404
    assert login(demo.user("sales_hd")).post(reverse("contracts:template-list"), {}).status_code == 404


def test_seeing_a_record_is_not_being_allowed_to_change_it(login, demo, make):
    """Finance, Legal and the GM see every contract and customer; the forms to change them answer 404."""
    draft = make.contract(by="sales_hb")
    signed = make.signed(by="sales_hb")
    customer = draft.customer
    pages = [
        reverse("contracts:edit", args=[draft.pk]),
        reverse("contracts:amend", args=[signed.pk]),
        reverse("contracts:customer-edit", args=[customer.pk]),
        reverse("contracts:dd-create", args=[customer.pk]),
        reverse("contracts:create"),
        reverse("contracts:customer-create"),
    ]
    for username in ("finance", "legal", "gm"):
        client = login(demo.user(username))
        assert client.get(draft.get_absolute_url()).status_code == 200
        for url in pages:
            assert client.get(url).status_code == 404, (username, url)
    # an archive label exists only for an archived original
    response = login(demo.user("sales_hb")).get(reverse("contracts:archive-label", args=[signed.pk]))
    assert response.status_code == 302 and response["Location"] == signed.get_absolute_url()
