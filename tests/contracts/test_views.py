"""Acting from the pages: POST only with CSRF, clear messages, nothing changes on bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.choices import ContractState, StepStatus
from contracts.models import ApprovalStep, Contract, Customer
from tests.factories import credit_code, pdf_upload

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, contract, name, data=None):
    return client.post(reverse("contracts:action", args=[contract.pk, name]), data or {})


def test_actions_need_post(login, demo, make):
    contract = make.submitted()
    client = login(demo.user("director"))
    assert client.get(reverse("contracts:action", args=[contract.pk, "approve"])).status_code == 405


def test_actions_need_csrf(demo, make):
    contract = make.submitted()
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("director"))
    response = act(client, contract, "approve", {"kind": "leader"})
    assert response.status_code == 403
    assert Contract.objects.get(pk=contract.pk).state == ContractState.LEADER_REVIEW


def test_create_draft_from_the_form(login, demo, make, today):
    customer = make.customer(region="HB")
    client = login(demo.user("sales_hb"))
    data = {
        "title": "变电站开关柜合同", "kind": "contract", "direction": "sales", "customer": customer.pk,
        "amount": "76000.00", "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=200)).isoformat(),
        "non_standard_reason": "客户文本", "drafted_by": "ours",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "开关柜", "lines-0-quantity": "2", "lines-0-unit": "面", "lines-0-unit_price": "38000",
    }
    response = client.post(reverse("contracts:create"), data)
    contract = Contract.objects.get(title="变电站开关柜合同")
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    assert contract.handler == demo.user("sales_hb") and contract.region.code == "HB"
    assert contract.lines.get().amount == Decimal("76000.00")
    assert contract.retention_percent == Decimal("5.00") and contract.warranty_months == 12


@pytest.mark.parametrize("change, field, message", [
    ({"amount": "0"}, "amount", lambda: _("%(label)s must be greater than zero.") % {"label": _("Amount")}),
    ({"amount": "-5"}, "amount", lambda: _("%(label)s cannot be negative.") % {"label": _("Amount")}),
    ({"ends_on": "2020-01-01"}, "ends_on", lambda: _("The term ends before it starts.")),
    ({"title": ""}, "title", lambda: _("This field is required.")),
    ({"non_standard_reason": ""}, "non_standard_reason",
     lambda: _("Choose a standard template, or say why this text is non-standard.")),
])
def test_bad_draft_input_gets_a_clear_message_and_stores_nothing(login, demo, make, today, change, field, message):
    customer = make.customer(region="HB")
    client = login(demo.user("sales_hb"))
    data = {
        "title": "坏输入合同", "kind": "contract", "direction": "sales", "customer": customer.pk,
        "amount": "1000.00", "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=10)).isoformat(),
        "non_standard_reason": "客户文本", "drafted_by": "ours",
        "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        **change,
    }
    before = Contract.objects.count()
    response = client.post(reverse("contracts:create"), data)
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert response.context["form"].errors[field] == [message()]
    assert Contract.objects.count() == before


@pytest.mark.parametrize("amount, code", [("0", "zero"), ("-5", "negative"), ("十二万", "invalid"), ("", "required"),
                                          ("1e12", "too_large")])
def test_the_service_refuses_a_bad_amount_with_its_code(make, demo, today, amount, code):
    from contracts.services import contract_create

    with pytest.raises(ValidationError) as refused:
        contract_create(by=demo.user("sales_hb"), customer=make.customer(region="HB"), title="坏金额合同",
                        amount=amount, starts_on=today, ends_on=today + timedelta(days=10),
                        non_standard_reason="客户文本")
    assert refused.value.error_dict["amount"][0].code == code


def test_whole_chain_through_the_pages(demo, make, today):
    contract = make.contract(by="sales_hb")
    clients = {}

    def as_(name):
        if name not in clients:
            c = Client()
            c.force_login(demo.user(name))
            clients[name] = c
        return clients[name]

    assert act(as_("sales_hb"), contract, "submit").status_code == 302
    for name, kind in (("director", "leader"), ("finance", "finance"), ("legal", "legal"), ("gm", "gm")):
        response = act(as_(name), contract, "approve", {"kind": kind, "comment": "同意"})
        assert response.status_code == 302 and _messages(response) == ["已审批同意。"]
    assert Contract.objects.get(pk=contract.pk).state == ContractState.APPROVED
    act(as_("sales_hb"), contract, "sign", {"signed_on": today.isoformat(),
                                             "counterparty_signed_on": today.isoformat(), "scan": pdf_upload()})
    act(as_("clerk"), contract, "register", {"notes": "已登记"})
    act(as_("archivist"), contract, "archive", {"cabinet": "A1", "box": "2"})
    act(as_("finance"), contract, "copy", {"kind": "copy_finance"})
    act(as_("mgmt_manager"), contract, "copy", {"kind": "copy_marketing"})
    contract.refresh_from_db()
    assert contract.state == ContractState.FILED
    assert contract.archive_number.startswith(f"HB-{today.year}-")
    page = as_("sales_hb").get(contract.get_absolute_url()).content.decode()
    assert contract.archive_number in page


def test_stale_form_gets_already_decided_message(login, demo, make):
    contract = make.submitted()
    step = contract.steps.get(kind="leader")
    client = login(demo.user("director"))
    act(client, contract, "approve", {"kind": "leader", "step": step.pk})
    response = act(client, contract, "reject", {"kind": "leader", "step": step.pk, "comment": "晚了"})
    decided = ApprovalStep.objects.get(pk=step.pk)
    with translation.override("zh-hans"):
        expected = _("This step was already decided: %(status)s by %(who)s at %(when)s. The page you used was out "
                     "of date; nothing was changed.") % {
            "status": decided.get_status_display(), "who": "周明",
            "when": timezone.localtime(decided.decided_at).strftime("%Y-%m-%d %H:%M")}
    assert _messages(response) == ["已审批同意。", expected]  # the first request's message is still unread
    assert ApprovalStep.objects.get(pk=step.pk).status == StepStatus.APPROVED


def test_wrong_person_gets_a_message_and_nothing_changes(login, demo, make):
    contract = make.submitted()
    response = act(login(demo.user("finance")), contract, "approve", {"kind": "leader"})
    assert _messages(response) and contract.steps.get(kind="leader").status == StepStatus.PENDING


def test_disguised_upload_is_refused(login, demo, make, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract = make.approved()
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    response = act(login(contract.handler), contract, "sign", {
        "signed_on": today.isoformat(), "counterparty_signed_on": today.isoformat(), "scan": fake})
    with translation.override("zh-hans"):
        expected = _("The content of “%(name)s” is not an accepted file type (accepted: %(types)s).") % {
            "name": "scan.pdf", "types": "PDF、JPEG、PNG"}
    assert _messages(response) == [expected]
    assert Contract.objects.get(pk=contract.pk).state == ContractState.APPROVED


def test_duplicate_customer_and_wrong_code(login, demo, make):
    existing = make.customer(region="HB", name="重复客户有限公司")
    client = login(demo.user("sales_hb"))
    base = {"region": demo.region("HB").pk, "address": "", "industry": "", "notes": ""}
    response = client.post(reverse("contracts:customer-create"), {**base, "name": existing.name,
                                                                  "credit_code": credit_code(777)})
    assert "已存在" in response.content.decode()
    response = client.post(reverse("contracts:customer-create"), {**base, "name": "新客户",
                                                                  "credit_code": existing.credit_code})
    assert existing.name in response.content.decode()
    wrong = credit_code(778)[:-1] + ("0" if credit_code(778)[-1] != "0" else "1")
    response = client.post(reverse("contracts:customer-create"), {**base, "name": "新客户", "credit_code": wrong})
    assert "校验位" in response.content.decode()
    assert Customer.objects.filter(name="新客户").count() == 0


def test_collection_only_person_cannot_create(login, demo, make):
    from org.models import Person

    person = demo.user("sales_hb").person
    Person.objects.filter(pk=person.pk).update(duty_status="collection_only", duty_status_reason="项目A超期未开票")
    client = login(demo.user("sales_hb"))
    response = client.get(reverse("contracts:create"))
    assert response.status_code == 302
    assert any("项目A超期未开票" in m for m in _messages(response))


def test_due_diligence_form_records_eight_points(login, demo, make):
    from tests.factories import FINDINGS, png_upload

    customer = make.customer(region="HB", diligence=False)
    client = login(demo.user("sales_hb"))
    data = {"investigated_on": "2026-01-05", "conclusion": "pass", "summary": "", **FINDINGS,
            "evidence": [png_upload()]}
    response = client.post(reverse("contracts:dd-create", args=[customer.pk]), data)
    assert response.status_code == 302
    record = customer.due_diligences.get()
    assert record.valid_until.isoformat() == "2027-01-05"
    # without evidence nothing is stored
    data.pop("evidence")
    response = client.post(reverse("contracts:dd-create", args=[customer.pk]), data)
    assert response.status_code == 200 and customer.due_diligences.count() == 1


def test_contract_list_query_count_is_fixed(login, demo, make, django_assert_num_queries):
    client = login(demo.user("director"))
    make.contract(by="sales_hb")
    client.get(reverse("contracts:list"))  # warm caches (content types, session)
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("contracts:list"))
    for _n in range(30):
        make.contract(by="sales_hd")
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("contracts:list")).content.decode()
    assert len(re.findall(r'href="/contracts/\d+/"', body)) == 25
    assert len(many) == len(few)
    assert len(many) <= 14  # session, user, roles, nav, inbox badge, count, one page of rows


def test_approval_form_pdf_has_every_opinion_and_the_amount_in_capitals(login, demo, make, tmp_path):
    import shutil
    import subprocess

    from contracts.services import contract_reject, contract_submit

    contract = make.submitted(amount=Decimal("120000.00"))
    contract_reject(contract_id=contract.pk, by=demo.user("director"), kind="leader", comment="数量不符请核对")
    make.text(contract, name="合同文本（第2版）.pdf")
    contract_submit(contract_id=contract.pk, by=contract.handler)
    from contracts.services import contract_approve

    contract_approve(contract_id=contract.pk, by=demo.user("director"), kind="leader", comment="核对无误，同意")
    response = login(demo.user("finance")).get(reverse("contracts:approval-pdf", args=[contract.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed to read the PDF"
    path = tmp_path / "form.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "合同审批单" in text and "壹拾贰万元整" in text
    assert "核对无误，同意" in text and "数量不符请核对" in text and "周明" in text


@pytest.mark.parametrize("standard", [False, True])
def test_register_export_columns(login, demo, make, standard):
    import io

    from openpyxl import load_workbook

    extra = {"template_version": make.template(by="clerk"), "non_standard_reason": ""} if standard else {}
    contract = make.archived(**extra)
    response = login(demo.user("director")).get(reverse("contracts:register-export") + "?q=" + contract.title)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.iter_rows(values_only=True))[:2]
    assert header[0] == "档案编号" and row[0] == contract.archive_number and row[7] == float(contract.amount)
    # every column as the contract's own page names it (the export reads values, not model instances)
    from django.utils import timezone

    from marketing_portal.people import display_name

    c = Contract.objects.select_related("customer", "region", "handler__person",
                                        "template_version__template").get(pk=contract.pk)
    registered = timezone.localtime(c.registered_at).replace(tzinfo=None)
    assert abs((row[17] - registered).total_seconds()) < 0.001  # Excel keeps milliseconds
    assert list(row[:17]) == [
        c.archive_number, c.title, c.get_kind_display(), c.get_direction_display(), c.counterparty_name,
        c.region.name, display_name(c.handler), float(c.amount), _at_midnight(c.starts_on), _at_midnight(c.ends_on),
        _at_midnight(c.signed_on), c.get_state_display(), c.version,
        str(c.template_version) if c.template_version_id else "非标准文本", float(c.retention_percent),
        c.warranty_months, f"{c.archive_cabinet}/{c.archive_box}",
    ]
    assert display_name(c.handler) and row[3] == "销售合同（与客户）" and row[11].startswith("已归档")
    if standard:
        assert row[13] == f"{c.template_version.template.name} v{c.template_version.number}"


def _at_midnight(day):
    from datetime import datetime

    return datetime(day.year, day.month, day.day) if day else None


def test_draft_shows_the_long_term_flag_before_submission(login, demo, make, today):
    contract = make.contract(by="sales_hb", starts_on=today, ends_on=today.replace(year=today.year + 2))
    body = login(demo.user("sales_hb")).get(contract.get_absolute_url()).content.decode()
    assert "期限超过规定" in body
    short = make.contract(by="sales_hb", months=3)
    assert "期限超过规定" not in login(demo.user("sales_hb")).get(short.get_absolute_url()).content.decode()


def test_long_term_sign_off_through_the_pages_pdf_and_work(login, demo, make, today, tmp_path):
    import shutil
    import subprocess

    from contracts.services import contract_approve
    from contracts.work import work_items

    contract = make.submitted(by="sales_hb", starts_on=today, ends_on=today + timedelta(days=400))
    for name, kind in (("director", "leader"), ("finance", "finance"), ("legal", "legal"), ("gm", "gm")):
        contract_approve(contract_id=contract.pk, by=demo.user(name), kind=kind, comment="同意")
    # the flag on the list and the page
    deputy = login(demo.user("deputy_gm"))
    listing = deputy.get(reverse("contracts:list") + "?q=" + contract.title).content.decode()
    assert "long-term-flag" in listing and "长期合同" in listing
    page = deputy.get(contract.get_absolute_url()).content.decode()
    assert "长期合同审核签署" in page and 'id="long-term-flag"' in page
    assert 'data-kind="long_term"' in page and 'name="kind" value="long_term"' in page
    # "my work" of the deputy GM lists it; the handler's page shows who must act, without a form
    assert any("长期合同审核签署" in i.title and contract.title in i.title for i in work_items(demo.user("deputy_gm")))
    handler = Client()
    handler.force_login(demo.user("sales_hb"))
    handler_page = handler.get(contract.get_absolute_url()).content.decode()
    assert "长期合同审核签署" in handler_page and 'name="kind" value="long_term"' not in handler_page
    # the deputy GM signs off from the page
    step = contract.steps.get(kind="long_term")
    response = act(deputy, contract, "approve", {"kind": "long_term", "step": step.pk, "comment": "长期合同，同意签署"})
    assert response.status_code == 302
    assert Contract.objects.get(pk=contract.pk).state == ContractState.APPROVED
    assert not any(contract.title in i.title for i in work_items(demo.user("deputy_gm")))
    # the approval form shows the step with the opinion and the signature
    response = login(demo.user("finance")).get(reverse("contracts:approval-pdf", args=[contract.pk]))
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed to read the PDF"
    path = tmp_path / "form.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "长期合同审核签署" in text and "长期合同，同意签署" in text


def test_short_contract_shows_no_long_term_flag_or_step(login, demo, make):
    contract = make.approved(by="sales_hb")
    client = login(demo.user("director"))
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "长期合同审核签署" not in page and 'id="long-term-flag"' not in page
    assert "long-term-flag" not in client.get(reverse("contracts:list") + "?q=" + contract.title).content.decode()


def test_register_export_reads_its_rows_in_a_fixed_number_of_queries(login, demo, make):
    """The register export reads the contracts in chunks with their names joined: 61 rows cost the queries of 1."""
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    director = login(demo.user("director"))
    director.get(reverse("home"))  # the session's first page (it is saved then, not on every page)
    customers = {"sales_hb": make.customer(region="HB", by="sales_hb", name="台账查询次数北京客户"),
                 "sales_hn": make.customer(region="HN", by="sales_hn", name="台账查询次数长沙客户")}
    url = reverse("contracts:register-export") + "?q=台账查询次数"

    def export():
        with CaptureQueriesContext(connection) as queries:
            response = director.get(url)
            body = b"".join(response.streaming_content)
        return len(queries), list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))

    make.contract(by="sales_hb", customer=customers["sales_hb"], text=False)
    one, rows = export()
    assert len(rows) == 3  # the header, the contract and the 合计 row
    for n in range(60):
        by = ("sales_hb", "sales_hn")[n % 2]
        make.contract(by=by, customer=customers[by], text=False)
    sixty_one, rows = export()
    assert len(rows) == 63
    assert {row[6] for row in rows[1:-1]} == {"张伟", "黄磊"}  # each row's handler, by name
    assert {row[4] for row in rows[1:-1]} == {"台账查询次数北京客户", "台账查询次数长沙客户"}
    assert sixty_one == one
