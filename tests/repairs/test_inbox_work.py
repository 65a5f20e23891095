"""Issue 12 point 2 for repairs: a notice about a ticket asks for the work of the state it was in, and is done as
soon as the ticket moves on (whoever moved it) or is cancelled."""

import pytest

from marketing_portal.models import Notification

pytestmark = pytest.mark.django_db


def _state_of_open_notices(ticket, username):
    return {n.work_key.rsplit("|", 1)[1] for n in Notification.objects.filter(
        recipient__username=username, work_key__startswith=f"repairs.ticket:{ticket.pk}|", done_at__isnull=True)}


def test_the_technician_s_call_back_notice_is_done_once_he_responds(rep, django_capture_on_commit_callbacks):
    from repairs.services import ticket_respond

    with django_capture_on_commit_callbacks(execute=True):
        ticket = rep.assigned()
    assert _state_of_open_notices(ticket, "tech_repair") == {"assigned"}
    with django_capture_on_commit_callbacks(execute=True):
        ticket_respond(by=rep.u("tech_repair"), ticket_id=ticket.pk, solved=False, notes="电话指导未恢复")
    assert _state_of_open_notices(ticket, "tech_repair") == set()
    assert _state_of_open_notices(ticket, "cs") == {"onsite_pending"}  # now the specialist agrees the time


def test_cancelling_a_ticket_closes_its_notices(rep, django_capture_on_commit_callbacks):
    from repairs.services import ticket_cancel

    with django_capture_on_commit_callbacks(execute=True):
        ticket = rep.assigned()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_cancel(by=rep.u("cs"), ticket_id=ticket.pk, reason="客户重复报修")
    assert not Notification.objects.filter(work_key__startswith=f"repairs.ticket:{ticket.pk}|",
                                           done_at__isnull=True).exists()
