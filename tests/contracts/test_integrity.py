"""Integrity (issue point 8) and the archive number (CON-7) under concurrency, on the real PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.choices import ContractState, StepStatus
from contracts.models import ApprovalStep, Contract
from contracts.services import contract_approve, contract_archive, contract_register, contract_update
from tests.concurrency import run_together


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_give_exactly_one_decision(tmake, transactional_demo):
    from django.utils import timezone

    from org.services import delegation_create

    demo = transactional_demo
    director, deputy = demo.user("director"), demo.user("mgmt_manager")
    today = timezone.localdate()
    delegation_create(principal=director, delegate=deputy, starts_on=today, ends_on=today + timedelta(days=1),
                      reason="出差", by=director)
    contract = tmake.submitted()
    results, errors = run_together([
        lambda: contract_approve(contract_id=contract.pk, by=director, kind="leader", comment="同意"),
        lambda: contract_approve(contract_id=contract.pk, by=deputy, kind="leader", comment="同意（代）"),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert errors[0].code == "already_decided"
    steps = ApprovalStep.objects.filter(contract=contract, kind="leader")
    assert steps.count() == 1 and steps.get().status == StepStatus.APPROVED
    assert ApprovalStep.objects.filter(contract=contract, kind="finance").count() == 1
    assert Contract.objects.get(pk=contract.pk).state == ContractState.JOINT_REVIEW


@pytest.mark.django_db(transaction=True)
def test_gm_and_deputy_gm_signing_off_at_once_give_exactly_one_decision(tmake, transactional_demo):
    from django.utils import timezone

    demo = transactional_demo
    today = timezone.localdate()
    contract = tmake.submitted(starts_on=today, ends_on=today + timedelta(days=400))
    for name, kind in (("director", "leader"), ("finance", "finance"), ("legal", "legal"), ("gm", "gm")):
        contract_approve(contract_id=contract.pk, by=demo.user(name), kind=kind)
    results, errors = run_together([
        lambda: contract_approve(contract_id=contract.pk, by=demo.user("gm"), kind="long_term", comment="同意"),
        lambda: contract_approve(contract_id=contract.pk, by=demo.user("deputy_gm"), kind="long_term",
                                 comment="同意签署"),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert errors[0].code == "already_decided"
    assert ApprovalStep.objects.get(contract=contract, kind="long_term").status == StepStatus.APPROVED
    assert ApprovalStep.objects.filter(contract=contract, kind="sign").count() == 1
    assert Contract.objects.get(pk=contract.pk).state == ContractState.APPROVED


@pytest.mark.django_db(transaction=True)
def test_archive_numbers_are_gap_free_when_many_are_archived_at_once(tmake, transactional_demo):
    from django.utils import timezone

    demo = transactional_demo
    contracts = []
    for _ in range(6):
        contract = tmake.signed(by="sales_hb")
        contract_register(contract_id=contract.pk, by=demo.user("clerk"))
        contracts.append(contract)
    archivists = [demo.user("archivist"), demo.user("admin_head")]
    results, errors = run_together([
        (lambda c=c, i=i: contract_archive(contract_id=c.pk, by=archivists[i % 2], cabinet="A", box=str(i)))
        for i, c in enumerate(contracts)
    ])
    assert errors == [] and len(results) == 6
    year = timezone.localdate().year
    numbers = sorted(Contract.objects.filter(pk__in=[c.pk for c in contracts]).values_list("archive_number",
                                                                                           flat=True))
    assert numbers == [f"HB-{year}-{n:04d}" for n in range(1, 7)]
    from contracts.services import archive_series
    from marketing_portal.numbering import last_number

    assert last_number(archive_series(demo.region("HB")), year) == 6


@pytest.mark.django_db(transaction=True)
def test_a_failed_archiving_gives_its_number_back(tmake, transactional_demo):
    from django.utils import timezone

    from contracts.services import next_archive_number

    contract = tmake.signed(by="sales_hb")
    contract_register(contract_id=contract.pk, by=transactional_demo.user("clerk"))
    year = timezone.localdate().year
    with pytest.raises(RuntimeError), transaction.atomic():
        next_archive_number(contract, year)
        raise RuntimeError("printer jammed")
    contract_archive(contract_id=contract.pk, by=transactional_demo.user("archivist"), cabinet="A", box="1")
    assert Contract.objects.get(pk=contract.pk).archive_number == f"HB-{year}-0001"


@pytest.mark.django_db
def test_amount_cannot_change_after_submission(make, demo):
    contract = make.submitted()
    with pytest.raises(ValidationError):
        contract_update(contract_id=contract.pk, by=contract.handler, amount=Decimal("1.00"))
    # the database refuses it too, whatever code tries
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(amount=Decimal("1.00"))
    assert Contract.objects.get(pk=contract.pk).amount == contract.amount


@pytest.mark.django_db
def test_a_changed_contract_cannot_be_approved(make, demo):
    contract = make.submitted()
    # someone changes the terms behind the service's back (not the amount, which the database guards)
    Contract.objects.filter(pk=contract.pk).update(payment_terms="全款到货后一年支付")
    with pytest.raises(ValidationError) as changed:
        contract_approve(contract_id=contract.pk, by=demo.user("director"), kind="leader")
    assert changed.value.code == "changed_after_submission"
    assert ApprovalStep.objects.get(contract=contract, kind="leader").status == StepStatus.PENDING


@pytest.mark.django_db
def test_archived_contracts_and_decisions_cannot_be_deleted_or_changed(make):
    contract = make.archived()
    with pytest.raises(ValidationError):
        contract.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).delete()
    step = contract.steps.get(kind="leader")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalStep.objects.filter(pk=step.pk).update(comment="改过的意见")
    assert Contract.objects.filter(pk=contract.pk).exists()


@pytest.mark.django_db
def test_every_action_is_in_the_history(make, demo):
    contract = make.filed()
    reasons = list(contract.history.order_by("history_date").values_list("history_change_reason", flat=True))
    users = set(contract.history.values_list("history_user__username", flat=True))
    assert len(reasons) >= 9
    assert {"sales_hb", "director", "gm", "clerk", "archivist", "mgmt_manager"} <= users
