"""Service levels in working hours (issue 10, point 8): a ticket waiting on someone past its level is
escalated once to that person's head, then — ``repair_second_escalation_hours`` working hours later — once
more to the Repair Center supervisor. Run by Celery beat; each alert is one ``ServiceLevelAlert`` row (unique
per ticket, level and stage) and one notice per person by key, so re-runs send nothing twice.

Levels: the phone response (until the technician's call back), the on-site visit (from a phone response
that did not solve it until the first arrival, and again from a return call that reopened the ticket until the
next arrival — one round of alerts per reopening), the closure (from the call until the archive).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.notifications import notify_many
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from org.selectors import DEPARTMENT_LEADER, resolve

from .. import selectors
from ..choices import OPEN_STATES, AlertStage, Level, TicketState, VisitState
from ..models import ServiceLevelAlert, Ticket
from .common import add_hours

# Which due time each level watches, in which states, until which fact is recorded.
# The on-site level starts again when a return call reopens the ticket: its alerts are kept per round.
LEVELS = {
    Level.RESPONSE: ("response_due_at", (TicketState.NEW, TicketState.ASSIGNED), "responded_at"),
    Level.VISIT: ("visit_due_at", (TicketState.ONSITE_PENDING, TicketState.DISPATCHED, TicketState.ONSITE),
                  "visit_arrival_at"),
    Level.CLOSE: ("close_due_at", OPEN_STATES, "archived_at"),
}


def waiting_on(ticket: Ticket) -> list:
    """Who the ticket waits on now (the flow chart's box of its state)."""
    state = ticket.state
    if state in (TicketState.NEW, TicketState.ONSITE_PENDING, TicketState.RESOLVED):
        return selectors.specialists()
    if state == TicketState.ASSIGNED:
        return [ticket.technician] if ticket.technician_id else selectors.specialists()
    if state in (TicketState.DISPATCHED, TicketState.ANALYSIS):
        return selectors.department_heads(ticket.department)
    if state == TicketState.ONSITE:
        visit = ticket.visits.filter(state=VisitState.OPEN).first()
        return list(visit.technicians.all()) if visit else []
    if state == TicketState.ESCALATED:
        return selectors.gm_office_heads()
    return []


class _People:
    """Who a ticket waits on and their heads, resolved once per sweep (a backlog has thousands of tickets
    waiting on the same few people)."""

    def __init__(self):
        self._waiting: dict[tuple, list] = {}
        self._heads: dict[int, list] = {}

    def waiting_on(self, ticket: Ticket) -> list:
        if ticket.state == TicketState.ONSITE:
            return waiting_on(ticket)  # the visit's own technicians
        key = (ticket.state, ticket.department, ticket.technician_id)
        if key not in self._waiting:
            self._waiting[key] = waiting_on(ticket)
        return self._waiting[key]

    def heads_of(self, users) -> list:
        heads = {}
        for user in users:
            if user.pk not in self._heads:
                self._heads[user.pk] = resolve(DEPARTMENT_LEADER, of=user)
            heads.update({h.pk: h for h in self._heads[user.pk]})
        return list(heads.values())


def _alert(ticket: Ticket, *, level: str, stage: str, due_at: datetime, now: datetime, recipients: list,
           waited: list) -> bool:
    names = "、".join(display_name(u) for u in recipients)[:300]
    round_ = ticket.reopen_count if level == Level.VISIT else 0
    try:
        with transaction.atomic():
            ServiceLevelAlert.objects.create(ticket=ticket, level=level, stage=stage, state=ticket.state,
                                             due_at=due_at, sent_at=now, recipients=names, round=round_)
    except IntegrityError:
        return False  # sent before (another run, or a second beat)
    subject = _("Service level missed (%(level)s): %(number)s %(unit)s waits on %(who)s") % {
        "level": Level(level).label, "number": ticket.number, "unit": ticket.unit_name,
        "who": "、".join(display_name(u) for u in waited) or "—"}
    body = _("Due %(due)s; now “%(state)s”.") % {
        "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"), "state": ticket.get_state_display()}
    key = f"repairs-sla|{ticket.pk}|{level}|{stage}" + (f"|{round_}" if round_ else "")
    notify_many(recipients=recipients, key=key, subject=subject, body=body,
                url=ticket.get_absolute_url())
    return True


def service_levels_sweep(*, now: datetime | None = None) -> int:
    """Alert the heads, then the supervisor, of every ticket past a service level; returns alerts sent."""
    now = now or timezone.now()
    policy = current_policy()
    sent = 0
    supervisors = selectors.supervisors()
    people = _People()
    for level, (due_field, states, done_field) in LEVELS.items():
        due_filter = {f"{due_field}__lte": now, f"{done_field}__isnull": True, "state__in": states}
        round_ = OuterRef("reopen_count") if level == Level.VISIT else 0
        pending = (Ticket.objects.filter(**due_filter)
                   .exclude(Exists(ServiceLevelAlert.objects.filter(ticket=OuterRef("pk"), level=level, round=round_,
                                                                    stage=AlertStage.SUPERVISOR)))
                   .select_related("technician").order_by("pk"))
        for ticket in pending.iterator(chunk_size=200):
            due_at = getattr(ticket, due_field)
            this_round = ticket.reopen_count if level == Level.VISIT else 0
            stages = set(ticket.alerts.filter(level=level, round=this_round).values_list("stage", flat=True))
            waited = people.waiting_on(ticket)
            if AlertStage.HEAD not in stages:
                heads = people.heads_of(waited) or supervisors
                sent += _alert(ticket, level=level, stage=AlertStage.HEAD, due_at=due_at, now=now, recipients=heads,
                               waited=waited)
            again = add_hours(due_at, policy.repair_second_escalation_hours, policy)
            if AlertStage.SUPERVISOR not in stages and now >= again:
                sent += _alert(ticket, level=level, stage=AlertStage.SUPERVISOR, due_at=due_at, now=now,
                               recipients=supervisors, waited=waited)
    return sent
