"""Bids (RPT-4): registered, documents prepared by the clerks (versions), reviewed by the Management Manager on the
approval kernel, budget and proposal submitted, the result; a won bid starts a contract draft with the customer,
amount and documents carried over. Bad input refused with a clear message and nothing stored."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts.choices import ContractState
from marketing_portal.files import attachments_of
from org.services import person_duty_set
from planning import services
from planning.choices import TenderState
from planning.models import Tender
from tests.planning.conftest import TODAY, codes, pdf_upload

pytestmark = pytest.mark.django_db


def test_the_whole_bid_to_a_contract_draft(demo, pln, clock):
    tender = pln.tender(state="submitted", opening_on=TODAY + timedelta(days=2))
    assert tender.number == f"ZB-{TODAY.year}-0001" and tender.state == TenderState.SUBMITTED
    owner = demo.user("sales_hb")
    assert tender.steps.get().decided_by == demo.user("mgmt_manager")
    clock.set(TODAY + timedelta(days=3))
    services.tender_record_result(tender_id=tender.pk, by=owner, result="won", result_on=TODAY + timedelta(days=2),
                                  winning_amount="758000")
    contract = services.tender_start_contract(tender_id=tender.pk, by=owner)
    tender.refresh_from_db()
    assert tender.contract == contract and contract.state == ContractState.DRAFT
    assert (contract.customer, contract.amount, contract.handler, contract.region) == (
        tender.customer, Decimal("758000.00"), owner, tender.region)
    assert [a.sha256 for a in attachments_of(contract, "draft")] == [a.sha256 for a in attachments_of(tender, "bid")]
    assert tender.number in contract.notes
    with pytest.raises(ValidationError):  # once only
        services.tender_start_contract(tender_id=tender.pk, by=owner)


def test_documents_have_versions_and_a_sent_back_round_starts_again(demo, pln):
    tender = pln.tender(state="review")
    step = tender.steps.get()
    with pytest.raises(ValidationError) as no_reason:
        services.tender_review(step_id=step.pk, by=demo.user("mgmt_manager"), approve=False)
    assert codes(no_reason.value) == {"required"}
    services.tender_review(step_id=step.pk, by=demo.user("mgmt_manager"), approve=False,
                           comment="技术标缺少图纸")
    tender.refresh_from_db()
    assert (tender.state, tender.round) == (TenderState.PREPARING, 2)
    services.tender_document_add(tender_id=tender.pk, by=demo.user("clerk"), upload=pdf_upload(text=b"v2"))
    assert sorted(attachments_of(tender, "bid").values_list("version", flat=True)) == [1, 2]
    services.tender_send_to_review(tender_id=tender.pk, by=demo.user("clerk"))
    assert list(tender.steps.values_list("round", "status")) == [(1, "rejected"), (2, "pending")]


def test_only_the_management_manager_or_a_delegate_reviews_and_not_their_own_documents(demo, pln, today):
    tender = pln.tender(state="review")
    step = tender.steps.get()
    for login in ("sales_hb", "clerk", "director"):
        with pytest.raises(ValidationError) as refused:
            services.tender_review(step_id=step.pk, by=demo.user(login), approve=True)
        assert codes(refused.value) == {"not_assigned"}
    from org.services import delegation_create

    delegation_create(principal=demo.user("mgmt_manager"), delegate=demo.user("sales_manager"), starts_on=today,
                      ends_on=today, reason="休假", by=demo.user("mgmt_manager"))
    services.tender_review(step_id=step.pk, by=demo.user("sales_manager"), approve=True)
    step.refresh_from_db()
    assert (step.decided_by, step.on_behalf_of) == (demo.user("sales_manager"), demo.user("mgmt_manager"))


def test_no_result_before_the_opening_and_no_win_without_a_price(demo, pln, clock):
    tender = pln.tender(state="submitted", opening_on=TODAY + timedelta(days=5))
    owner = demo.user("sales_hb")
    with pytest.raises(ValidationError) as early:
        services.tender_record_result(tender_id=tender.pk, by=owner, result="lost", result_on=TODAY)
    assert codes(early.value) == {"before_opening"}
    assert "开标前不能登记结果" in early.value.messages[0]
    clock.set(TODAY + timedelta(days=6))
    with pytest.raises(ValidationError) as before:
        services.tender_record_result(tender_id=tender.pk, by=owner, result="won", result_on=TODAY,
                                      winning_amount="100")
    assert codes(before.value) == {"before_opening"}
    with pytest.raises(ValidationError) as no_price:
        services.tender_record_result(tender_id=tender.pk, by=owner, result="won")
    assert codes(no_price.value) == {"won_no_price"} and "中标价格" in no_price.value.messages[0]
    with pytest.raises(ValidationError):
        services.tender_record_result(tender_id=tender.pk, by=owner, result="won", winning_amount="-1")
    tender.refresh_from_db()
    assert (tender.state, tender.result_on, tender.winning_amount) == (TenderState.SUBMITTED, None, None)
    services.tender_record_result(tender_id=tender.pk, by=owner, result="lost", winning_amount="700000",
                                  winner="某电气有限公司")
    tender.refresh_from_db()
    assert (tender.state, tender.winner, tender.winning_amount) == (TenderState.LOST, "某电气有限公司",
                                                                    Decimal("700000.00"))


def test_steps_cannot_be_skipped(demo, pln):
    tender = pln.tender(state="preparing")
    owner = demo.user("sales_hb")
    with pytest.raises(ValidationError) as refused:
        services.tender_submit(tender_id=tender.pk, by=owner)
    assert codes(refused.value) == {"not_ready"}
    with pytest.raises(ValidationError) as no_docs:
        services.tender_send_to_review(tender_id=tender.pk, by=owner)
    assert codes(no_docs.value) == {"no_documents"}
    with pytest.raises(ValidationError):
        services.tender_record_result(tender_id=tender.pk, by=owner, result="won", winning_amount="1")
    assert Tender.objects.get(pk=tender.pk).state == TenderState.PREPARING


def test_collection_only_duty_cannot_start_a_bid(demo, pln):
    person = demo.user("sales_hb").person
    person_duty_set(person_id=person.pk, collection_only=True, reason="华北项目回款逾期", by=demo.user("director"))
    customer = pln.make.customer()
    with pytest.raises(ValidationError) as refused:
        services.tender_create(by=demo.user("sales_hb"), title="某项目", customer=customer, budget="100000",
                               documents_due_on=TODAY, opening_on=TODAY + timedelta(days=1))
    assert codes(refused.value) == {"collection_only"}
    assert "华北项目回款逾期" in refused.value.messages[0] and "投标" in refused.value.messages[0]
    assert Tender.objects.count() == 0


def test_bad_dates_and_amounts_are_refused(demo, pln):
    customer = pln.make.customer()
    kw = dict(by=demo.user("sales_hb"), title="某项目", customer=customer)
    with pytest.raises(ValidationError):
        services.tender_create(**kw, budget="0", documents_due_on=TODAY, opening_on=TODAY)
    with pytest.raises(ValidationError) as order:
        services.tender_create(**kw, budget="100", documents_due_on=TODAY, opening_on=TODAY - timedelta(days=1))
    assert "opening_on" in order.value.message_dict
    assert Tender.objects.count() == 0


def test_a_stale_review_page_changes_nothing(demo, pln):
    tender = pln.tender(state="review")
    step = tender.steps.get()
    services.tender_review(step_id=step.pk, by=demo.user("mgmt_manager"), approve=True, comment="同意")
    with pytest.raises(ValidationError) as stale:
        services.tender_review(step_id=step.pk, by=demo.user("mgmt_manager"), approve=False, comment="再看看")
    assert codes(stale.value) == {"already_decided"}
    tender.refresh_from_db()
    assert tender.state == TenderState.READY
