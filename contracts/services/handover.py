"""Hand-over between handlers (SPEC CON-9, art. 14): arranged by Marketing, confirmed by both handlers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.notifications import event_key, notify_many, work_key
from marketing_portal.people import display_name

from ..choices import ContractState, HandoverStatus
from ..models import Contract, HandlerChange
from ..rules import is_eligible_handler
from ..signals import contract_handler_changed
from .common import WorkflowError, lock_contract, require, stored


@audited
@transaction.atomic
def handler_change_start(*, contract_id: int, by, to_handler, reason: str, open_items: str) -> HandlerChange:
    """Art. 14: Marketing arranges a hand-over; both handlers confirm, then the new one takes over."""
    contract = lock_contract(contract_id)
    if contract.state in (ContractState.CANCELLED, ContractState.TERMINATED):
        raise WorkflowError(_("This contract is closed."), code="contract_closed")
    require(by, "contracts.arrange_handover", contract,
            message=_("Marketing leadership or the regional manager arranges a change of handler."))
    errors = {}
    if to_handler is None or not is_eligible_handler(to_handler):
        errors["to_handler"] = [_("The new handler must be an on-site salesperson or a sales manager.")]
    elif to_handler.pk == contract.handler_id:
        errors["to_handler"] = [_("This person already handles the contract.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the handler changes.")]
    if not (open_items or "").strip():
        errors["open_items"] = [_("List the open items handed over (or write “none”).")]
    if errors:
        raise ValidationError(errors)
    if contract.handler_changes.filter(status=HandoverStatus.PENDING).exists():
        raise WorkflowError(_("A hand-over of this contract is already waiting for confirmation."),
                            code="handover_open")
    change = HandlerChange.objects.create(contract=contract, from_handler=contract.handler, to_handler=to_handler,
                                          reason=reason.strip(), open_items=open_items.strip(), created_by=by)
    url = contract.get_absolute_url()
    subject = stored(gettext_lazy("Hand-over of contract “%(title)s”: please confirm"), title=contract.title)
    transaction.on_commit(lambda: notify_many(
        recipients=[change.from_handler, change.to_handler], key=event_key("handover", change), subject=subject,
        body=change.open_items, url=url, work=work_key(change)))
    return change


@audited
@transaction.atomic
def handler_change_confirm(*, change_id: int, by) -> HandlerChange:
    change = HandlerChange.objects.select_for_update().get(pk=change_id)
    contract = lock_contract(change.contract_id)
    if change.status != HandoverStatus.PENDING:
        raise WorkflowError(_("This hand-over is no longer waiting for confirmation."), code="handover_closed")
    now = timezone.now()
    if by.pk == change.from_handler_id and change.from_confirmed_at is None:
        change.from_confirmed_at = now
    elif by.pk == change.to_handler_id and change.to_confirmed_at is None:
        change.to_confirmed_at = now
    elif by.pk in (change.from_handler_id, change.to_handler_id):
        raise WorkflowError(_("You have already confirmed this hand-over."), code="already_confirmed")
    else:
        raise WorkflowError(_("Only the two handlers confirm the hand-over."), code="forbidden")
    if change.from_confirmed_at and change.to_confirmed_at:
        change.status = HandoverStatus.CONFIRMED
        contract.handler = change.to_handler
        contract._change_reason = stored(gettext_lazy("handler changed: %(old)s → %(new)s"),
                                         old=display_name(change.from_handler), new=display_name(change.to_handler))
        contract.save()
        transaction.on_commit(lambda: contract_handler_changed.send(
            sender=Contract, contract=contract, change=change, by=by))
    change.save()
    return change


@audited
@transaction.atomic
def handler_change_cancel(*, change_id: int, by) -> HandlerChange:
    change = HandlerChange.objects.select_for_update().get(pk=change_id)
    if change.status != HandoverStatus.PENDING:
        raise WorkflowError(_("This hand-over is no longer waiting for confirmation."), code="handover_closed")
    require(by, "contracts.cancel_handover", change,
            message=_("Only the person who arranged it can cancel the hand-over."))
    change.status = HandoverStatus.CANCELLED
    change.save()
    return change
