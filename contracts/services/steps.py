"""The steps of the approval chain (SPEC CON-6): opening one for the people the org chart names, checking a
decision against a stale page and against who may act, closing it with who, when, for whom and why."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.notifications import event_key, notify_many
from marketing_portal.people import display_name
from org.selectors import delegates_of

from .. import selectors
from ..choices import ContractState, StepKind, StepStatus
from ..models import ApprovalStep, Contract
from ..rules import CLERICAL_KINDS, acts_on_own_contract, conflicted_ids, step_principal
from .common import WorkflowError, lock_contract, stored


def open_step(contract: Contract, kind: str, *, now=None) -> ApprovalStep:
    now = now or timezone.now()
    step = ApprovalStep.objects.create(contract=contract, version=contract.version, kind=kind, opened_at=now)
    people = selectors.responsible_for(kind, contract)
    if kind in CLERICAL_KINDS:
        # Clerical work goes to another holder of the position when the submitter or handler holds it too.
        others = [p for p in people if p.pk not in conflicted_ids(contract)]
        people = others or people
    if not people:
        raise WorkflowError(
            _("Nobody in the org chart is responsible for “%(step)s”; ask the administrator to fill the position.")
            % {"step": StepKind(kind).label}, code="nobody_responsible")
    step.assignees.set(people)
    recipients = people + delegates_of(people)
    url = contract.get_absolute_url()
    subject = stored(gettext_lazy("Contract “%(title)s”: %(step)s is waiting for you"), title=contract.title,
                     step=StepKind(kind).label)
    transaction.on_commit(lambda: notify_many(
        recipients=recipients, key=event_key("contract-step", contract, contract.version, kind),
        subject=subject, url=url,
    ))
    return step


def close_step(step: ApprovalStep, *, status: str, by=None, principal=None, comment: str = "", now=None,
                contract_hash: str = "", policy_version: int | None = None) -> None:
    step.status = status
    step.decided_at = now or timezone.now()
    step.decided_by = by
    step.on_behalf_of = principal if principal is not None and by is not None and principal.pk != by.pk else None
    step.comment = comment
    step.content_hash = contract_hash
    step.policy_version = policy_version
    reasons = []
    if step.on_behalf_of:
        reasons.append(stored(gettext_lazy("%(by)s on behalf of %(principal)s"), by=display_name(by),
                              principal=display_name(principal)))
    if getattr(step, "done_on_own_contract", False):
        # Nobody else holds the position: the submitter or handler did this clerical step, and it says so.
        fact = stored(gettext_lazy("done by %(by)s, who submitted or handles the contract: nobody else holds "
                                   "the position"), by=display_name(by))
        step.comment = f"{step.comment}（{fact}）" if step.comment else fact
        reasons.append(fact)
    if reasons:
        step._change_reason = "；".join(reasons)[:100]
    step.save()


def _pending_step(contract: Contract, kind: str, step_id: int | None) -> ApprovalStep:
    """The step to decide, checked against a stale form: it must still be waiting, in this version."""
    qs = ApprovalStep.objects.select_for_update().filter(contract=contract)
    step = qs.filter(pk=step_id).first() if step_id else qs.filter(version=contract.version, kind=kind).first()
    if step is None or (step_id and step.kind != kind):
        raise WorkflowError(
            _("“%(step)s” is not waiting on this contract now (it is “%(state)s”).")
            % {"step": StepKind(kind).label, "state": contract.get_state_display()}, code="not_waiting")
    if step.status != StepStatus.PENDING:
        if step.decided_by_id:
            raise WorkflowError(
                _("This step was already decided: %(status)s by %(who)s at %(when)s. The page you used was out of "
                  "date; nothing was changed.") % {
                    "status": step.get_status_display(), "who": display_name(step.decided_by),
                    "when": timezone.localtime(step.decided_at).strftime("%Y-%m-%d %H:%M")}, code="already_decided")
        raise WorkflowError(_("This step is closed (%(status)s); nothing was changed.")
                            % {"status": step.get_status_display()}, code="step_closed")
    if step.version != contract.version:
        raise WorkflowError(_("This version is no longer under review; nothing was changed."), code="stale_version")
    return step


def step_actor(step: ApprovalStep, contract: Contract, by):
    """The person ``by`` acts for on this step (themselves or a delegating principal), or a WorkflowError
    saying why not; the rule is ``contracts.rules.may_act_on_step``."""
    step.contract = contract
    principal = step_principal(by, step)
    if principal is None:
        names = "、".join(display_name(u) for u in step.assignees.all()) or _("nobody")
        raise WorkflowError(
            _("You cannot act on “%(step)s”: it waits for %(names)s (or someone they delegated to).")
            % {"step": step.get_kind_display(), "names": names}, code="not_assigned"
        )
    if acts_on_own_contract(by, principal, step):
        raise WorkflowError(
            _("Nobody may decide a step of a contract they submitted or handle, delegated or not."),
            code="own_contract")
    conflicted = conflicted_ids(contract)
    step.done_on_own_contract = step.kind != StepKind.SIGN and bool({by.pk, principal.pk} & conflicted)
    return principal


def check_unchanged(contract: Contract) -> str:
    """Amounts and terms cannot change after submission without restarting the chain (belt and braces)."""
    current = contract.compute_hash()
    if contract.content_hash and current != contract.content_hash:
        raise WorkflowError(
            _("The contract was changed after it was submitted; it must be rejected and submitted again."),
            code="changed_after_submission")
    return current


STATE_OF_KIND = {
    StepKind.LEADER: ContractState.LEADER_REVIEW,
    StepKind.FINANCE: ContractState.JOINT_REVIEW,
    StepKind.LEGAL: ContractState.JOINT_REVIEW,
    StepKind.GM: ContractState.GM_REVIEW,
    StepKind.LONG_TERM: ContractState.LONG_TERM_REVIEW,
    StepKind.SIGN: ContractState.APPROVED,
    StepKind.REGISTER: ContractState.SIGNED,
    StepKind.ARCHIVE: ContractState.REGISTERED,
    StepKind.COPY_FINANCE: ContractState.ARCHIVED,
    StepKind.COPY_MARKETING: ContractState.ARCHIVED,
}


def begin_step(contract_id: int, kind: str, by, step_id: int | None):
    contract = lock_contract(contract_id)
    if contract.state != STATE_OF_KIND[kind]:
        # The state check comes first: a stale form then says what was decided.
        steps = ApprovalStep.objects.filter(contract=contract)
        step = steps.filter(pk=step_id).first() if step_id else \
            steps.filter(version=contract.version, kind=kind).first()
        if step is not None and step.status != StepStatus.PENDING:
            _pending_step(contract, kind, step.pk)  # raises "already decided by …"
        raise WorkflowError(
            _("“%(step)s” cannot be done now: the contract is “%(state)s”. Steps cannot be skipped or repeated.")
            % {"step": StepKind(kind).label, "state": contract.get_state_display()}, code="out_of_order")
    step = _pending_step(contract, kind, step_id)
    principal = step_actor(step, contract, by)
    return contract, step, principal


def notify_handler(contract: Contract, event: str, subject: str, body: str = "") -> None:
    recipients = [contract.handler] + ([contract.submitted_by] if contract.submitted_by_id else [])
    url = contract.get_absolute_url()
    transaction.on_commit(lambda: notify_many(
        recipients=recipients, key=event_key(event, contract, contract.version), subject=subject, body=body, url=url))
