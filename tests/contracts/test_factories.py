"""The shared factories reach every state through the services, with the people the org chart names."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.choices import ContractState, LoanState, StepStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("builder, state", [
    ("contract", ContractState.DRAFT), ("submitted", ContractState.LEADER_REVIEW),
    ("approved", ContractState.APPROVED), ("signed", ContractState.SIGNED),
    ("registered", ContractState.REGISTERED), ("archived", ContractState.ARCHIVED),
    ("filed", ContractState.FILED),
])
def test_each_builder_reaches_its_state(make, builder, state):
    contract = getattr(make, builder)()
    contract.refresh_from_db()
    assert contract.state == state
    # every decided step was taken by someone the org chart named for it, never the submitter (but the signature)
    for step in contract.steps.exclude(status__in=[StepStatus.PENDING, StepStatus.WAIVED]):
        assert step.assignees.filter(pk=step.decided_by_id).exists(), step
        if step.kind != "sign":
            assert step.decided_by_id not in (contract.handler_id, contract.submitted_by_id)


@pytest.mark.parametrize("kind, state", [
    ("finance", ContractState.JOINT_REVIEW), ("legal", ContractState.JOINT_REVIEW), ("gm", ContractState.GM_REVIEW),
    ("sign", ContractState.APPROVED), ("register", ContractState.SIGNED), ("archive", ContractState.REGISTERED),
    ("copy_marketing", ContractState.ARCHIVED),
])
def test_at_step_stops_where_the_step_waits(make, kind, state):
    contract = make.at_step(kind)
    assert contract.state == state
    assert contract.steps.get(version=contract.version, kind=kind).status == StepStatus.PENDING


def test_major_contract_names_its_participants_and_is_major_when_submitted(make, demo):
    contract = make.submitted(amount=Decimal("3000000.00"), participants=True)
    assert contract.is_major
    assert contract.legal_participant == demo.user("legal") and contract.technical_participant == demo.user("tech_rnd")
    assert make.major().legal_participant_id is not None


def test_long_term_contract_passes_the_sign_off(make, demo, today):
    from datetime import timedelta

    contract = make.approved(starts_on=today, ends_on=today + timedelta(days=400))
    assert contract.steps.get(kind="long_term").decided_by == demo.user("deputy_gm")


def test_the_whole_chain_on_a_day_in_the_past(make):
    contract = make.filed(on=date(2024, 11, 1))
    assert contract.signed_on == date(2024, 11, 1)
    assert contract.archive_number == "HB-2024-0001" and contract.archive_year == 2024
    assert contract.customer.due_diligences.get().investigated_on == date(2024, 11, 1)


def test_rejected_and_resubmitted(make):
    contract = make.rejected(at="finance")
    assert contract.state == ContractState.DRAFT and contract.steps.get(kind="finance").status == StepStatus.REJECTED
    again = make.advance(contract, to="leader_review")
    assert again.version == 2


def test_construction_contract_and_amendments(make):
    construction = make.construction()
    assert construction.customer is None and construction.direction == "construction"
    parent = make.filed()
    termination = make.amendment(parent=parent, relation="termination")
    make.advance(termination, to="signed")
    parent.refresh_from_db()
    assert parent.state == ContractState.TERMINATED


@pytest.mark.parametrize("state", [s.value for s in LoanState])
def test_loans_in_every_state(make, state):
    assert make.loan(state=state).state == state


def test_templates_give_a_usable_version(make):
    version = make.template()
    contract = make.approved(template_version=version)
    assert contract.template_version == version and contract.non_standard_reason == ""
