"""Concurrent actions are safe: one sheet per order line, one review, one decision (row locks + constraints)."""


import pytest
from django.db import IntegrityError, transaction

from contracts.choices import Direction
from contracts.models import Contract
from handoff.choices import HandoffState
from handoff.models import Costing, Decision, Handoff
from tests.concurrency import run_together

from .conftest import HandoffFactory

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.fixture
def thf(transactional_demo):
    return HandoffFactory(transactional_demo)


def test_two_people_raising_a_sheet_for_one_line_make_one_sheet(thf, transactional_demo):
    from handoff.services import handoff_create

    line = thf.signed_contract().lines.get()
    d = transactional_demo
    results, errors = run_together([
        lambda: handoff_create(by=d.user("sales_hb"), line_id=line.pk, **thf.sheet_data()),
        lambda: handoff_create(by=d.user("clerk"), line_id=line.pk, **thf.sheet_data()),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert "不能重复下发" in " ".join(errors[0].messages) or "already" in " ".join(errors[0].messages)
    assert Handoff.objects.filter(line=line).count() == 1
    assert Costing.objects.filter(handoff__line=line).count() == 1


def test_two_finance_reviewers_at_once_give_one_review(thf, transactional_demo):
    from handoff.services import costing_return, costing_suggest

    handoff = thf.costed()
    d = transactional_demo
    results, errors = run_together([
        lambda: costing_suggest(by=d.user("finance"), handoff_id=handoff.pk, suggested_amount="90000"),
        lambda: costing_return(by=d.user("finance_head"), handoff_id=handoff.pk, reason="请复核"),
    ])
    assert len(results) == 1 and len(errors) == 1
    handoff.refresh_from_db()
    costings = list(handoff.costings.order_by("version"))
    if handoff.state == HandoffState.NEGOTIATION:
        assert len(costings) == 1 and costings[0].suggested_amount is not None
    else:
        assert handoff.state == HandoffState.COSTING and len(costings) == 2


def test_two_decisions_at_once_draft_one_construction_contract(thf, transactional_demo):
    from handoff.services import handoff_decide

    handoff = thf.suggested()
    d = transactional_demo
    results, errors = run_together([
        lambda: handoff_decide(by=d.user("sales_hb"), handoff_id=handoff.pk, amount="95000"),
        lambda: handoff_decide(by=d.user("director"), handoff_id=handoff.pk, amount="93000"),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert Decision.objects.filter(handoff=handoff).count() == 1
    assert Contract.objects.filter(direction=Direction.CONSTRUCTION).count() == 1


def test_the_database_refuses_a_second_active_sheet_even_without_the_service(thf):
    handoff = thf.handoff()
    clone = Handoff.objects.get(pk=handoff.pk)
    clone.pk = None
    clone.number = "JL-TEST-9999"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    with pytest.raises(IntegrityError), transaction.atomic():  # a second live costing
        Costing.objects.create(handoff=handoff, version=2, opened_at=handoff.issued_at,
                               received_on=handoff.issued_at.date(), due_on=handoff.issued_at.date(), policy_version=1)
