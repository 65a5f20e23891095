"""The "my work" kinds of the contracts app: every step and deadline waiting on the user.

Each kind is a queryset the home counts and slices (``marketing_portal.registry.WorkKind``), so the home page
costs the same whether three or three hundred steps wait.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.people import display_name
from marketing_portal.registry import WorkItem, WorkKind, items_of
from org.selectors import acting_for

from . import rules
from .choices import (
    ContractState,
    HandoverStatus,
    LoanState,
    NonPerformanceStatus,
    ObjectionStatus,
    StepStatus,
)
from .models import ApprovalStep, Contract, HandlerChange, IncomingObjection, Loan, NonPerformance
from .selectors import loan_approvers, principal_ids

User = get_user_model()


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _steps(user):
    """Pending steps of the contract's current version naming the user or someone who delegated to them. Their
    ids are read once — from the assignees table by the user's ids (its (user, step) index, contracts 0011), not
    by joining every step to its people — and the page and its count look those ids up by primary key."""
    if not _signed_in(user):
        return None
    principals = principal_ids(user)
    named_on = ApprovalStep.assignees.through.objects.filter(user_id__in=principals).values("approvalstep_id")
    waiting = set(ApprovalStep.objects.filter(status=StepStatus.PENDING, version=F("contract__version"),
                                              pk__in=named_on).order_by().values_list("pk", flat=True))
    named = Prefetch("assignees", queryset=User.objects.filter(pk__in=principals).select_related("person"),
                     to_attr="waiting_for")  # of the people named, those the user acts as
    # the status again, so that the page is read in order from the pending steps' index (approval_step_pending_idx)
    return (ApprovalStep.objects.filter(pk__in=waiting, status=StepStatus.PENDING)
            .select_related("contract").prefetch_related(named).order_by("opened_at", "pk"))


def _step_item(step, user) -> WorkItem:
    on_behalf = [a for a in step.waiting_for if a.pk != user.pk]
    title = _("%(step)s: %(title)s") % {"step": step.get_kind_display(), "title": step.contract.title}
    if on_behalf and not any(a.pk == user.pk for a in step.waiting_for):
        title += _(" (on behalf of %(names)s)") % {"names": "、".join(display_name(a) for a in on_behalf)}
    return WorkItem(title=title, url=step.contract.get_absolute_url(), category=_("Contracts"), since=step.opened_at)


def _returned(user):
    if not _signed_in(user):
        return None
    rejected = ApprovalStep.objects.filter(contract=OuterRef("pk"), status=StepStatus.REJECTED)
    return (Contract.objects.filter(state=ContractState.DRAFT, handler=user).filter(Exists(rejected))
            .only("pk", "title", "updated_at").order_by("updated_at", "pk"))


def _returned_item(contract, user) -> WorkItem:
    return WorkItem(title=_("Rejected, to correct and resubmit: %(title)s") % {"title": contract.title},
                    url=contract.get_absolute_url(), category=_("Contracts"), since=contract.updated_at)


def _letters(user):
    if not _signed_in(user):
        return None
    return (NonPerformance.objects.filter(status=NonPerformanceStatus.OPEN, contract__handler=user)
            .select_related("contract").order_by("objection_due_on", "pk"))


def _letter_item(record, user) -> WorkItem:
    return WorkItem(title=_("Send the objection letter: %(title)s") % {"title": record.contract.title},
                    url=record.contract.get_absolute_url(), category=_("Contracts"), since=record.flagged_at,
                    due=record.objection_due_on, overdue=record.objection_due_on < timezone.localdate(),
                    due_computed=True)


def _objections(user):
    if not _signed_in(user):
        return None
    return (IncomingObjection.objects.filter(status=ObjectionStatus.OPEN, contract__handler=user)
            .select_related("contract").order_by("reply_due_on", "pk"))


def _objection_item(record, user) -> WorkItem:
    return WorkItem(title=_("Answer the objection: %(title)s") % {"title": record.contract.title},
                    url=record.contract.get_absolute_url(), category=_("Contracts"), since=record.recorded_at,
                    due=record.reply_due_on, overdue=record.reply_due_on < timezone.localdate(), due_computed=True)


def _handovers(user):
    if not _signed_in(user):
        return None
    return (HandlerChange.objects.filter(status=HandoverStatus.PENDING)
            .filter(Q(from_handler=user, from_confirmed_at__isnull=True)
                    | Q(to_handler=user, to_confirmed_at__isnull=True))
            .select_related("contract").order_by("created_at", "pk"))


def _handover_item(change, user) -> WorkItem:
    return WorkItem(title=_("Confirm the hand-over: %(title)s") % {"title": change.contract.title},
                    url=change.contract.get_absolute_url(), category=_("Contracts"), since=change.created_at)


def _loans_to_approve(user):
    """Requested loans for the head of Administration or their delegate (``contracts.approve_loan``), never the
    user's own nor the principal's."""
    if not _signed_in(user):
        return None
    principal = acting_for(user, loan_approvers())
    if principal is None:
        return None
    return (Loan.objects.filter(state=LoanState.REQUESTED).exclude(borrower_id__in={user.pk, principal.pk})
            .select_related("contract").order_by("requested_at", "pk"))


def _loans_to_hand_out(user):
    if not _signed_in(user) or not rules.keeps_originals(user):
        return None
    return Loan.objects.filter(state=LoanState.APPROVED).select_related("contract").order_by("requested_at", "pk")


def _loans_overdue(user):
    """Originals lent past their return date: the borrower's, and every one for those who keep the originals."""
    if not _signed_in(user):
        return None
    loans = Loan.objects.filter(state=LoanState.LENT, return_due_on__lt=timezone.localdate())
    if not rules.keeps_originals(user):
        loans = loans.filter(borrower=user)
    return loans.select_related("contract").order_by("return_due_on", "pk")


def _loan_item(title):
    def item(loan, user) -> WorkItem:
        today = timezone.localdate()
        return WorkItem(title=title % {"title": loan.contract.title}, url=loan.contract.get_absolute_url(),
                        category=_("Contracts"), since=loan.requested_at, due=loan.return_due_on,
                        overdue=loan.state == LoanState.LENT and loan.return_due_on < today)

    return item


KINDS = [
    WorkKind("contract-steps", gettext_lazy("Contract approval steps"), _steps, _step_item, order=10),
    WorkKind("contracts-returned", gettext_lazy("Rejected contracts to resubmit"), _returned, _returned_item,
             order=11),
    WorkKind("objection-letters", gettext_lazy("Objection letters to send"), _letters, _letter_item, order=12),
    WorkKind("objections", gettext_lazy("Objections to answer"), _objections, _objection_item, order=13),
    WorkKind("handovers", gettext_lazy("Hand-overs to confirm"), _handovers, _handover_item, order=14),
    WorkKind("loans-to-approve", gettext_lazy("Loans of originals to approve"), _loans_to_approve,
             _loan_item(gettext_lazy("Approve the loan of an original: %(title)s")), order=15),
    WorkKind("loans-to-hand-out", gettext_lazy("Originals to hand out"), _loans_to_hand_out,
             _loan_item(gettext_lazy("Hand out the original: %(title)s")), order=16),
    WorkKind("loans-overdue", gettext_lazy("Overdue loans of originals"), _loans_overdue,
             _loan_item(gettext_lazy("Overdue loan of an original: %(title)s")), order=17),
]


def work_items(user) -> list[WorkItem]:
    """Every contract item waiting on the user (the kinds' rows in full)."""
    return items_of(KINDS, user)


__all__ = ["KINDS", "work_items", "ApprovalStep"]
