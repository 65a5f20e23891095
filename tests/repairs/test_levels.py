"""Service levels in working hours: due times skip weekends and holidays; a ticket past its level alerts the
head of whoever it waits on once, then the Repair Center supervisor once; re-runs send nothing again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketing_portal.models import Notification
from repairs.models import ServiceLevelAlert
from repairs.services import service_levels_sweep

from .conftest import at

pytestmark = pytest.mark.django_db


def _alerts(ticket):
    return sorted(ServiceLevelAlert.objects.filter(ticket=ticket).values_list("level", "stage"))


def test_response_level_across_a_weekend(rep, django_capture_on_commit_callbacks):
    # Friday 16:30 + 2 working hours (08:30–17:30) → Monday 09:30.
    ticket = rep.assigned(now=at(2026, 3, 6, 16, 30))
    assert ticket.response_due_at == at(2026, 3, 9, 9, 30)
    assert service_levels_sweep(now=at(2026, 3, 8, 12, 0)) == 0  # Sunday: not late
    with django_capture_on_commit_callbacks(execute=True):
        assert service_levels_sweep(now=at(2026, 3, 9, 9, 31)) == 1
    # Waiting on the technician 马超 → his head, the Repair Center supervisor 吕强.
    assert _alerts(ticket) == [("response", "head")]
    assert Notification.objects.filter(recipient=rep.u("repair_supervisor"),
                                       key=f"repairs-sla|{ticket.pk}|response|head").exists()
    assert service_levels_sweep(now=at(2026, 3, 9, 10, 0)) == 0  # once
    # Four working hours after the due time the supervisor is alerted once more (09:30 + 4 h = 13:30).
    assert service_levels_sweep(now=at(2026, 3, 9, 13, 29)) == 0
    assert service_levels_sweep(now=at(2026, 3, 9, 13, 31)) == 1
    assert service_levels_sweep(now=at(2026, 3, 9, 16, 0)) == 0
    assert _alerts(ticket) == [("response", "head"), ("response", "supervisor")]


def test_response_level_across_national_day(rep, django_capture_on_commit_callbacks):
    ticket = rep.ticket(now=at(2026, 9, 30, 16, 30))
    assert ticket.response_due_at == at(2026, 10, 8, 9, 30)
    assert service_levels_sweep(now=at(2026, 10, 6, 12, 0)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert service_levels_sweep(now=at(2026, 10, 8, 9, 45)) == 1
    # Waiting on the specialist 郑爽 (not yet assigned) → the head of the Marketing Center.
    assert Notification.objects.filter(recipient=rep.u("director"),
                                       key=f"repairs-sla|{ticket.pk}|response|head").exists()


def test_a_response_in_time_stops_that_level_and_starts_the_visit_level(rep):
    ticket = rep.responded(now=at(2026, 3, 2, 9, 0))   # called back at 09:30, not solved
    assert ticket.response_hours == Decimal("0.50")
    # 16 working hours: Monday 09:30–17:30 (8 h) and Tuesday 08:30 + 8 h.
    assert ticket.visit_due_at == at(2026, 3, 3, 16, 30)
    assert service_levels_sweep(now=at(2026, 3, 3, 16, 25)) == 0
    assert service_levels_sweep(now=at(2026, 3, 3, 16, 35)) == 1
    assert _alerts(ticket) == [("visit", "head")]


def test_closure_level_counts_the_whole_ticket(rep):
    ticket = rep.onsite(now=at(2026, 3, 2, 9, 0))
    # 40 working hours of 9-hour days from Monday 09:00: 8.5 + 9 + 9 + 9 = 35.5 by Thursday, Friday 13:00.
    assert ticket.close_due_at == at(2026, 3, 6, 13, 0)
    service_levels_sweep(now=at(2026, 3, 6, 13, 5))
    assert ("close", "head") in _alerts(ticket)
    assert ServiceLevelAlert.objects.get(ticket=ticket, level="close", stage="head").state == "onsite"
