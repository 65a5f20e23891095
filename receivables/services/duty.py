"""Collection-only duty decided by the Marketing Director, and compensation agreements (RCV-4, RCV-5, RCV-8)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.files import DOCUMENTS, attachment_add
from marketing_portal.notifications import event_key, notify
from org.models import Person
from org.selectors import acting_for
from org.services import person_duty_set

from .. import rules
from ..choices import (
    AgreementState,
    ProposalKind,
    ProposalState,
)
from ..consequences import directors
from ..models import (
    CompensationAgreement,
    DutyProposal,
)
from ._common import ReceivablesError, _require, _today, stored_texts


# Collection-only duty (RCV-4, RCV-5, RCV-8) and compensation agreements
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def duty_proposal_decide(*, proposal_id: int, by, confirm: bool, reason: str) -> DutyProposal:
    """The Marketing Director confirms or declines a proposal, with a reason."""
    proposal = DutyProposal.objects.select_for_update(of=("self",)).select_related("person__user", "project").get(
        pk=proposal_id)
    principal = acting_for(by, directors())
    if principal is None:
        raise ReceivablesError(_("Only the Marketing Director decides on collection-only duty."))
    if proposal.person.user_id in (by.pk, principal.pk):
        raise ReceivablesError(_("No one decides on their own collection-only duty."))
    if proposal.state != ProposalState.PENDING:
        raise ReceivablesError(_("This proposal was already decided or withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the decision.")]})
    with stored_texts():
        proposal.state = ProposalState.CONFIRMED if confirm else ProposalState.DECLINED
        proposal.decided_by, proposal.decided_for, proposal.decided_at = by, principal, timezone.now()
        proposal.decision_reason = reason[:300]
        proposal._change_reason = reason[:100]
        proposal.save()
        person = proposal.person
        if confirm and proposal.kind == ProposalKind.IMPOSE:
            person_duty_set(person_id=person.pk, collection_only=True, reason=proposal.reason, by=by)
            subject = _("You are on collection-only duty: %(cause)s") % {"cause": proposal.reason}
            body = _("Decided by the Marketing Director: %(reason)s. Until it is lifted you can only do invoicing and "
                     "collection work; you cannot create contracts, hand-offs or bids.") % {"reason": reason}
        elif confirm:
            person_duty_set(person_id=person.pk, collection_only=False, reason=reason, by=by)
            subject = _("Your collection-only duty is lifted")
            body = reason
        else:
            subject = body = ""
        if subject:
            notify(recipient=person.user, key=event_key("rcv-duty-decided", proposal), subject=subject, body=body,
                   url=proposal.get_absolute_url())
    return proposal


@transaction.atomic
def duty_lift(*, person_id: int, by, reason: str) -> DutyProposal:
    """The Marketing Director lifts a collection-only duty without waiting for the system's proposal."""
    principal = acting_for(by, directors())
    if principal is None:
        raise ReceivablesError(_("Only the Marketing Director can lift collection-only duty."))
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.user_id in (by.pk, principal.pk):
        raise ReceivablesError(_("No one decides on their own collection-only duty."))
    if person.duty_status != Person.DutyStatus.COLLECTION_ONLY:
        raise ReceivablesError(_("%(person)s is not on collection-only duty.") % {"person": person})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the decision.")]})
    pending = DutyProposal.objects.select_for_update().filter(person=person, kind=ProposalKind.LIFT,
                                                              state=ProposalState.PENDING).first()
    if pending is not None:
        return duty_proposal_decide(proposal_id=pending.pk, by=by, confirm=True, reason=reason)
    with stored_texts():
        proposal = DutyProposal.objects.create(person=person, kind=ProposalKind.LIFT, reason=reason.strip()[:300])
    return duty_proposal_decide(proposal_id=proposal.pk, by=by, confirm=True, reason=reason)


@transaction.atomic
def agreement_upload(*, agreement_id: int, by, signed_on: date, scan) -> CompensationAgreement:
    """The signed compensation agreement (RCV-5) is uploaded; tracked until then."""
    agreement = CompensationAgreement.objects.select_for_update().select_related("project").get(pk=agreement_id)
    _require(by, rules.uploads_agreements,
             _("Only Marketing leadership or the Sales Clerk uploads compensation agreements."))
    if agreement.state != AgreementState.REQUIRED:
        raise ReceivablesError(_("This agreement is not waiting for a signature."))
    errors: dict[str, list] = {}
    if signed_on is None:
        errors["signed_on"] = [_("Enter the signing date.")]
    elif signed_on > _today():
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    elif signed_on < agreement.required_on:
        errors["signed_on"] = [_("The agreement cannot be signed before it was required on %(day)s.") % {
            "day": agreement.required_on.isoformat()}]
    if scan is None:
        errors["scan"] = [_("Upload the scan of the signed agreement.")]
    if errors:
        raise ValidationError(errors)
    try:
        attachment_add(owner=agreement, upload=scan, by=by, slot="agreement", allowed=DOCUMENTS)
    except ValidationError as exc:
        raise ValidationError({"scan": exc.messages}) from None
    agreement.state = AgreementState.SIGNED
    agreement.signed_on, agreement.uploaded_by, agreement.uploaded_at = signed_on, by, timezone.now()
    with stored_texts():
        agreement._change_reason = _("signed agreement uploaded")
    agreement.save()
    return agreement
