"""CON-6: the whole chain, its order, rejection and versions, delegation, who may act."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts.choices import ContractState, StepKind, StepStatus
from contracts.models import ApprovalStep, Contract
from contracts.services import (
    contract_acknowledge_copy,
    contract_approve,
    contract_archive,
    contract_register,
    contract_reject,
    contract_sign,
    contract_submit,
)
from contracts.signals import contract_state_changed
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


def test_whole_chain_to_filed(make, demo, today, django_capture_on_commit_callbacks):
    # given a draft of a salesperson with a valid due-diligence record
    seen = []

    def receiver(sender, contract, old_state, new_state, by, **kw):
        seen.append((old_state, new_state))

    contract_state_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            contract = make.filed()
    finally:
        contract_state_changed.disconnect(receiver)
    # then it went through every state in order, one signal per transition
    contract.refresh_from_db()
    assert contract.state == ContractState.FILED
    assert contract.archive_number == f"HB-{today.year}-0001"
    assert [s[1] for s in seen] == [
        "leader_review", "joint_review", "gm_review", "approved", "signed", "registered", "archived", "filed"]
    kinds = list(contract.steps.order_by("pk").values_list("kind", "status"))
    assert kinds == [
        ("leader", "approved"), ("finance", "approved"), ("legal", "approved"), ("gm", "approved"),
        ("sign", "done"), ("register", "done"), ("archive", "done"), ("copy_finance", "done"),
        ("copy_marketing", "done")]
    leader = contract.steps.get(kind="leader")
    assert leader.decided_by == demo.user("director")
    assert leader.content_hash == contract.content_hash


def test_steps_cannot_be_skipped_or_repeated(make, demo):
    contract = make.submitted()
    with pytest.raises(ValidationError) as skipped:
        contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="gm")
    assert skipped.value.code == "out_of_order"
    contract_approve(contract_id=contract.pk, by=demo.user("director"), kind="leader")
    with pytest.raises(ValidationError):
        contract_approve(contract_id=contract.pk, by=demo.user("director"), kind="leader")
    with pytest.raises(ValidationError):
        contract_register(contract_id=contract.pk, by=demo.user("clerk"))
    assert Contract.objects.get(pk=contract.pk).state == ContractState.JOINT_REVIEW


def test_stale_form_says_already_decided(make, demo):
    contract = make.submitted()
    step = contract.steps.get(kind="leader")
    contract_approve(contract_id=contract.pk, by=demo.user("director"), kind="leader", step_id=step.pk)
    with pytest.raises(ValidationError) as exc:
        contract_reject(contract_id=contract.pk, by=demo.user("director"), kind="leader", step_id=step.pk,
                        comment="金额有误")
    assert exc.value.code == "already_decided"
    assert ApprovalStep.objects.get(pk=step.pk).status == StepStatus.APPROVED


def test_reject_returns_to_draft_and_resubmission_is_new_version(make, demo):
    from contracts.services import contract_update

    contract = make.submitted()
    contract_approve(contract_id=contract.pk, by=demo.user("director"), kind="leader")
    contract_reject(contract_id=contract.pk, by=demo.user("finance"), kind="finance", comment="付款条件不清楚")
    contract.refresh_from_db()
    assert contract.state == ContractState.DRAFT
    # the pending legal step of that version is closed too
    assert contract.steps.get(kind="legal").status == StepStatus.CANCELLED
    contract_update(contract_id=contract.pk, by=contract.handler, payment_terms="预付30%，到货验收后付60%，质保金10%")
    # the new version carries its own text: without it the resubmission is refused (issue 12)
    with pytest.raises(ValidationError, match="corrected draft text|修改后的合同文本"):
        contract_submit(contract_id=contract.pk, by=contract.handler)
    make.text(contract, name="合同文本（第2版）.pdf")
    contract_submit(contract_id=contract.pk, by=contract.handler)
    contract.refresh_from_db()
    assert contract.version == 2
    assert contract.state == ContractState.LEADER_REVIEW
    assert contract.steps.filter(version=2, kind="leader", status="pending").exists()


def test_reject_needs_a_comment(make, demo):
    contract = make.submitted()
    with pytest.raises(ValidationError):
        contract_reject(contract_id=contract.pk, by=demo.user("director"), kind="leader", comment="  ")
    assert Contract.objects.get(pk=contract.pk).state == ContractState.LEADER_REVIEW


def test_wrong_person_cannot_decide(make, demo):
    contract = make.submitted()
    for name in ("sales_hd", "finance", "rm_hb", "clerk"):
        with pytest.raises(ValidationError):
            contract_approve(contract_id=contract.pk, by=demo.user(name), kind="leader")
    assert contract.steps.get(kind="leader").status == StepStatus.PENDING


def test_delegate_acts_on_behalf_but_nobody_on_own_submission(make, demo, today):
    from org.services import delegation_create

    director, sales = demo.user("director"), demo.user("sales_hb")
    delegation_create(principal=director, delegate=demo.user("mgmt_manager"), starts_on=today,
                      ends_on=today + timedelta(days=3), reason="年假", by=director)
    contract = make.submitted()
    contract_approve(contract_id=contract.pk, by=demo.user("mgmt_manager"), kind="leader")
    step = contract.steps.get(kind="leader")
    assert step.decided_by == demo.user("mgmt_manager") and step.on_behalf_of == director
    # a delegate who handles the contract still cannot decide on it
    other = make.contract(by="sales_hb")
    finance = demo.user("finance")
    delegation_create(principal=finance, delegate=sales, starts_on=today, ends_on=today + timedelta(days=3),
                      reason="出差", by=finance)
    contract_submit(contract_id=other.pk, by=sales)
    contract_approve(contract_id=other.pk, by=director, kind="leader")
    with pytest.raises(ValidationError) as own:
        contract_approve(contract_id=other.pk, by=sales, kind="finance")
    assert own.value.code == "own_contract"


def test_legal_waived_only_for_simple_contracts(make, demo):
    version = make.template(by="clerk")
    simple = make.approved(template_version=version, non_standard_reason="")
    assert simple.legal_waived
    legal = simple.steps.get(kind="legal")
    assert legal.status == StepStatus.WAIVED and "v" in legal.comment
    # a non-standard text needs legal review
    other = make.submitted()
    assert not other.legal_waived
    # a major contract with a template still needs legal review
    major = make.submitted(template_version=version, non_standard_reason="", amount=Decimal("2000000.00"),
                           legal_participant=demo.user("legal"), technical_participant=demo.user("tech_rnd"))
    assert major.is_major and not major.legal_waived


def _long(today):
    """A term well over the policy's limit (12 months)."""
    return {"starts_on": today, "ends_on": today + timedelta(days=400)}


