"""CON-8…12: performance, objections, inability, hand-over, borrowing, change and termination, disputes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts import services
from contracts.choices import ContractState, LoanState, Relation
from contracts.models import Contract, Loan
from marketing_portal.models import Notification

pytestmark = pytest.mark.django_db


def test_milestones_only_on_signed_contracts(make, demo, today):
    draft = make.contract()
    with pytest.raises(ValidationError):
        services.milestone_record(contract_id=draft.pk, by=draft.handler, title="到货")
    contract = make.signed()
    m = services.milestone_record(contract_id=contract.pk, by=contract.handler, title="到货",
                                  due_on=today + timedelta(days=3))
    with pytest.raises(ValidationError):
        services.milestone_record(contract_id=contract.pk, by=demo.user("sales_hd"), title="到货")
    services.milestone_complete(milestone_id=m.pk, by=contract.handler, done_on=today)
    with pytest.raises(ValidationError):
        services.milestone_complete(milestone_id=m.pk, by=contract.handler, done_on=today)


def test_non_performance_deadline_from_policy_and_reminders(make, demo, clock, django_capture_on_commit_callbacks):
    clock.set(date(2026, 10, 9))  # after every date below: none of them is "in the future"
    contract = make.signed()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.non_performance_flag(
            contract_id=contract.pk, by=demo.user("finance"), noticed_on=date(2026, 9, 15),
            description="未付预付款", deadline_basis="reasonable")
    # 15 days after 2026-09-15 is 2026-09-30, a working day (CAL-1)
    assert record.objection_due_on == date(2026, 9, 30) and record.policy_version >= 1
    assert Notification.objects.filter(recipient=contract.handler, key__startswith="nonperformance").exists()
    # an agreed period of 1 day from 2026-09-30 ends after National Day
    agreed = services.non_performance_flag(contract_id=contract.pk, by=demo.user("sales_hd"),
                                           noticed_on=date(2026, 9, 30), description="未按期提供场地",
                                           deadline_basis="agreed", days=1)
    assert agreed.objection_due_on == date(2026, 10, 8)
    with pytest.raises(ValidationError):
        services.non_performance_flag(contract_id=contract.pk, by=demo.user("finance"), noticed_on=date(2026, 9, 1),
                                      description="x", deadline_basis="agreed")
    # reminders: 3 days before, then overdue, each once
    sent = services.reminders_send(today=date(2026, 9, 27))
    assert sent == 1
    assert services.reminders_send(today=date(2026, 9, 27)) == 0
    assert services.reminders_send(today=date(2026, 10, 1)) >= 1
    keys = set(Notification.objects.filter(recipient=contract.handler, key__contains=f"nonperformance:{record.pk}|")
               .values_list("key", flat=True))
    assert {k.rsplit("|", 1)[1] for k in keys} == {"d3", "overdue"}
    # the handler records the letter; late letters are marked in the history
    services.non_performance_object(record_id=record.pk, by=contract.handler, sent_on=date(2026, 10, 1),
                                    text="请于五日内付款")
    record.refresh_from_db()
    assert record.status == "objected"
    assert record.history.first().history_change_reason
    with pytest.raises(ValidationError):
        services.non_performance_object(record_id=record.pk, by=contract.handler, sent_on=date(2026, 10, 1),
                                        text="again")


def test_incoming_objection_and_work_item(make, demo, today):
    from contracts.work import work_items

    contract = make.signed()
    objection = services.objection_receive(contract_id=contract.pk, by=contract.handler, received_on=today,
                                           content="外观划伤", deadline_basis="reasonable")
    assert objection.reply_due_on > today
    titles = [i.title for i in work_items(contract.handler)]
    assert f"答复异议：{contract.title}" in titles
    with pytest.raises(ValidationError):
        services.objection_answer(objection_id=objection.pk, by=contract.handler, replied_on=today, reply="")
    services.objection_answer(objection_id=objection.pk, by=contract.handler, replied_on=today, reply="同意更换")
    assert f"答复异议：{contract.title}" not in [i.title for i in work_items(contract.handler)]


def test_inability_report_same_day_flag(make, demo, today):
    contract = make.signed()
    report = services.inability_report(contract_id=contract.pk, by=contract.handler, occurred_on=today,
                                       description="原材料断供", remedy_plan="改用替代型号",
                                       counterparty_notified_on=today, notified_how="电话并发函")
    assert report.notified_same_day
    with pytest.raises(ValidationError):
        services.inability_report(contract_id=contract.pk, by=contract.handler, occurred_on=today,
                                  description="x", remedy_plan="", counterparty_notified_on=today,
                                  notified_how="电话")


def test_handler_change_needs_both_confirmations(make, demo):
    contract = make.signed()
    with pytest.raises(ValidationError):
        services.handler_change_start(contract_id=contract.pk, by=contract.handler, to_handler=demo.user("rm_hb"),
                                      reason="调岗", open_items="无")
    change = services.handler_change_start(contract_id=contract.pk, by=demo.user("rm_hb"),
                                           to_handler=demo.user("sales_hd"), reason="调岗", open_items="尾款未收")
    services.handler_change_confirm(change_id=change.pk, by=demo.user("sales_hb"))
    assert Contract.objects.get(pk=contract.pk).handler == demo.user("sales_hb")
    with pytest.raises(ValidationError):
        services.handler_change_confirm(change_id=change.pk, by=demo.user("sales_hb"))
    with pytest.raises(ValidationError):
        services.handler_change_confirm(change_id=change.pk, by=demo.user("director"))
    services.handler_change_confirm(change_id=change.pk, by=demo.user("sales_hd"))
    assert Contract.objects.get(pk=contract.pk).handler == demo.user("sales_hd")


def test_loan_flow_one_open_loan_and_overdue(make, demo, today):
    contract = make.archived()
    sales = demo.user("sales_hb")
    with pytest.raises(ValidationError):
        services.loan_request(contract_id=contract.pk, by=sales, purpose="核对", return_due_on=today + timedelta(
            days=365))
    loan = services.loan_request(contract_id=contract.pk, by=sales, purpose="核对条款",
                                 return_due_on=today + timedelta(days=3))
    with pytest.raises(ValidationError) as twice:
        services.loan_request(contract_id=contract.pk, by=demo.user("rm_hb"), purpose="x",
                              return_due_on=today + timedelta(days=3))
    assert twice.value.code == "open_loan"
    with pytest.raises(ValidationError):
        services.loan_hand_out(loan_id=loan.pk, by=demo.user("archivist"))  # not approved yet
    with pytest.raises(ValidationError):
        services.loan_decide(loan_id=loan.pk, by=demo.user("archivist"), approve=True)  # not the approver
    services.loan_decide(loan_id=loan.pk, by=demo.user("admin_head"), approve=True)
    services.loan_hand_out(loan_id=loan.pk, by=demo.user("archivist"))
    assert services.reminders_send(today=today + timedelta(days=4)) >= 1
    assert Notification.objects.filter(recipient=sales, key__startswith="loan-overdue").count() == 1
    services.loan_return(loan_id=loan.pk, by=demo.user("archivist"))
    assert Loan.objects.get(pk=loan.pk).state == LoanState.RETURNED
    again = services.loan_request(contract_id=contract.pk, by=sales, purpose="再次核对",
                                  return_due_on=today + timedelta(days=1))
    assert again.state == LoanState.REQUESTED


def test_only_archived_originals_can_be_borrowed(make, demo, today):
    contract = make.signed()
    with pytest.raises(ValidationError):
        services.loan_request(contract_id=contract.pk, by=demo.user("sales_hb"), purpose="x",
                              return_due_on=today + timedelta(days=1))


def test_termination_agreement_goes_through_the_chain_and_terminates(make, demo, today):
    contract = make.filed()
    agreement = services.contract_amendment_create(
        parent_id=contract.pk, by=contract.handler, relation=Relation.TERMINATION, title="解除协议",
        amount=Decimal("0"), starts_on=today, ends_on=today, reason="双方协商一致解除")
    assert agreement.state == ContractState.DRAFT and agreement.parent_id == contract.pk
    with pytest.raises(ValidationError):
        services.contract_amendment_create(parent_id=contract.pk, by=contract.handler,
                                           relation=Relation.SUPPLEMENTARY, title="补充", amount=Decimal("10"),
                                           starts_on=today, ends_on=today, reason="加量")
    make.text(agreement)
    services.contract_submit(contract_id=agreement.pk, by=agreement.handler)
    for name, kind in (("director", "leader"), ("finance", "finance"), ("legal", "legal"), ("gm", "gm")):
        services.contract_approve(contract_id=agreement.pk, by=demo.user(name), kind=kind)
    from tests.factories import pdf_upload

    services.contract_sign(contract_id=agreement.pk, by=agreement.handler, signed_on=today,
                           counterparty_signed_on=today, scan=pdf_upload())
    contract.refresh_from_db()
    assert contract.state == ContractState.TERMINATED and contract.terminated_on == today


def test_supplementary_agreement_keeps_parties(make, demo, today):
    contract = make.signed()
    supplement = services.contract_amendment_create(
        parent_id=contract.pk, by=contract.handler, relation=Relation.SUPPLEMENTARY, title="补充协议（增加2面柜）",
        amount=Decimal("76000"), starts_on=today, ends_on=today + timedelta(days=60), reason="客户增加数量")
    assert supplement.customer_id == contract.customer_id and supplement.kind == "agreement"
    with pytest.raises(ValidationError):
        services.contract_amendment_create(parent_id=make.contract().pk, by=contract.handler,
                                           relation=Relation.SUPPLEMENTARY, title="x", amount=Decimal("1"),
                                           starts_on=today, ends_on=today, reason="x")


def test_disputes(make, demo, today):
    contract = make.signed()
    dispute = services.dispute_open(contract_id=contract.pk, by=demo.user("legal"), opened_on=today,
                                    subject="违约金", description="客户主张延迟交货")
    services.dispute_update(dispute_id=dispute.pk, by=demo.user("legal"), status="negotiating", note="首次协商")
    with pytest.raises(ValidationError):
        services.dispute_update(dispute_id=dispute.pk, by=demo.user("legal"), status="closed")
    services.dispute_update(dispute_id=dispute.pk, by=contract.handler, status="closed", outcome="协商免除违约金",
                            closed_on=today)
    dispute.refresh_from_db()
    assert dispute.status == "closed" and "首次协商" in dispute.negotiation_log
    with pytest.raises(ValidationError):
        services.dispute_open(contract_id=contract.pk, by=demo.user("sales_hd"), opened_on=today, subject="x",
                              description="x")


def test_work_items_for_approvers_and_delegates(make, demo, today):
    from contracts.work import work_items
    from org.services import delegation_create

    contract = make.submitted()
    assert any(contract.title in i.title for i in work_items(demo.user("director")))
    assert not any(contract.title in i.title for i in work_items(demo.user("gm")))
    director = demo.user("director")
    delegation_create(principal=director, delegate=demo.user("sales_manager"), starts_on=today,
                      ends_on=today + timedelta(days=1), reason="休假", by=director)
    items = [i.title for i in work_items(demo.user("sales_manager")) if contract.title in i.title]
    assert items == [f"部门领导审核：{contract.title}（代 周明）"]


def test_collection_only_cannot_create_or_submit(make, demo):
    from org.models import Person

    contract = make.contract(by="sales_hb")
    Person.objects.filter(user__username="sales_hb").update(duty_status="collection_only",
                                                            duty_status_reason="回款超期12个月")
    user = demo.user("sales_hb")
    with pytest.raises(ValidationError, match="回款超期12个月") as blocked:
        services.contract_submit(contract_id=contract.pk, by=user)
    assert blocked.value.code == "collection_only"
    with pytest.raises(ValidationError, match="回款超期12个月") as blocked:
        make.contract(by="sales_hb", customer=contract.customer)
    assert blocked.value.code == "collection_only"
    assert Contract.objects.get(pk=contract.pk).state == ContractState.DRAFT


def test_submission_needs_valid_due_diligence_and_participants(make, demo):
    customer = make.customer(region="HB", diligence=False)
    contract = make.contract(by="sales_hb", customer=customer)
    with pytest.raises(ValidationError) as refused:
        services.contract_submit(contract_id=contract.pk, by=contract.handler)
    assert [e.code for e in refused.value.error_list] == ["no_due_diligence"]
    major = make.contract(by="sales_hb", amount=Decimal("1500000.00"))
    with pytest.raises(ValidationError) as refused:
        services.contract_submit(contract_id=major.pk, by=major.handler)
    assert [e.code for e in refused.value.error_list] == ["participants_missing"]
    foreign = make.contract(by="sales_hb", is_foreign=True)
    with pytest.raises(ValidationError) as refused:
        services.contract_submit(contract_id=foreign.pk, by=foreign.handler)
    assert [e.code for e in refused.value.error_list] == ["participants_missing"]


def test_salesperson_cannot_draft_for_another_region_or_handler(make, demo):
    customer = make.customer(region="HD", by="sales_hd")
    with pytest.raises(ValidationError):
        make.contract(by="sales_hb", customer=customer)
    with pytest.raises(ValidationError):
        make.contract(by="sales_hb", handler=demo.user("sales_hn"))
    # the sales manager assigns any handler
    contract = make.contract(by="sales_manager", customer=customer, handler=demo.user("sales_hd"))
    assert contract.handler == demo.user("sales_hd")


def test_construction_contract_programmatically(demo, make, today):
    """The hand-off app drafts the construction sub-contract with XXX (HND-5)."""
    contract = services.contract_create(
        by=demo.user("mgmt_manager"), title="施工合同", direction="construction", region=demo.region("HB"),
        handler=demo.user("sales_hb"), amount=Decimal("210000.00"), starts_on=today,
        ends_on=today + timedelta(days=90), non_standard_reason="按对接结果拟定")
    assert contract.customer is None
    make.text(contract)
    services.contract_submit(contract_id=contract.pk, by=demo.user("sales_hb"))
    assert Contract.objects.get(pk=contract.pk).state == ContractState.LEADER_REVIEW
    with pytest.raises(ValidationError):
        services.contract_create(by=demo.user("mgmt_manager"), title="x", direction="construction",
                                 customer=None, region=None, amount=Decimal("1"), starts_on=today, ends_on=today,
                                 non_standard_reason="x")
