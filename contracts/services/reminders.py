"""Daily reminders (SPEC CON-8, CON-10): objection letters and replies coming due or overdue, originals not
returned. Each reminder has its own notification key, so it is sent once however often the task runs."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketing_portal.notifications import event_key, notify_many
from marketing_portal.policy import current_policy

from ..choices import LoanState, NonPerformanceStatus, ObjectionStatus
from ..models import IncomingObjection, Loan, NonPerformance
from ..selectors import loan_keepers


def reminders_send(*, today: date | None = None) -> int:
    """Send the reminders due ``today``; the notices are in the portal language whoever runs it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send(today or timezone.localdate())


def _send(today: date) -> int:
    policy = current_policy()
    sent = 0
    marks = sorted(set(policy.reminder_days_before) | {0})
    for record in NonPerformance.objects.filter(status=NonPerformanceStatus.OPEN).select_related("contract__handler"):
        days_left = (record.objection_due_on - today).days
        if days_left in marks or days_left < 0:
            tag = "overdue" if days_left < 0 else f"d{days_left}"
            subject = (_("Overdue: objection letter for “%(title)s” was due %(due)s") if days_left < 0 else
                       _("Objection letter for “%(title)s” due %(due)s")) % {
                "title": record.contract.title, "due": record.objection_due_on.isoformat()}
            sent += notify_many(recipients=[record.contract.handler], key=event_key("np-remind", record, tag),
                                subject=subject, url=record.contract.get_absolute_url())
    for record in IncomingObjection.objects.filter(status=ObjectionStatus.OPEN).select_related("contract__handler"):
        days_left = (record.reply_due_on - today).days
        if days_left in marks or days_left < 0:
            tag = "overdue" if days_left < 0 else f"d{days_left}"
            subject = (_("Overdue: reply to the objection on “%(title)s” was due %(due)s") if days_left < 0 else
                       _("Reply to the objection on “%(title)s” due %(due)s")) % {
                "title": record.contract.title, "due": record.reply_due_on.isoformat()}
            sent += notify_many(recipients=[record.contract.handler], key=event_key("obj-remind", record, tag),
                                subject=subject, url=record.contract.get_absolute_url())
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


# --------------------------------------------------------------------------------------------------
# Audit: the history records who acted even outside a web request (tasks, the demo seed, other apps).
# --------------------------------------------------------------------------------------------------
