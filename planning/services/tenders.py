"""Bids (RPT-4): a tender project and our bid, from the documents the clerks prepare through the Management
Manager's review (on the approval kernel) and the submission to the result; a won bid starts a contract draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.files import attachment_add, attachments_of
from marketing_portal.money import AmountError, parse_amount
from marketing_portal.notifications import event_key, notify_many
from marketing_portal.numbering import format_number, next_number
from marketing_portal.policy import current_policy
from org import approvals
from org.approvals import StepStatus, stored
from org.rules import require_not_collection_only

from .. import rules, selectors
from ..choices import TenderResult, TenderState, TenderStepKind
from ..models import Tender
from .common import PlanningError, require

CHAIN = replace(rules.TENDER_CHAIN, error=PlanningError)
SLOT = "bid"


def _amount(raw, label, field, *, required=True):
    if raw in (None, "") and not required:
        return None
    try:
        return parse_amount(raw, label=label)
    except AmountError as exc:
        raise PlanningError({field: exc.messages}, code=exc.code) from None


def _lock(tender_id: int) -> Tender:
    tender = Tender.objects.select_for_update().filter(pk=tender_id).first()
    if tender is None:
        raise PlanningError(_("This bid does not exist."), code="no_such_bid")
    return tender


def _set_state(tender: Tender, state: str, reason) -> None:
    tender.state = state
    tender._change_reason = stored(reason)[:100]
    tender.save()


@audited
@transaction.atomic
def tender_create(*, by, title: str, customer, budget, documents_due_on: date, opening_on: date, owner=None,
                  clerk=None, tender_reference: str = "", region=None) -> Tender:
    """Register a tender project; a person on collection-only duty cannot start a bid (RCV-8)."""
    require_not_collection_only(by, work="bids")
    require(by, "planning.create_tender", message=_("Only Marketing staff start bids."))
    owner = owner or by
    if owner.pk != by.pk:
        require_not_collection_only(owner, work="bids")
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("This field is required.")]
    if customer is None:
        errors["customer"] = [_("Choose the tendering party.")]
    if documents_due_on and opening_on and opening_on < documents_due_on:
        errors["opening_on"] = [_("The bid opening cannot be before the bid documents are due.")]
    if errors:
        raise PlanningError(errors, code="invalid")
    budget = _amount(budget, _("budget"), "budget")
    year = timezone.localdate().year
    tender = Tender(number=format_number("ZB-{year}-{seq:04d}", year=year, seq=next_number("tender", year)),
                    title=title.strip(), customer=customer, region=region or customer.region, owner=owner,
                    clerk=clerk, tender_reference=(tender_reference or "").strip(), budget=budget,
                    documents_due_on=documents_due_on, opening_on=opening_on, created_by=by)
    tender._change_reason = stored(gettext_lazy("bid registered"))
    tender.save()
    if clerk is not None:
        _tell(tender, [clerk], "tender-clerk", gettext_lazy("Prepare the bid documents of “%(title)s”"))
    return tender


def _tell(tender: Tender, recipients, event: str, subject, body: str = "") -> None:
    text = stored(subject, title=tender.title)
    url = tender.get_absolute_url()
    key = event_key(event, tender, tender.round)
    transaction.on_commit(lambda: notify_many(recipients=recipients, key=key, subject=text, body=body, url=url))


@audited
@transaction.atomic
def tender_document_add(*, tender_id: int, by, upload, note: str = ""):
    """A bid document (a new version of the slot each time) while the documents are being prepared."""
    tender = _lock(tender_id)
    require(by, "planning.prepare_tender", tender,
            message=_("Bid documents are added while they are being prepared, by the clerks or the sales owner."),
            code="not_preparing")
    return attachment_add(owner=tender, upload=upload, by=by, slot=SLOT, note=note)


@audited
@transaction.atomic
def tender_update(*, tender_id: int, by, quoted_amount=None, **fields) -> Tender:
    """Change the bid's figures and dates while it is being prepared (our price, the budget, the dates)."""
    tender = _lock(tender_id)
    require(by, "planning.prepare_tender", tender, message=_("The bid can be changed only while it is prepared."),
            code="not_preparing")
    if quoted_amount not in (None, ""):
        tender.quoted_amount = _amount(quoted_amount, _("our bid price"), "quoted_amount")
    if "budget" in fields:
        tender.budget = _amount(fields.pop("budget"), _("budget"), "budget")
    for key in ("title", "tender_reference", "documents_due_on", "opening_on", "clerk"):
        if key in fields:
            setattr(tender, key, fields[key])
    if tender.opening_on < tender.documents_due_on:
        raise PlanningError({"opening_on": [_("The bid opening cannot be before the bid documents are due.")]},
                            code="invalid")
    tender._change_reason = stored(gettext_lazy("bid changed"))
    tender.save()
    return tender


