"""Every write of the hand-off to XXX (SPEC HND-1...6).

Each service takes keyword-only arguments, runs in one transaction, locks the hand-off row it changes
(``select_for_update``), checks the state and who acts (delegation through ``org.selectors.acting_for``),
raises a translated ``ValidationError`` when anything is wrong — in which case nothing is stored — and
sends notifications after the commit. ``now`` exists for tests and demo data (the moment the event
happened); pages never pass it.

Deadlines (CAL-3): XXX's costing is due ``period_end(received, days=policy.handoff_costing_days)`` and
Finance's review ``period_end(submitted, days=policy.handoff_review_days)``, with dates taken in
Asia/Shanghai; each period stores the policy version it used. A return for revision opens the next
costing version, whose period starts on the return date.

Reminders (``deadlines_sweep``, run hourly by Celery beat): on the due day at the policy's hours
(default 09:00 and 15:00 Beijing time) the party that must act is reminded; once the due day has ended
the late party's head and the Marketing Director (and the party itself) are alerted. Each notice has its
own key (hand-off costing version, stage, kind), so it is sent once however often the sweep runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import SIGNED_STATES, ContractKind, ContractState, Direction, DraftedBy
from contracts.models import ContractLine, ContractTemplate
from contracts.selectors import contracts_visible_to
from marketing_portal.audit import audited
from marketing_portal.files import DEFAULT_ALLOWED, attachment_add, validate_upload
from marketing_portal.money import format_yuan
from marketing_portal.notifications import event_key, notify_many
from marketing_portal.numbering import format_number, next_number
from marketing_portal.people import display_name
from marketing_portal.periods import period_end
from marketing_portal.policy import current_policy
from org.roles import Role
from org.selectors import acting_for, delegates_of, is_collection_only, person_of, resolve

from . import selectors
from .choices import (
    ACTIVE_STATES,
    CANCELLABLE_STATES,
    LIVE_COSTING_STATES,
    CostCategory,
    CostingState,
    DecisionState,
    HandoffState,
    Party,
)
from .models import Costing, CostLine, Decision, Handoff, NegotiationRound, ScopeItem, margin_of

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e12")


class HandoffError(ValidationError):
    """A step that may not be taken now, or not by this person."""




def _on_behalf(by, principal) -> str:
    if principal is not None and principal.pk != by.pk:
        return _("%(by)s on behalf of %(principal)s") % {"by": display_name(by), "principal": display_name(principal)}
    return ""


def _lock(handoff_id: int) -> Handoff:
    try:
        return Handoff.objects.select_for_update(of=("self",)).select_related("contract", "line").get(
            pk=handoff_id)
    except Handoff.DoesNotExist:
        raise HandoffError(_("This hand-off does not exist.")) from None


def _require_state(handoff: Handoff, *states: str, action: str) -> None:
    if handoff.state not in states:
        raise HandoffError(
            _("“%(action)s” cannot be done now: the hand-off %(number)s is “%(state)s”. Steps cannot be skipped "
              "or repeated; reload the page to see where it stands.")
            % {"action": action, "number": handoff.number, "state": handoff.get_state_display()}
        )


def _require_not_collection_only(by) -> None:
    """RCV-8: a person on collection-only duty cannot raise hand-offs; the message says why."""
    if is_collection_only(by):
        person = person_of(by)
        reason = person.duty_status_reason if person and person.duty_status_reason else _("no reason recorded")
        raise HandoffError(
            _("You are on collection-only duty (%(reason)s): you can invoice and collect, but you cannot raise "
              "hand-offs to XXX until the Marketing Director lifts it.") % {"reason": reason}
        )


def _notify(recipients, *, key: str, subject: str, body: str = "", url: str = "") -> None:
    """Notify the people and whoever acts for them today, once per key, after the commit."""
    people = [u for u in recipients if u is not None]
    everyone = people + delegates_of(people)
    transaction.on_commit(lambda: notify_many(recipients=everyone, key=key, subject=subject, body=body, url=url))


def parse_amount(value, *, label: str, allow_zero: bool = False) -> Decimal:
    """An amount in yuan from user input, rounded to the fen; a clear message when it is not one."""
    text = str(value).strip().replace(",", "").replace("，", "") if value is not None else ""
    if text.startswith("¥"):
        text = text[1:]
    try:
        amount = Decimal(text)
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        if not text:
            raise ValidationError(_("%(label)s: enter an amount in yuan.") % {"label": label}) from None
        raise ValidationError(
            _("%(label)s: “%(value)s” is not an amount; enter a number such as 125000.00.")
            % {"label": label, "value": value}) from None
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValidationError(_("%(label)s cannot be negative.") % {"label": label})
    if amount == 0 and not allow_zero:
        raise ValidationError(_("%(label)s must be greater than zero.") % {"label": label})
    if amount >= MAX_AMOUNT:
        raise ValidationError(_("%(label)s is too large.") % {"label": label})
    return amount


def _parse_quantity(value, *, label: str) -> Decimal:
    text = str(value).strip() if value is not None else ""
    try:
        quantity = Decimal(text)
        if not quantity.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(label)s: “%(value)s” is not a quantity; enter a number such as 2 or 1.5.")
            % {"label": label, "value": value}) from None
    if quantity <= 0:
        raise ValidationError(_("%(label)s must be greater than zero.") % {"label": label})
    if quantity != quantity.quantize(Decimal("0.001")) or quantity >= Decimal("1e9"):
        raise ValidationError(_("%(label)s: at most three decimals and less than a billion.") % {"label": label})
    return quantity


def _check_uploads(uploads) -> list:
    uploads = [u for u in (uploads or ()) if u]
    for upload in uploads:
        validate_upload(upload, allowed=DEFAULT_ALLOWED)
    return uploads


# --------------------------------------------------------------------------------------------------
# HND-1: the technical liaison sheet
# --------------------------------------------------------------------------------------------------
def raise_problems(*, by, line: ContractLine) -> list[str]:
    """Why ``by`` cannot raise a sheet for ``line`` now (shown on the page before the user tries)."""
    problems = []
    if is_collection_only(by):
        try:
            _require_not_collection_only(by)
        except HandoffError as exc:
            problems.extend(exc.messages)
    contract = line.contract
    if contract.direction != Direction.SALES:
        problems.append(_("Liaison sheets are raised on sales contracts only."))
    elif contract.state not in SIGNED_STATES:
        problems.append(_("The sales contract “%(title)s” is “%(state)s”: a liaison sheet needs a signed contract.")
                        % {"title": contract.title, "state": contract.get_state_display()})
    if not selectors.may_raise_for(by, contract):
        problems.append(_("Only the contract's handler, the Marketing office or the region's manager can issue a "
                          "liaison sheet for it."))
    existing = Handoff.objects.filter(line=line, state__in=ACTIVE_STATES).first()
    if existing is not None:
        problems.append(
            _("The order line “%(line)s” already has the liaison sheet %(number)s (%(state)s); a second sheet for "
              "the same order line is not allowed. Withdraw that sheet first if its requirements changed.")
            % {"line": line.description, "number": existing.number, "state": existing.get_state_display()})
    return problems


def _clean_scope(items, errors: dict) -> list[dict]:
    cleaned = []
    for index, raw in enumerate(items or (), start=1):
        description = (raw.get("description") or "").strip()
        if not description and not str(raw.get("quantity") or "").strip():
            continue  # an empty row of the form
        label = _("Scope item %(n)s") % {"n": index}
        if not description:
            errors.setdefault("scope_items", []).append(_("%(label)s: describe the item.") % {"label": label})
            continue
        try:
            quantity = _parse_quantity(raw.get("quantity"), label=label)
        except ValidationError as exc:
            errors.setdefault("scope_items", []).extend(exc.messages)
            continue
        unit = (raw.get("unit") or "").strip()
        if not unit:
            errors.setdefault("scope_items", []).append(_("%(label)s: enter the unit (e.g. 台, 米, 项).")
                                                        % {"label": label})
            continue
        cleaned.append({
            "position": len(cleaned) + 1, "description": description[:200],
            "specification": (raw.get("specification") or "").strip()[:200], "quantity": quantity,
            "unit": unit[:12], "notes": (raw.get("notes") or "").strip()[:200],
        })
    if not cleaned and "scope_items" not in errors:
        errors["scope_items"] = [_("List at least one scope item with its quantity.")]
    return cleaned


# Liaison-sheet numbers (JL-2026-0001): one gap-free series per year (marketing_portal.numbering); the
# 10,000th sheet of a year is JL-2026-10000.
SHEET_SERIES = "liaison"
SHEET_NUMBER = "JL-{year}-{seq:04d}"


def _next_number(year: int) -> str:
    """Take the next sheet number inside the storing transaction (the counter row is locked until it commits)."""
    return format_number(SHEET_NUMBER, year=year, seq=next_number(SHEET_SERIES, year))


def _open_costing(handoff: Handoff, *, version: int, now: datetime) -> Costing:
    """Start XXX's period: received today (Beijing date), due at the end of the policy's period."""
    policy = current_policy()
    received_on = timezone.localdate(now)
    return Costing.objects.create(
        handoff=handoff, version=version, state=CostingState.OPEN, opened_at=now, received_on=received_on,
        due_on=period_end(received_on, days=policy.handoff_costing_days), policy_version=policy.version,
    )


@audited
@transaction.atomic
def handoff_create(*, by, line_id: int, site: str, requirements: str, planned_start: date | None,
                   planned_finish: date | None, scope_items: Iterable[dict], site_contact: str = "",
                   schedule_notes: str = "", attachments: Iterable = (), now: datetime | None = None) -> Handoff:
    """Marketing issues a technical liaison sheet to XXX on an order line of a signed sales contract (HND-1)."""
    now = now or timezone.now()
    _require_not_collection_only(by)
    try:
        # The line is locked so two people raising a sheet for it at once are served one after the other.
        line = ContractLine.objects.select_for_update(of=("self",)).select_related("contract__customer").get(
            pk=line_id)
    except ContractLine.DoesNotExist:
        raise HandoffError(_("This order line does not exist.")) from None
    if not contracts_visible_to(by).filter(pk=line.contract_id).exists():
        raise HandoffError(_("This order line does not exist."))
    problems = raise_problems(by=by, line=line)
    if problems:
        raise HandoffError(problems)
    errors: dict[str, list] = {}
    site = (site or "").strip()
    if not site:
        errors["site"] = [_("Enter the site where XXX is to work.")]
    requirements = (requirements or "").strip()
    if not requirements:
        errors["requirements"] = [_("Write down Party A's specific requirements.")]
    if planned_start is None:
        errors["planned_start"] = [_("Enter the planned start.")]
    if planned_finish is None:
        errors["planned_finish"] = [_("Enter the planned completion.")]
    if planned_start and planned_finish and planned_finish < planned_start:
        errors["planned_finish"] = [_("The planned completion is before the planned start.")]
    items = _clean_scope(scope_items, errors)
    try:
        uploads = _check_uploads(attachments)
    except ValidationError as exc:
        errors["attachments"] = exc.messages
    if errors:
        raise ValidationError(errors)
    year = timezone.localdate(now).year
    try:
        with transaction.atomic():
            handoff = Handoff(
                number=_next_number(year), contract=line.contract, line=line, state=HandoffState.COSTING,
                party_a=line.contract.customer.name if line.contract.customer_id else "",
                site=site[:200], site_contact=(site_contact or "").strip()[:100], requirements=requirements,
                planned_start=planned_start, planned_finish=planned_finish,
                schedule_notes=(schedule_notes or "").strip()[:300], issued_by=by, issued_at=now,
            )
            handoff._change_reason = _("liaison sheet issued")
            handoff.save()
    except IntegrityError:
        problems = raise_problems(by=by, line=line)  # the line got an active sheet at the same moment
        if not problems:
            raise
        raise HandoffError(problems) from None
    for item in items:
        ScopeItem.objects.create(handoff=handoff, **item)
    for upload in uploads:
        attachment_add(owner=handoff, upload=upload, by=by, slot="sheet")
    costing = _open_costing(handoff, version=1, now=now)
    _notify(
        selectors.estimators(), key=event_key("handoff-sheet", handoff),
        subject=_("Liaison sheet %(number)s: cost “%(line)s” by %(due)s")
        % {"number": handoff.number, "line": line.description, "due": costing.due_on.isoformat()},
        body=_("Marketing (%(who)s) issued the technical liaison sheet %(number)s for %(party_a)s. The costing is "
               "due by 24:00 on %(due)s.")
        % {"who": display_name(by), "number": handoff.number, "party_a": handoff.party_a,
           "due": costing.due_on.isoformat()},
        url=handoff.get_absolute_url(),
    )
    return handoff


@audited
@transaction.atomic
def handoff_attach(*, by, handoff_id: int, upload) -> None:
    """Marketing adds a document to an open sheet (drawings, Party A's letters); files are never replaced."""
    handoff = _lock(handoff_id)
    if not handoff.is_open:
        raise HandoffError(_("The hand-off is closed; no more documents can be added."))
    if acting_for(by, selectors.marketing_side(handoff)) is None:
        raise HandoffError(_("Only Marketing can add documents to the liaison sheet."))
    attachment_add(owner=handoff, upload=upload, by=by, slot="sheet")


@audited
@transaction.atomic
def handoff_cancel(*, by, handoff_id: int, reason: str, now: datetime | None = None) -> Handoff:
    """Marketing withdraws a sheet (the order was cancelled, or the requirements changed) before the decision."""
    now = now or timezone.now()
    handoff = _lock(handoff_id)
    _require_state(handoff, *CANCELLABLE_STATES, action=_("Withdraw the sheet"))
    principal = acting_for(by, selectors.marketing_side(handoff))
    if principal is None:
        raise HandoffError(_("Only Marketing (the handler or the Marketing office) can withdraw a liaison sheet."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the sheet is withdrawn.")]})
    for costing in handoff.costings.select_for_update().filter(state__in=LIVE_COSTING_STATES):
        costing.state = CostingState.CANCELLED
        costing._change_reason = _("hand-off withdrawn")
        costing.save()
    handoff.state = HandoffState.CANCELLED
    handoff.cancelled_at, handoff.cancelled_by, handoff.cancel_reason = now, by, reason[:300]
    handoff._change_reason = (_("withdrawn: %(reason)s") % {"reason": reason})[:100]
    handoff.save()
    _notify(
        selectors.estimators() + selectors.finance_reviewers() + selectors.xxx_negotiators(),
        key=event_key("handoff-cancelled", handoff),
        subject=_("Liaison sheet %(number)s was withdrawn") % {"number": handoff.number},
        body=reason, url=handoff.get_absolute_url(),
    )
    return handoff


# --------------------------------------------------------------------------------------------------
# HND-2: XXX costs the project
# --------------------------------------------------------------------------------------------------
def clean_cost_lines(lines) -> tuple[list[dict], Decimal]:
    """Validate cost lines: a head of cost, a description, a positive quantity, a unit price not negative.

    Raises one ``ValidationError`` naming every bad line; returns the lines and their total otherwise.
    """
    errors: list[str] = []
    cleaned: list[dict] = []
    for index, raw in enumerate(lines or (), start=1):
        description = (raw.get("description") or "").strip()
        quantity_raw, price_raw = raw.get("quantity"), raw.get("unit_price")
        if not description and not str(quantity_raw or "").strip() and not str(price_raw or "").strip():
            continue  # an empty row of the form
        label = _("Cost line %(n)s") % {"n": index}
        line_errors = []
        category = raw.get("category") or ""
        if category not in CostCategory.values:
            line_errors.append(_("%(label)s: choose the head of cost.") % {"label": label})
        if not description:
            line_errors.append(_("%(label)s: describe the cost.") % {"label": label})
        quantity = unit_price = None
        try:
            quantity = _parse_quantity(quantity_raw, label=_("%(label)s, quantity") % {"label": label})
        except ValidationError as exc:
            line_errors.extend(exc.messages)
        try:
            unit_price = parse_amount(price_raw, label=_("%(label)s, unit price") % {"label": label},
                                      allow_zero=True)
        except ValidationError as exc:
            line_errors.extend(exc.messages)
        unit = (raw.get("unit") or "").strip()
        if not unit:
            line_errors.append(_("%(label)s: enter the unit.") % {"label": label})
        if line_errors:
            errors.extend(line_errors)
            continue
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount >= MAX_AMOUNT:
            errors.append(_("%(label)s: the amount is too large.") % {"label": label})
            continue
        cleaned.append({"position": len(cleaned) + 1, "category": category, "description": description[:200],
                        "quantity": quantity, "unit": unit[:12], "unit_price": unit_price, "amount": amount})
    if errors:
        raise ValidationError({"lines": errors})
    if not cleaned:
        raise ValidationError({"lines": [_("Enter at least one cost line.")]})
    total = sum((ln["amount"] for ln in cleaned), Decimal("0"))
    if total <= 0:
        raise ValidationError({"lines": [_("The cost lines add up to zero; a costing needs a total.")]})
    if total >= MAX_AMOUNT:
        raise ValidationError({"lines": [_("The total is too large.")]})
    return cleaned, total


def _live_costing(handoff: Handoff, state: str, costing_id: int | None, action: str) -> Costing:
    costing = handoff.costings.select_for_update().filter(state=state).order_by("-version").first()
    if costing is None or (costing_id and costing.pk != costing_id):
        raise HandoffError(
            _("“%(action)s”: the costing you saw is no longer the one waiting (it was submitted, reviewed or "
              "returned meanwhile). Nothing was changed; reload the page.") % {"action": action})
    return costing


@audited
@transaction.atomic
def costing_submit(*, by, handoff_id: int, lines: Iterable[dict], notes: str = "", attachments: Iterable = (),
                   costing_id: int | None = None, now: datetime | None = None) -> Costing:
    """XXX submits its costing (cost lines and total) to Finance; Finance's period starts (HND-2, HND-3)."""
    now = now or timezone.now()
    handoff = _lock(handoff_id)
    _require_state(handoff, HandoffState.COSTING, action=_("Submit the costing"))
    principal = acting_for(by, selectors.estimators())
    if principal is None:
        raise HandoffError(_("Only XXX's cost estimators (or someone they delegated to) can cost a liaison sheet."))
    costing = _live_costing(handoff, CostingState.OPEN, costing_id, _("Submit the costing"))
    cleaned, total = clean_cost_lines(lines)
    try:
        uploads = _check_uploads(attachments)
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from None
    for line in cleaned:
        CostLine.objects.create(costing=costing, **line)
    policy = current_policy()
    submitted_on = timezone.localdate(now)
    costing.total = total
    costing.notes = (notes or "").strip()
    costing.state = CostingState.SUBMITTED
    costing.submitted_at, costing.submitted_by = now, by
    costing.submitted_for = principal if principal.pk != by.pk else None
    costing.review_received_on = submitted_on
    costing.review_due_on = period_end(submitted_on, days=policy.handoff_review_days)
    costing.review_policy_version = policy.version
    costing._change_reason = _on_behalf(by, principal) or _("costing submitted")
    costing.save()
    for upload in uploads:
        attachment_add(owner=costing, upload=upload, by=by, slot="costing")
    handoff.state = HandoffState.REVIEW
    handoff._change_reason = _("costing v%(v)s submitted to Finance") % {"v": costing.version}
    handoff.save()
    _notify(
        selectors.finance_reviewers(), key=event_key("handoff-costing", costing),
        subject=_("Costing of %(number)s to review by %(due)s: %(total)s")
        % {"number": handoff.number, "due": costing.review_due_on.isoformat(), "total": format_yuan(total)},
        body=_("XXX (%(who)s) submitted costing version %(v)s of the liaison sheet %(number)s. The review is due by "
               "24:00 on %(due)s.")
        % {"who": display_name(by), "v": costing.version, "number": handoff.number,
           "due": costing.review_due_on.isoformat()},
        url=handoff.get_absolute_url(),
    )
    return costing


# --------------------------------------------------------------------------------------------------
# HND-3: Finance reviews
# --------------------------------------------------------------------------------------------------
def _finance_actor(by):
    principal = acting_for(by, selectors.finance_reviewers())
    if principal is None:
        raise HandoffError(_("Only Finance (a finance reviewer or the head of Finance, or someone they delegated to) "
                             "can review a costing."))
    return principal


@audited
@transaction.atomic
def costing_suggest(*, by, handoff_id: int, suggested_amount, comment: str = "", costing_id: int | None = None,
                    now: datetime | None = None) -> Costing:
    """Finance accepts the costing and sends the suggested project amount to Marketing and XXX (HND-3)."""
    now = now or timezone.now()
    handoff = _lock(handoff_id)
    _require_state(handoff, HandoffState.REVIEW, action=_("Review the costing"))
    principal = _finance_actor(by)
    costing = _live_costing(handoff, CostingState.SUBMITTED, costing_id, _("Review the costing"))
    try:
        amount = parse_amount(suggested_amount, label=_("Suggested project amount"))
    except ValidationError as exc:
        raise ValidationError({"suggested_amount": exc.messages}) from None
    costing.state = CostingState.ACCEPTED
    costing.suggested_amount = amount
    costing.review_comment = (comment or "").strip()
    costing.reviewed_at, costing.reviewed_by = now, by
    costing.reviewed_for = principal if principal.pk != by.pk else None
    costing._change_reason = _on_behalf(by, principal) or _("amount suggested")
    costing.save()
    handoff.state = HandoffState.NEGOTIATION
    handoff._change_reason = _("Finance suggested %(amount)s") % {"amount": format_yuan(amount)}
    handoff.save()
    _notify(
        [handoff.contract.handler, handoff.issued_by, *selectors.decision_followers(), *selectors.xxx_negotiators(),
         costing.submitted_by],
        key=event_key("handoff-suggested", costing),
        subject=_("Finance suggests %(amount)s for %(number)s") % {"amount": format_yuan(amount),
                                                                   "number": handoff.number},
        body=_("XXX costed %(total)s. XXX now brings the contract documents to Marketing to negotiate; Marketing "
               "decides the amount.") % {"total": format_yuan(costing.total)},
        url=handoff.get_absolute_url(),
    )
    return costing


@audited
@transaction.atomic
def costing_return(*, by, handoff_id: int, reason: str, costing_id: int | None = None,
                   now: datetime | None = None) -> Costing:
    """Finance returns the costing for revision: the next version opens and XXX's period restarts today."""
    now = now or timezone.now()
    handoff = _lock(handoff_id)
    _require_state(handoff, HandoffState.REVIEW, action=_("Return the costing"))
    principal = _finance_actor(by)
    costing = _live_costing(handoff, CostingState.SUBMITTED, costing_id, _("Return the costing"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"comment": [_("Say what XXX must revise.")]})
    costing.state = CostingState.RETURNED
    costing.review_comment = reason
    costing.reviewed_at, costing.reviewed_by = now, by
    costing.reviewed_for = principal if principal.pk != by.pk else None
    costing._change_reason = _on_behalf(by, principal) or _("returned for revision")
    costing.save()
    revision = _open_costing(handoff, version=costing.version + 1, now=now)
    handoff.state = HandoffState.COSTING
    handoff._change_reason = _("costing v%(v)s returned for revision") % {"v": costing.version}
    handoff.save()
    _notify(
        [*selectors.estimators(), costing.submitted_by], key=event_key("handoff-returned", costing),
        subject=_("Costing of %(number)s returned for revision: due again by %(due)s")
        % {"number": handoff.number, "due": revision.due_on.isoformat()},
        body=reason, url=handoff.get_absolute_url(),
    )
    return revision


# --------------------------------------------------------------------------------------------------
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
    for upload in uploads:
        attachment_add(owner=record, upload=upload, by=by, slot="documents")
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
    _require_not_collection_only(by)
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
        body=summary, url=construction.get_absolute_url(),
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
# HND-6: reminders before each due time, overdue alerts to the late party's head and the Marketing Director
# --------------------------------------------------------------------------------------------------
def _stage_notice(*, costing: Costing, stage: str, due_on: date, today: date, hour: int, hours: list[int]):
    """The notice due for one stage of one costing at this hour: (key, late?, subject, body) or None."""
    handoff = costing.handoff
    names = {"costing": _("XXX costing"), "review": _("Finance review")}
    values = {"number": handoff.number, "stage": names[stage], "due": due_on.isoformat(),
              "line": handoff.line.description, "v": costing.version}
    if today == due_on:
        passed = [h for h in hours if hour >= h]
        if not passed:
            return None
        mark = max(passed)  # after a pause of the beat only the latest reminder goes out, not a burst
        return (event_key("handoff-remind", costing, stage, f"h{mark}"), False,
                _("Reminder: %(stage)s of %(number)s is due today (%(due)s) by 24:00") % values,
                _("Liaison sheet %(number)s, %(line)s, costing version %(v)s.") % values)
    if today > due_on:
        return (event_key("handoff-overdue", costing, stage), True,
                _("Overdue: %(stage)s of %(number)s was due on %(due)s") % values,
                _("Liaison sheet %(number)s, %(line)s, costing version %(v)s, is waiting for %(stage)s since the end "
                  "of %(due)s.") % values)
    return None


def _unique(users) -> list:
    return list({u.pk: u for u in users if u is not None}.values())


def deadlines_sweep(*, now: datetime | None = None) -> int:
    """Send the reminders and overdue alerts that are due at ``now``; each goes out once. Returns how many.

    Reminders go to the party that must act (and whoever acts for them today); overdue alerts also to the
    party's head and the Marketing Director. Notices already delivered are skipped before trying, so the
    hourly re-runs stay cheap however many periods are overdue (the unique key stays the backstop).
    """
    from marketing_portal.models import Notification

    now = now or timezone.now()
    local = timezone.localtime(now)
    today, hour = local.date(), local.hour
    hours = sorted(current_policy().handoff_reminder_hours)
    director = resolve(Role.MARKETING_DIRECTOR)
    parties = {}
    for party, people in ((Party.XXX, selectors.estimators()), (Party.FINANCE, selectors.finance_reviewers())):
        acting = _unique(people + delegates_of(people))
        parties[party] = (acting, _unique(acting + selectors.party_heads(party) + director))
    due = []
    for costing in (Costing.objects.filter(state=CostingState.OPEN, handoff__state=HandoffState.COSTING,
                                           due_on__lte=today).select_related("handoff__line")):
        notice = _stage_notice(costing=costing, stage="costing", due_on=costing.due_on, today=today, hour=hour,
                               hours=hours)
        if notice:
            due.append((costing, Party.XXX, notice))
    for costing in (Costing.objects.filter(state=CostingState.SUBMITTED, handoff__state=HandoffState.REVIEW,
                                           review_due_on__lte=today).select_related("handoff__line")):
        notice = _stage_notice(costing=costing, stage="review", due_on=costing.review_due_on, today=today,
                               hour=hour, hours=hours)
        if notice:
            due.append((costing, Party.FINANCE, notice))
    delivered = set()
    keys = [notice[0] for _c, _p, notice in due]
    for chunk in range(0, len(keys), 1000):
        delivered.update(Notification.objects.filter(key__in=keys[chunk:chunk + 1000])
                         .values_list("recipient_id", "key"))
    sent = 0
    for costing, party, (key, late, subject, body) in due:
        acting, alerted = parties[party]
        recipients = [u for u in (alerted if late else acting) if (u.pk, key) not in delivered]
        if recipients:
            sent += notify_many(recipients=recipients, key=key, subject=subject, body=body,
                                url=costing.handoff.get_absolute_url())
    return sent