def _through_joint_review(contract, demo):
    contract_approve(contract_id=contract.pk, by=demo.user("director"), kind="leader")
    contract_approve(contract_id=contract.pk, by=demo.user("finance"), kind="finance")
    contract_approve(contract_id=contract.pk, by=demo.user("legal"), kind="legal")


def test_long_term_contract_gets_the_sign_off_after_the_gm(make, demo, today, django_capture_on_commit_callbacks):
    from marketing_portal.models import Notification

    contract = make.submitted(**_long(today))
    assert contract.is_long_term
    _through_joint_review(contract, demo)
    # the ordinary GM step (art. 9) stays with the general manager alone
    gm_step = contract.steps.get(kind="gm")
    assert {u.username for u in gm_step.assignees.all()} == {"gm"}
    with pytest.raises(ValidationError):
        contract_approve(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="gm")
    with django_capture_on_commit_callbacks(execute=True):
        contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="gm", comment="同意")
    contract.refresh_from_db()
    assert contract.state == ContractState.LONG_TERM_REVIEW and contract.approved_at is None
    # art. 3: the sign-off waits for the GM or the deputy GM in charge, who are notified
    sign_off = contract.steps.get(kind="long_term")
    assert sign_off.status == StepStatus.PENDING
    assert {u.username for u in sign_off.assignees.all()} == {"gm", "deputy_gm"}
    assert Notification.objects.filter(recipient=demo.user("deputy_gm"), key__startswith="contract-step",
                                       key__endswith="long_term").exists()
    with django_capture_on_commit_callbacks(execute=True):
        contract_approve(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="long_term",
                         comment="长期合同，同意签署")
    contract.refresh_from_db()
    assert contract.state == ContractState.APPROVED and contract.approved_at is not None
    assert contract.steps.get(kind="long_term").decided_by == demo.user("deputy_gm")
    assert list(contract.steps.order_by("pk").values_list("kind", flat=True)) == [
        "leader", "finance", "legal", "gm", "long_term", "sign"]
    assert Notification.objects.filter(recipient=contract.handler, key__startswith="contract-approved").exists()
    # decided once only
    with pytest.raises(ValidationError):
        contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="long_term")


