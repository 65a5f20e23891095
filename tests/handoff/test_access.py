"""X-2 on every page of the hand-off: anonymous → login, no right → 404, right → 200 (or the action runs).

XXX users see every hand-off (all are addressed to XXX) but not the sales contracts behind them;
Finance sees every hand-off; Marketing sees the hand-offs of the contracts it may see.
"""

import pytest
from django.urls import reverse

from handoff.choices import HandoffState
from handoff.models import Handoff
from marketing_portal.models import Attachment

from .conftest import COSTS, pdf_upload

pytestmark = pytest.mark.django_db

# (url name, needs a hand-off, method)
PAGES = [
    ("handoff:list", False, "get"),
    ("handoff:export", False, "get"),
    ("handoff:orders", False, "get"),
    ("handoff:dashboard", False, "get"),
    ("handoff:dashboard-export", False, "get"),
    ("handoff:detail", True, "get"),
    ("handoff:sheet-pdf", True, "get"),
    ("handoff:costing", True, "get"),
]
ACTIONS = ["handoff:review", "handoff:round", "handoff:decide", "handoff:cancel", "handoff:attach"]


@pytest.fixture
def sheet(hf):
    return hf.handoff()  # an HB contract of sales_hb, waiting for XXX's costing


def url_of(name, handoff, needs):
    return reverse(name, args=[handoff.pk]) if needs else reverse(name)


