"""Closure (REP-8): the specialist archives the feedback sheet and makes the return call 回访 (not fixed →
the ticket reopens), a complaint closes with the answer and the customer's acceptance, and the Repair
Center supervisor reviews and signs the archive."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from marketing_portal.audit import audited
from marketing_portal.policy import current_policy
from org.selectors import acting_for, delegates_of

from .. import selectors
from ..choices import COMPLAINT_ANSWER_STATES, Category, TicketState
from ..models import ReturnCall, Ticket
from .common import (
    RepairError,
    add_hours,
    clean_text,
    hours_between,
    lock_ticket,
    moment,
    on_behalf,
    require_perm,
    require_state,
    send,
)


def _satisfaction(value, errors: dict) -> int | None:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = None
    if score is None or not 1 <= score <= 5:
        errors.setdefault("satisfaction", []).append(_("Rate the customer's satisfaction from 1 to 5."))
        return None
    return score


def _archive(ticket: Ticket, *, by, now: datetime, notes: str = "") -> None:
    ticket.state = TicketState.ARCHIVED
    ticket.archived_at, ticket.archived_by = now, by
    ticket.archive_notes = notes
    ticket.close_hours = hours_between(ticket.received_at, now)
    supervisors = selectors.supervisors()
    url = ticket.get_absolute_url()
    transaction.on_commit(lambda: send(
        [*supervisors, *delegates_of(supervisors)], key=f"repairs-archived|{ticket.pk}|{now.isoformat()}",
        subject=_("Review and sign the archive of %(number)s %(unit)s") % {"number": ticket.number,
                                                                           "unit": ticket.unit_name}, url=url))


@audited
@transaction.atomic
def return_call_record(*, by, ticket_id: int, fixed: bool, satisfaction, comments: str = "",
                       archive_notes: str = "", now: datetime | None = None) -> ReturnCall:
    """The return call after a solved ticket: fixed → archived for the supervisor; not fixed → reopened."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    if ticket.category == Category.COMPLAINT:
        raise RepairError(_("A complaint closes with the answer given to the customer, not a return call."))
    if ticket.state != TicketState.RESOLVED:
        raise RepairError(
            _("Ticket %(number)s is “%(state)s”: the return call is made once the problem has been solved.")
            % {"number": ticket.number, "state": ticket.get_state_display()}, code="wrong_state")
    require_perm(by, "repairs.call_back_ticket", ticket,
                 message=_("Only the customer-service specialist makes return calls."))
    errors: dict[str, list] = {}
    score = _satisfaction(satisfaction, errors)
    comments = clean_text(comments, label=_("Comments"), errors=errors, key="comments", required=not fixed)
    archive_notes = clean_text(archive_notes, label=_("Archive notes"), errors=errors, key="archive_notes",
                               required=False)
    if errors:
        raise RepairError(errors)
    call = ReturnCall.objects.create(ticket=ticket, called_at=now, called_by=by, fixed=bool(fixed),
                                     satisfaction=score, comments=comments)
    ticket.satisfaction = score
    if fixed:
        _archive(ticket, by=by, now=now, notes=archive_notes)
    else:
        policy = current_policy()
        ticket.state = TicketState.ONSITE_PENDING
        ticket.resolved_at = None
        ticket.reopen_count += 1
        ticket.visit_due_at = add_hours(now, policy.repair_visit_hours, policy)
        ticket.visit_arrival_at = None  # the on-site level is watched again for the new visit
        ticket._change_reason = _("Reopened on the return call: %(comments)s") % {"comments": comments}
    ticket.save()
    return call


@audited
@transaction.atomic
def complaint_answer(*, by, ticket_id: int, answer: str, accepted: bool, now: datetime | None = None) -> Ticket:
    """A complaint 投诉 is answered; when the customer accepts the answer it is archived for the supervisor."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    if ticket.category != Category.COMPLAINT:
        raise RepairError(_("Only a complaint is closed with an answer."))
    require_state(ticket, *COMPLAINT_ANSWER_STATES, action=_("answering the complaint"))
    require_perm(by, "repairs.answer_ticket", ticket,
                 message=_("Only the customer-service specialist answers complaints."))
    errors: dict[str, list] = {}
    answer = clean_text(answer, label=_("Answer given to the customer"), errors=errors, key="answer")
    if errors:
        raise RepairError(errors)
    ticket.answer, ticket.answer_accepted, ticket.answered_at = answer, bool(accepted), now
    if ticket.responded_at is None:  # the answer is the response to a complaint nobody else called back on
        ticket.responded_at = now
        ticket.response_hours = hours_between(ticket.received_at, now)
    if accepted:
        ticket.resolved_at = ticket.resolved_at or now
        ticket.sheets.filter(state="issued").update(state="withdrawn")
        _archive(ticket, by=by, now=now)
    else:
        ticket._change_reason = _("Answer not accepted by the customer")
    ticket.save()
    return ticket


@audited
@transaction.atomic
def ticket_sign(*, by, ticket_id: int, comment: str = "", now: datetime | None = None) -> Ticket:
    """The Repair Center supervisor reviews and signs the archive (维修中心主管审阅签字后存档)."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    require_state(ticket, TicketState.ARCHIVED, action=_("signing the archive"))
    require_perm(by, "repairs.sign_ticket", ticket,
                 message=_("Only the Repair Center supervisor signs the archive."))
    principal = acting_for(by, selectors.supervisors())
    ticket.state = TicketState.CLOSED
    ticket.signed_at, ticket.signed_by = now, by
    ticket.supervisor_comment = (comment or "").strip()[:2000]
    ticket._change_reason = on_behalf(by, principal)
    ticket.save()
    return ticket
