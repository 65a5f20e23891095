"""What the handler does around the review (SPEC CON-6): the draft text the approvers read, the route shown before
and during approval, and withdrawing a submission before anybody decided (撤回)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.files import DEFAULT_ALLOWED, attachment_add
from org import approvals

from .. import selectors
from ..choices import TEXT_SLOT, ContractState
from ..models import Contract
from .common import WorkflowError, lock_contract, require, set_state, stored
from .steps import CHAIN


@audited
@transaction.atomic
def contract_text_add(*, contract_id: int, by, upload):
    """Upload the draft text of a draft (the file the approvers read and open on their step). A second upload is
    the next version of the text; the submission takes the newest."""
    contract = lock_contract(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(_("The draft text can only be uploaded while the contract is a draft."), code="not_draft")
    require(by, "contracts.edit_contract", contract,
            message=_("Only the handler, the person who drafted it or the Marketing office can change this draft."))
    return attachment_add(owner=contract, upload=upload, by=by, slot=TEXT_SLOT, allowed=DEFAULT_ALLOWED)


@audited
@transaction.atomic
def contract_recall(*, contract_id: int, by, reason: str = "") -> Contract:
    """The submitter (or the handler) takes the submission back before the first decision (撤回): the waiting
    steps are cancelled, the contract is a draft again and its next submission is a new version."""
    contract = lock_contract(contract_id)
    if contract.state != ContractState.LEADER_REVIEW:
        raise WorkflowError(
            _("Only a contract waiting for its first decision can be withdrawn; it is “%(state)s”.")
            % {"state": contract.get_state_display()}, code="not_recallable")
    require(by, "contracts.recall_contract", contract,
            message=_("Only the person who submitted the contract or its handler can withdraw it."))
    approvals.withdraw_round(CHAIN, contract, by=by, reason=reason, version=contract.version)
    set_state(contract, ContractState.DRAFT, by,
              stored(gettext_lazy("withdrawn from review: %(reason)s"), reason=reason.strip() or "—"))
    return contract


def contract_route(contract: Contract, steps=None) -> list[approvals.RouteStop]:
    """Every stop of the chain for the version under way (or the next one, for a draft): who decided, who is
    waiting, who will decide — resolved from the org chart today with the delegations in force.

    ``steps``: the contract's steps when the caller has read them already (the contract page, with their assignees
    and who decided), in the order of ``contract.steps.all()`` within a version (opened, then id)."""
    if steps is None:
        steps = contract.steps.all()
    steps = [] if contract.state == ContractState.DRAFT else [s for s in steps if s.version == contract.version]
    return approvals.route(CHAIN, selectors.planned_route(contract), steps)
