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


def test_a_return_call_that_reopens_the_ticket_watches_the_next_visit_again(rep, django_capture_on_commit_callbacks):
    from repairs.services import return_call_record, sheet_accept, sheet_issue

    # Called Monday 09:00, first visit Tuesday 10:00 (in time), solved; the return call on Wednesday 10:00 finds
    # it failed again and reopens the ticket.
    ticket = rep.resolved(now=at(2026, 3, 2, 9, 0))
    assert ticket.visit_arrival_at == at(2026, 3, 3, 10, 0) == ticket.first_arrival_at
    return_call_record(by=rep.u("cs"), ticket_id=ticket.pk, fixed=False, satisfaction=2, comments="又跳闸了",
                       now=at(2026, 3, 4, 10, 0))
    ticket.refresh_from_db()
    # 16 working hours from Wednesday 10:00: 7.5 h on Wednesday, 8.5 h on Thursday from 08:30 → 17:00.
    assert ticket.visit_due_at == at(2026, 3, 5, 17, 0) and ticket.visit_arrival_at is None
    assert service_levels_sweep(now=at(2026, 3, 5, 16, 55)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert service_levels_sweep(now=at(2026, 3, 5, 17, 5)) == 1
    alert = ServiceLevelAlert.objects.get(ticket=ticket, level="visit")
    assert (alert.stage, alert.round, alert.state) == ("head", 1, "onsite_pending")
    assert Notification.objects.filter(key=f"repairs-sla|{ticket.pk}|visit|head|1").exists()
    assert service_levels_sweep(now=at(2026, 3, 5, 17, 10)) == 0  # once per round
    # The second visit arrives Friday 09:00, before the supervisor's stage (17:00 + 4 h = Friday 12:00):
    sheet_issue(by=rep.u("cs"), ticket_id=ticket.pk, onsite_at=at(2026, 3, 6, 9, 0), now=at(2026, 3, 5, 17, 20))
    sheet = ticket.sheets.get(state="issued")
    sheet_accept(by=rep.u("repair_supervisor"), sheet_id=sheet.pk, technician_ids=[rep.u("tech_repair").pk],
                 now=at(2026, 3, 5, 17, 25))
    ticket.refresh_from_db()
    rep.report(ticket, now=at(2026, 3, 6, 11, 0), arrived_at=at(2026, 3, 6, 9, 0))
    ticket.refresh_from_db()
    assert ticket.visit_arrival_at == at(2026, 3, 6, 9, 0) and ticket.first_arrival_at == at(2026, 3, 3, 10, 0)
    service_levels_sweep(now=at(2026, 3, 6, 12, 30))
    assert list(ServiceLevelAlert.objects.filter(ticket=ticket, level="visit").values_list("stage", "round")) == [
        ("head", 1)]
