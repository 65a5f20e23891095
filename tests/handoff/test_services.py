"""HND-1…5 and RCV-8 through the services: the workflow, who may act, and bad input (a clear message, nothing lost)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts.choices import ContractState, Direction
from contracts.models import Contract
from handoff.choices import CostingState, DecisionState, HandoffState
from handoff.models import Costing, CostLine, Decision, Handoff, NegotiationRound
from handoff.services import (
    costing_return,
    costing_submit,
    costing_suggest,
    deadlines_sweep,
    handoff_cancel,
    handoff_create,
    handoff_decide,
    negotiation_record,
)
from marketing_portal.models import Attachment, Notification

from .conftest import COSTS, pdf_upload

pytestmark = pytest.mark.django_db


def messages_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# --------------------------------------------------------------------------------------------------
# HND-1: the liaison sheet
# --------------------------------------------------------------------------------------------------
def test_sheet_is_raised_on_a_signed_order_line_and_xxx_is_told(hf, demo, django_capture_on_commit_callbacks):
    contract = hf.signed_contract()
    line = contract.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        handoff = handoff_create(by=demo.user("sales_hb"), line_id=line.pk, attachments=[pdf_upload()],
                                 **hf.sheet_data())
    assert handoff.state == HandoffState.COSTING
    assert handoff.number.startswith(f"JL-{timezone.localdate().year}-")
    assert handoff.party_a == contract.customer.name
    assert [(i.description, i.quantity, i.unit) for i in handoff.scope_items.all()] == [
        ("10kV 箱变基础及安装", Decimal("2.000"), "台"), ("高压电缆敷设", Decimal("350.000"), "米")]
    assert handoff.costings.get().version == 1
    assert Attachment.objects.filter(object_id=handoff.pk, slot="sheet").count() == 1
    # the estimator is told, with the due date
    note = Notification.objects.get(recipient=demo.user("xxx_estimator"), key__startswith="handoff-sheet")
    assert handoff.number in note.subject and note.url == handoff.get_absolute_url()


def test_sheet_numbers_follow_each_other(hf):
    first, second = hf.handoff(), hf.handoff()
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_second_sheet_for_the_same_order_line_is_refused_clearly(hf, demo):
    handoff = hf.handoff()
    before = (Handoff.objects.count(), Costing.objects.count())
    with pytest.raises(ValidationError) as exc:
        handoff_create(by=demo.user("clerk"), line_id=handoff.line_id, **hf.sheet_data())
    assert handoff.number in messages_of(exc) and ("already" in messages_of(exc) or "已" in messages_of(exc))
    assert (Handoff.objects.count(), Costing.objects.count()) == before


def test_withdrawn_sheet_frees_its_order_line(hf, demo):
    handoff = hf.handoff()
    with pytest.raises(ValidationError):
        handoff_cancel(by=demo.user("sales_hb"), handoff_id=handoff.pk, reason="  ")
    handoff_cancel(by=demo.user("sales_hb"), handoff_id=handoff.pk, reason="甲方变更技术要求")
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.CANCELLED
    assert handoff.costings.get().state == CostingState.CANCELLED
    again = handoff_create(by=demo.user("sales_hb"), line_id=handoff.line_id, **hf.sheet_data())
    assert again.state == HandoffState.COSTING and again.line_id == handoff.line_id


def test_sheet_needs_a_signed_sales_contract(hf, demo):
    from contracts.services import contract_create

    contract = hf.signed_contract()
    draft = contract_create(by=demo.user("sales_hb"), customer=contract.customer, title="未签合同",
                            amount=Decimal("1000.00"), starts_on=timezone.localdate(),
                            ends_on=timezone.localdate() + timedelta(days=30), non_standard_reason="客户文本",
                            lines=[{"description": "设备", "quantity": "1", "unit": "台", "unit_price": "1000.00"}])
    with pytest.raises(ValidationError) as exc:
        handoff_create(by=demo.user("sales_hb"), line_id=draft.lines.get().pk, **hf.sheet_data())
    assert "signed" in messages_of(exc) or "签" in messages_of(exc)
    assert not Handoff.objects.filter(contract=draft).exists()


def test_only_marketing_of_the_contract_issues_sheets(hf, demo):
    contract = hf.signed_contract()
    line = contract.lines.get()
    # another region's salesperson does not even see the order line
    with pytest.raises(ValidationError) as exc:
        handoff_create(by=demo.user("sales_hd"), line_id=line.pk, **hf.sheet_data())
    assert "does not exist" in messages_of(exc) or "不存在" in messages_of(exc)
    # Finance sees the contract but does not issue sheets
    with pytest.raises(ValidationError):
        handoff_create(by=demo.user("finance"), line_id=line.pk, **hf.sheet_data())
    # the region's manager and the sales clerk may
    assert handoff_create(by=demo.user("rm_hb"), line_id=line.pk, **hf.sheet_data()).issued_by == demo.user("rm_hb")


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("site", "", "site"),
    ("requirements", " ", "requirements"),
    ("planned_finish", None, "planned_finish"),
    ("scope_items", [], "scope_items"),
    ("scope_items", [{"description": "电缆", "quantity": "abc", "unit": "米"}], "scope_items"),
    ("scope_items", [{"description": "电缆", "quantity": "-5", "unit": "米"}], "scope_items"),
    ("scope_items", [{"description": "电缆", "quantity": "5", "unit": ""}], "scope_items"),
])
def test_sheet_bad_input_names_the_field_and_stores_nothing(hf, demo, field, value, expected):
    contract = hf.signed_contract()
    before = Handoff.objects.count()
    with pytest.raises(ValidationError) as exc:
        handoff_create(by=demo.user("sales_hb"), line_id=contract.lines.get().pk, **hf.sheet_data(**{field: value}))
    assert expected in exc.value.message_dict
    assert Handoff.objects.count() == before


def test_finish_before_start_is_refused(hf, demo):
    contract = hf.signed_contract()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        handoff_create(by=demo.user("sales_hb"), line_id=contract.lines.get().pk,
                       **hf.sheet_data(planned_start=today, planned_finish=today - timedelta(days=1)))
    assert "planned_finish" in exc.value.message_dict


# --------------------------------------------------------------------------------------------------
# RCV-8: collection-only duty
# --------------------------------------------------------------------------------------------------
def test_collection_only_person_cannot_raise_a_sheet_and_is_told_why(hf, demo):
    contract = hf.signed_contract()
    person = demo.user("sales_hb").person
    person.duty_status = "collection_only"
    person.duty_status_reason = "项目超过6个月未开票（RCV-4）"
    person.save()
    with pytest.raises(ValidationError) as exc:
        handoff_create(by=demo.user("sales_hb"), line_id=contract.lines.get().pk, **hf.sheet_data())
    assert "项目超过6个月未开票（RCV-4）" in messages_of(exc)
    assert not Handoff.objects.filter(contract=contract).exists()


# --------------------------------------------------------------------------------------------------
# HND-2: costing
# --------------------------------------------------------------------------------------------------
def test_costing_lines_and_total_go_to_finance(hf, demo, django_capture_on_commit_callbacks):
    handoff = hf.handoff()
    with django_capture_on_commit_callbacks(execute=True):
        costing = costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS,
                                 notes="含税价", attachments=[pdf_upload("预算书.pdf")])
    assert costing.state == CostingState.SUBMITTED
    assert costing.total == Decimal("86000.00")
    assert [ln.amount for ln in costing.lines.all()] == [Decimal("63000.00"), Decimal("18000.00"), Decimal("5000.00")]
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.REVIEW
    for reviewer in ("finance", "finance_head"):
        assert Notification.objects.filter(recipient=demo.user(reviewer), key__startswith="handoff-costing").exists()


@pytest.mark.parametrize(("bad", "code"), [
    ({"unit_price": "-180"}, "negative"),
    ({"unit_price": "一百八"}, "invalid"),
    ({"quantity": "abc"}, "quantity_invalid"),
    ({"quantity": "0"}, "quantity_zero"),
    ({"category": "bribes"}, "category_required"),
])
def test_costing_with_bad_lines_says_which_line_and_keeps_everything(hf, demo, bad, code):
    handoff = hf.handoff()
    lines = [dict(c) for c in COSTS]
    lines[1].update(bad)
    with pytest.raises(ValidationError) as exc:
        costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=lines)
    errors = exc.value.error_dict["lines"]
    assert [e.code for e in errors] == [code]
    assert errors[0].messages[0].startswith("核算明细第2行")  # the second line is named
    costing = handoff.costings.get()
    assert costing.state == CostingState.OPEN and costing.total is None
    assert not CostLine.objects.filter(costing=costing).exists()
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.COSTING


def test_costing_needs_at_least_one_line(hf, demo):
    handoff = hf.handoff()
    with pytest.raises(ValidationError) as exc:
        costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk,
                       lines=[{"category": "", "description": "", "quantity": "", "unit": "", "unit_price": ""}])
    assert "lines" in exc.value.message_dict


def test_only_xxx_estimators_cost(hf, demo):
    handoff = hf.handoff()
    for name in ("finance", "sales_hb", "xxx_negotiator"):
        with pytest.raises(ValidationError) as exc:
            costing_submit(by=demo.user(name), handoff_id=handoff.pk, lines=COSTS)
        assert "estimator" in messages_of(exc) or "造价" in messages_of(exc)
    assert handoff.costings.get().state == CostingState.OPEN


def test_a_delegate_costs_on_behalf_of_the_estimator(hf, demo):
    from org.services import delegation_create

    today = timezone.localdate()
    delegation_create(principal=demo.user("xxx_estimator"), delegate=demo.user("xxx_negotiator"), starts_on=today,
                      ends_on=today, reason="年假", by=demo.user("xxx_estimator"))
    handoff = hf.handoff()
    costing = costing_submit(by=demo.user("xxx_negotiator"), handoff_id=handoff.pk, lines=COSTS)
    assert costing.submitted_by == demo.user("xxx_negotiator")
    assert costing.submitted_for == demo.user("xxx_estimator")


def test_a_stale_costing_form_changes_nothing(hf, demo):
    handoff = hf.costed()
    costing_return(by=demo.user("finance"), handoff_id=handoff.pk, reason="请补充机械费明细")
    stale = Costing.objects.get(handoff=handoff, version=1)
    with pytest.raises(ValidationError) as exc:
        costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS, costing_id=stale.pk)
    assert "reload" in messages_of(exc) or "刷新" in messages_of(exc)
    assert Costing.objects.get(handoff=handoff, version=2).state == CostingState.OPEN


# --------------------------------------------------------------------------------------------------
# HND-3: Finance review
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("outsider", ["xxx_head", "xxx_estimator", "sales_hb", "director", "legal"])
def test_review_by_someone_outside_finance_is_refused(hf, demo, outsider):
    handoff = hf.costed()
    with pytest.raises(ValidationError) as exc:
        costing_suggest(by=demo.user(outsider), handoff_id=handoff.pk, suggested_amount="90000")
    assert "Finance" in messages_of(exc) or "财务" in messages_of(exc)
    with pytest.raises(ValidationError):
        costing_return(by=demo.user(outsider), handoff_id=handoff.pk, reason="不合理")
    costing = handoff.costings.get()
    assert costing.state == CostingState.SUBMITTED and costing.suggested_amount is None


def test_finance_suggests_an_amount_to_marketing_and_xxx(hf, demo, django_capture_on_commit_callbacks):
    handoff = hf.costed()
    with django_capture_on_commit_callbacks(execute=True):
        costing = costing_suggest(by=demo.user("finance_head"), handoff_id=handoff.pk, suggested_amount="92,000.00",
                                  comment="管理费按5%计")
    assert costing.state == CostingState.ACCEPTED and costing.suggested_amount == Decimal("92000.00")
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.NEGOTIATION
    for name in ("sales_hb", "xxx_negotiator", "mgmt_manager"):  # handler, XXX, the Director's Assistant
        assert Notification.objects.filter(recipient=demo.user(name), key__startswith="handoff-suggested").exists()


@pytest.mark.parametrize("amount", ["", "abc", "-1", "0"])
def test_bad_suggested_amount_is_refused(hf, demo, amount):
    handoff = hf.costed()
    with pytest.raises(ValidationError) as exc:
        costing_suggest(by=demo.user("finance"), handoff_id=handoff.pk, suggested_amount=amount)
    assert "suggested_amount" in exc.value.message_dict
    assert handoff.costings.get().state == CostingState.SUBMITTED


def test_return_needs_a_reason(hf, demo):
    handoff = hf.costed()
    with pytest.raises(ValidationError):
        costing_return(by=demo.user("finance"), handoff_id=handoff.pk, reason="")
    assert Costing.objects.filter(handoff=handoff).count() == 1


def test_steps_cannot_be_skipped_or_repeated(hf, demo):
    handoff = hf.handoff()
    with pytest.raises(ValidationError):  # no review before the costing
        costing_suggest(by=demo.user("finance"), handoff_id=handoff.pk, suggested_amount="1")
    hf.costed(handoff=handoff)
    with pytest.raises(ValidationError):  # no second costing while in review
        costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS)
    costing_suggest(by=demo.user("finance"), handoff_id=handoff.pk, suggested_amount="90000")
    with pytest.raises(ValidationError):  # no second review
        costing_suggest(by=demo.user("finance"), handoff_id=handoff.pk, suggested_amount="80000")
    assert handoff.costings.get().suggested_amount == Decimal("90000.00")


# --------------------------------------------------------------------------------------------------
# HND-4: negotiation and decision
# --------------------------------------------------------------------------------------------------
def test_decision_without_a_suggestion_is_refused_clearly(hf, demo):
    for handoff in (hf.handoff(), hf.costed()):
        with pytest.raises(ValidationError) as exc:
            handoff_decide(by=demo.user("sales_hb"), handoff_id=handoff.pk, amount="90000")
        assert "suggest" in messages_of(exc) or "建议" in messages_of(exc)
        assert not Decision.objects.filter(handoff=handoff).exists()
    assert not Contract.objects.filter(direction=Direction.CONSTRUCTION).exists()


def test_negotiation_rounds_are_on_record(hf, demo):
    handoff = hf.suggested()
    today = timezone.localdate()
    r1 = negotiation_record(by=demo.user("xxx_negotiator"), handoff_id=handoff.pk, proposer="xxx",
                            amount="98000", held_on=today, notes="材料涨价", attachments=[pdf_upload("报价.pdf")])
    r2 = negotiation_record(by=demo.user("sales_hb"), handoff_id=handoff.pk, proposer="marketing", amount="93000",
                            held_on=today, notes="按财务建议上浮1%")
    assert (r1.number, r1.proposer, r1.amount) == (1, "xxx", Decimal("98000.00"))
    assert (r2.number, r2.recorded_by) == (2, demo.user("sales_hb"))
    assert Attachment.objects.filter(object_id=r1.pk, slot="documents").exists()


def test_negotiation_bad_input(hf, demo):
    handoff = hf.suggested()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        negotiation_record(by=demo.user("xxx_negotiator"), handoff_id=handoff.pk, proposer="finance",
                           amount="abc", held_on=today + timedelta(days=1))
    assert set(exc.value.message_dict) == {"proposer", "amount", "held_on"}
    with pytest.raises(ValidationError):  # Finance is no party to the negotiation
        negotiation_record(by=demo.user("finance"), handoff_id=handoff.pk, proposer="xxx", amount="1", held_on=today)
    assert not NegotiationRound.objects.filter(handoff=handoff).exists()
    early = hf.costed()
    with pytest.raises(ValidationError):  # no negotiation before Finance's suggestion
        negotiation_record(by=demo.user("xxx_negotiator"), handoff_id=early.pk, proposer="xxx", amount="1",
                           held_on=today)


def test_only_the_handler_or_marketing_leadership_decides(hf, demo):
    handoff = hf.suggested()
    for name in ("xxx_negotiator", "xxx_head", "finance", "clerk"):
        with pytest.raises(ValidationError):
            handoff_decide(by=demo.user(name), handoff_id=handoff.pk, amount="90000")
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.NEGOTIATION


def test_decision_drafts_the_construction_contract_prefilled(hf, demo, django_capture_on_commit_callbacks):
    handoff = hf.suggested(amount="92000.00")
    with django_capture_on_commit_callbacks(execute=True):
        decision = handoff_decide(by=demo.user("director"), handoff_id=handoff.pk, amount="95000", notes="工期紧")
    construction = decision.construction_contract
    sales = handoff.contract
    assert construction.direction == Direction.CONSTRUCTION and construction.customer is None
    assert construction.state == ContractState.DRAFT
    assert construction.amount == Decimal("95000.00")
    assert construction.handler == sales.handler and construction.region == sales.region
    assert (construction.starts_on, construction.ends_on) == (handoff.planned_start, handoff.planned_finish)
    lines = list(construction.lines.order_by("position"))
    assert lines[0].amount == Decimal("95000.00") and handoff.number in lines[0].description
    assert [ln.quantity for ln in lines[1:]] == [Decimal("2.000"), Decimal("350.000")]
    assert sum(ln.amount for ln in lines) == construction.amount  # the contracts app accepts it for submission
    assert decision.main_amount == handoff.line.amount == Decimal("300000.00")
    assert decision.suggested_amount == Decimal("92000.00")
    assert decision.margin == Decimal("205000.00") and decision.margin_percent == Decimal("68.33")
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.CONTRACTING and handoff.construction_contract == construction
    assert Notification.objects.filter(recipient=demo.user("sales_hb"), key__startswith="handoff-decided").exists()


def test_collection_only_cannot_decide(hf, demo):
    handoff = hf.suggested()
    person = demo.user("sales_hb").person
    person.duty_status, person.duty_status_reason = "collection_only", "回款逾期8个月"
    person.save()
    with pytest.raises(ValidationError) as exc:
        handoff_decide(by=demo.user("sales_hb"), handoff_id=handoff.pk, amount="90000")
    assert "回款逾期8个月" in messages_of(exc)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("amount", ["", "九万", "-90000", "0"])
def test_bad_decided_amount_drafts_nothing(hf, demo, amount):
    handoff = hf.suggested()
    with pytest.raises(ValidationError) as exc:
        handoff_decide(by=demo.user("sales_hb"), handoff_id=handoff.pk, amount=amount)
    assert "amount" in exc.value.message_dict
    assert not Contract.objects.filter(direction=Direction.CONSTRUCTION).exists()


# --------------------------------------------------------------------------------------------------
# HND-5: the construction contract through the chain
# --------------------------------------------------------------------------------------------------
def test_signed_construction_contract_completes_the_hand_off(hf, demo, django_capture_on_commit_callbacks):
    from contracts import services as cs

    handoff, decision = hf.decided()
    construction = decision.construction_contract
    with django_capture_on_commit_callbacks(execute=True):
        cs.contract_text_add(contract_id=construction.pk, by=demo.user("sales_hb"),
                             upload=pdf_upload("施工合同文本.pdf"))
        cs.contract_submit(contract_id=construction.pk, by=demo.user("sales_hb"))
        cs.contract_approve(contract_id=construction.pk, by=demo.user("director"), kind="leader")
        cs.contract_approve(contract_id=construction.pk, by=demo.user("finance"), kind="finance")
        construction.refresh_from_db()
        if not construction.legal_waived:
            cs.contract_approve(contract_id=construction.pk, by=demo.user("legal"), kind="legal")
        cs.contract_approve(contract_id=construction.pk, by=demo.user("gm"), kind="gm")
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.CONTRACTING  # approved is not yet signed
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        cs.contract_sign(contract_id=construction.pk, by=demo.user("sales_hb"), signed_on=today,
                         counterparty_signed_on=today, scan=pdf_upload("施工合同.pdf"))
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.COMPLETED and handoff.completed_at is not None
    assert Notification.objects.filter(recipient=demo.user("xxx_negotiator"),
                                       key__startswith="handoff-completed").exists()


def test_withdrawn_construction_draft_sends_the_hand_off_back_to_the_decision(hf, demo,
                                                                             django_capture_on_commit_callbacks):
    from contracts.services import contract_withdraw

    handoff, decision = hf.decided()
    with django_capture_on_commit_callbacks(execute=True):
        contract_withdraw(contract_id=decision.construction_contract_id, by=demo.user("sales_hb"),
                          reason="金额需重新商定")
    handoff.refresh_from_db()
    decision.refresh_from_db()
    assert handoff.state == HandoffState.NEGOTIATION and handoff.construction_contract is None
    assert decision.state == DecisionState.SUPERSEDED
    second = handoff_decide(by=demo.user("sales_hb"), handoff_id=handoff.pk, amount="93000")
    assert second.construction_contract_id != decision.construction_contract_id


def test_sales_contract_transitions_do_not_touch_hand_offs(hf, demo, django_capture_on_commit_callbacks):
    from contracts.services import contract_register

    handoff = hf.handoff()
    with django_capture_on_commit_callbacks(execute=True):
        contract_register(contract_id=handoff.contract_id, by=demo.user("clerk"))
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.COSTING


# --------------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------------
def test_every_step_is_in_the_history(hf, demo):
    handoff, _decision = hf.decided()
    reasons = list(handoff.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert len(reasons) == 4  # issued, costing submitted, suggested, decided
    assert Costing.history.filter(handoff_id=handoff.pk).count() >= 3


def test_hand_offs_are_never_deleted(hf):
    handoff = hf.handoff()
    with pytest.raises(ValidationError):
        handoff.delete()
    assert Handoff.objects.filter(pk=handoff.pk).exists()


def test_sweep_does_nothing_for_work_done(hf, demo):
    from .conftest import at

    hf.decided()
    assert deadlines_sweep(now=at(2030, 1, 1, 10)) == 0