@audited
@transaction.atomic
def tender_send_to_review(*, tender_id: int, by) -> Tender:
    """The documents go to the Management Manager (招投标文件、预算图纸审核)."""
    tender = _lock(tender_id)
    require(by, "planning.send_tender_to_review", tender,
            message=_("Only a bid being prepared goes to review."), code="not_preparing")
    if not attachments_of(tender, SLOT).exists():
        raise PlanningError(_("Add the bid documents before sending them to review."), code="no_documents")
    if tender.quoted_amount is None:
        raise PlanningError({"quoted_amount": [_("Enter our bid price before sending the bid to review.")]},
                            code="no_price")
    _set_state(tender, TenderState.REVIEW, gettext_lazy("sent to review"))
    approvals.open_step(CHAIN, tender, TenderStepKind.REVIEW, people=selectors.tender_reviewers(),
                        round=tender.round, key=event_key("tender-review", tender, tender.round),
                        title=tender.title, url=tender.get_absolute_url(),
                        content_hash=tender.compute_hash())
    return tender


@audited
@transaction.atomic
def tender_review(*, step_id: int, by, approve: bool, comment: str = "") -> Tender:
    """The Management Manager (or their delegate) passes the documents or sends them back with a comment."""
    from ..models import TenderStep

    row = TenderStep.objects.filter(pk=step_id).values("tender_id", "kind").first()
    if row is None:
        raise PlanningError(_("This review does not exist."), code="no_such_step")
    tender = _lock(row["tender_id"])
    step = approvals.pending_step(CHAIN, tender, kind=row["kind"], step_id=step_id,
                                  not_waiting=_("This bid is not waiting for review now."))
    principal = approvals.step_actor(CHAIN, step, by)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise PlanningError({"comment": [_("Say what must be corrected in the bid documents.")]}, code="required")
    digest = approvals.check_hash(CHAIN, tender.compute_hash(), step.content_hash,
                                  message=_("The bid was changed after it was sent to review; nothing was decided."))
    approvals.close_step(CHAIN, step, status=StepStatus.APPROVED if approve else StepStatus.REJECTED, by=by,
                         principal=principal, comment=comment, content_hash=digest,
                         policy_version=current_policy().version)
    recipients = [u for u in (tender.owner, tender.clerk) if u is not None]
    if approve:
        _set_state(tender, TenderState.READY, gettext_lazy("documents reviewed and passed"))
        _tell(tender, recipients, "tender-passed", gettext_lazy("Bid “%(title)s”: documents passed, submit the budget "
                                                                "and proposal"), body=comment)
    else:
        tender.round += 1
        _set_state(tender, TenderState.PREPARING, gettext_lazy("documents sent back for correction"))
        _tell(tender, recipients, "tender-returned", gettext_lazy("Bid “%(title)s”: documents sent back"),
              body=comment)
    return tender


@audited
@transaction.atomic
def tender_submit(*, tender_id: int, by) -> Tender:
    """The budget and proposal are submitted to the tendering party (预算、方案报出)."""
    tender = _lock(tender_id)
    require(by, "planning.submit_tender", tender,
            message=_("The budget and proposal are submitted after the review passed."), code="not_ready")
    tender.submitted_at = timezone.now()
    _set_state(tender, TenderState.SUBMITTED, gettext_lazy("budget and proposal submitted"))
    return tender


