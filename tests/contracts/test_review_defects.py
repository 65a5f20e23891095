"""The contracts defects found in the review of issue 8, one test (or more) each."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from contracts import services
from contracts.models import Contract
from contracts.selectors import contracts_visible_to
from tests.factories import pdf_upload


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --------------------------------------------------------------------------------------------------
# Participants named on a contract see it; whoever a new version names instead takes their place
# --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_new_version_that_changes_the_participants_changes_who_sees_the_contract(make, demo, login):
    contract = make.submitted(amount=Decimal("3000000.00"), participants=True)  # legal + tech_rnd
    assert contracts_visible_to(demo.user("tech_rnd")).filter(pk=contract.pk).exists()
    services.contract_reject(contract_id=contract.pk, by=demo.user("director"), kind="leader",
                             comment="技术参与人改为生产部")
    services.contract_update(contract_id=contract.pk, by=contract.handler,
                             technical_participant=demo.user("tech_production"))
    make.text(contract)  # each version carries its own text
    services.contract_submit(contract_id=contract.pk, by=contract.handler)
    # the engineer no longer named loses sight of it (page 404), the one named now sees it
    assert login(demo.user("tech_rnd")).get(contract.get_absolute_url()).status_code == 404
    assert login(demo.user("tech_production")).get(contract.get_absolute_url()).status_code == 200
    assert not contracts_visible_to(demo.user("tech_rnd")).filter(pk=contract.pk).exists()


@pytest.mark.django_db
def test_participants_of_a_draft_never_submitted_do_not_see_it_yet(make, demo):
    draft = make.major()
    assert not contracts_visible_to(demo.user("tech_rnd")).filter(pk=draft.pk).exists()


# --------------------------------------------------------------------------------------------------
# The admin site: loans, due diligence, contracts and steps are read-only; nothing is deleted
# --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_admin_cannot_change_or_delete_loans_and_due_diligence(make, django_user_model):
    from django.contrib import admin

    from contracts.models import DueDiligence, Loan

    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(root)
    loan = make.loan(state="lent")
    record = loan.contract.customer.due_diligences.get()
    for model, obj in ((Loan, loan), (DueDiligence, record)):
        name = f"admin:contracts_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200  # still readable
        assert client.post(reverse(f"{name}_change", args=[obj.pk]), {}).status_code == 403
        assert client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        assert client.get(reverse(f"{name}_add")).status_code == 403
    loan.refresh_from_db()
    assert loan.state == "lent" and DueDiligence.objects.filter(pk=record.pk).exists()
    # the archive counters are the numbering service's now; no admin can edit or delete them
    assert "archivecounter" not in {m._meta.model_name for m in admin.site._registry}
    from marketing_portal.models import NumberCounter

    counter_admin = admin.site._registry[NumberCounter]
    assert not counter_admin.has_change_permission(None) and not counter_admin.has_delete_permission(None)


# --------------------------------------------------------------------------------------------------
# A signed scan stored by a transaction that rolls back is deleted again (no orphan in storage)
# --------------------------------------------------------------------------------------------------
def _stored_files():
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.django_db(transaction=True)
def test_a_signing_that_fails_after_the_scan_was_stored_leaves_no_file(tmake, transactional_demo, today):
    from django.contrib.auth import get_user_model

    from marketing_portal.files import latest_attachment

    contract = tmake.approved(by="sales_hb")
    # the only Sales Clerk has left: registration cannot be opened, so the signing fails after the scan is written
    get_user_model().objects.filter(username="clerk").update(is_active=False)
    before = _stored_files()
    client = Client()
    client.force_login(transactional_demo.user("sales_hb"))
    response = client.post(reverse("contracts:action", args=[contract.pk, "sign"]), {
        "signed_on": today.isoformat(), "counterparty_signed_on": today.isoformat(), "scan": pdf_upload()})
    assert any("销售内勤" in m or "Sales Clerk" in m or "responsible" in m or "负责" in m for m in _messages(response))
    assert Contract.objects.get(pk=contract.pk).state == "approved"
    assert latest_attachment(contract, "signed") is None
    assert _stored_files() == before  # the scan written during the failed transaction is gone


@pytest.mark.django_db(transaction=True)
def test_a_committed_scan_stays_and_a_rolled_back_savepoint_loses_its_file(tmake, transactional_demo):
    from django.db import transaction

    from marketing_portal.files import attachment_add, discard_rolled_back_files

    contract = tmake.contract(by="sales_hb")
    user = transactional_demo.user("sales_hb")
    with transaction.atomic():
        kept = attachment_add(owner=contract, upload=pdf_upload("kept.pdf"), by=user, slot="draft")
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = attachment_add(owner=contract, upload=pdf_upload("lost.pdf"), by=user, slot="draft")
            lost_path = Path(lost.file.path)
            assert lost_path.exists()
            raise RuntimeError("the rest of the work failed")
    assert discard_rolled_back_files() == 1
    assert not lost_path.exists()
    assert Path(kept.file.path).exists()


# --------------------------------------------------------------------------------------------------
# "Nobody decides their own submission" keeps approvals, not clerical steps
# --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_only_sales_clerk_registers_a_draft_they_submitted_and_it_is_recorded(make, demo):
    clerk = demo.user("clerk")
    contract = make.contract(by="clerk", handler=demo.user("sales_hb"), customer=make.customer(region="HB"))
    contract = make.advance(contract, until_step="register", actors={"submit": "clerk"})
    assert contract.submitted_by == clerk
    services.contract_register(contract_id=contract.pk, by=clerk)
    step = contract.steps.get(kind="register")
    assert step.status == "done" and step.decided_by == clerk
    with translation.override("zh-hans"):
        assert "无其他人员担任该岗位" in step.comment
    assert "无其他人员担任该岗位" in step.history.first().history_change_reason


@pytest.mark.django_db
def test_the_management_manager_acknowledges_the_marketing_copy_of_a_contract_they_submitted(make, demo):
    manager = demo.user("mgmt_manager")
    contract = make.construction(by="mgmt_manager", handler="sales_hb")
    contract = make.advance(contract, until_step="copy_marketing", actors={"submit": "mgmt_manager"})
    services.contract_acknowledge_copy(contract_id=contract.pk, by=manager, kind="copy_marketing")
    step = contract.steps.get(kind="copy_marketing")
    assert step.decided_by == manager and "无其他人员担任该岗位" in step.comment


@pytest.mark.django_db
def test_approvals_keep_the_rule_for_ones_own_submission(make, demo):
    director = demo.user("director")
    contract = make.contract(by="director", handler=demo.user("sales_hb"), customer=make.customer(region="HB"))
    contract = make.advance(contract, to="leader_review", actors={"submit": "director"})
    with pytest.raises(services.WorkflowError) as refused:
        services.contract_approve(contract_id=contract.pk, by=director, kind="leader")
    assert refused.value.code == "own_contract"


@pytest.mark.django_db
def test_a_clerical_step_goes_to_another_holder_of_the_position_when_there_is_one(make, demo):
    from org.models import Position
    from org.roles import Role
    from org.services import person_set_positions

    # 杨帆 (design clerk) also becomes a Sales Clerk: the registration of 陈芳's own submission goes to her alone
    designer = demo.user("design_clerk")
    clerk_position = Position.objects.get(role=Role.SALES_CLERK)
    person_set_positions(person=designer.person, positions=[*designer.person.positions.all(), clerk_position])
    contract = make.contract(by="clerk", handler=demo.user("sales_hb"), customer=make.customer(region="HB"))
    contract = make.advance(contract, until_step="register", actors={"submit": "clerk", "register": "design_clerk"})
    step = contract.steps.get(kind="register")
    assert list(step.assignees.values_list("username", flat=True)) == ["design_clerk"]
    with pytest.raises(services.WorkflowError) as refused:
        services.contract_register(contract_id=contract.pk, by=demo.user("clerk"))
    assert refused.value.code == "not_assigned"
    services.contract_register(contract_id=contract.pk, by=demo.user("design_clerk"))
    step.refresh_from_db()
    assert step.decided_by == demo.user("design_clerk") and "无其他人员担任该岗位" not in step.comment


# --------------------------------------------------------------------------------------------------
# The approval form prints the contract's number, not the database id
# --------------------------------------------------------------------------------------------------
def _pdf_text(response, tmp_path):
    import shutil
    import subprocess

    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed to read the PDF"
    path = tmp_path / "form.pdf"
    path.write_bytes(response.content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.django_db
def test_contracts_are_numbered_from_the_draft_and_the_form_prints_the_number(make, demo, login, tmp_path, today):
    first, second = make.contract(), make.contract()
    year = today.year
    assert first.serial_number == f"HT-{year}-{int(first.serial_number[-5:]):05d}"
    assert int(second.serial_number[-5:]) == int(first.serial_number[-5:]) + 1
    contract = make.submitted()
    response = login(demo.user("finance")).get(reverse("contracts:approval-pdf", args=[contract.pk]))
    text = _pdf_text(response, tmp_path)
    assert f"合同序号 {contract.serial_number}" in text
    assert f"合同序号 {contract.pk} " not in text
    archived = make.archived()
    response = login(demo.user("finance")).get(reverse("contracts:approval-pdf", args=[archived.pk]))
    assert archived.archive_number in _pdf_text(response, tmp_path)
    assert archived.archive_number in response["Content-Disposition"] or "filename" in response["Content-Disposition"]


# --------------------------------------------------------------------------------------------------
# "Reply due": a status and a date label, translated separately
# --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_reply_due_as_a_status_and_as_a_deadline_read_differently(make, login, today):
    from contracts.choices import NonPerformanceStatus, ObjectionStatus

    contract = make.signed()
    services.objection_receive(contract_id=contract.pk, by=contract.handler, received_on=today, content="外观划伤",
                               deadline_basis="reasonable")
    services.non_performance_flag(contract_id=contract.pk, by=contract.handler, noticed_on=today,
                                  description="未付预付款", deadline_basis="reasonable")
    with translation.override("zh-hans"):
        assert str(ObjectionStatus.OPEN.label) == "待答复"
        assert str(NonPerformanceStatus.OPEN.label) == "待发异议函"
        assert translation.pgettext("deadline", "Reply due") == "答复期限"
        assert translation.pgettext("deadline", "Objection letter due") == "异议函发送期限"
    page = login(contract.handler).get(contract.get_absolute_url()).content.decode()
    assert "答复期限：" in page and "待答复" in page
    assert "异议函发送期限：" in page and "待发异议函" in page


# --------------------------------------------------------------------------------------------------
# Errors follow the user's language; what is stored stays in the portal language
# --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_errors_follow_the_users_language_and_stored_texts_the_portals(make, demo, django_capture_on_commit_callbacks):
    contract = make.submitted()
    for language, words in (("en", "You cannot act on"), ("zh-hans", "不能")):
        with translation.override(language), pytest.raises(services.WorkflowError) as refused:
            services.contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="leader")
        assert refused.value.code == "not_assigned" and words in refused.value.messages[0]
    # a director working in English rejects: the history and the handler's notice are in Chinese
    from marketing_portal.models import Notification

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.contract_reject(contract_id=contract.pk, by=demo.user("director"), kind="leader",
                                 comment="金额有误")
    contract.refresh_from_db()
    assert contract.history.first().history_change_reason == "在“部门领导审核”被驳回：金额有误"
    note = Notification.objects.get(recipient=contract.handler, key__startswith="contract-rejected")
    assert note.subject == f"合同“{contract.title}”在部门领导审核被驳回"


@pytest.mark.django_db
def test_an_english_user_gets_english_errors_from_the_pages(make, demo):
    contract = make.submitted()
    client = Client()
    client.force_login(demo.user("finance"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("contracts:action", args=[contract.pk, "approve"]), {"kind": "leader"})
    assert any(m.startswith("You cannot act on") for m in _messages(response))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(reverse("contracts:action", args=[contract.pk, "approve"]), {"kind": "leader"})
    assert any(m.startswith("您不能") or "不能" in m for m in _messages(response))
