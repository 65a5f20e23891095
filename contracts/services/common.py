"""What every contract service shares: the domain error, the row lock, the state change and its signal, the
permission check and the texts that are stored."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from org.approvals import ApprovalError, stored  # noqa: F401  (stored: re-exported for the services)

from ..choices import SIGNED_STATES
from ..models import Contract
from ..rules import allowed
from ..signals import contract_state_changed


class WorkflowError(ApprovalError):
    """A step that may not be taken now, or not by this person."""


def lock_contract(contract_id: int) -> Contract:
    try:
        return Contract.objects.select_for_update().get(pk=contract_id)
    except Contract.DoesNotExist:
        raise WorkflowError(_("This contract does not exist."), code="no_such_contract") from None


def _after_commit_transition(contract: Contract, old_state: str, new_state: str, by) -> None:
    contract_id = contract.pk

    def send():
        fresh = Contract.objects.get(pk=contract_id)
        contract_state_changed.send(sender=Contract, contract=fresh, old_state=old_state, new_state=new_state, by=by)

    transaction.on_commit(send)


def set_state(contract: Contract, new_state: str, by, reason: str, **fields) -> None:
    old_state = contract.state
    contract.state = new_state
    for key, value in fields.items():
        setattr(contract, key, value)
    contract._change_reason = reason[:100]
    contract.save()
    _after_commit_transition(contract, old_state, new_state, by)



def require(user, rule: str, obj=None, *, message, code: str = "forbidden") -> None:
    """Refuse (``WorkflowError`` with ``message`` in the user's language) unless ``contracts.rules`` allows it."""
    if not allowed(user, rule, obj):
        raise WorkflowError(message, code=code)


def require_in_force(contract: Contract) -> None:
    if contract.state not in SIGNED_STATES:
        raise WorkflowError(
            _("The contract is “%(state)s”; this is recorded only for a signed contract in force.")
            % {"state": contract.get_state_display()}, code="not_in_force")


def require_handler_side(contract: Contract, by, rule: str = "contracts.follow_up_contract") -> None:
    require(by, rule, contract, message=_("Only the handler (or their manager) can record this."))
