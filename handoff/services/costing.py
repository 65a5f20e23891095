"""HND-2, HND-3: XXX costs the sheet; Finance suggests the project amount or returns the costing for revision."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.audit import audited
from marketing_portal.deadlines import dated, deadline_track
from marketing_portal.files import attachments_add
from marketing_portal.money import CENT, MAX_AMOUNT, format_yuan, parse_amount
from marketing_portal.notifications import event_key, work_key
from marketing_portal.people import display_name
from marketing_portal.periods import period_end
from marketing_portal.policy import current_policy
from org.selectors import acting_for

from .. import selectors
from ..choices import (
    CostCategory,
    CostingState,
    HandoffState,
)
from ..models import Costing, CostLine, Handoff
from ._common import HandoffError, _check_uploads, _lock, _notify, _on_behalf, _parse_quantity, _require_state
from .sheets import _open_costing


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
            line_errors.append(ValidationError(_("%(label)s: choose the head of cost.") % {"label": label},
                                               code="category_required"))
        if not description:
            line_errors.append(ValidationError(_("%(label)s: describe the cost.") % {"label": label},
                                               code="description_required"))
        quantity = unit_price = None
        try:
            quantity = _parse_quantity(quantity_raw, label=_("%(label)s, quantity") % {"label": label})
        except ValidationError as exc:
            line_errors.extend(exc.error_list)
        try:
            unit_price = parse_amount(price_raw, label=_("%(label)s, unit price") % {"label": label},
                                      allow_zero=True)
        except ValidationError as exc:
            line_errors.extend(exc.error_list)
        unit = (raw.get("unit") or "").strip()
        if not unit:
            line_errors.append(ValidationError(_("%(label)s: enter the unit.") % {"label": label},
                                               code="unit_required"))
        if line_errors:
            errors.extend(line_errors)
            continue
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount >= MAX_AMOUNT:
            errors.append(ValidationError(_("%(label)s: the amount is too large.") % {"label": label},
                                          code="too_large"))
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
    deadline_track(costing, "review_due_on", start=submitted_on, days=policy.handoff_review_days)
    attachments_add(owner=costing, uploads=uploads, by=by, slot="costing")  # chosen together: separate files
    handoff.state = HandoffState.REVIEW
    handoff._change_reason = _("costing v%(v)s submitted to Finance") % {"v": costing.version}
    handoff.save()
    _notify(
        selectors.finance_reviewers(), key=event_key("handoff-costing", costing),
        subject=_("Costing of %(number)s to review by %(due)s: %(total)s")
        % {"number": handoff.number, "due": dated(costing.review_due_on), "total": format_yuan(total)},
        body=_("XXX (%(who)s) submitted costing version %(v)s of the liaison sheet %(number)s. The review is due by "
               "24:00 on %(due)s.")
        % {"who": display_name(by), "v": costing.version, "number": handoff.number,
           "due": dated(costing.review_due_on)},
        url=handoff.get_absolute_url(), work=work_key(costing, "review"),
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


def _stamp_review(costing: Costing, *, state: str, comment: str, by, principal, now, reason: str) -> None:
    costing.state = state
    costing.review_comment = comment
    costing.reviewed_at, costing.reviewed_by = now, by
    costing.reviewed_for = principal if principal.pk != by.pk else None
    costing._change_reason = _on_behalf(by, principal) or reason
    costing.save()


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
    costing.suggested_amount = amount
    _stamp_review(costing, state=CostingState.ACCEPTED, comment=(comment or "").strip(), by=by, principal=principal,
                  now=now, reason=_("amount suggested"))
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
        url=handoff.get_absolute_url(), work=work_key(handoff, "decide"),
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
    _stamp_review(costing, state=CostingState.RETURNED, comment=reason, by=by, principal=principal, now=now,
                  reason=_("returned for revision"))
    revision = _open_costing(handoff, version=costing.version + 1, now=now)
    handoff.state = HandoffState.COSTING
    handoff._change_reason = _("costing v%(v)s returned for revision") % {"v": costing.version}
    handoff.save()
    _notify(
        [*selectors.estimators(), costing.submitted_by], key=event_key("handoff-returned", costing),
        subject=_("Costing of %(number)s returned for revision: due again by %(due)s")
        % {"number": handoff.number, "due": dated(revision.due_on)},
        body=reason, url=handoff.get_absolute_url(), work=work_key(revision, "cost"),
    )
    return revision


# --------------------------------------------------------------------------------------------------
