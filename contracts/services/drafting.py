"""Drafting, changing, withdrawing and submitting contracts, and agreements that change a signed one
(SPEC CON-1…5, CON-11)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.files import DEFAULT_ALLOWED, attachment_add, latest_attachment
from marketing_portal.money import CENT, AmountError, format_yuan, parse_amount
from marketing_portal.numbering import format_number, next_number
from marketing_portal.people import display_name
from marketing_portal.periods import raw_period_end
from marketing_portal.policy import current_policy
from org.rules import require_not_collection_only
from org.selectors import regions_of

from .. import selectors
from ..choices import (
    SIGNED_STATES,
    TEXT_SLOT,
    ContractKind,
    ContractState,
    Direction,
    DraftedBy,
    Relation,
    StepKind,
    StepStatus,
)
from ..models import Contract, ContractLine, Customer, TemplateVersion
from ..rules import allowed, is_eligible_handler
from .common import WorkflowError, lock_contract, require, set_state, stored
from .steps import notify_copied, open_step


def _clean_lines(lines, errors) -> list[dict]:
    cleaned = []
    for index, raw in enumerate(lines or (), start=1):
        description = (raw.get("description") or "").strip()
        if not description:
            errors.setdefault("lines", []).append(_("Line %(n)s: enter a description.") % {"n": index})
            continue
        try:
            quantity = Decimal(str(raw.get("quantity"))).quantize(Decimal("0.001"))
            if not quantity.is_finite():
                raise InvalidOperation
            unit_price = parse_amount(raw.get("unit_price"), allow_zero=True, allow_negative=True)
        except (InvalidOperation, ValueError, TypeError, AmountError):
            errors.setdefault("lines", []).append(ValidationError(
                _("Line %(n)s: enter a quantity and a unit price.") % {"n": index}, code="line_invalid"))
            continue
        if quantity <= 0 or unit_price < 0:
            errors.setdefault("lines", []).append(ValidationError(
                _("Line %(n)s: the quantity must be positive and the price not negative.") % {"n": index},
                code="line_negative"))
            continue
        amount = raw.get("amount")
        try:
            amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP) if amount in (None, "") else \
                parse_amount(amount, allow_zero=True)
        except AmountError as exc:
            errors.setdefault("lines", []).append(ValidationError(
                _("Line %(n)s: %(error)s") % {"n": index, "error": exc.messages[0]}, code=exc.code))
            continue
        cleaned.append({
            "position": index, "description": description,
            "specification": (raw.get("specification") or "").strip(), "quantity": quantity,
            "unit": (raw.get("unit") or "").strip() or _("set"), "unit_price": unit_price, "amount": amount,
        })
    return cleaned


def _check_draft(data: dict, by, *, parent: Contract | None = None) -> dict:
    """Validate the fields of a draft; returns them cleaned or raises one ValidationError listing everything."""
    errors: dict[str, list] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Enter a title.")]
    if data.get("kind") not in ContractKind.values:
        errors["kind"] = [_("Choose the kind of contract.")]
    direction = data.get("direction")
    if direction not in Direction.values:
        errors["direction"] = [_("Choose sales contract or construction sub-contract.")]
    customer = data.get("customer")
    if direction == Direction.SALES and customer is None:
        errors["customer"] = [_("A sales contract needs a customer.")]
    if direction == Direction.CONSTRUCTION and customer is not None:
        errors["customer"] = [_("A construction sub-contract is with XXX: leave the customer empty.")]
    region = data.get("region") or (customer.region if customer is not None else None)
    if region is None:
        errors["region"] = [_("Choose the region.")]
    relation = data.get("relation") or ""
    try:
        # A termination agreement may settle without any payment; every other contract has an amount.
        amount = parse_amount(data.get("amount"), label=_("Amount"), allow_zero=relation == Relation.TERMINATION)
    except AmountError as exc:
        errors.setdefault("amount", []).append(exc)
        amount = None
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on is None:
        errors["starts_on"] = [_("Enter the date the term starts.")]
    if ends_on is None:
        errors["ends_on"] = [_("Enter the date the term ends.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The term ends before it starts.")]
    template_version = data.get("template_version")
    reason = (data.get("non_standard_reason") or "").strip()
    if template_version is None and not reason:
        errors["non_standard_reason"] = [_("Choose a standard template, or say why this text is non-standard.")]
    if template_version is not None and not template_version.active:
        errors["template_version"] = [_("This template version has been replaced; choose the current version.")]
    if template_version is not None:
        reason = ""
    if data.get("drafted_by", DraftedBy.OURS) not in DraftedBy.values:
        errors["drafted_by"] = [_("Say who drafted the text.")]
    handler = data.get("handler") or by
    if not is_eligible_handler(handler):
        errors["handler"] = [_("The handler must be an on-site salesperson or a sales manager.")]
    elif handler.pk != by.pk and not allowed(by, "contracts.assign_handler"):
        errors["handler"] = [_("Marketing assigns handlers; you can only draft contracts you handle yourself.")]
    if region is not None and not allowed(by, "contracts.draft_for_any_region"):
        if region.pk not in {r.pk for r in regions_of(by)}:
            errors["region"] = [_("You can only draft contracts for your own region.")]
    policy = current_policy()
    retention = data.get("retention_percent")
    retention = policy.retention_percent if retention in (None, "") else retention
    try:
        retention = Decimal(str(retention)).quantize(CENT)
        if not 0 <= retention <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["retention_percent"] = [_("The retention money is a percentage between 0 and 100.")]
    warranty = data.get("warranty_months")
    warranty = policy.warranty_months if warranty in (None, "") else warranty
    try:
        warranty = int(warranty)
        if not 0 <= warranty <= 120:
            raise ValueError
    except (ValueError, TypeError):
        errors["warranty_months"] = [_("The warranty period is a number of months between 0 and 120.")]
    lines = _clean_lines(data.get("lines"), errors)
    for key in ("legal_participant", "technical_participant"):
        person = data.get(key)
        if person is not None and not person.is_active:
            errors[key] = [_("This person's account is disabled.")]
        elif person is not None and not selectors.participants_for(key).filter(pk=person.pk).exists():
            errors[key] = [_("%(name)s is not legal staff and cannot be the legal participant.")
                           % {"name": display_name(person)} if key == "legal_participant" else
                           _("%(name)s is not technical staff and cannot be the technical participant.")
                           % {"name": display_name(person)}]
    cc = list(data.get("cc") or ())
    if any(not person.is_active for person in cc):
        errors["cc"] = [_("This person's account is disabled.")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title, "kind": data["kind"], "direction": direction, "customer": customer, "region": region,
        "handler": handler, "amount": amount, "starts_on": starts_on, "ends_on": ends_on,
        "template_version": template_version, "non_standard_reason": reason,
        "drafted_by": data.get("drafted_by", DraftedBy.OURS), "is_foreign": bool(data.get("is_foreign")),
        "legal_participant": data.get("legal_participant"), "technical_participant": data.get("technical_participant"),
        "payment_terms": (data.get("payment_terms") or "").strip(), "notes": (data.get("notes") or "").strip(),
        "retention_percent": retention, "warranty_months": warranty, "lines": lines, "cc": cc,
    }


# The contract's own number from its first draft on (合同序号 on the approval form); the archive number comes when
# the original is filed. One gap-free series for the whole portal per year.
SERIAL_SERIES = "contract"
SERIAL_PATTERN = "HT-{year}-{seq:05d}"


def next_serial_number() -> str:
    year = timezone.localdate().year
    return format_number(SERIAL_PATTERN, year=year, seq=next_number(SERIAL_SERIES, year))


def _write_lines(contract: Contract, lines: list[dict]) -> None:
    # Lines of a draft are replaced as a whole; the history keeps the earlier ones.
    # Draft lines are the only rows ever removed, and only before submission; the history keeps them.
    for line in contract.lines.all():
        line._change_reason = stored(gettext_lazy("draft lines replaced"))
        line.delete()
    for line in lines:
        ContractLine.objects.create(contract=contract, **line)


@audited
@transaction.atomic
def contract_create(*, by, title: str, kind: str = ContractKind.CONTRACT, direction: str = Direction.SALES,
                    customer: Customer | None = None, region=None, handler=None, amount, starts_on: date,
                    ends_on: date, template_version: TemplateVersion | None = None, non_standard_reason: str = "",
                    drafted_by: str = DraftedBy.OURS, is_foreign: bool = False, legal_participant=None,
                    technical_participant=None, payment_terms: str = "", notes: str = "",
                    retention_percent=None, warranty_months=None, lines: Iterable[dict] = (),
                    parent: Contract | None = None, relation: str = "", cc: Iterable = ()) -> Contract:
    """Create a draft. Usable from other apps (the hand-off app drafts the construction contract, HND-5)."""
    require(by, "contracts.create_contract", message=_("Only Marketing staff can do this."))
    require_not_collection_only(by, work="contracts")
    data = _check_draft(dict(
        title=title, kind=kind, direction=direction, customer=customer, region=region, handler=handler,
        amount=amount, starts_on=starts_on, ends_on=ends_on, template_version=template_version,
        non_standard_reason=non_standard_reason, drafted_by=drafted_by, is_foreign=is_foreign,
        legal_participant=legal_participant, technical_participant=technical_participant,
        payment_terms=payment_terms, notes=notes, retention_percent=retention_percent,
        warranty_months=warranty_months, lines=list(lines), relation=relation, cc=list(cc),
    ), by)
    line_data = data.pop("lines")
    copied = data.pop("cc")
    contract = Contract(**data, parent=parent, relation=relation, created_by=by, serial_number=next_serial_number())
    contract._change_reason = stored(gettext_lazy("draft created"))
    contract.save()
    contract.cc.set(copied)
    for line in line_data:
        ContractLine.objects.create(contract=contract, **line)
    return contract


@audited
@transaction.atomic
def contract_update(*, contract_id: int, by, **fields) -> Contract:
    """Change a draft. After submission nothing changes without a rejection and a new version (CON-6)."""
    contract = lock_contract(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(
            _("The contract is “%(state)s”: its terms can only change while it is a draft. Ask a reviewer to "
              "reject it, or make a supplementary agreement after signing.") % {"state": contract.get_state_display()},
              code="not_draft")
    _require_editor(contract, by)
    current = {
        "title": contract.title, "kind": contract.kind, "direction": contract.direction,
        "customer": contract.customer, "region": contract.region, "handler": contract.handler,
        "amount": contract.amount, "starts_on": contract.starts_on, "ends_on": contract.ends_on,
        "template_version": contract.template_version, "non_standard_reason": contract.non_standard_reason,
        "drafted_by": contract.drafted_by, "is_foreign": contract.is_foreign,
        "legal_participant": contract.legal_participant, "technical_participant": contract.technical_participant,
        "payment_terms": contract.payment_terms, "notes": contract.notes,
        "retention_percent": contract.retention_percent, "warranty_months": contract.warranty_months,
        "relation": contract.relation, "cc": list(contract.cc.all()),
        "lines": [
            {"description": ln.description, "specification": ln.specification, "quantity": ln.quantity,
             "unit": ln.unit, "unit_price": ln.unit_price, "amount": ln.amount} for ln in contract.lines.all()
        ],
    }
    unknown = set(fields) - set(current)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if contract.parent_id and ("direction" in fields or "customer" in fields):
        raise WorkflowError(_("A supplementary or termination agreement keeps the parties of the original."),
                            code="parties_fixed")
    current.update(fields)
    # A draft keeps its handler unless Marketing reassigns it.
    data = _check_draft(current, by if "handler" in fields else contract.handler)
    line_data = data.pop("lines")
    copied = data.pop("cc")
    for key, value in data.items():
        setattr(contract, key, value)
    contract._change_reason = stored(gettext_lazy("draft changed"))
    contract.save()
    if "cc" in fields:
        contract.cc.set(copied)
    if "lines" in fields:
        _write_lines(contract, line_data)
    return contract


@audited
@transaction.atomic
def contract_withdraw(*, contract_id: int, by, reason: str) -> Contract:
    """A draft that will not be pursued is withdrawn, never deleted."""
    contract = lock_contract(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(_("Only a draft can be withdrawn."), code="not_draft")
    _require_editor(contract, by)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the draft is withdrawn.")]})
    set_state(contract, ContractState.CANCELLED, by,
              stored(gettext_lazy("withdrawn: %(reason)s"), reason=reason.strip()))
    return contract


def _require_editor(contract: Contract, by) -> None:
    require(by, "contracts.edit_contract", contract,
            message=_("Only the handler, the person who drafted it or the Marketing office can change this draft."))


@audited
@transaction.atomic
def contract_draft_file_add(*, contract_id: int, by, upload):
    """Attach a related document to a draft (it becomes part of what the reviewers approve); the draft text itself
    goes through ``contract_text_add``."""
    contract = lock_contract(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(_("Draft files can only be added while the contract is a draft."), code="not_draft")
    _require_editor(contract, by)
    return attachment_add(owner=contract, upload=upload, by=by, slot="draft", allowed=DEFAULT_ALLOWED)


def submission_problems(contract: Contract, *, on: date | None = None) -> list[ValidationError]:
    """What stops the draft from being submitted, each with its code (shown on the page before the user tries)."""
    on = on or timezone.localdate()
    problems: list[ValidationError] = []
    policy = current_policy()

    def problem(message: str, code: str) -> None:
        problems.append(ValidationError(message, code=code))

    if contract.direction == Direction.SALES:
        if contract.customer_id is None:
            problem(_("A sales contract needs a customer."), "no_customer")
        elif selectors.valid_due_diligence(contract.customer, on) is None:
            problem(_("No valid due-diligence record of “%(customer)s”: record the investigation of art. 8 first.")
                    % {"customer": contract.customer}, "no_due_diligence")
    if contract.amount >= policy.major_contract_threshold or contract.is_foreign:
        missing = []
        if contract.legal_participant_id is None:
            missing.append(_("a legal participant"))
        if contract.technical_participant_id is None:
            missing.append(_("a technical participant"))
        if missing:
            problem(_("A major or foreign-related contract must name %(who)s for the negotiation (art. 7).")
                    % {"who": _(" and ").join(str(m) for m in missing)}, "participants_missing")
    if contract.template_version_id and not contract.template_version.active:
        problem(_("The template version was replaced; choose the current version."), "template_replaced")
    lines = list(contract.lines.all())
    if lines:
        total = sum((ln.amount for ln in lines), Decimal("0"))
        if total != contract.amount:
            problem(_("The lines add up to %(lines)s but the contract amount is %(amount)s.")
                    % {"lines": format_yuan(total), "amount": format_yuan(contract.amount)}, "lines_mismatch")
    text = latest_attachment(contract, TEXT_SLOT) if contract.pk else None
    if text is None:
        problem(_("Upload the draft text (the file the approvers read) before submitting."), "no_text")
    elif contract.text_id == text.pk and contract.steps.filter(version=contract.version,
                                                               status=StepStatus.REJECTED).exists():
        problem(_("Version %(v)s was rejected: upload the corrected draft text for the new version.")
                % {"v": contract.version}, "text_not_renewed")
    if contract.ends_on < contract.starts_on:
        problem(_("The term ends before it starts."), "term_reversed")
    if contract.parent_id and contract.parent.state not in SIGNED_STATES:
        problem(_("The original contract is no longer in force."), "parent_not_in_force")
    return problems


def is_long_term(starts_on: date, ends_on: date, max_months: int) -> bool:
    """Art. 3: a term longer than the limit (1 year: 2026-01-01 to 2026-12-31 is within it)."""
    return ends_on >= raw_period_end(starts_on, months=max_months)


def legal_may_be_waived(contract: Contract, policy) -> bool:
    """CON-6: only for a standard template drafted by us, non-major, domestic, with a term within the limit."""
    return bool(
        policy.legal_review_waiver and contract.template_version_id and contract.drafted_by == DraftedBy.OURS
        and not contract.is_major and not contract.is_foreign and not contract.is_long_term
    )


def apply_submission_flags(contract: Contract, policy) -> None:
    """Set the flags a submission fixes under ``policy`` (major, long term, legal review waived); a draft's page
    shows them before they are stored."""
    contract.is_major = contract.amount >= policy.major_contract_threshold
    contract.is_long_term = is_long_term(contract.starts_on, contract.ends_on, policy.contract_max_term_months)
    contract.legal_waived = legal_may_be_waived(contract, policy)


@audited
@transaction.atomic
def contract_submit(*, contract_id: int, by) -> Contract:
    """Submit a draft to the department leader (art. 9). A draft rejected before becomes a new version."""
    contract = lock_contract(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(
            _("The contract is “%(state)s”; only a draft can be submitted.") % {"state": contract.get_state_display()},
            code="not_draft")
    require(by, "contracts.submit_contract", contract,
            message=_("Only the handler or the person who drafted the contract can submit it."))
    require_not_collection_only(by, work="contracts")
    problems = submission_problems(contract)
    if problems:
        raise WorkflowError(problems)
    policy = current_policy()
    if contract.steps.filter(version=contract.version).exists():
        contract.version += 1  # rejected before: the resubmission is a new version and the chain restarts
    apply_submission_flags(contract, policy)
    contract.policy_version = policy.version
    contract.due_diligence = (
        selectors.valid_due_diligence(contract.customer) if contract.direction == Direction.SALES else None
    )
    contract.submitted_at = timezone.now()
    contract.submitted_by = by
    contract.text = latest_attachment(contract, TEXT_SLOT)
    contract.content_hash = contract.compute_hash()
    set_state(contract, ContractState.LEADER_REVIEW, by,
              stored(gettext_lazy("submitted as version %(v)s"), v=contract.version))
    open_step(contract, StepKind.LEADER)
    notify_copied(contract, "contract-cc-submitted",
                  stored(gettext_lazy("For your information: contract “%(title)s” was submitted for approval "
                                      "(version %(v)s)"), title=contract.title, v=contract.version))
    return contract


@audited
@transaction.atomic
def contract_amendment_create(*, parent_id: int, by, relation: str, title: str, amount, starts_on: date,
                              ends_on: date, reason: str, non_standard_reason: str = "",
                              template_version: TemplateVersion | None = None, lines: Iterable[dict] = ()) -> Contract:
    """A written supplementary or termination agreement; it goes through the same chain as the original."""
    parent = lock_contract(parent_id)
    if relation not in Relation.values:
        raise ValidationError({"relation": [_("Choose supplementary or termination agreement.")]})
    if parent.state not in SIGNED_STATES:
        raise WorkflowError(_("Only a signed contract in force can be changed or terminated."), code="not_in_force")
    if parent.parent_id:
        raise WorkflowError(_("Change the original contract, not one of its agreements."), code="not_original")
    require(by, "contracts.amend_contract", parent,
            message=_("Only the handler's side or the Marketing office can change or terminate a contract in force."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say what changes and why (arts. 19-22: in writing, agreed by both).")]})
    open_amendments = parent.amendments.exclude(state__in=[*SIGNED_STATES, ContractState.CANCELLED,
                                                           ContractState.TERMINATED])
    if open_amendments.exists():
        raise WorkflowError(_("An agreement to this contract is already under way; finish or withdraw it first."),
                            code="agreement_open")
    return contract_create(
        by=by, title=title, kind=ContractKind.AGREEMENT, direction=parent.direction, customer=parent.customer,
        region=parent.region, handler=parent.handler,
        amount=amount, starts_on=starts_on, ends_on=ends_on, template_version=template_version,
        non_standard_reason=non_standard_reason or ("" if template_version else reason),
        drafted_by=DraftedBy.OURS, is_foreign=parent.is_foreign, legal_participant=parent.legal_participant,
        technical_participant=parent.technical_participant, notes=reason.strip(),
        retention_percent=parent.retention_percent, warranty_months=parent.warranty_months, lines=lines,
        parent=parent, relation=relation, cc=list(parent.cc.all()),
    )
