"""HND-4, HND-5: negotiation rounds, Marketing's decision and the construction contract it drafts, which the
hand-off then follows to completion."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import SIGNED_STATES, ContractKind, ContractState, Direction, DraftedBy
from contracts.models import ContractTemplate
from marketing_portal.audit import audited
from marketing_portal.files import attachments_add
from marketing_portal.money import format_yuan, parse_amount
from marketing_portal.notifications import event_key, work_key
from marketing_portal.people import display_name
from org.rules import require_not_collection_only
from org.selectors import acting_for

from .. import selectors
from ..choices import (
    CostingState,
    DecisionState,
    HandoffState,
    Party,
)
from ..models import Decision, Handoff, NegotiationRound, margin_of
from ._common import HandoffError, _check_uploads, _lock, _notify, _on_behalf, _require_state


# HND-4: negotiation and Marketing's decision
# --------------------------------------------------------------------------------------------------
@audited
@transaction.atomic
def negotiation_record(*, by, handoff_id: int, proposer: str, amount, held_on: date | None, notes: str = "",
                       attachments: Iterable = (), now: datetime | None = None) -> NegotiationRound:
    """Put one round of the negotiation on record: who proposed what amount, and the notes (HND-4)."""
    now = now or timezone.now()
    handoff = _lock(handoff_id)
    _require_state(handoff, HandoffState.NEGOTIATION, action=_("Record a negotiation round"))
    if acting_for(by, selectors.xxx_negotiators() + selectors.marketing_side(handoff)) is None:
        raise HandoffError(_("Only XXX's negotiator or Marketing can record the negotiation."))
    errors: dict[str, list] = {}
    if proposer not in (Party.MARKETING, Party.XXX):
        errors["proposer"] = [_("Say who proposed the amount: Marketing or XXX.")]
    try:
        amount = parse_amount(amount, label=_("Proposed amount"))
    except ValidationError as exc:
        errors["amount"] = exc.messages
    if held_on is None:
        errors["held_on"] = [_("Enter the date of the round.")]
    elif held_on > timezone.localdate(now):
        errors["held_on"] = [_("A negotiation round cannot be dated in the future.")]
    try:
        uploads = _check_uploads(attachments)
    except ValidationError as exc:
        errors["attachments"] = exc.messages
    if errors:
        raise ValidationError(errors)
    number = (handoff.rounds.aggregate(m=Max("number"))["m"] or 0) + 1
    record = NegotiationRound.objects.create(
        handoff=handoff, number=number, held_on=held_on, proposer=proposer, amount=amount,
        notes=(notes or "").strip(), recorded_by=by, recorded_at=now,
    )
    attachments_add(owner=record, uploads=uploads, by=by, slot="documents")  # chosen together: separate files
    return record


def construction_template_version():
    """The current standard text for construction sub-contracts, if Marketing keeps one."""
    for template in ContractTemplate.objects.filter(direction=Direction.CONSTRUCTION, active=True).order_by("name"):
        version = template.current_version()
        if version is not None:
            return version
    return None


def _construction_lines(handoff: Handoff, amount: Decimal) -> list[dict]:
    """The lump sum first, then the scope of the liaison sheet with its quantities (included in the sum)."""
    lines = [{
        "description": _("Construction of %(line)s, lump sum (liaison sheet %(number)s)")
        % {"line": handoff.line.description, "number": handoff.number},
        "specification": handoff.site[:200], "quantity": Decimal("1"), "unit": _("lot"), "unit_price": amount,
        "amount": amount,
    }]
    for item in handoff.scope_items.all():
        lines.append({
            "description": (_("%(item)s (included in the lump sum)") % {"item": item.description})[:200],
            "specification": item.specification, "quantity": item.quantity, "unit": item.unit,
            "unit_price": Decimal("0"), "amount": Decimal("0"),
        })
    return lines


def _flatten(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return exc.messages


@audited
@transaction.atomic
def handoff_decide(*, by, handoff_id: int, amount, notes: str = "", now: datetime | None = None) -> Decision:
    """Marketing decides the construction amount; the construction contract is drafted, prefilled (HND-4, HND-5)."""
    from contracts.services import contract_create

    now = now or timezone.now()
    handoff = _lock(handoff_id)
    if handoff.state in (HandoffState.COSTING, HandoffState.REVIEW):
        raise HandoffError(
            _("A decision needs Finance's suggested amount first: the hand-off %(number)s is “%(state)s”.")
            % {"number": handoff.number, "state": handoff.get_state_display()})
    _require_state(handoff, HandoffState.NEGOTIATION, action=_("Decide the amount"))
    costing = handoff.costings.filter(state=CostingState.ACCEPTED).order_by("-version").first()
    if costing is None or costing.suggested_amount is None:
        raise HandoffError(_("A decision needs Finance's suggested amount first."))
    principal = acting_for(by, selectors.deciders(handoff))
    if principal is None:
        raise HandoffError(_("Only the contract's handler or Marketing leadership can decide the amount."))
    require_not_collection_only(by, work="handoffs")
    try:
        amount = parse_amount(amount, label=_("Decided construction amount"))
    except ValidationError as exc:
        raise ValidationError({"amount": exc.messages}) from None
    sales = handoff.contract
    main_amount = handoff.line.amount
    margin, percent = margin_of(main_amount, amount)
    template_version = construction_template_version()
    # The contract's notes are read by XXX too: no word of Party A's price or XX's margin (those stay on the
    # hand-off page, for Marketing and Finance).
    notes_for_contract = _(
        "Drafted from liaison sheet %(number)s. XXX costed %(costed)s; Finance suggested %(suggested)s; "
        "decided %(amount)s by %(who)s."
    ) % {"number": handoff.number, "suggested": format_yuan(costing.suggested_amount),
         "costed": format_yuan(costing.total), "amount": format_yuan(amount), "who": display_name(by)}
    summary = notes_for_contract + " " + _("Main-contract amount of the order line %(main)s; margin %(margin)s.") % {
        "main": format_yuan(main_amount),
        "margin": format_yuan(margin) + (f" ({percent}%)" if percent is not None else "")}
    try:
        with transaction.atomic():
            construction = contract_create(
                by=by, title=(_("Construction contract: %(title)s — %(line)s")
                              % {"title": sales.title, "line": handoff.line.description})[:150],
                kind=ContractKind.CONTRACT, direction=Direction.CONSTRUCTION, customer=None, region=sales.region,
                handler=sales.handler, amount=amount, starts_on=handoff.planned_start,
                ends_on=handoff.planned_finish, template_version=template_version,
                non_standard_reason="" if template_version else _(
                    "No standard text for construction sub-contracts yet; drafted from the liaison sheet."),
                drafted_by=DraftedBy.OURS, notes=notes_for_contract, lines=_construction_lines(handoff, amount),
            )
    except ValidationError as exc:
        raise HandoffError(
            [_("The construction contract could not be drafted; nothing was decided:"), *_flatten(exc)]) from None
    decision = Decision(
        handoff=handoff, state=DecisionState.CURRENT, costing=costing, amount=amount, main_amount=main_amount,
        suggested_amount=costing.suggested_amount, notes=(notes or "").strip(), decided_by=by,
        decided_for=principal if principal.pk != by.pk else None, decided_at=now, construction_contract=construction,
    )
    decision._change_reason = _on_behalf(by, principal) or _("amount decided")
    decision.save()
    handoff.state = HandoffState.CONTRACTING
    handoff.construction_contract = construction
    handoff._change_reason = _("decided %(amount)s; construction contract drafted") % {"amount": format_yuan(amount)}
    handoff.save()
    _notify(
        [sales.handler], key=event_key("handoff-decided", decision),
        subject=_("Construction contract for %(number)s drafted: check it and submit it for approval")
        % {"number": handoff.number},
        body=summary, url=construction.get_absolute_url(), work=work_key(construction, "submit"),
    )
    _notify(
        selectors.xxx_negotiators(), key=event_key("handoff-decided-xxx", decision),
        subject=_("Marketing decided %(amount)s for %(number)s") % {"amount": format_yuan(amount),
                                                                     "number": handoff.number},
        url=handoff.get_absolute_url(),
    )
    return decision


# --------------------------------------------------------------------------------------------------
# HND-5: the construction contract goes through the chain; the hand-off follows it
# --------------------------------------------------------------------------------------------------
@audited
@transaction.atomic
def construction_contract_changed(*, contract_id: int, new_state: str, by=None,
                                  now: datetime | None = None) -> Handoff | None:
    """Follow the construction contract: signed → the hand-off completes; withdrawn → back to the decision.

    Called by the ``contract_state_changed`` receiver after each transition; running it twice changes nothing.
    """
    now = now or timezone.now()
    handoff = (Handoff.objects.select_for_update().filter(construction_contract_id=contract_id).first())
    if handoff is None or handoff.state != HandoffState.CONTRACTING:
        return handoff
    if new_state in SIGNED_STATES:
        handoff.state = HandoffState.COMPLETED
        handoff.completed_at = now
        handoff._change_reason = _("construction contract signed")
        handoff.save()
        _notify(
            [handoff.contract.handler, handoff.issued_by, *selectors.xxx_negotiators()],
            key=event_key("handoff-completed", handoff),
            subject=_("Hand-off %(number)s completed: the construction contract is signed")
            % {"number": handoff.number},
            url=handoff.get_absolute_url(),
        )
    elif new_state == ContractState.CANCELLED:
        decision = handoff.decisions.select_for_update().filter(state=DecisionState.CURRENT).first()
        if decision is not None:
            decision.state = DecisionState.SUPERSEDED
            decision._change_reason = _("construction contract withdrawn")
            decision.save()
        handoff.state = HandoffState.NEGOTIATION
        handoff.construction_contract = None
        handoff._change_reason = _("construction contract withdrawn: decide again")
        handoff.save()
    return handoff


def on_contract_state_changed(sender, contract, old_state, new_state, by=None, **kwargs) -> None:
    """Receiver of ``contracts.signals.contract_state_changed`` (sent after the contract's commit)."""
    if contract.direction != Direction.CONSTRUCTION:
        return
    if new_state in SIGNED_STATES or new_state == ContractState.CANCELLED:
        construction_contract_changed(contract_id=contract.pk, new_state=new_state, by=by)


# --------------------------------------------------------------------------------------------------