@pytest.mark.parametrize(("name", "needs", "method"), PAGES)
def test_anonymous_is_sent_to_login(client, sheet, name, needs, method):
    response = getattr(client, method)(url_of(name, sheet, needs))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_cannot_post(client, sheet, name):
    response = client.post(reverse(name, args=[sheet.pk]), {"reason": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Handoff.objects.get(pk=sheet.pk).state == HandoffState.COSTING


@pytest.mark.parametrize("username", ["tech_repair", "cs", "legal", "archivist"])
@pytest.mark.parametrize(("name", "needs", "method"), PAGES)
def test_a_user_without_hand_off_rights_gets_404(login, demo, sheet, name, needs, method, username):
    # customer service, Legal and the archive read contracts for their own work, but have no part in hand-offs
    client = login(demo.user(username))
    assert getattr(client, method)(url_of(name, sheet, needs)).status_code == 404


@pytest.mark.parametrize(("name", "needs"), [(n, d) for n, d, _m in PAGES if d])
def test_another_regions_salesperson_gets_404_for_the_hand_off(login, demo, sheet, name, needs):
    client = login(demo.user("sales_hd"))
    assert client.get(url_of(name, sheet, needs)).status_code == 404


@pytest.mark.parametrize("name", ACTIONS)
def test_another_regions_salesperson_cannot_post_to_it(login, demo, sheet, name):
    client = login(demo.user("sales_hd"))
    assert client.post(reverse(name, args=[sheet.pk]), {"reason": "x", "amount": "1"}).status_code == 404
    assert Handoff.objects.get(pk=sheet.pk).state == HandoffState.COSTING


@pytest.mark.parametrize("username", ["sales_hb", "rm_hb", "clerk", "director", "finance", "finance_head",
                                      "xxx_estimator", "xxx_negotiator", "xxx_head", "gm"])
@pytest.mark.parametrize(("name", "needs"), [(n, d) for n, d, _m in PAGES if n != "handoff:costing"])
def test_people_of_the_hand_off_open_its_pages(login, demo, sheet, username, name, needs):
    client = login(demo.user(username))
    response = client.get(url_of(name, sheet, needs))
    assert response.status_code == 200, (username, name)


def test_the_costing_page_opens_for_the_estimator_only(login, demo, sheet):
    assert login(demo.user("xxx_estimator")).get(reverse("handoff:costing", args=[sheet.pk])).status_code == 200
    response = login(demo.user("finance")).get(reverse("handoff:costing", args=[sheet.pk]))
    assert response.status_code == 302  # back to the hand-off, with the reason


def test_xxx_sees_every_hand_off_but_not_the_sales_contracts(login, demo, hf, sheet):
    other = hf.handoff(contract=hf.signed_contract(by="sales_hd", region="HD"), by="sales_hd")
    client = login(demo.user("xxx_estimator"))
    listing = client.get(reverse("handoff:list")).content.decode()
    assert sheet.number in listing and other.number in listing
    # the hand-off page shows Party A's requirements but no link to the sales contract
    page = client.get(sheet.get_absolute_url()).content.decode()
    assert sheet.requirements in page and 'id="sales-contract-link"' not in page
    # and the sales contract itself is out of reach, in the contract list too
    assert client.get(sheet.contract.get_absolute_url()).status_code == 404
    assert sheet.contract.title not in client.get(reverse("contracts:list")).content.decode()


def test_marketing_sees_the_hand_offs_of_its_contracts_only(login, demo, hf, sheet):
    other = hf.handoff(contract=hf.signed_contract(by="sales_hd", region="HD"), by="sales_hd")
    listing = login(demo.user("sales_hb")).get(reverse("handoff:list")).content.decode()
    assert sheet.number in listing and other.number not in listing
    export = login(demo.user("rm_hd")).get(reverse("handoff:export"))
    body = b"".join(export.streaming_content)
    from io import BytesIO

    from openpyxl import load_workbook

    numbers = [row[0] for row in load_workbook(BytesIO(body)).active.iter_rows(min_row=2, values_only=True)]
    assert numbers == [other.number, "合计"]  # and the totals row
    # the sales contract link is shown to those who may open it
    page = login(demo.user("sales_hb")).get(sheet.get_absolute_url()).content.decode()
    assert 'id="sales-contract-link"' in page


def test_finance_sees_every_hand_off(login, demo, hf, sheet):
    other = hf.handoff(contract=hf.signed_contract(by="sales_hd", region="HD"), by="sales_hd")
    listing = login(demo.user("finance")).get(reverse("handoff:list")).content.decode()
    assert sheet.number in listing and other.number in listing


def test_files_of_the_sheet_follow_the_hand_off(login, demo, hf):
    from handoff.services import costing_submit

    handoff = hf.handoff(attachments=[pdf_upload("图纸.pdf")])
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS,
                   attachments=[pdf_upload("预算书.pdf")])
    for attachment in Attachment.objects.filter(original_name__in=["图纸.pdf", "预算书.pdf"]):
        url = reverse("attachment-download", args=[attachment.pk])
        assert login(demo.user("xxx_estimator")).get(url).status_code == 200
        assert login(demo.user("finance")).get(url).status_code == 200
        assert login(demo.user("sales_hb")).get(url).status_code == 200
        assert login(demo.user("sales_hd")).get(url).status_code == 404
        assert login(demo.user("tech_repair")).get(url).status_code == 404


def test_actions_by_the_wrong_party_change_nothing(login, demo, hf):
    handoff = hf.costed()
    # XXX's head tries to review its own costing
    response = login(demo.user("xxx_head")).post(reverse("handoff:review", args=[handoff.pk]),
                                                 {"suggested_amount": "1", "decision": "suggest"}, follow=True)
    assert response.status_code == 200
    assert "财务" in response.content.decode() or "Finance" in response.content.decode()
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.REVIEW


def test_state_changes_need_post(login, demo, hf):
    handoff = hf.costed()
    client = login(demo.user("finance"))
    for name in ACTIONS:
        assert client.get(reverse(name, args=[handoff.pk])).status_code == 405


def test_list_queries_do_not_grow_with_rows(login, demo, hf, django_assert_max_num_queries):
    for _ in range(3):
        hf.costed()
    client = login(demo.user("finance"))
    client.get(reverse("handoff:list"))  # warm the per-process caches
    with django_assert_max_num_queries(16) as captured:
        client.get(reverse("handoff:list"))
    few = len(captured)
    for _ in range(4):
        hf.handoff()
    with django_assert_max_num_queries(few):
        client.get(reverse("handoff:list"))


def test_xxx_does_not_learn_party_as_price_or_the_margin(login, demo, hf):
    from handoff.services import handoff_decide

    handoff = hf.suggested(amount="92000.00")  # the order line is ¥300,000.00
    xxx = login(demo.user("xxx_negotiator"))
    page = xxx.get(handoff.get_absolute_url()).content.decode()
    assert "¥92,000.00" in page and "¥300,000.00" not in page and "与主合同差额" not in page
    marketing = login(demo.user("sales_hb")).get(handoff.get_absolute_url()).content.decode()
    assert "¥300,000.00" in marketing and "与主合同差额" in marketing
    decision = handoff_decide(by=demo.user("sales_hb"), handoff_id=handoff.pk, amount="95000")
    xxx = login(demo.user("xxx_negotiator"))  # the test client is shared: log XXX in again
    page = xxx.get(handoff.get_absolute_url()).content.decode()
    assert "¥95,000.00" in page and "¥300,000.00" not in page and "¥205,000.00" not in page
    # the construction contract, which XXX reads in the contracts app, carries no word of them either
    contract_page = xxx.get(decision.construction_contract.get_absolute_url())
    assert contract_page.status_code == 200
    assert "300,000" not in contract_page.content.decode() and "205,000" not in contract_page.content.decode()
    # nor does the register export
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(b"".join(xxx.get(reverse("handoff:export")).streaming_content))).active
                .iter_rows(values_only=True))
    column = rows[0].index("主合同金额（元）")
    assert rows[1][column] is None
