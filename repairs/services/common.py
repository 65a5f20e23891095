"""What every repairs service shares: the domain error, row locks, the working-time window, notices."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal import worktime
from marketing_portal.deadlines import deadline_track_hours
from marketing_portal.notifications import notify_many, work_key
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy

from ..models import LiaisonSheet, Ticket


class RepairError(ValidationError):
    """A step that may not be taken now, or not by this person; nothing is stored."""


def lock_ticket(ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise RepairError(_("This ticket does not exist.")) from None


def lock_sheet(sheet_id: int) -> LiaisonSheet:
    try:
        return LiaisonSheet.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=sheet_id)
    except LiaisonSheet.DoesNotExist:
        raise RepairError(_("This liaison sheet does not exist.")) from None


def require_state(ticket: Ticket, *states: str, action: str) -> None:
    if ticket.state not in {str(s) for s in states}:
        raise RepairError(
            _("Ticket %(number)s is “%(state)s”: %(action)s is not possible now.")
            % {"number": ticket.number, "state": ticket.get_state_display(), "action": action},
            code="wrong_state")


def require_perm(by, perm: str, obj, *, message: str | None = None) -> None:
    """The rule of ``repairs/rules.py`` decides; a refusal says who is not on the ticket."""
    if not by.has_perm(perm, obj):
        raise RepairError(message or _("You are not on this ticket, so you cannot do this."), code="not_party")


def on_behalf(by, principal) -> str:
    if principal is not None and principal.pk != by.pk:
        return _("%(by)s on behalf of %(principal)s") % {"by": display_name(by), "principal": display_name(principal)}
    return ""


def moment(now: datetime | None) -> datetime:
    return now or timezone.now()


def window(policy=None) -> dict:
    """The working day of the policy as keyword arguments for ``marketing_portal.worktime``."""
    policy = policy or current_policy()
    try:
        start = worktime.parse_clock(policy.repair_workday_start)
        end = worktime.parse_clock(policy.repair_workday_end)
    except ValueError:
        start, end = worktime.parse_clock("08:30"), worktime.parse_clock("17:30")
    if end <= start:  # two separately valid values that do not make a day: keep the regulation's day
        start, end = worktime.parse_clock("08:30"), worktime.parse_clock("17:30")
    return {"day_start": start, "day_end": end}


def add_hours(start: datetime, hours, policy=None) -> datetime:
    return worktime.add_working_hours(start, hours, **window(policy))


def track_hours(ticket: Ticket, field_name: str, *, start: datetime, hours, policy=None):
    """Set the service-level due time ``field_name`` of the saved ticket ``hours`` working hours after ``start`` and
    register it with the deadline tracker (CAL-2): when the calendar's days change it moves with them."""
    return deadline_track_hours(ticket, field_name, start=start, hours=hours, **window(policy))


def hours_between(start: datetime | None, end: datetime | None, policy=None):
    if start is None or end is None:
        return None
    return worktime.working_hours_between(start, end, **window(policy))


def send(recipients, *, key: str, subject: str, body: str = "", url: str = "", ticket: Ticket | None = None) -> None:
    """Notify after the commit; a notice about ``ticket`` asks for the work of the state it is in now, and is done as
    soon as the ticket leaves that state (``repairs.apps``: one work item per state)."""
    work = work_key(ticket, ticket.state) if ticket is not None else ""
    notify_many(recipients=recipients, key=key, subject=subject, body=body, url=url, work=work)


def clean_text(value, *, label: str, errors: dict, key: str, required: bool = True, limit: int = 4000) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(key, []).append(_("%(label)s is required.") % {"label": label})
    elif len(text) > limit:
        errors.setdefault(key, []).append(_("%(label)s is too long (at most %(limit)s characters).")
                                          % {"label": label, "limit": limit})
    return text