def test_the_gm_may_sign_off_too(make, demo, today):
    contract = make.submitted(**_long(today))
    _through_joint_review(contract, demo)
    contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="gm")
    contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="long_term")
    assert Contract.objects.get(pk=contract.pk).state == ContractState.APPROVED


def test_long_term_contract_has_exactly_one_more_step_than_a_short_one(make, demo, today,
                                                                     django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, contract, old_state, new_state, by, **kw):
        seen.append((contract.pk, new_state))

    short = make.filed()
    contract_state_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            long = make.filed(**_long(today))
    finally:
        contract_state_changed.disconnect(receiver)
    short_kinds = list(short.steps.order_by("pk").values_list("kind", flat=True))
    long_kinds = list(long.steps.order_by("pk").values_list("kind", flat=True))
    assert len(long_kinds) == len(short_kinds) + 1
    assert [k for k in long_kinds if k != "long_term"] == short_kinds
    assert long_kinds.index("long_term") == long_kinds.index("gm") + 1
    assert [state for pk, state in seen if pk == long.pk] == [
        "leader_review", "joint_review", "gm_review", "long_term_review", "approved", "signed", "registered",
        "archived", "filed"]


def test_a_contract_within_the_limit_never_gets_the_sign_off(make, demo, today):
    from marketing_portal.periods import raw_period_end

    # the longest term within the limit: one day short of 12 months
    contract = make.submitted(starts_on=today, ends_on=raw_period_end(today, months=12) - timedelta(days=1))
    assert not contract.is_long_term
    _through_joint_review(contract, demo)
    with pytest.raises(ValidationError) as early:
        contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="long_term")
    assert early.value.code == "out_of_order"
    contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="gm")
    assert Contract.objects.get(pk=contract.pk).state == ContractState.APPROVED
    with pytest.raises(ValidationError):
        contract_approve(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="long_term")
    assert not contract.steps.filter(kind="long_term").exists()
    # one day more is over the limit
    longer = make.submitted(starts_on=today, ends_on=raw_period_end(today, months=12))
    assert longer.is_long_term


def test_the_sign_off_cannot_be_skipped(make, demo, today):
    contract = make.submitted(**_long(today))
    # not before the GM review …
    with pytest.raises(ValidationError) as early:
        contract_approve(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="long_term")
    assert early.value.code == "out_of_order"
    _through_joint_review(contract, demo)
    with pytest.raises(ValidationError):
        contract_approve(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="long_term")
    contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="gm")
    # … and signing, registering cannot jump over it
    with pytest.raises(ValidationError) as jumped:
        contract_sign(contract_id=contract.pk, by=contract.handler, signed_on=today, counterparty_signed_on=today,
                      scan=pdf_upload())
    assert jumped.value.code == "out_of_order"
    with pytest.raises(ValidationError):
        contract_register(contract_id=contract.pk, by=demo.user("clerk"))
    with pytest.raises(ValidationError):
        contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="gm")
    contract.refresh_from_db()
    assert contract.state == ContractState.LONG_TERM_REVIEW and contract.signed_on is None
    assert not contract.steps.filter(kind="sign").exists()


def test_rejected_sign_off_restarts_the_chain(make, demo, today):
    contract = make.submitted(**_long(today))
    _through_joint_review(contract, demo)
    contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="gm")
    with pytest.raises(ValidationError):
        contract_reject(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="long_term", comment=" ")
    contract_reject(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="long_term",
                    comment="三年期过长，请改为两年并增加调价条款")
    contract.refresh_from_db()
    assert contract.state == ContractState.DRAFT
    assert contract.steps.get(kind="long_term", version=1).status == StepStatus.REJECTED
    make.text(contract, name="合同文本（两年期）.pdf")
    contract_submit(contract_id=contract.pk, by=contract.handler)
    contract.refresh_from_db()
    assert contract.version == 2 and contract.state == ContractState.LEADER_REVIEW
    assert list(contract.steps.filter(version=2).values_list("kind", flat=True)) == ["leader"]


