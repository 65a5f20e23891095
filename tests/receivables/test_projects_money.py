"""Projects (from signed sales contracts), acceptance (RCV-1, 2), invoices and receipts (RCV-11) with partial amounts
and retention, and bad input that leaves everything as it was."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketing_portal.notifications import Notification
from receivables import services
from receivables.models import Acceptance, CommissionEntry, Invoice, Project, Receipt

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def state(project):
    project.refresh_from_db()
    return (project.stage, project.accepted_on, project.invoiced_on, project.collected_on,
            project.retention_collected_on, Invoice.objects.filter(project=project).count(),
            Receipt.objects.filter(project=project).count(), CommissionEntry.objects.filter(project=project).count())


# --------------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------------
def test_signing_a_sales_contract_through_the_chain_opens_its_project(make, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the signal is sent after the commit
        contract = make.signed(by="sales_hb")
    project = Project.objects.get(contract=contract)
    assert project.owner == contract.handler and project.amount == contract.amount
    assert project.region == contract.region and project.customer == contract.customer
    assert project.number.startswith("XM")
    assert Notification.objects.filter(recipient=contract.handler, subject__contains=project.number).exists()


def test_registration_is_once_per_contract_and_only_for_signed_original_sales_contracts(rcv, demo, today):
    contract = rcv.contract()
    first = services.project_register(contract_id=contract.pk, by=demo.user("clerk"))
    again = services.project_register(contract_id=contract.pk, by=demo.user("clerk"))
    assert first.pk == again.pk
    assert CommissionEntry.objects.filter(project=first, kind="base").count() == 1
    draft = rcv.contract(state="draft")
    with pytest.raises(ValidationError) as error:
        services.project_register(contract_id=draft.pk, by=demo.user("clerk"))
    assert "尚未签订" in error.value.messages[0]
    other = rcv.contract()
    with pytest.raises(ValidationError):
        services.project_register(contract_id=other.pk, by=demo.user("sales_hb"))  # not the Marketing office
    amendment = rcv.contract()
    amendment.parent, amendment.relation = other, "supplementary"
    amendment.save()
    with pytest.raises(ValidationError) as error:
        services.project_register(contract_id=amendment.pk, by=demo.user("clerk"))
    assert "补充协议" in error.value.messages[0]
    custom = services.project_register(contract_id=other.pk, by=demo.user("clerk"), commission_base="600000")
    assert custom.commission == Decimal("12000.00")


# --------------------------------------------------------------------------------------------------
# Acceptance (RCV-1, RCV-2)
# --------------------------------------------------------------------------------------------------
def test_xxx_submits_the_acceptance_and_the_owner_is_told_the_invoice_deadline_at_once(rcv, demo, on_day):
    on_day(date(2026, 1, 31))
    project = rcv.project()
    services.acceptance_submit(project_id=project.pk, by=demo.user("xxx_estimator"), report_date=date(2026, 1, 31),
                               notice="工程已完工", report_scan=pdf_upload(), notice_scan=pdf_upload("notice.pdf"))
    project.refresh_from_db()
    assert project.stage == "invoicing" and project.accepted_on == date(2026, 1, 31)
    assert project.warranty_ends_on == date(2027, 2, 1)  # 2027-01-31 is a Sunday
    note = Notification.objects.get(recipient=project.owner, key__startswith="rcv-accepted")
    assert "2026-02-28" in note.subject  # CAL-1: the make-up Saturday is a working day
    assert Notification.objects.filter(recipient=demo.user("finance"), subject__contains="复印件").exists()
    assert Notification.objects.filter(recipient=demo.user("mgmt_manager"), subject__contains="原件").exists()
    acceptance = Acceptance.objects.get(project=project)
    from marketing_portal.files import attachments_of

    assert sorted(a.slot for a in attachments_of(acceptance)) == ["notice", "report"]


def test_acknowledgements_by_marketing_and_finance_each_once(rcv, demo, today):
    project = rcv.project(accepted_on=date(2026, 11, 2))
    with pytest.raises(ValidationError):
        services.acceptance_acknowledge(project_id=project.pk, by=demo.user("finance"), part="original")
    services.acceptance_acknowledge(project_id=project.pk, by=demo.user("mgmt_manager"), part="original")
    services.acceptance_acknowledge(project_id=project.pk, by=demo.user("finance"), part="copy")
    with pytest.raises(ValidationError) as error:
        services.acceptance_acknowledge(project_id=project.pk, by=demo.user("finance_head"), part="copy")
    assert "已经签收" in error.value.messages[0]
    acceptance = Acceptance.objects.get(project=project)
    assert acceptance.original_received_by == demo.user("mgmt_manager")
    assert acceptance.copy_received_by == demo.user("finance")


@pytest.mark.parametrize(("who", "report_date", "scan", "field", "words"), [
    ("sales_hb", date(2026, 11, 2), True, None, "XXX"),
    ("xxx_head", date(2026, 11, 30), True, "report_date", "晚于今天"),
    ("xxx_head", date(2024, 10, 1), True, "report_date", "早于合同签订日期"),
    ("xxx_head", date(2026, 11, 2), False, "report_scan", "扫描件"),
])
def test_bad_acceptance_input_is_refused_in_chinese_and_nothing_changes(rcv, demo, today, who, report_date, scan,
                                                                        field, words):
    project = rcv.project()
    before = state(project)
    with pytest.raises(ValidationError) as error:
        services.acceptance_submit(project_id=project.pk, by=demo.user(who), report_date=report_date,
                                   notice="完工", report_scan=pdf_upload() if scan else None)
    messages = error.value.message_dict[field] if field else error.value.messages
    assert words in " ".join(messages)
    assert state(project) == before
    assert not Acceptance.objects.filter(project=project).exists()


def test_a_scan_that_is_not_a_document_is_refused(rcv, demo, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = rcv.project()
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is not a pdf" * 10)
    with pytest.raises(ValidationError):
        services.acceptance_submit(project_id=project.pk, by=demo.user("xxx_head"), report_date=date(2026, 11, 2),
                                   notice="完工", report_scan=fake)
    assert not Acceptance.objects.filter(project=project).exists()
    assert Project.objects.get(pk=project.pk).accepted_on is None


# --------------------------------------------------------------------------------------------------
# Invoices and receipts (RCV-11): partial amounts, retention withheld
# --------------------------------------------------------------------------------------------------
def test_partial_invoices_and_payments_and_retention_withheld(rcv, on_day):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))  # ¥1,000,000, retention 5 %
    rcv.invoice(project, date(2026, 1, 20), amount=Decimal("400000.00"))
    assert state(project)[0:3] == ("invoicing", date(2026, 1, 10), None)  # not invoiced in full yet
    rcv.invoice(project, date(2026, 2, 5), amount=Decimal("600000.00"))
    project.refresh_from_db()
    assert (project.stage, project.invoiced_on) == ("collecting", date(2026, 2, 5))
    rcv.receipt(project, date(2026, 2, 20), Decimal("500000.00"))
    rcv.receipt(project, date(2026, 3, 1), Decimal("450000.00"))  # 95 %: the amount less retention
    project.refresh_from_db()
    assert (project.stage, project.collected_on) == ("warranty", date(2026, 3, 1))
    assert project.retention_collected_on is None
    rcv.receipt(project, date(2026, 3, 1), Decimal("50000.00"))
    project.refresh_from_db()
    assert (project.stage, project.retention_collected_on) == ("settled", date(2026, 3, 1))
    assert project.next_check_on is None


def _try(func):
    with pytest.raises(ValidationError) as error:
        func()
    return error.value


def test_an_invoice_dated_before_acceptance_is_refused_and_nothing_changes(rcv, on_day):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    before = state(project)
    error = _try(lambda: rcv.invoice(project, date(2026, 1, 9)))
    assert error.message_dict["issued_on"] == ["开票日期 2026-01-09 早于验收日期 2026-01-10。"]
    assert state(project) == before


def test_an_invoice_beyond_the_project_amount_or_in_the_future_or_duplicated_is_refused(rcv, on_day):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    rcv.invoice(project, date(2026, 1, 20), amount=Decimal("900000.00"), number="44001")
    before = state(project)
    error = _try(lambda: rcv.invoice(project, date(2026, 1, 21), amount=Decimal("100000.01")))
    assert "超过项目金额" in error.message_dict["amount"][0] and "¥100,000.00" in error.message_dict["amount"][0]
    assert "晚于今天" in _try(lambda: rcv.invoice(project, date(2026, 3, 2),
                                                 amount=Decimal("1"))).message_dict["issued_on"][0]
    assert "已经登记" in _try(lambda: rcv.invoice(project, date(2026, 1, 21), amount=Decimal("1"),
                                                 number="44001")).message_dict["number"][0]
    assert state(project) == before


def test_a_receipt_larger_than_what_is_owed_is_refused_and_nothing_changes(rcv, on_day):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    assert "尚未登记发票" in _try(lambda: rcv.receipt(project, date(2026, 2, 1), Decimal("1"))).messages[0]
    rcv.invoice(project, date(2026, 1, 20), amount=Decimal("300000.00"))
    rcv.receipt(project, date(2026, 2, 1), Decimal("200000.00"), reference="BK-1")
    before = state(project)
    error = _try(lambda: rcv.receipt(project, date(2026, 2, 2), Decimal("100000.01")))
    assert error.message_dict["amount"] == [
        "¥100,000.01 超过应收金额 ¥100,000.00（已开票 ¥300,000.00，已回款 ¥200,000.00）。"]
    assert "已经登记" in _try(lambda: rcv.receipt(project, date(2026, 2, 2), Decimal("1"),
                                                 reference="BK-1")).message_dict["bank_reference"][0]
    assert "早于首张发票日期" in _try(lambda: rcv.receipt(project, date(2026, 1, 19),
                                                    Decimal("1"))).message_dict["received_on"][0]
    assert state(project) == before


def test_only_finance_records_money(rcv, on_day, demo):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    with pytest.raises(ValidationError) as error:
        services.invoice_record(project_id=project.pk, by=demo.user("sales_hb"), number="1",
                                issued_on=date(2026, 2, 1), amount="100")
    assert "财务中心" in error.value.messages[0]
    assert not Invoice.objects.exists()


def test_malformed_amounts_are_refused_with_a_clear_message(rcv, on_day, demo):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 1, 10))
    for bad in ("abc", "0", "-5", "1e400"):
        with pytest.raises(ValidationError) as error:
            services.invoice_record(project_id=project.pk, by=demo.user("finance"), number=f"N{bad}",
                                    issued_on=date(2026, 2, 1), amount=bad)
        assert error.value.message_dict["amount"]
    assert not Invoice.objects.exists()
