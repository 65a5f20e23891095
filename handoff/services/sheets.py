"""HND-1: the technical liaison sheet — raised on a signed order line, numbered, documents added, withdrawn."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import SIGNED_STATES, Direction
from contracts.models import ContractLine
from contracts.selectors import visible_contract
from marketing_portal.audit import audited
from marketing_portal.deadlines import dated, deadline_track
from marketing_portal.files import attachment_add, attachments_add
from marketing_portal.notifications import event_key, work_key
from marketing_portal.numbering import format_number, next_number
from marketing_portal.people import display_name
from marketing_portal.periods import period_end
from marketing_portal.policy import current_policy
from org.rules import collection_only_reason, require_not_collection_only
from org.selectors import acting_for

from .. import selectors
from ..choices import (
    ACTIVE_STATES,
    CANCELLABLE_STATES,
    LIVE_COSTING_STATES,
    CostingState,
    HandoffState,
)
from ..models import Costing, Handoff, ScopeItem
from ._common import HandoffError, _check_uploads, _lock, _notify, _parse_quantity, _require_state


# HND-1: the technical liaison sheet
# --------------------------------------------------------------------------------------------------
def raise_problems(*, by, line: ContractLine) -> list[str]:
    """Why ``by`` cannot raise a sheet for ``line`` now (shown on the page before the user tries)."""
    problems = []
    blocked = collection_only_reason(by, work="handoffs")
    if blocked:
        problems.append(blocked)
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
    costing = Costing.objects.create(
        handoff=handoff, version=version, state=CostingState.OPEN, opened_at=now, received_on=received_on,
        due_on=period_end(received_on, days=policy.handoff_costing_days), policy_version=policy.version,
    )
    deadline_track(costing, "due_on", start=received_on, days=policy.handoff_costing_days)
    return costing


@audited
@transaction.atomic
def handoff_create(*, by, line_id: int, site: str, requirements: str, planned_start: date | None,
                   planned_finish: date | None, scope_items: Iterable[dict], site_contact: str = "",
                   schedule_notes: str = "", attachments: Iterable = (), now: datetime | None = None) -> Handoff:
    """Marketing issues a technical liaison sheet to XXX on an order line of a signed sales contract (HND-1)."""
    now = now or timezone.now()
    require_not_collection_only(by, work="handoffs")
    try:
        # The line is locked so two people raising a sheet for it at once are served one after the other.
        line = ContractLine.objects.select_for_update(of=("self",)).select_related("contract__customer").get(
            pk=line_id)
    except ContractLine.DoesNotExist:
        raise HandoffError(_("This order line does not exist.")) from None
    if not visible_contract(by, line.contract_id).exists():
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
    attachments_add(owner=handoff, uploads=uploads, by=by, slot="sheet")  # chosen together: separate files
    costing = _open_costing(handoff, version=1, now=now)
    _notify(
        selectors.estimators(), key=event_key("handoff-sheet", handoff),
        subject=_("Liaison sheet %(number)s: cost “%(line)s” by %(due)s")
        % {"number": handoff.number, "line": line.description, "due": dated(costing.due_on)},
        body=_("Marketing (%(who)s) issued the technical liaison sheet %(number)s for %(party_a)s. The costing is "
               "due by 24:00 on %(due)s.")
        % {"who": display_name(by), "number": handoff.number, "party_a": handoff.party_a,
           "due": dated(costing.due_on)},
        url=handoff.get_absolute_url(), work=work_key(costing, "cost"),
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
