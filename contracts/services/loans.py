"""Borrowing of contract originals (SPEC CON-10, art. 18): request, approval by the head of Administration,
handed out and taken back by Administration; one open loan per original."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.notifications import event_key, notify_many, work_key
from marketing_portal.policy import current_policy
from org.selectors import acting_for, delegates_of

from ..choices import OPEN_LOAN_STATES, LoanState
from ..models import Loan
from ..rules import approves_own_loan
from ..selectors import loan_approvers, loan_keepers
from .common import WorkflowError, lock_contract, require, stored

__all__ = ["loan_approvers", "loan_keepers", "loan_request", "loan_decide", "loan_hand_out", "loan_return",
           "loan_cancel"]


@audited
@transaction.atomic
def loan_request(*, contract_id: int, by, purpose: str, return_due_on: date) -> Loan:
    contract = lock_contract(contract_id)
    require(by, "contracts.borrow_contract", contract, message=_("Only an archived original can be borrowed."))
    errors = {}
    today = timezone.localdate()
    policy = current_policy()
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say what the original is needed for.")]
    if return_due_on is None or return_due_on < today:
        errors["return_due_on"] = [_("Enter a return date from today on.")]
    elif (return_due_on - today).days > policy.loan_max_days:
        errors["return_due_on"] = [_("An original can be lent for at most %(days)s days.") % {
            "days": policy.loan_max_days}]
    if errors:
        raise ValidationError(errors)
    if contract.loans.filter(state__in=OPEN_LOAN_STATES).exists():
        raise WorkflowError(_("This original already has an open loan; it can be borrowed again once returned."),
                            code="open_loan")
    try:
        with transaction.atomic():
            loan = Loan.objects.create(contract=contract, borrower=by, purpose=purpose.strip(),
                                       return_due_on=return_due_on, policy_version=policy.version)
    except IntegrityError:
        raise WorkflowError(_("This original already has an open loan; it can be borrowed again once returned."),
                            code="open_loan") from None
    approvers = loan_approvers()
    url = contract.get_absolute_url()
    subject = stored(gettext_lazy("Request to borrow the original of “%(title)s”"), title=contract.title)
    transaction.on_commit(lambda: notify_many(recipients=approvers + delegates_of(approvers),
                                              key=event_key("loan-request", loan), subject=subject, url=url,
                                              work=work_key(loan, "decide")))
    return loan


def _lock_loan(loan_id: int) -> Loan:
    loan = Loan.objects.select_for_update().get(pk=loan_id)
    lock_contract(loan.contract_id)
    return loan


@audited
@transaction.atomic
def loan_decide(*, loan_id: int, by, approve: bool, comment: str = "") -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state != LoanState.REQUESTED:
        raise WorkflowError(_("This request was already decided (%(state)s).") % {"state": loan.get_state_display()},
                            code="already_decided")
    principal = acting_for(by, loan_approvers())
    if principal is None:
        raise WorkflowError(_("Only the head of Administration (or their delegate) approves loans of originals."),
                            code="forbidden")
    if approves_own_loan(by, loan):
        raise WorkflowError(_("Nobody approves their own request."), code="own_request")
    if not approve and not comment.strip():
        raise ValidationError({"comment": [_("Say why the loan is refused.")]})
    loan.state = LoanState.APPROVED if approve else LoanState.REJECTED
    loan.decided_by, loan.decided_at, loan.decision_comment = by, timezone.now(), comment.strip()[:200]
    loan.decided_on_behalf_of = principal if principal.pk != by.pk else None
    loan.save()
    return loan


@audited
@transaction.atomic
def loan_hand_out(*, loan_id: int, by) -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state != LoanState.APPROVED:
        raise WorkflowError(_("Only an approved loan can be handed out."), code="loan_not_approved")
    require(by, "contracts.hand_out_loan", loan, message=_("Only Administration hands out originals."))
    loan.state, loan.lent_by, loan.lent_at = LoanState.LENT, by, timezone.now()
    loan.save()
    return loan


@audited
@transaction.atomic
def loan_return(*, loan_id: int, by) -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state != LoanState.LENT:
        raise WorkflowError(_("Only a lent original can be returned."), code="loan_not_lent")
    require(by, "contracts.return_loan", loan, message=_("Administration records the return of an original."))
    loan.state, loan.returned_to, loan.returned_at = LoanState.RETURNED, by, timezone.now()
    loan.save()
    return loan


@audited
@transaction.atomic
def loan_cancel(*, loan_id: int, by) -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state not in (LoanState.REQUESTED, LoanState.APPROVED):
        raise WorkflowError(_("Only a loan not yet handed out can be withdrawn."), code="loan_handed_out")
    require(by, "contracts.cancel_loan", loan, message=_("Only the borrower can withdraw the request."))
    loan.state = LoanState.CANCELLED
    loan.save()
    return loan