def test_sign_off_by_a_delegate_but_never_on_own_submission(make, demo, today):
    from org.services import delegation_create

    deputy, gm, sales = demo.user("deputy_gm"), demo.user("gm"), demo.user("sales_hb")
    delegation_create(principal=deputy, delegate=demo.user("mgmt_manager"), starts_on=today,
                      ends_on=today + timedelta(days=3), reason="出差", by=deputy)
    contract = make.submitted(**_long(today))
    _through_joint_review(contract, demo)
    contract_approve(contract_id=contract.pk, by=gm, kind="gm")
    contract_approve(contract_id=contract.pk, by=demo.user("mgmt_manager"), kind="long_term", comment="同意（代）")
    step = contract.steps.get(kind="long_term")
    assert step.decided_by == demo.user("mgmt_manager") and step.on_behalf_of == deputy
    # the handler holding the GM's delegation still cannot sign off their own contract
    delegation_create(principal=gm, delegate=sales, starts_on=today, ends_on=today + timedelta(days=3),
                      reason="出国", by=gm)
    own = make.submitted(by="sales_hb", **_long(today))
    _through_joint_review(own, demo)
    contract_approve(contract_id=own.pk, by=gm, kind="gm")
    with pytest.raises(ValidationError) as refused:
        contract_approve(contract_id=own.pk, by=sales, kind="long_term")
    assert refused.value.code == "own_contract"
    assert own.steps.get(kind="long_term").status == StepStatus.PENDING


def test_sign_needs_scan_and_dates(make, demo, today):
    contract = make.approved()
    with pytest.raises(ValidationError):
        contract_sign(contract_id=contract.pk, by=contract.handler, signed_on=today + timedelta(days=1),
                      counterparty_signed_on=today, scan=pdf_upload())
    with pytest.raises(ValidationError):
        contract_sign(contract_id=contract.pk, by=demo.user("clerk"), signed_on=today, counterparty_signed_on=today,
                      scan=pdf_upload())
    assert Contract.objects.get(pk=contract.pk).state == ContractState.APPROVED
    contract_sign(contract_id=contract.pk, by=contract.handler, signed_on=today, counterparty_signed_on=today,
                  scan=pdf_upload())
    assert Contract.objects.get(pk=contract.pk).state == ContractState.SIGNED


def test_register_archive_copy_roles(make, demo):
    contract = make.signed()
    with pytest.raises(ValidationError):
        contract_register(contract_id=contract.pk, by=demo.user("archivist"))
    contract_register(contract_id=contract.pk, by=demo.user("clerk"))
    with pytest.raises(ValidationError):
        contract_archive(contract_id=contract.pk, by=demo.user("clerk"), cabinet="A", box="1")
    with pytest.raises(ValidationError):
        contract_archive(contract_id=contract.pk, by=demo.user("archivist"), cabinet="", box="1")
    contract_archive(contract_id=contract.pk, by=demo.user("admin_head"), cabinet="A", box="1")
    with pytest.raises(ValidationError):
        contract_acknowledge_copy(contract_id=contract.pk, by=demo.user("sales_hb"), kind=StepKind.COPY_FINANCE)
    contract_acknowledge_copy(contract_id=contract.pk, by=demo.user("finance_head"), kind=StepKind.COPY_FINANCE)
    assert Contract.objects.get(pk=contract.pk).state == ContractState.ARCHIVED


def test_delegation_works_for_registration_too(make, demo, today):
    from org.services import delegation_create

    clerk = demo.user("clerk")
    delegation_create(principal=clerk, delegate=demo.user("design_clerk"), starts_on=today,
                      ends_on=today + timedelta(days=2), reason="病假", by=clerk)
    contract = make.signed()
    contract_register(contract_id=contract.pk, by=demo.user("design_clerk"))
    step = contract.steps.get(kind="register")
    assert step.decided_by == demo.user("design_clerk") and step.on_behalf_of == clerk
