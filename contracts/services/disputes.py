"""Contract disputes (SPEC CON-12, art. 23): handled promptly, negotiation first, recorded to the end."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.audit import audited
from marketing_portal.people import display_name

from ..choices import SIGNED_STATES, ContractState, DisputeStatus
from ..models import Dispute
from .common import WorkflowError, lock_contract, require_handler_side


@audited
@transaction.atomic
def dispute_open(*, contract_id: int, by, opened_on: date, subject: str, description: str,
                 our_position: str = "") -> Dispute:
    contract = lock_contract(contract_id)
    if contract.state not in (*SIGNED_STATES, ContractState.TERMINATED):
        raise WorkflowError(_("Disputes are recorded on signed contracts."), code="not_in_force")
    require_handler_side(contract, by, "contracts.keep_disputes")
    errors = {}
    if opened_on is None or opened_on > timezone.localdate():
        errors["opened_on"] = [_("Enter when the dispute arose (not in the future).")]
    if not (subject or "").strip():
        errors["subject"] = [_("Enter the subject of the dispute.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe the dispute.")]
    if errors:
        raise ValidationError(errors)
    return Dispute.objects.create(contract=contract, opened_on=opened_on, subject=subject.strip(),
                                  description=description.strip(), our_position=our_position.strip(), created_by=by)


@audited
@transaction.atomic
def dispute_update(*, dispute_id: int, by, status: str, note: str = "", outcome: str = "",
                   closed_on: date | None = None) -> Dispute:
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    contract = lock_contract(dispute.contract_id)
    require_handler_side(contract, by, "contracts.keep_disputes")
    if dispute.status == DisputeStatus.CLOSED:
        raise WorkflowError(_("This dispute is closed."), code="dispute_closed")
    if status not in DisputeStatus.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    if status == DisputeStatus.CLOSED:
        errors = {}
        if not (outcome or "").strip():
            errors["outcome"] = [_("Record the outcome before closing the dispute.")]
        if closed_on is None or closed_on > timezone.localdate() or closed_on < dispute.opened_on:
            errors["closed_on"] = [_("Enter the closing date (between the start of the dispute and today).")]
        if errors:
            raise ValidationError(errors)
        dispute.outcome, dispute.closed_on = outcome.strip(), closed_on
    if note.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        dispute.negotiation_log = f"{dispute.negotiation_log}\n[{stamp} {display_name(by)}] {note.strip()}".strip()
    dispute.status = status
    dispute.save()
    return dispute
