"""RCV-4, 5, 8: suspension proposals to the Marketing Director, mandatory collection-only duty and its effect in
contracts and hand-offs, proposals to lift it, compensation agreements tracked to signed and uploaded."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketing_portal.notifications import Notification
from org.models import Person
from receivables import services
from receivables.engine import sweep_receivables
from receivables.models import CompensationAgreement, DutyProposal

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def person(demo, username):
    return Person.objects.get(user__username=username)


def test_six_months_without_invoice_proposes_collection_only_duty_to_the_director(rcv, on_day, demo):
    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    proposal = DutyProposal.objects.get(project=project)
    assert (proposal.kind, proposal.state, proposal.mandatory) == ("impose", "pending", False)
    assert proposal.cause_key == "invoice:may_suspend:0" and proposal.cause_date == date(2026, 7, 7)
    assert person(demo, "sales_hb").duty_status == "normal"  # only proposed: the Director decides (RCV-4)
    assert Notification.objects.filter(recipient=demo.user("director"), url__contains="/receivables/duty/").exists()
    # a second sweep does not propose again
    on_day(date(2026, 7, 8))
    sweep_receivables()
    assert DutyProposal.objects.filter(project=project).count() == 1


def test_director_confirms_with_a_reason_and_contracts_and_handoffs_are_refused_with_a_clear_message(
        rcv, on_day, demo):
    from contracts.services import contract_create

    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    proposal = DutyProposal.objects.get(project=project)
    with pytest.raises(ValidationError) as error:
        services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=True, reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("sales_manager"), confirm=True,
                                      reason="同意")
    services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=True,
                                  reason="半年未开票，专项负责开票回款")
    sales = person(demo, "sales_hb")
    assert sales.duty_status == "collection_only"
    assert project.number in sales.duty_status_reason
    assert Notification.objects.filter(recipient=sales.user, subject__contains="专项负责开票、回款").exists()
    # RCV-8: no new contracts (the contracts app reads org.Person through org.selectors.is_collection_only)
    with pytest.raises(ValidationError) as error:
        contract_create(by=sales.user, title="新合同", customer=project.customer, region=project.region,
                        handler=sales.user, amount=Decimal("1000"), starts_on=date(2026, 7, 7),
                        ends_on=date(2026, 12, 31), non_standard_reason="x", retention_percent=Decimal("5"),
                        warranty_months=12)
    assert "回款" in " ".join(error.value.messages)
    # ... and no hand-offs (the one guard of org.rules, which the hand-off services call)
    from org.rules import require_not_collection_only

    with pytest.raises(ValidationError) as error:
        require_not_collection_only(sales.user, work="handoffs")
    assert error.value.code == "collection_only" and project.number in error.value.messages[0]
    # but all invoicing and collection work goes on: Finance records the invoice of the owner's project
    rcv.invoice(project, date(2026, 7, 7))


def test_declining_needs_a_reason_and_leaves_the_person_at_work(rcv, on_day, demo):
    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    proposal = DutyProposal.objects.get(project=project)
    services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=False,
                                  reason="客户原因，非个人责任")
    proposal.refresh_from_db()
    assert proposal.state == "declined" and proposal.decision_reason == "客户原因，非个人责任"
    assert person(demo, "sales_hb").duty_status == "normal"
    with pytest.raises(ValidationError):
        services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=True, reason="x")


def test_the_director_cannot_decide_on_their_own_duty(rcv, on_day, demo):
    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    proposal = DutyProposal.objects.get(project=project)
    DutyProposal.objects.filter(pk=proposal.pk).update(person=person(demo, "director"))  # as if the Director owned it
    with pytest.raises(ValidationError) as error:
        services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=True, reason="x")
    assert "本人" in " ".join(error.value.messages)


def test_twelve_months_require_a_compensation_agreement_and_mandatory_duty(rcv, on_day, demo):
    # accepted 2025-06-03: forfeited from 2025-12-04, compensation from 2026-06-04
    on_day(date(2026, 6, 3))
    project = rcv.project(accepted_on=date(2025, 6, 3))
    assert person(demo, "sales_hb").duty_status == "normal"
    assert not CompensationAgreement.objects.exists()
    on_day(date(2026, 6, 4))
    sweep_receivables()
    agreement = CompensationAgreement.objects.get(project=project)
    assert (agreement.stage, agreement.state, agreement.required_on) == ("invoice", "required", date(2026, 6, 4))
    sales = person(demo, "sales_hb")
    assert sales.duty_status == "collection_only"  # mandatory, no decision needed (RCV-5)
    mandatory = DutyProposal.objects.get(project=project, mandatory=True)
    assert mandatory.state == "confirmed" and mandatory.cause_key == "invoice:suspension:0"
    # tracked until signed and uploaded
    with pytest.raises(ValidationError):
        services.agreement_upload(agreement_id=agreement.pk, by=demo.user("finance"), signed_on=date(2026, 6, 4),
                                  scan=pdf_upload())
    with pytest.raises(ValidationError) as error:
        services.agreement_upload(agreement_id=agreement.pk, by=demo.user("mgmt_manager"),
                                  signed_on=date(2026, 6, 4), scan=None)
    assert "scan" in error.value.message_dict
    services.agreement_upload(agreement_id=agreement.pk, by=demo.user("mgmt_manager"), signed_on=date(2026, 6, 4),
                              scan=pdf_upload("agreement.pdf"))
    agreement.refresh_from_db()
    assert agreement.state == "signed" and agreement.uploaded_by == demo.user("mgmt_manager")


def test_once_invoiced_the_system_proposes_lifting_and_the_director_lifts(rcv, on_day, demo):
    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    proposal = DutyProposal.objects.get(project=project)
    services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=True, reason="确认")
    rcv.invoice(project, date(2026, 7, 7))  # the cause is cleared: the invoice stage is closed
    lift = DutyProposal.objects.get(kind="lift")
    assert lift.state == "pending" and lift.person == person(demo, "sales_hb")
    assert person(demo, "sales_hb").duty_status == "collection_only"  # until the Director decides
    services.duty_proposal_decide(proposal_id=lift.pk, by=demo.user("director"), confirm=True, reason="已开票")
    assert person(demo, "sales_hb").duty_status == "normal"
    # the forfeiture stays incurred: the commission is not restored by the late invoice
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("100.00")


def test_no_lift_proposal_while_another_project_still_calls_for_the_duty(rcv, on_day, demo):
    on_day(date(2026, 7, 7))
    first = rcv.project(accepted_on=date(2026, 1, 5))
    second = rcv.project(accepted_on=date(2026, 1, 5))
    for proposal in DutyProposal.objects.all():
        services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=True, reason="确认")
    rcv.invoice(first, date(2026, 7, 7))
    assert not DutyProposal.objects.filter(kind="lift").exists()
    rcv.invoice(second, date(2026, 7, 7))
    assert DutyProposal.objects.filter(kind="lift", state="pending").count() == 1


def test_a_backdated_invoice_withdraws_the_pending_proposal(rcv, on_day, demo):
    on_day(date(2026, 7, 8))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    rcv.invoice(project, date(2026, 6, 30))  # dated before the forfeiture mark
    proposal = DutyProposal.objects.get(project=project)
    assert proposal.state == "withdrawn"
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("20.00")  # forfeiture and step 5 reversed; four steps stand


def test_director_lifts_by_hand_with_a_reason(rcv, on_day, demo):
    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    proposal = DutyProposal.objects.get(project=project)
    services.duty_proposal_decide(proposal_id=proposal.pk, by=demo.user("director"), confirm=True, reason="确认")
    with pytest.raises(ValidationError):
        services.duty_lift(person_id=person(demo, "sales_hb").pk, by=demo.user("sales_manager"), reason="x")
    services.duty_lift(person_id=person(demo, "sales_hb").pk, by=demo.user("director"), reason="客户已承诺付款")
    assert person(demo, "sales_hb").duty_status == "normal"
    assert DutyProposal.objects.get(kind="lift").decision_reason == "客户已承诺付款"
