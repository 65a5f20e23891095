"""The steps of the approval chain (SPEC CON-6): opening one for the people the org chart names, checking a
decision against a stale page and against who may act, closing it with who, when, for whom and why."""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from django.utils.translation import gettext as _

from marketing_portal.notifications import event_key, notify_many
from marketing_portal.policy import current_policy
from org import approvals

from .. import rules, selectors
from ..choices import ContractState, StepKind, StepStatus
from ..models import ApprovalStep, Contract
from .common import WorkflowError, lock_contract

# The contract chain on the approval kernel; its refusals are the contract services' WorkflowError.
CHAIN = replace(rules.CHAIN, error=WorkflowError)


def open_step(contract: Contract, kind: str, *, now=None) -> ApprovalStep:
    return approvals.open_step(
        CHAIN, contract, kind, people=selectors.responsible_for(kind, contract), version=contract.version, now=now,
        key=event_key("contract-step", contract, contract.version, kind), title=contract.title,
        url=contract.get_absolute_url(), text_id=contract.text_id)


def close_step(step: ApprovalStep, *, status: str, by=None, principal=None, comment: str = "", now=None,
               contract_hash: str = "", policy_version: int | None = None) -> None:
    approvals.close_step(CHAIN, step, status=status, by=by, principal=principal, comment=comment, now=now,
                         content_hash=contract_hash, policy_version=policy_version)


def _pending_step(contract: Contract, kind: str, step_id: int | None) -> ApprovalStep:
    """The step to decide, checked against a stale form: it must still be waiting, in this version."""
    return approvals.pending_step(
        CHAIN, contract, kind=kind, step_id=step_id, version=contract.version,
        not_waiting=_("“%(step)s” is not waiting on this contract now (it is “%(state)s”).")
        % {"step": StepKind(kind).label, "state": contract.get_state_display()})


def step_actor(step: ApprovalStep, contract: Contract, by):
    """The person ``by`` acts for on this step (themselves or a delegating principal), or a WorkflowError
    saying why not; the rule is ``contracts.rules.may_act_on_step``."""
    step.contract = contract
    return approvals.step_actor(CHAIN, step, by)


def check_unchanged(contract: Contract) -> str:
    """Amounts and terms cannot change after submission without restarting the chain (belt and braces)."""
    return approvals.check_hash(
        CHAIN, contract.compute_hash(), contract.content_hash,
        message=_("The contract was changed after it was submitted; it must be rejected and submitted again."))


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


def notify_copied(contract: Contract, event: str, subject: str, body: str = "") -> None:
    """抄送 (policy switch, on by default): the regional manager of the contract's region and the people named on
    the draft are told of the submission and of the final decision, for information; the handler and the submitter
    are told through their own notices."""
    if not current_policy().contract_cc_enabled:
        return
    recipients = selectors.copied_on(contract)
    url = contract.get_absolute_url()
    transaction.on_commit(lambda: notify_many(
        recipients=recipients, key=event_key(event, contract, contract.version), subject=subject, body=body, url=url))
