"""Deciding the review steps of the chain (SPEC CON-6, art. 3 and 9): approve, or reject back to the handler."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.policy import current_policy

from ..choices import APPROVAL_KINDS, ContractState, StepKind, StepStatus
from ..models import ApprovalStep, Contract
from .common import WorkflowError, set_state, stored
from .steps import begin_step, check_unchanged, close_step, notify_copied, notify_handler, open_step


@audited
@transaction.atomic
def contract_approve(*, contract_id: int, by, kind: str, comment: str = "", step_id: int | None = None) -> Contract:
    """Approve one review step; the chain moves on when the step (or both joint steps) are done."""
    if kind not in APPROVAL_KINDS:
        raise WorkflowError(_("Only a review step can be approved."), code="not_a_review_step")
    contract, step, principal = begin_step(contract_id, kind, by, step_id)
    digest = check_unchanged(contract)
    policy = current_policy()
    now = timezone.now()
    close_step(step, status=StepStatus.APPROVED, by=by, principal=principal, comment=comment.strip(), now=now,
               contract_hash=digest, policy_version=policy.version)
    if kind == StepKind.LEADER:
        set_state(contract, ContractState.JOINT_REVIEW, by, stored(gettext_lazy("department leader approved")))
        open_step(contract, StepKind.FINANCE, now=now)
        if contract.legal_waived:
            legal = ApprovalStep.objects.create(contract=contract, version=contract.version, kind=StepKind.LEGAL,
                                                opened_at=now)
            close_step(legal, status=StepStatus.WAIVED, now=now, policy_version=contract.policy_version,
                       comment=stored(gettext_lazy("Waived under policy v%(v)s: standard template, drafted by us, "
                                                   "not major, domestic, term within the limit."),
                                      v=contract.policy_version))
        else:
            open_step(contract, StepKind.LEGAL, now=now)
    elif kind in (StepKind.FINANCE, StepKind.LEGAL):
        waiting = contract.steps.filter(version=contract.version, kind__in=[StepKind.FINANCE, StepKind.LEGAL],
                                        status=StepStatus.PENDING)
        if not waiting.exists():
            set_state(contract, ContractState.GM_REVIEW, by, stored(gettext_lazy("finance and legal approved")))
            open_step(contract, StepKind.GM, now=now)
    elif kind == StepKind.GM and contract.is_long_term:
        # Art. 3: a term over the limit needs a further sign-off by the GM or the deputy GM in charge.
        set_state(contract, ContractState.LONG_TERM_REVIEW, by, stored(gettext_lazy("general manager approved")))
        open_step(contract, StepKind.LONG_TERM, now=now)
    elif kind in (StepKind.GM, StepKind.LONG_TERM):
        reason = stored(gettext_lazy("long-term contract signed off") if kind == StepKind.LONG_TERM
                        else gettext_lazy("general manager approved"))
        set_state(contract, ContractState.APPROVED, by, reason, approved_at=now)
        open_step(contract, StepKind.SIGN, now=now)
        notify_handler(contract, "contract-approved",
                       stored(gettext_lazy("Contract “%(title)s” is approved: have it signed and upload the scan"),
                              title=contract.title))
        notify_copied(contract, "contract-cc-approved",
                      stored(gettext_lazy("For your information: contract “%(title)s” is approved"),
                             title=contract.title))
    return contract


@audited
@transaction.atomic
def contract_reject(*, contract_id: int, by, kind: str, comment: str, step_id: int | None = None) -> Contract:
    """Reject with a comment: the draft returns to the handler; the next submission is a new version."""
    if kind not in APPROVAL_KINDS:
        raise WorkflowError(_("Only a review step can be rejected."), code="not_a_review_step")
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say why the contract is rejected, so the handler can correct it.")]})
    contract, step, principal = begin_step(contract_id, kind, by, step_id)
    now = timezone.now()
    close_step(step, status=StepStatus.REJECTED, by=by, principal=principal, comment=comment.strip(), now=now,
               contract_hash=contract.compute_hash(), policy_version=current_policy().version)
    for other in contract.steps.select_for_update().filter(version=contract.version, status=StepStatus.PENDING):
        close_step(other, status=StepStatus.CANCELLED, now=now, comment=stored(gettext_lazy("closed by the rejection")))
    step_label = StepKind(kind).label
    set_state(contract, ContractState.DRAFT, by, stored(gettext_lazy("rejected at “%(step)s”: %(comment)s"),
                                                        step=step_label, comment=comment.strip()))
    notify_handler(contract, "contract-rejected",
                   stored(gettext_lazy("Contract “%(title)s” was rejected at %(step)s"), title=contract.title,
                          step=step_label),
                   body=comment.strip())
    notify_copied(contract, "contract-cc-rejected",
                  stored(gettext_lazy("For your information: contract “%(title)s” was rejected at %(step)s"),
                         title=contract.title, step=step_label), body=comment.strip())
    return contract
