"""Concurrent actions on one ticket are safe: row locks and constraints let exactly one win."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from org.models import Person, Position
from org.services import person_set_positions
from repairs.models import Visit
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def second_repair_technician(demo):
    user = get_user_model().objects.create(username="tech_repair2", first_name="何勇")
    person = Person.objects.create(user=user, name="何勇", unit=demo.unit("repair"))
    person_set_positions(person=person, positions=[Position.objects.get(title="专职维修人员")])
    return user


def test_two_technicians_taking_the_same_liaison_sheet_get_one_visit(trep, transactional_demo):
    from repairs.services import sheet_accept

    other = second_repair_technician(transactional_demo)
    ticket = trep.dispatched()
    sheet = ticket.sheets.get()
    results, errors = run_together([
        lambda: sheet_accept(by=trep.u("tech_repair"), sheet_id=sheet.pk),
        lambda: sheet_accept(by=other, sheet_id=sheet.pk),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert "已由" in errors[0].messages[0]
    assert Visit.objects.filter(ticket=ticket).count() == 1
    sheet.refresh_from_db()
    assert sheet.state == "accepted" and sheet.accepted_by_id == results[0].technicians.get().pk


def test_two_return_calls_at_once_record_one(trep):
    from repairs.services import return_call_record

    ticket = trep.resolved()
    cs = trep.u("cs")
    results, errors = run_together([
        lambda: return_call_record(by=cs, ticket_id=ticket.pk, fixed=True, satisfaction=5),
        lambda: return_call_record(by=cs, ticket_id=ticket.pk, fixed=False, satisfaction=1, comments="未修好"),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert ticket.return_calls.count() == 1


def test_numbers_stay_unique_when_two_calls_are_taken_at_once(trep):
    customer = trep.customer()
    results, errors = run_together([lambda: trep.ticket(customer=customer) for _ in range(3)])
    assert not errors and len({t.number for t in results}) == 3