@audited
@transaction.atomic
def tender_record_result(*, tender_id: int, by, result: str, result_on: date | None = None, winning_amount=None,
                         winner: str = "", note: str = "") -> Tender:
    """Won (our winning price required), lost (the winner and their price when known) or cancelled."""
    tender = _lock(tender_id)
    require(by, "planning.record_tender_result", tender,
            message=_("The result is recorded for a submitted bid, by its sales owner or a manager."),
            code="not_submitted")
    if result not in TenderResult.values:
        raise PlanningError({"result": [_("Choose won, lost or cancelled.")]}, code="bad_result")
    result_on = result_on or timezone.localdate()
    if result_on < tender.opening_on or timezone.localdate() < tender.opening_on:
        raise PlanningError(
            {"result_on": [_("The bids are opened on %(day)s; a result cannot be recorded before the opening.")
                           % {"day": tender.opening_on.isoformat()}]}, code="before_opening")
    if result_on > timezone.localdate():
        raise PlanningError({"result_on": [_("The result date cannot be in the future.")]}, code="future_result")
    price = _amount(winning_amount, _("winning price"), "winning_amount", required=False)
    if result == TenderResult.WON and price is None:
        raise PlanningError({"winning_amount": [_("Enter the price at which we won the bid.")]}, code="won_no_price")
    tender.result_on = result_on
    tender.winning_amount = price
    tender.winner = "" if result == TenderResult.WON else (winner or "").strip()
    tender.result_note = (note or "").strip()
    state = {TenderResult.WON: TenderState.WON, TenderResult.LOST: TenderState.LOST,
             TenderResult.CANCELLED: TenderState.CANCELLED}[result]
    _set_state(tender, state, gettext_lazy("result recorded: %(result)s") % {"result": TenderResult(result).label})
    return tender


@audited
@transaction.atomic
def tender_cancel(*, tender_id: int, by, reason: str) -> Tender:
    """Our side withdraws from a bid before the result (the reason is kept)."""
    tender = _lock(tender_id)
    require(by, "planning.cancel_tender", tender, message=_("Only an open bid can be cancelled, by its sales owner "
                                                            "or a manager."), code="closed")
    if not (reason or "").strip():
        raise PlanningError({"reason": [_("Say why the bid is cancelled.")]}, code="required")
    approvals.cancel_pending(CHAIN, tender, comment=stored(gettext_lazy("closed: the bid was cancelled")))
    tender.result_note = reason.strip()
    _set_state(tender, TenderState.CANCELLED, gettext_lazy("bid cancelled: %(reason)s") % {"reason": reason.strip()})
    return tender


@audited
@transaction.atomic
def tender_start_contract(*, tender_id: int, by):
    """A won bid starts a contract draft: customer, region, owner as handler, the winning price and the bid
    documents (their latest versions) carried over, through the contract services."""
    from contracts.services import contract_create, contract_draft_file_add

    tender = _lock(tender_id)
    require(by, "planning.start_contract_from_tender", tender,
            message=_("A contract draft is started once from a won bid, by its sales owner or Marketing."),
            code="not_won")
    today = timezone.localdate()
    contract = contract_create(
        by=by, title=tender.title, customer=tender.customer, region=tender.region, handler=tender.owner,
        amount=tender.winning_amount, starts_on=today, ends_on=today + timedelta(days=364),
        non_standard_reason=stored(gettext_lazy("Text of the tender documents (bid %(number)s)"),
                                   number=tender.number),
        notes=stored(gettext_lazy("Won bid %(number)s, tender reference %(ref)s."), number=tender.number,
                     ref=tender.tender_reference or "—"))
    latest = {}
    for attachment in attachments_of(tender, SLOT).order_by("original_name", "-version"):
        latest.setdefault(attachment.original_name, attachment)
    for attachment in latest.values():
        with attachment.file.open("rb") as handle:
            upload = ContentFile(handle.read(), name=attachment.original_name)
        contract_draft_file_add(contract_id=contract.pk, by=by, upload=upload)
    tender.contract = contract
    tender._change_reason = stored(gettext_lazy("contract draft started"))
    tender.save()
    return contract
