"""The retention collection statement: issued by Finance, passed on by Marketing to the owner (RCV-7)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.money import format_yuan
from marketing_portal.notifications import event_key, notify, notify_many, work_key
from marketing_portal.policy import current_policy

from .. import rules
from ..choices import (
    StatementState,
)
from ..consequences import directors, marketing_receivers
from ..models import (
    RetentionStatement,
)
from ..policy import ZERO
from ._common import ReceivablesError, _lock, _refresh_facts, _require, _today, stored_texts


# Retention (RCV-7)
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def statement_issue(*, statement_id: int, by, issued_on: date | None = None) -> RetentionStatement:
    """Finance issues the drafted statement to Marketing; its issue date starts the retention clock (RCV-6)."""
    statement = RetentionStatement.objects.select_for_update().get(pk=statement_id)
    project = _lock(statement.project_id)
    statement.refresh_from_db()
    _require(by, rules.records_money, _("Only Finance issues the retention collection statement."))
    if statement.state != StatementState.DRAFTED:
        raise ReceivablesError(_("This statement was already issued."))
    today = _today()
    issued_on = issued_on or today
    if issued_on > today:
        raise ValidationError({"issued_on": [_("The issue date cannot be in the future.")]})
    if issued_on < statement.drafted_on:
        raise ValidationError({"issued_on": [_("The statement cannot be issued before it was drafted on %(day)s.")
                                             % {"day": statement.drafted_on.isoformat()}]})
    with stored_texts():
        received = project.receipts.aggregate(s=Sum("amount"))["s"] or ZERO
        statement.collected_amount = received
        statement.receivable_amount = project.amount - received
        statement.state = StatementState.ISSUED
        statement.issued_on, statement.issued_by = issued_on, by
        statement._change_reason = _("issued by Finance")
        statement.save()
        project._change_reason = _("retention statement issued")
        _refresh_facts(project, by=by)
        notify_many(recipients=marketing_receivers() + directors(),
                    key=event_key("rcv-statement-issued", statement),
                    subject=_("Retention collection statement issued: %(project)s — notify the owner") % {
                        "project": project},
                    body=_("Receivable %(amount)s; the collection period runs from %(day)s.") % {
                        "amount": format_yuan(statement.receivable_amount), "day": issued_on.isoformat()},
                    url=statement.get_absolute_url(), work=work_key(statement, "notify"))
    return statement


@transaction.atomic
def statement_notify_owner(*, statement_id: int, by) -> RetentionStatement:
    """Marketing passes the statement on to the sales owner, who must now collect the retention money."""
    statement = RetentionStatement.objects.select_for_update().select_related("project").get(pk=statement_id)
    _require(by, rules.notifies_owners, _("Only the Marketing office notifies the owner."))
    if statement.state != StatementState.ISSUED:
        raise ReceivablesError(_("Only an issued statement can be passed on to the owner."))
    with stored_texts():
        statement.state = StatementState.NOTIFIED
        statement.notified_by, statement.notified_at = by, timezone.now()
        statement._change_reason = _("owner notified")
        statement.save()
        project = statement.project
        policy = current_policy()
        from ..policy import assess_collection

        deadline = assess_collection(started_on=statement.issued_on, collected_on=None, as_of=statement.issued_on,
                                     policy=policy).collection_deadline
        notify(recipient=project.owner, key=event_key("rcv-statement-owner", statement),
               subject=_("%(project)s: collect the retention money %(amount)s by %(deadline)s") % {
                   "project": project, "amount": format_yuan(statement.receivable_amount),
                   "deadline": deadline.isoformat()},
               body=_("Finance issued the retention collection statement on %(day)s. The collection rules apply from "
                      "that day: within %(days)s days, then %(percent)s%% of the commission for every full %(step)s "
                      "days late.") % {
                   "day": statement.issued_on.isoformat(), "days": policy.collection_deadline_days,
                   "percent": policy.deduction_step_percent, "step": policy.deduction_step_days},
               url=statement.get_absolute_url())
    return statement
