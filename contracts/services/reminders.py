"""Daily reminders (SPEC CON-8, CON-10): objection letters and replies coming due or overdue, originals not
returned. Each reminder has its own notification key, so it is sent once however often the task runs; the key of a
deadline's reminder names the due date, so when the working-day calendar moves it (``marketing_portal.deadlines``)
the reminders of the new date go out although those of the old one were sent."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketing_portal.deadlines import dated
from marketing_portal.notifications import event_key, notify_many
from marketing_portal.policy import current_policy

from ..choices import LoanState, NonPerformanceStatus, ObjectionStatus
from ..models import IncomingObjection, Loan, NonPerformance
from ..selectors import loan_keepers


def reminders_send(*, today: date | None = None) -> int:
    """Send the reminders due ``today``; the notices are in the portal language whoever runs it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send(today or timezone.localdate())


def _handler_reminders(records, *, today: date, marks, due_field: str, event: str, overdue, coming) -> int:
    """Remind each record's handler on the marked days before its deadline and once it is overdue."""
    sent = 0
    for record in records.select_related("contract__handler"):
        due = getattr(record, due_field)
        days_left = (due - today).days
        if days_left in marks or days_left < 0:
            tag = "overdue" if days_left < 0 else f"d{days_left}"
            subject = (overdue if days_left < 0 else coming) % {"title": record.contract.title, "due": dated(due)}
            sent += notify_many(recipients=[record.contract.handler],
                                key=event_key(event, record, due.isoformat(), tag),
                                subject=subject, url=record.contract.get_absolute_url())
    return sent


def _send(today: date) -> int:
    marks = sorted(set(current_policy().reminder_days_before) | {0})
    sent = _handler_reminders(
        NonPerformance.objects.filter(status=NonPerformanceStatus.OPEN), today=today, marks=marks,
        due_field="objection_due_on", event="np-remind",
        overdue=_("Overdue: objection letter for “%(title)s” was due %(due)s"),
        coming=_("Objection letter for “%(title)s” due %(due)s"))
    sent += _handler_reminders(
        IncomingObjection.objects.filter(status=ObjectionStatus.OPEN), today=today, marks=marks,
        due_field="reply_due_on", event="obj-remind",
        overdue=_("Overdue: reply to the objection on “%(title)s” was due %(due)s"),
        coming=_("Reply to the objection on “%(title)s” due %(due)s"))
    keepers = loan_keepers()
    for loan in Loan.objects.filter(state=LoanState.LENT, return_due_on__lt=today).select_related("contract",
                                                                                                   "borrower"):
        subject = _("Overdue: the original of “%(title)s” was due back on %(due)s") % {
            "title": loan.contract.title, "due": loan.return_due_on.isoformat()}
        # Once per loan and day overdue is too noisy: once when overdue, then weekly.
        week = (today - loan.return_due_on).days // 7
        sent += notify_many(recipients=[loan.borrower, *keepers], key=event_key("loan-overdue", loan, week),
                            subject=subject, url=loan.contract.get_absolute_url())
    return sent
