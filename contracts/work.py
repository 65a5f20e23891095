"""The "my work" provider of the contracts app: every step and deadline waiting on the user."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.people import display_name
from marketing_portal.registry import WorkItem

from .choices import (
    OPEN_LOAN_STATES,
    ContractState,
    HandoverStatus,
    LoanState,
    NonPerformanceStatus,
    ObjectionStatus,
    StepStatus,
)
from .models import ApprovalStep, Contract, HandlerChange, IncomingObjection, Loan, NonPerformance
from .rules import allowed, keeps_originals
from .selectors import pending_steps_for, principal_ids


def work_items(user) -> list[WorkItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    items: list[WorkItem] = []
    category = _("Contracts")
    principals = set(principal_ids(user))
    for step in pending_steps_for(user).prefetch_related("assignees__person"):
        on_behalf = [a for a in step.assignees.all() if a.pk in principals and a.pk != user.pk]
        mine = any(a.pk == user.pk for a in step.assignees.all())
        title = _("%(step)s: %(title)s") % {"step": step.get_kind_display(), "title": step.contract.title}
        if on_behalf and not mine:
            names = "、".join(display_name(a) for a in on_behalf)
            title += _(" (on behalf of %(names)s)") % {"names": names}
        items.append(WorkItem(title=title, url=step.contract.get_absolute_url(), category=category,
                              since=step.opened_at))
    returned = (
        Contract.objects.filter(state=ContractState.DRAFT, handler=user,
                                steps__status=StepStatus.REJECTED)
        .distinct().only("pk", "title", "updated_at")
    )
    for contract in returned:
        items.append(WorkItem(title=_("Rejected, to correct and resubmit: %(title)s") % {"title": contract.title},
                              url=contract.get_absolute_url(), category=category, since=contract.updated_at))
    for record in NonPerformance.objects.filter(status=NonPerformanceStatus.OPEN, contract__handler=user) \
            .select_related("contract"):
        items.append(WorkItem(
            title=_("Send the objection letter: %(title)s") % {"title": record.contract.title},
            url=record.contract.get_absolute_url(), category=category, since=record.flagged_at,
            due=record.objection_due_on, overdue=record.objection_due_on < today, due_computed=True))
    for record in IncomingObjection.objects.filter(status=ObjectionStatus.OPEN, contract__handler=user) \
            .select_related("contract"):
        items.append(WorkItem(
            title=_("Answer the objection: %(title)s") % {"title": record.contract.title},
            url=record.contract.get_absolute_url(), category=category, since=record.recorded_at,
            due=record.reply_due_on, overdue=record.reply_due_on < today, due_computed=True))
    for change in HandlerChange.objects.filter(status=HandoverStatus.PENDING).filter(
            Q(from_handler=user, from_confirmed_at__isnull=True) | Q(to_handler=user, to_confirmed_at__isnull=True)
    ).select_related("contract"):
        items.append(WorkItem(title=_("Confirm the hand-over: %(title)s") % {"title": change.contract.title},
                              url=change.contract.get_absolute_url(), category=category, since=change.created_at))
    open_loans = list(Loan.objects.filter(state__in=OPEN_LOAN_STATES).select_related("contract"))
    if open_loans:
        keeps = keeps_originals(user)
        for loan in open_loans:
            overdue = loan.state == LoanState.LENT and loan.return_due_on < today
            if allowed(user, "contracts.approve_loan", loan):
                title = _("Approve the loan of an original: %(title)s")
            elif allowed(user, "contracts.hand_out_loan", loan):
                title = _("Hand out the original: %(title)s")
            elif overdue and (loan.borrower_id == user.pk or keeps):
                title = _("Overdue loan of an original: %(title)s")
            else:
                continue
            items.append(WorkItem(title=title % {"title": loan.contract.title}, url=loan.contract.get_absolute_url(),
                                  category=category, since=loan.requested_at, due=loan.return_due_on,
                                  overdue=overdue))
    return items


__all__ = ["work_items", "ApprovalStep"]
