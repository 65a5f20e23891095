"""Every write of customers and contracts (SPEC CUS, CON).

Each service takes keyword-only arguments, runs in one transaction, locks the contract row it
changes (``select_for_update``), checks the transition and who acts, raises ``ValidationError``
(translated) when anything is wrong — in which case nothing is stored — and sends notifications and
the ``contract_state_changed`` signal only after the commit.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.access import has_role
from marketing_portal.audit import audited
from marketing_portal.files import DOCUMENTS, attachment_add
from marketing_portal.notifications import event_key, notify_many
from marketing_portal.people import display_name
from marketing_portal.periods import period_end, raw_period_end
from marketing_portal.policy import current_policy
from org.roles import MARKETING_LEADERSHIP, MARKETING_OFFICE, Role
from org.selectors import acting_for, delegates_of, is_collection_only, person_of, regions_of

from . import selectors
from .choices import (
    APPROVAL_KINDS,
    DUE_DILIGENCE_POINTS,
    OPEN_LOAN_STATES,
    SIGNED_STATES,
    Conclusion,
    ContractKind,
    ContractState,
    DeadlineBasis,
    Direction,
    DisputeStatus,
    DraftedBy,
    HandoverStatus,
    LoanState,
    NonPerformanceStatus,
    ObjectionStatus,
    Rating,
    Relation,
    StepKind,
    StepStatus,
)
from .models import (
    ApprovalStep,
    ArchiveCounter,
    Contract,
    ContractLine,
    ContractTemplate,
    Customer,
    CustomerContact,
    Dispute,
    DueDiligence,
    HandlerChange,
    InabilityReport,
    IncomingObjection,
    Loan,
    Milestone,
    NonPerformance,
    TemplateVersion,
    validate_credit_code,
)
from .signals import contract_handler_changed, contract_state_changed

CENT = Decimal("0.01")


class WorkflowError(ValidationError):
    """A step that may not be taken now, or not by this person."""


def _lock(contract_id: int) -> Contract:
    try:
        return Contract.objects.select_for_update().get(pk=contract_id)
    except Contract.DoesNotExist:
        raise WorkflowError(_("This contract does not exist.")) from None


def _require_marketing(by) -> None:
    if not (by.is_superuser or has_role(by, *selectors.MARKETING_STAFF)):
        raise WorkflowError(_("Only Marketing staff can do this."))


def _require_not_collection_only(by) -> None:
    """RCV-8: a person on collection-only duty cannot create or submit contracts; say why."""
    if is_collection_only(by):
        person = person_of(by)
        reason = person.duty_status_reason if person and person.duty_status_reason else _("no reason recorded")
        raise WorkflowError(
            _("You are on collection-only duty (%(reason)s): you can invoice and collect, but you cannot create "
              "or submit contracts until the Marketing Director lifts it.") % {"reason": reason}
        )


def _after_commit_transition(contract: Contract, old_state: str, new_state: str, by) -> None:
    contract_id = contract.pk

    def send():
        fresh = Contract.objects.get(pk=contract_id)
        contract_state_changed.send(sender=Contract, contract=fresh, old_state=old_state, new_state=new_state, by=by)

    transaction.on_commit(send)


def _set_state(contract: Contract, new_state: str, by, reason: str, **fields) -> None:
    old_state = contract.state
    contract.state = new_state
    for key, value in fields.items():
        setattr(contract, key, value)
    contract._change_reason = reason[:100]
    contract.save()
    _after_commit_transition(contract, old_state, new_state, by)


# --------------------------------------------------------------------------------------------------
# Customers (CUS-1, CUS-2)
# --------------------------------------------------------------------------------------------------
def _customer_check(*, name: str, credit_code: str, region, exclude_pk: int | None = None) -> tuple[str, str]:
    errors: dict[str, list] = {}
    name = (name or "").strip()
    code = (credit_code or "").strip().upper().replace(" ", "")
    if not name:
        errors["name"] = [_("Enter the customer's full legal name.")]
    if not code:
        errors["credit_code"] = [_("Enter the unified social credit code.")]
    else:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages
    if region is None:
        errors["region"] = [_("Choose the region.")]
    others = Customer.objects.exclude(pk=exclude_pk) if exclude_pk else Customer.objects.all()
    if name and others.filter(name=name).exists():
        errors.setdefault("name", []).append(_("A customer named “%(name)s” already exists.") % {"name": name})
    if code and "credit_code" not in errors:
        clash = others.filter(credit_code=code).first()
        if clash:
            errors["credit_code"] = [
                _("The credit code %(code)s already belongs to “%(name)s”.") % {"code": code, "name": clash.name}
            ]
    if errors:
        raise ValidationError(errors)
    return name, code


def _save_unique(obj, fields_message):
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        # Two people entering the same customer at the same moment: the unique index decides.
        raise ValidationError(fields_message) from None
    return obj


@transaction.atomic
def customer_create(*, by, name: str, credit_code: str, region, address: str = "", industry: str = "",
                    notes: str = "", contacts: Iterable[dict] = ()) -> Customer:
    _require_marketing(by)
    name, code = _customer_check(name=name, credit_code=credit_code, region=region)
    customer = Customer(name=name, credit_code=code, region=region, address=address.strip(),
                        industry=industry.strip(), notes=notes.strip(), created_by=by)
    _save_unique(customer, {"name": [_("This customer already exists.")]})
    for data in contacts:
        customer_contact_add(customer_id=customer.pk, by=by, **data)
    return customer


@transaction.atomic
def customer_update(*, customer_id: int, by, name: str, credit_code: str, region, address: str = "",
                    industry: str = "", notes: str = "") -> Customer:
    _require_marketing(by)
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    name, code = _customer_check(name=name, credit_code=credit_code, region=region, exclude_pk=customer.pk)
    customer.name, customer.credit_code, customer.region = name, code, region
    customer.address, customer.industry, customer.notes = address.strip(), industry.strip(), notes.strip()
    return _save_unique(customer, {"name": [_("This customer already exists.")]})


@transaction.atomic
def customer_contact_add(*, customer_id: int, by, name: str, position: str = "", phone: str = "",
                         mobile: str = "", email: str = "") -> CustomerContact:
    _require_marketing(by)
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    errors = {}
    if not name.strip():
        errors["name"] = [_("Enter the contact's name.")]
    if not phone.strip() and not mobile.strip():
        errors["phone"] = [_("Enter a phone or mobile number.")]
    if errors:
        raise ValidationError(errors)
    contact = CustomerContact(customer=customer, name=name.strip(), position=position.strip(), phone=phone.strip(),
                              mobile=mobile.strip(), email=email.strip())
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def customer_contact_retire(*, contact_id: int, by) -> CustomerContact:
    _require_marketing(by)
    contact = CustomerContact.objects.select_for_update().get(pk=contact_id)
    contact.active = False
    contact._change_reason = _("no longer the contact")
    contact.save()
    return contact


@transaction.atomic
def due_diligence_record(*, customer_id: int, by, investigated_on: date, conclusion: str, summary: str = "",
                         findings: dict, evidence: Iterable = ()) -> DueDiligence:
    """Record the eight points of art. 8; the record is valid for the policy's number of months."""
    _require_marketing(by)
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    if investigated_on is None:
        errors["investigated_on"] = [_("Enter the date of the investigation.")]
    elif investigated_on > today:
        errors["investigated_on"] = [_("The investigation date cannot be in the future.")]
    if conclusion not in Conclusion.values:
        errors["conclusion"] = [_("Choose a conclusion.")]
    values = {}
    for name, label in DUE_DILIGENCE_POINTS:
        rating = findings.get(f"{name}_rating")
        text = (findings.get(name) or "").strip()
        if rating not in Rating.values:
            errors[f"{name}_rating"] = [_("Rate “%(point)s”.") % {"point": label}]
        if not text:
            errors[name] = [_("Describe what was found about “%(point)s”.") % {"point": label}]
        values[f"{name}_rating"], values[name] = rating, text
    evidence = list(evidence)
    if not evidence:
        errors["evidence"] = [_("Attach at least one piece of evidence (licence, credit report, …).")]
    if errors:
        raise ValidationError(errors)
    policy = current_policy()
    record = DueDiligence.objects.create(
        customer=customer, investigated_on=investigated_on,
        valid_until=raw_period_end(investigated_on, months=policy.due_diligence_valid_months),
        policy_version=policy.version, conclusion=conclusion, summary=summary.strip(), created_by=by, **values,
    )
    for upload in evidence:
        attachment_add(owner=record, upload=upload, by=by, slot="evidence")
    return record


# --------------------------------------------------------------------------------------------------
# Templates (CON-2)
# --------------------------------------------------------------------------------------------------
def _require_template_keeper(by) -> None:
    if not (by.is_superuser or has_role(by, *MARKETING_LEADERSHIP, Role.LEGAL, Role.SALES_CLERK)):
        raise WorkflowError(_("Only Marketing leadership, the sales clerk or Legal can manage contract templates."))


@transaction.atomic
def template_create(*, by, code: str, name: str, kind: str, direction: str) -> ContractTemplate:
    _require_template_keeper(by)
    template = ContractTemplate(code=code.strip(), name=name.strip(), kind=kind, direction=direction)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_version_add(*, template_id: int, by, effective_from: date, changes: str, text_file) -> TemplateVersion:
    """A new version of the text; earlier versions stay usable only until they are retired."""
    _require_template_keeper(by)
    template = ContractTemplate.objects.select_for_update().get(pk=template_id)
    if text_file is None:
        raise ValidationError({"text_file": [_("Attach the text of this version.")]})
    last = template.versions.order_by("-number").first()
    version = TemplateVersion.objects.create(
        template=template, number=(last.number + 1) if last else 1, effective_from=effective_from,
        changes=changes.strip(), created_by=by,
    )
    attachment_add(owner=version, upload=text_file, by=by, slot="text")
    # The newest version replaces the earlier ones for new drafts.
    template.versions.exclude(pk=version.pk).filter(active=True).update(active=False)
    return version


# --------------------------------------------------------------------------------------------------
# Drafting (CON-1...5)
# --------------------------------------------------------------------------------------------------
def _money(value, field: str, errors: dict, *, allow_zero: bool = False) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(field, []).append(_("Enter an amount in yuan, e.g. 125000.00."))
        return None
    if amount < 0 or (amount == 0 and not allow_zero):
        errors.setdefault(field, []).append(_("The amount must be greater than zero."))
        return None
    if amount >= Decimal("1e12"):
        errors.setdefault(field, []).append(_("The amount is too large."))
        return None
    return amount


def _clean_lines(lines, errors) -> list[dict]:
    cleaned = []
    for index, raw in enumerate(lines or (), start=1):
        description = (raw.get("description") or "").strip()
        if not description:
            errors.setdefault("lines", []).append(_("Line %(n)s: enter a description.") % {"n": index})
            continue
        try:
            quantity = Decimal(str(raw.get("quantity"))).quantize(Decimal("0.001"))
            unit_price = Decimal(str(raw.get("unit_price"))).quantize(CENT, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError, TypeError):
            errors.setdefault("lines", []).append(_("Line %(n)s: enter a quantity and a unit price.") % {"n": index})
            continue
        if quantity <= 0 or unit_price < 0:
            errors.setdefault("lines", []).append(
                _("Line %(n)s: the quantity must be positive and the price not negative.") % {"n": index})
            continue
        amount = raw.get("amount")
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP) if amount in (None, "") else \
            Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
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
    amount = _money(data.get("amount"), "amount", errors, allow_zero=relation == Relation.TERMINATION)
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
    if not handler.is_active or not has_role(handler, *selectors.HANDLER_ROLES):
        errors["handler"] = [_("The handler must be an on-site salesperson or a sales manager.")]
    elif not (by.is_superuser or has_role(by, *MARKETING_OFFICE, Role.REGIONAL_MANAGER)) and handler.pk != by.pk:
        errors["handler"] = [_("Marketing assigns handlers; you can only draft contracts you handle yourself.")]
    if region is not None and not (by.is_superuser or has_role(by, *MARKETING_OFFICE)):
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
    if errors:
        raise ValidationError(errors)
    return {
        "title": title, "kind": data["kind"], "direction": direction, "customer": customer, "region": region,
        "handler": handler, "amount": amount, "starts_on": starts_on, "ends_on": ends_on,
        "template_version": template_version, "non_standard_reason": reason,
        "drafted_by": data.get("drafted_by", DraftedBy.OURS), "is_foreign": bool(data.get("is_foreign")),
        "legal_participant": data.get("legal_participant"), "technical_participant": data.get("technical_participant"),
        "payment_terms": (data.get("payment_terms") or "").strip(), "notes": (data.get("notes") or "").strip(),
        "retention_percent": retention, "warranty_months": warranty, "lines": lines,
    }


def _write_lines(contract: Contract, lines: list[dict]) -> None:
    # Lines of a draft are replaced as a whole; the history keeps the earlier ones.
    # Draft lines are the only rows ever removed, and only before submission; the history keeps them.
    for line in contract.lines.all():
        line._change_reason = _("draft lines replaced")
        line.delete()
    for line in lines:
        ContractLine.objects.create(contract=contract, **line)


@transaction.atomic
def contract_create(*, by, title: str, kind: str = ContractKind.CONTRACT, direction: str = Direction.SALES,
                    customer: Customer | None = None, region=None, handler=None, amount, starts_on: date,
                    ends_on: date, template_version: TemplateVersion | None = None, non_standard_reason: str = "",
                    drafted_by: str = DraftedBy.OURS, is_foreign: bool = False, legal_participant=None,
                    technical_participant=None, payment_terms: str = "", notes: str = "",
                    retention_percent=None, warranty_months=None, lines: Iterable[dict] = (),
                    parent: Contract | None = None, relation: str = "") -> Contract:
    """Create a draft. Usable from other apps (the hand-off app drafts the construction contract, HND-5)."""
    _require_marketing(by)
    _require_not_collection_only(by)
    data = _check_draft(dict(
        title=title, kind=kind, direction=direction, customer=customer, region=region, handler=handler,
        amount=amount, starts_on=starts_on, ends_on=ends_on, template_version=template_version,
        non_standard_reason=non_standard_reason, drafted_by=drafted_by, is_foreign=is_foreign,
        legal_participant=legal_participant, technical_participant=technical_participant,
        payment_terms=payment_terms, notes=notes, retention_percent=retention_percent,
        warranty_months=warranty_months, lines=list(lines), relation=relation,
    ), by)
    line_data = data.pop("lines")
    contract = Contract(**data, parent=parent, relation=relation, created_by=by)
    contract._change_reason = _("draft created")
    contract.save()
    for line in line_data:
        ContractLine.objects.create(contract=contract, **line)
    return contract


def _require_editor(contract: Contract, by) -> None:
    if by.pk in (contract.handler_id, contract.created_by_id) or by.is_superuser or has_role(by, *MARKETING_OFFICE):
        return
    raise WorkflowError(_("Only the handler, the person who drafted it or the Marketing office can change this draft."))


@transaction.atomic
def contract_update(*, contract_id: int, by, **fields) -> Contract:
    """Change a draft. After submission nothing changes without a rejection and a new version (CON-6)."""
    contract = _lock(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(
            _("The contract is “%(state)s”: its terms can only change while it is a draft. Ask a reviewer to "
              "reject it, or make a supplementary agreement after signing.") % {"state": contract.get_state_display()}
        )
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
        "relation": contract.relation,
        "lines": [
            {"description": ln.description, "specification": ln.specification, "quantity": ln.quantity,
             "unit": ln.unit, "unit_price": ln.unit_price, "amount": ln.amount} for ln in contract.lines.all()
        ],
    }
    unknown = set(fields) - set(current)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if contract.parent_id and ("direction" in fields or "customer" in fields):
        raise WorkflowError(_("A supplementary or termination agreement keeps the parties of the original."))
    current.update(fields)
    # A draft keeps its handler unless Marketing reassigns it.
    data = _check_draft(current, by if "handler" in fields else contract.handler)
    line_data = data.pop("lines")
    for key, value in data.items():
        setattr(contract, key, value)
    contract._change_reason = _("draft changed")
    contract.save()
    if "lines" in fields:
        _write_lines(contract, line_data)
    return contract


@transaction.atomic
def contract_withdraw(*, contract_id: int, by, reason: str) -> Contract:
    """A draft that will not be pursued is withdrawn, never deleted."""
    contract = _lock(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(_("Only a draft can be withdrawn."))
    _require_editor(contract, by)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the draft is withdrawn.")]})
    _set_state(contract, ContractState.CANCELLED, by, _("withdrawn: %(reason)s") % {"reason": reason.strip()})
    return contract


def submission_problems(contract: Contract, *, on: date | None = None) -> list[str]:
    """What stops the draft from being submitted (shown on the page before the user tries)."""
    on = on or timezone.localdate()
    problems = []
    policy = current_policy()
    if contract.direction == Direction.SALES:
        if contract.customer_id is None:
            problems.append(_("A sales contract needs a customer."))
        elif selectors.valid_due_diligence(contract.customer, on) is None:
            problems.append(
                _("No valid due-diligence record of “%(customer)s”: record the investigation of art. 8 first.")
                % {"customer": contract.customer}
            )
    if contract.amount >= policy.major_contract_threshold or contract.is_foreign:
        missing = []
        if contract.legal_participant_id is None:
            missing.append(_("a legal participant"))
        if contract.technical_participant_id is None:
            missing.append(_("a technical participant"))
        if missing:
            problems.append(
                _("A major or foreign-related contract must name %(who)s for the negotiation (art. 7).")
                % {"who": _(" and ").join(str(m) for m in missing)}
            )
    if contract.template_version_id and not contract.template_version.active:
        problems.append(_("The template version was replaced; choose the current version."))
    lines = list(contract.lines.all())
    if lines:
        total = sum((ln.amount for ln in lines), Decimal("0"))
        if total != contract.amount:
            problems.append(
                _("The lines add up to %(lines)s but the contract amount is %(amount)s.")
                % {"lines": f"{total:,.2f}", "amount": f"{contract.amount:,.2f}"}
            )
    if contract.ends_on < contract.starts_on:
        problems.append(_("The term ends before it starts."))
    if contract.parent_id and contract.parent.state not in SIGNED_STATES:
        problems.append(_("The original contract is no longer in force."))
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


def _open_step(contract: Contract, kind: str, *, now=None) -> ApprovalStep:
    now = now or timezone.now()
    step = ApprovalStep.objects.create(contract=contract, version=contract.version, kind=kind, opened_at=now)
    people = selectors.responsible_for(kind, contract)
    if not people:
        raise WorkflowError(
            _("Nobody in the org chart is responsible for “%(step)s”; ask the administrator to fill the position.")
            % {"step": step.get_kind_display()}
        )
    step.assignees.set(people)
    recipients = people + delegates_of(people)
    url = contract.get_absolute_url()
    subject = _("Contract “%(title)s”: %(step)s is waiting for you") % {
        "title": contract.title, "step": step.get_kind_display()}
    transaction.on_commit(lambda: notify_many(
        recipients=recipients, key=event_key("contract-step", contract, contract.version, kind),
        subject=subject, url=url,
    ))
    return step


def _close_step(step: ApprovalStep, *, status: str, by=None, principal=None, comment: str = "", now=None,
                contract_hash: str = "", policy_version: int | None = None) -> None:
    step.status = status
    step.decided_at = now or timezone.now()
    step.decided_by = by
    step.on_behalf_of = principal if principal is not None and by is not None and principal.pk != by.pk else None
    step.comment = comment
    step.content_hash = contract_hash
    step.policy_version = policy_version
    if step.on_behalf_of:
        step._change_reason = _("%(by)s on behalf of %(principal)s") % {
            "by": display_name(by), "principal": display_name(principal)}
    step.save()


@transaction.atomic
def contract_submit(*, contract_id: int, by) -> Contract:
    """Submit a draft to the department leader (art. 9). A draft rejected before becomes a new version."""
    contract = _lock(contract_id)
    if contract.state != ContractState.DRAFT:
        raise WorkflowError(
            _("The contract is “%(state)s”; only a draft can be submitted.") % {"state": contract.get_state_display()})
    if by.pk not in (contract.handler_id, contract.created_by_id) and not by.is_superuser:
        raise WorkflowError(_("Only the handler or the person who drafted the contract can submit it."))
    _require_not_collection_only(by)
    problems = submission_problems(contract)
    if problems:
        raise WorkflowError(problems)
    policy = current_policy()
    if contract.steps.filter(version=contract.version).exists():
        contract.version += 1  # rejected before: the resubmission is a new version and the chain restarts
    contract.is_major = contract.amount >= policy.major_contract_threshold
    contract.is_long_term = is_long_term(contract.starts_on, contract.ends_on, policy.contract_max_term_months)
    contract.legal_waived = legal_may_be_waived(contract, policy)
    contract.policy_version = policy.version
    contract.due_diligence = (
        selectors.valid_due_diligence(contract.customer) if contract.direction == Direction.SALES else None
    )
    contract.submitted_at = timezone.now()
    contract.submitted_by = by
    contract.content_hash = contract.compute_hash()
    _set_state(contract, ContractState.LEADER_REVIEW, by,
               _("submitted as version %(v)s") % {"v": contract.version})
    _grant_participants(contract)
    _open_step(contract, StepKind.LEADER)
    return contract


def _grant_participants(contract: Contract) -> None:
    """The named legal and technical participants may see the contract (object permission)."""
    from guardian.shortcuts import assign_perm

    for person in (contract.legal_participant, contract.technical_participant):
        if person is not None:
            assign_perm("contracts.view_contract", person, contract)


# --------------------------------------------------------------------------------------------------
# Deciding steps (CON-6)
# --------------------------------------------------------------------------------------------------
def _pending_step(contract: Contract, kind: str, step_id: int | None) -> ApprovalStep:
    """The step to decide, checked against a stale form: it must still be waiting, in this version."""
    qs = ApprovalStep.objects.select_for_update().filter(contract=contract)
    step = qs.filter(pk=step_id).first() if step_id else qs.filter(version=contract.version, kind=kind).first()
    if step is None or (step_id and step.kind != kind):
        raise WorkflowError(
            _("“%(step)s” is not waiting on this contract now (it is “%(state)s”).")
            % {"step": StepKind(kind).label, "state": contract.get_state_display()}
        )
    if step.status != StepStatus.PENDING:
        if step.decided_by_id:
            raise WorkflowError(
                _("This step was already decided: %(status)s by %(who)s at %(when)s. The page you used was out of "
                  "date; nothing was changed.") % {
                    "status": step.get_status_display(), "who": display_name(step.decided_by),
                    "when": timezone.localtime(step.decided_at).strftime("%Y-%m-%d %H:%M")}
            )
        raise WorkflowError(_("This step is closed (%(status)s); nothing was changed.")
                            % {"status": step.get_status_display()})
    if step.version != contract.version:
        raise WorkflowError(_("This version is no longer under review; nothing was changed."))
    return step


def _actor(step: ApprovalStep, contract: Contract, by):
    """The person ``by`` acts for on this step (themselves or a delegating principal), or a WorkflowError."""
    responsible = list(step.assignees.all())
    principal = acting_for(by, responsible)
    if principal is None:
        names = "、".join(display_name(u) for u in responsible) or _("nobody")
        raise WorkflowError(
            _("You cannot act on “%(step)s”: it waits for %(names)s (or someone they delegated to).")
            % {"step": step.get_kind_display(), "names": names}
        )
    if step.kind != StepKind.SIGN:
        conflicted = {contract.handler_id, contract.submitted_by_id}
        if by.pk in conflicted or principal.pk in conflicted:
            raise WorkflowError(
                _("Nobody may decide a step of a contract they submitted or handle, delegated or not."))
    return principal


def _check_unchanged(contract: Contract) -> str:
    """Amounts and terms cannot change after submission without restarting the chain (belt and braces)."""
    current = contract.compute_hash()
    if contract.content_hash and current != contract.content_hash:
        raise WorkflowError(
            _("The contract was changed after it was submitted; it must be rejected and submitted again."))
    return current


STATE_OF_KIND = {
    StepKind.LEADER: ContractState.LEADER_REVIEW,
    StepKind.FINANCE: ContractState.JOINT_REVIEW,
    StepKind.LEGAL: ContractState.JOINT_REVIEW,
    StepKind.GM: ContractState.GM_REVIEW,
    StepKind.LONG_TERM: ContractState.LONG_TERM_REVIEW,
    StepKind.SIGN: ContractState.APPROVED,
    StepKind.REGISTER: ContractState.SIGNED,
    StepKind.ARCHIVE: ContractState.REGISTERED,
    StepKind.COPY_FINANCE: ContractState.ARCHIVED,
    StepKind.COPY_MARKETING: ContractState.ARCHIVED,
}


def _begin(contract_id: int, kind: str, by, step_id: int | None):
    contract = _lock(contract_id)
    if contract.state != STATE_OF_KIND[kind]:
        # The state check comes first: a stale form then says what was decided.
        steps = ApprovalStep.objects.filter(contract=contract)
        step = steps.filter(pk=step_id).first() if step_id else \
            steps.filter(version=contract.version, kind=kind).first()
        if step is not None and step.status != StepStatus.PENDING:
            _pending_step(contract, kind, step.pk)  # raises "already decided by …"
        raise WorkflowError(
            _("“%(step)s” cannot be done now: the contract is “%(state)s”. Steps cannot be skipped or repeated.")
            % {"step": StepKind(kind).label, "state": contract.get_state_display()}
        )
    step = _pending_step(contract, kind, step_id)
    principal = _actor(step, contract, by)
    return contract, step, principal


def _notify_handler(contract: Contract, event: str, subject: str, body: str = "") -> None:
    recipients = [contract.handler] + ([contract.submitted_by] if contract.submitted_by_id else [])
    url = contract.get_absolute_url()
    transaction.on_commit(lambda: notify_many(
        recipients=recipients, key=event_key(event, contract, contract.version), subject=subject, body=body, url=url))


@transaction.atomic
def contract_approve(*, contract_id: int, by, kind: str, comment: str = "", step_id: int | None = None) -> Contract:
    """Approve one review step; the chain moves on when the step (or both joint steps) are done."""
    if kind not in APPROVAL_KINDS:
        raise WorkflowError(_("Only a review step can be approved."))
    contract, step, principal = _begin(contract_id, kind, by, step_id)
    digest = _check_unchanged(contract)
    policy = current_policy()
    now = timezone.now()
    _close_step(step, status=StepStatus.APPROVED, by=by, principal=principal, comment=comment.strip(), now=now,
                contract_hash=digest, policy_version=policy.version)
    if kind == StepKind.LEADER:
        _set_state(contract, ContractState.JOINT_REVIEW, by, _("department leader approved"))
        _open_step(contract, StepKind.FINANCE, now=now)
        if contract.legal_waived:
            legal = ApprovalStep.objects.create(contract=contract, version=contract.version, kind=StepKind.LEGAL,
                                                opened_at=now)
            _close_step(legal, status=StepStatus.WAIVED, now=now, policy_version=contract.policy_version,
                        comment=_("Waived under policy v%(v)s: standard template, drafted by us, not major, domestic, "
                                  "term within the limit.") % {"v": contract.policy_version})
        else:
            _open_step(contract, StepKind.LEGAL, now=now)
    elif kind in (StepKind.FINANCE, StepKind.LEGAL):
        waiting = contract.steps.filter(version=contract.version, kind__in=[StepKind.FINANCE, StepKind.LEGAL],
                                        status=StepStatus.PENDING)
        if not waiting.exists():
            _set_state(contract, ContractState.GM_REVIEW, by, _("finance and legal approved"))
            _open_step(contract, StepKind.GM, now=now)
    elif kind == StepKind.GM and contract.is_long_term:
        # Art. 3: a term over the limit needs a further sign-off by the GM or the deputy GM in charge.
        _set_state(contract, ContractState.LONG_TERM_REVIEW, by, _("general manager approved"))
        _open_step(contract, StepKind.LONG_TERM, now=now)
    elif kind in (StepKind.GM, StepKind.LONG_TERM):
        reason = _("long-term contract signed off") if kind == StepKind.LONG_TERM else _("general manager approved")
        _set_state(contract, ContractState.APPROVED, by, reason, approved_at=now)
        _open_step(contract, StepKind.SIGN, now=now)
        _notify_handler(contract, "contract-approved",
                        _("Contract “%(title)s” is approved: have it signed and upload the scan")
                        % {"title": contract.title})
    return contract


@transaction.atomic
def contract_reject(*, contract_id: int, by, kind: str, comment: str, step_id: int | None = None) -> Contract:
    """Reject with a comment: the draft returns to the handler; the next submission is a new version."""
    if kind not in APPROVAL_KINDS:
        raise WorkflowError(_("Only a review step can be rejected."))
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say why the contract is rejected, so the handler can correct it.")]})
    contract, step, principal = _begin(contract_id, kind, by, step_id)
    now = timezone.now()
    _close_step(step, status=StepStatus.REJECTED, by=by, principal=principal, comment=comment.strip(), now=now,
                contract_hash=contract.compute_hash(), policy_version=current_policy().version)
    for other in contract.steps.select_for_update().filter(version=contract.version, status=StepStatus.PENDING):
        _close_step(other, status=StepStatus.CANCELLED, now=now, comment=_("closed by the rejection"))
    _set_state(contract, ContractState.DRAFT, by,
               _("rejected at “%(step)s”: %(comment)s") % {"step": step.get_kind_display(), "comment": comment.strip()})
    _notify_handler(contract, "contract-rejected",
                    _("Contract “%(title)s” was rejected at %(step)s") % {
                        "title": contract.title, "step": step.get_kind_display()},
                    body=comment.strip())
    return contract


@transaction.atomic
def contract_sign(*, contract_id: int, by, signed_on: date, counterparty_signed_on: date, scan,
                  step_id: int | None = None) -> Contract:
    """Both parties signed and stamped: the scan and both signing dates are recorded."""
    contract, step, principal = _begin(contract_id, StepKind.SIGN, by, step_id)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    approved_on = timezone.localdate(contract.approved_at) if contract.approved_at else today
    if signed_on is None:
        errors["signed_on"] = [_("Enter the date we signed.")]
    elif signed_on > today:
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    elif signed_on < approved_on:
        errors["signed_on"] = [_("We cannot have signed before the approval on %(date)s.") % {
            "date": approved_on.isoformat()}]
    if counterparty_signed_on is None:
        errors["counterparty_signed_on"] = [_("Enter the date the counterparty signed.")]
    elif counterparty_signed_on > today:
        errors["counterparty_signed_on"] = [_("The signing date cannot be in the future.")]
    if scan is None:
        errors["scan"] = [_("Upload the scan of the signed and stamped contract.")]
    if errors:
        raise ValidationError(errors)
    attachment = attachment_add(owner=contract, upload=scan, by=by, slot="signed", allowed=DOCUMENTS)
    now = timezone.now()
    _close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now, contract_hash=attachment.sha256,
                comment=_("signed %(ours)s / counterparty %(theirs)s") % {
                    "ours": signed_on.isoformat(), "theirs": counterparty_signed_on.isoformat()})
    _set_state(contract, ContractState.SIGNED, by, _("signed"), signed_on=signed_on,
               counterparty_signed_on=counterparty_signed_on)
    _open_step(contract, StepKind.REGISTER, now=now)
    if contract.relation == Relation.TERMINATION and contract.parent_id:
        parent = _lock(contract.parent_id)
        if parent.state in SIGNED_STATES:
            _set_state(parent, ContractState.TERMINATED, by,
                       _("terminated by agreement “%(title)s”") % {"title": contract.title},
                       terminated_on=signed_on)
    return contract


@transaction.atomic
def contract_register(*, contract_id: int, by, notes: str = "", step_id: int | None = None) -> Contract:
    """Art. 10, 15: the designated marketing clerk registers the signed contract."""
    contract, step, principal = _begin(contract_id, StepKind.REGISTER, by, step_id)
    now = timezone.now()
    _close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now, comment=notes.strip())
    _set_state(contract, ContractState.REGISTERED, by, _("registered"), registered_at=now,
               register_notes=notes.strip()[:200])
    _open_step(contract, StepKind.ARCHIVE, now=now)
    return contract


def next_archive_number(contract: Contract, year: int) -> tuple[str, int]:
    """Take the next number of the contract's region and year (CON-7). Call inside the archiving transaction:
    the counter row stays locked until it commits, and a rollback gives the number back, so there are no gaps.
    """
    for _attempt in range(2):
        counter = ArchiveCounter.objects.select_for_update().filter(region=contract.region, year=year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    ArchiveCounter.objects.create(region=contract.region, year=year, last_seq=0)
            except IntegrityError:
                pass  # another archivist created it at the same moment; lock theirs
            continue
        counter.last_seq += 1
        counter.save(update_fields=["last_seq"])
        pattern = current_policy().archive_number_pattern
        try:
            number = pattern.format(region=contract.region.code, year=year, seq=counter.last_seq)
        except (KeyError, IndexError, ValueError):
            number = f"{contract.region.code}-{year}-{counter.last_seq:04d}"
        return number, counter.last_seq
    raise WorkflowError(_("The archive counter could not be read; please try again."))


@transaction.atomic
def contract_archive(*, contract_id: int, by, cabinet: str, box: str, step_id: int | None = None) -> Contract:
    """Art. 16: Administration numbers the original and files it by region; copies go to Finance and Marketing."""
    contract, step, principal = _begin(contract_id, StepKind.ARCHIVE, by, step_id)
    errors = {}
    if not (cabinet or "").strip():
        errors["cabinet"] = [_("Enter the cabinet where the original is kept.")]
    if not (box or "").strip():
        errors["box"] = [_("Enter the box or folder.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    year = timezone.localdate(now).year
    number, seq = next_archive_number(contract, year)
    _close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now,
                comment=_("archive number %(number)s, %(cabinet)s / %(box)s") % {
                    "number": number, "cabinet": cabinet.strip(), "box": box.strip()})
    _set_state(contract, ContractState.ARCHIVED, by, _("archived as %(number)s") % {"number": number},
               archive_number=number, archive_year=year, archive_seq=seq, archive_cabinet=cabinet.strip(),
               archive_box=box.strip(), archived_at=now)
    _open_step(contract, StepKind.COPY_FINANCE, now=now)
    _open_step(contract, StepKind.COPY_MARKETING, now=now)
    return contract


@transaction.atomic
def contract_acknowledge_copy(*, contract_id: int, by, kind: str, step_id: int | None = None) -> Contract:
    """Art. 17: Finance and Marketing each confirm they received their copy; then the contract is filed."""
    if kind not in (StepKind.COPY_FINANCE, StepKind.COPY_MARKETING):
        raise WorkflowError(_("Only a copy can be acknowledged."))
    contract, step, principal = _begin(contract_id, kind, by, step_id)
    now = timezone.now()
    _close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now, comment=_("copy received"))
    waiting = contract.steps.filter(version=contract.version, status=StepStatus.PENDING,
                                    kind__in=[StepKind.COPY_FINANCE, StepKind.COPY_MARKETING])
    if not waiting.exists():
        _set_state(contract, ContractState.FILED, by, _("both copies acknowledged"))
    return contract


# --------------------------------------------------------------------------------------------------
# Change and termination (CON-11)
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def contract_amendment_create(*, parent_id: int, by, relation: str, title: str, amount, starts_on: date,
                              ends_on: date, reason: str, non_standard_reason: str = "",
                              template_version: TemplateVersion | None = None, lines: Iterable[dict] = ()) -> Contract:
    """A written supplementary or termination agreement; it goes through the same chain as the original."""
    parent = _lock(parent_id)
    if relation not in Relation.values:
        raise ValidationError({"relation": [_("Choose supplementary or termination agreement.")]})
    if parent.state not in SIGNED_STATES:
        raise WorkflowError(_("Only a signed contract in force can be changed or terminated."))
    if parent.parent_id:
        raise WorkflowError(_("Change the original contract, not one of its agreements."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say what changes and why (arts. 19-22: in writing, agreed by both).")]})
    open_amendments = parent.amendments.exclude(state__in=[*SIGNED_STATES, ContractState.CANCELLED,
                                                           ContractState.TERMINATED])
    if open_amendments.exists():
        raise WorkflowError(_("An agreement to this contract is already under way; finish or withdraw it first."))
    return contract_create(
        by=by, title=title, kind=ContractKind.AGREEMENT, direction=parent.direction, customer=parent.customer,
        region=parent.region, handler=parent.handler,
        amount=amount, starts_on=starts_on, ends_on=ends_on, template_version=template_version,
        non_standard_reason=non_standard_reason or ("" if template_version else reason),
        drafted_by=DraftedBy.OURS, is_foreign=parent.is_foreign, legal_participant=parent.legal_participant,
        technical_participant=parent.technical_participant, notes=reason.strip(),
        retention_percent=parent.retention_percent, warranty_months=parent.warranty_months, lines=lines,
        parent=parent, relation=relation,
    )


# --------------------------------------------------------------------------------------------------
# Performance (CON-8), hand-over (CON-9)
# --------------------------------------------------------------------------------------------------
def _require_in_force(contract: Contract) -> None:
    if contract.state not in SIGNED_STATES:
        raise WorkflowError(
            _("The contract is “%(state)s”; this is recorded only for a signed contract in force.")
            % {"state": contract.get_state_display()})


def _require_handler_side(contract: Contract, by) -> None:
    if by.pk == contract.handler_id or acting_for(by, [contract.handler]) is not None or by.is_superuser:
        return
    if has_role(by, *MARKETING_LEADERSHIP) or (
        has_role(by, Role.REGIONAL_MANAGER) and contract.region_id in {r.pk for r in regions_of(by)}
    ):
        return
    raise WorkflowError(_("Only the handler (or their manager) can record this."))


@transaction.atomic
def milestone_record(*, contract_id: int, by, title: str, due_on: date | None = None, done_on: date | None = None,
                     notes: str = "") -> Milestone:
    contract = _lock(contract_id)
    _require_in_force(contract)
    _require_handler_side(contract, by)
    if not title.strip():
        raise ValidationError({"title": [_("Name the milestone.")]})
    if done_on and done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("A milestone cannot be done in the future.")]})
    return Milestone.objects.create(contract=contract, title=title.strip(), due_on=due_on, done_on=done_on,
                                    notes=notes.strip(), recorded_by=by)


@transaction.atomic
def milestone_complete(*, milestone_id: int, by, done_on: date, notes: str = "") -> Milestone:
    milestone = Milestone.objects.select_for_update().get(pk=milestone_id)
    contract = _lock(milestone.contract_id)
    _require_handler_side(contract, by)
    if milestone.done_on:
        raise WorkflowError(_("This milestone was already recorded as done."))
    if done_on is None or done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("Enter the date it was done (not in the future).")]})
    milestone.done_on = done_on
    if notes.strip():
        milestone.notes = f"{milestone.notes}\n{notes.strip()}".strip()
    milestone.save()
    return milestone


def _deadline(start: date, basis: str, days: int | None, policy_days: int, errors: dict, field: str) -> date | None:
    if basis not in DeadlineBasis.values:
        errors.setdefault("deadline_basis", []).append(_("Choose the basis of the deadline."))
        return None
    if basis == DeadlineBasis.REASONABLE:
        days = policy_days
    elif not days or int(days) < 1:
        errors.setdefault(field, []).append(
            _("Enter the number of days set by law or by the contract."))
        return None
    return period_end(start, days=int(days))


@transaction.atomic
def non_performance_flag(*, contract_id: int, by, noticed_on: date, description: str, deadline_basis: str,
                         days: int | None = None) -> NonPerformance:
    """Art. 12: any staff member flags the counterparty's non-performance; the handler must object in time."""
    contract = _lock(contract_id)
    _require_in_force(contract)
    errors: dict[str, list] = {}
    if noticed_on is None or noticed_on > timezone.localdate():
        errors["noticed_on"] = [_("Enter when it was noticed (not in the future).")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what was not performed.")]
    policy = current_policy()
    due = _deadline(noticed_on or timezone.localdate(), deadline_basis, days, policy.objection_deadline_days,
                    errors, "days")
    if errors:
        raise ValidationError(errors)
    record = NonPerformance.objects.create(
        contract=contract, noticed_on=noticed_on, description=description.strip(), deadline_basis=deadline_basis,
        objection_due_on=due, policy_version=policy.version, flagged_by=by,
    )
    url = contract.get_absolute_url()
    subject = _("Non-performance flagged on “%(title)s”: send the objection letter by %(due)s") % {
        "title": contract.title, "due": due.isoformat()}
    transaction.on_commit(lambda: notify_many(
        recipients=[contract.handler], key=event_key("nonperformance", record), subject=subject,
        body=record.description, url=url))
    return record


@transaction.atomic
def non_performance_object(*, record_id: int, by, sent_on: date, text: str, letter=None) -> NonPerformance:
    record = NonPerformance.objects.select_for_update().get(pk=record_id)
    contract = _lock(record.contract_id)
    _require_handler_side(contract, by)
    if record.status != NonPerformanceStatus.OPEN:
        raise WorkflowError(_("The objection letter was already recorded."))
    errors = {}
    if sent_on is None or sent_on > timezone.localdate() or sent_on < record.noticed_on:
        errors["sent_on"] = [_("Enter the date the letter was sent (between noticing and today).")]
    if not (text or "").strip():
        errors["text"] = [_("Enter the content of the objection letter.")]
    if errors:
        raise ValidationError(errors)
    record.status = NonPerformanceStatus.OBJECTED
    record.objection_sent_on, record.objection_text = sent_on, text.strip()
    record._change_reason = _("objection letter sent late") if sent_on > record.objection_due_on else ""
    record.save()
    if letter is not None:
        attachment_add(owner=record, upload=letter, by=by, slot="letter", allowed=DOCUMENTS)
    return record


@transaction.atomic
def non_performance_resolve(*, record_id: int, by, resolution: str) -> NonPerformance:
    record = NonPerformance.objects.select_for_update().get(pk=record_id)
    contract = _lock(record.contract_id)
    _require_handler_side(contract, by)
    if record.status == NonPerformanceStatus.RESOLVED:
        raise WorkflowError(_("This was already resolved."))
    if not (resolution or "").strip():
        raise ValidationError({"resolution": [_("Say how it was resolved.")]})
    record.status, record.resolution = NonPerformanceStatus.RESOLVED, resolution.strip()
    record.save()
    return record


@transaction.atomic
def objection_receive(*, contract_id: int, by, received_on: date, content: str, deadline_basis: str,
                      days: int | None = None, letter=None) -> IncomingObjection:
    """Art. 12: an objection from the counterparty, to be answered by the handler in time."""
    contract = _lock(contract_id)
    _require_in_force(contract)
    _require_handler_side(contract, by)
    errors: dict[str, list] = {}
    if received_on is None or received_on > timezone.localdate():
        errors["received_on"] = [_("Enter when it was received (not in the future).")]
    if not (content or "").strip():
        errors["content"] = [_("Enter what the counterparty objects to.")]
    policy = current_policy()
    due = _deadline(received_on or timezone.localdate(), deadline_basis, days, policy.objection_reply_days,
                    errors, "days")
    if errors:
        raise ValidationError(errors)
    record = IncomingObjection.objects.create(
        contract=contract, received_on=received_on, content=content.strip(), deadline_basis=deadline_basis,
        reply_due_on=due, policy_version=policy.version, recorded_by=by,
    )
    if letter is not None:
        attachment_add(owner=record, upload=letter, by=by, slot="letter", allowed=DOCUMENTS)
    return record


@transaction.atomic
def objection_answer(*, objection_id: int, by, replied_on: date, reply: str, letter=None) -> IncomingObjection:
    record = IncomingObjection.objects.select_for_update().get(pk=objection_id)
    contract = _lock(record.contract_id)
    _require_handler_side(contract, by)
    if record.status != ObjectionStatus.OPEN:
        raise WorkflowError(_("This objection was already answered."))
    errors = {}
    if replied_on is None or replied_on > timezone.localdate() or replied_on < record.received_on:
        errors["replied_on"] = [_("Enter the date of the reply (between receipt and today).")]
    if not (reply or "").strip():
        errors["reply"] = [_("Enter the reply.")]
    if errors:
        raise ValidationError(errors)
    record.status, record.replied_on, record.reply = ObjectionStatus.ANSWERED, replied_on, reply.strip()
    record.save()
    if letter is not None:
        attachment_add(owner=record, upload=letter, by=by, slot="reply", allowed=DOCUMENTS)
    return record


@transaction.atomic
def inability_report(*, contract_id: int, by, occurred_on: date, description: str, remedy_plan: str,
                     counterparty_notified_on: date, notified_how: str) -> InabilityReport:
    """Art. 13: report to the department and notify the counterparty the same day, with a remedy plan."""
    contract = _lock(contract_id)
    _require_in_force(contract)
    _require_handler_side(contract, by)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    if occurred_on is None or occurred_on > today:
        errors["occurred_on"] = [_("Enter when it became known (not in the future).")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what cannot be performed.")]
    if not (remedy_plan or "").strip():
        errors["remedy_plan"] = [_("Describe the remedy planned to limit the loss.")]
    if counterparty_notified_on is None:
        errors["counterparty_notified_on"] = [_("Enter when the counterparty was notified.")]
    elif occurred_on and (counterparty_notified_on < occurred_on or counterparty_notified_on > today):
        errors["counterparty_notified_on"] = [_("The notice date must be between the day it became known and today.")]
    if not (notified_how or "").strip():
        errors["notified_how"] = [_("Say how the counterparty was notified (letter, e-mail, phone …).")]
    if errors:
        raise ValidationError(errors)
    report = InabilityReport.objects.create(
        contract=contract, occurred_on=occurred_on, description=description.strip(), remedy_plan=remedy_plan.strip(),
        counterparty_notified_on=counterparty_notified_on, notified_how=notified_how.strip(), reported_by=by,
    )
    from org.selectors import DEPARTMENT_LEADER, resolve

    leaders = resolve(DEPARTMENT_LEADER, of=contract.handler)
    url = contract.get_absolute_url()
    subject = _("We cannot fully perform “%(title)s”: report and remedy plan") % {"title": contract.title}
    body = report.remedy_plan
    transaction.on_commit(lambda: notify_many(recipients=leaders, key=event_key("inability", report),
                                              subject=subject, body=body, url=url))
    return report


@transaction.atomic
def handler_change_start(*, contract_id: int, by, to_handler, reason: str, open_items: str) -> HandlerChange:
    """Art. 14: Marketing arranges a hand-over; both handlers confirm, then the new one takes over."""
    contract = _lock(contract_id)
    if contract.state in (ContractState.CANCELLED, ContractState.TERMINATED):
        raise WorkflowError(_("This contract is closed."))
    if not (by.is_superuser or has_role(by, *MARKETING_LEADERSHIP) or (
            has_role(by, Role.REGIONAL_MANAGER) and contract.region_id in {r.pk for r in regions_of(by)})):
        raise WorkflowError(_("Marketing leadership or the regional manager arranges a change of handler."))
    errors = {}
    if to_handler is None or not to_handler.is_active or not has_role(to_handler, *selectors.HANDLER_ROLES):
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
        raise WorkflowError(_("A hand-over of this contract is already waiting for confirmation."))
    change = HandlerChange.objects.create(contract=contract, from_handler=contract.handler, to_handler=to_handler,
                                          reason=reason.strip(), open_items=open_items.strip(), created_by=by)
    url = contract.get_absolute_url()
    subject = _("Hand-over of contract “%(title)s”: please confirm") % {"title": contract.title}
    transaction.on_commit(lambda: notify_many(
        recipients=[change.from_handler, change.to_handler], key=event_key("handover", change), subject=subject,
        body=change.open_items, url=url))
    return change


@transaction.atomic
def handler_change_confirm(*, change_id: int, by) -> HandlerChange:
    change = HandlerChange.objects.select_for_update().get(pk=change_id)
    contract = _lock(change.contract_id)
    if change.status != HandoverStatus.PENDING:
        raise WorkflowError(_("This hand-over is no longer waiting for confirmation."))
    now = timezone.now()
    if by.pk == change.from_handler_id and change.from_confirmed_at is None:
        change.from_confirmed_at = now
    elif by.pk == change.to_handler_id and change.to_confirmed_at is None:
        change.to_confirmed_at = now
    elif by.pk in (change.from_handler_id, change.to_handler_id):
        raise WorkflowError(_("You have already confirmed this hand-over."))
    else:
        raise WorkflowError(_("Only the two handlers confirm the hand-over."))
    if change.from_confirmed_at and change.to_confirmed_at:
        change.status = HandoverStatus.CONFIRMED
        contract.handler = change.to_handler
        contract._change_reason = _("handler changed: %(old)s → %(new)s") % {
            "old": display_name(change.from_handler), "new": display_name(change.to_handler)}
        contract.save()
        transaction.on_commit(lambda: contract_handler_changed.send(
            sender=Contract, contract=contract, change=change, by=by))
    change.save()
    return change


@transaction.atomic
def handler_change_cancel(*, change_id: int, by) -> HandlerChange:
    change = HandlerChange.objects.select_for_update().get(pk=change_id)
    if change.status != HandoverStatus.PENDING:
        raise WorkflowError(_("This hand-over is no longer waiting for confirmation."))
    if by.pk != change.created_by_id and not (by.is_superuser or has_role(by, *MARKETING_LEADERSHIP)):
        raise WorkflowError(_("Only the person who arranged it can cancel the hand-over."))
    change.status = HandoverStatus.CANCELLED
    change.save()
    return change


# --------------------------------------------------------------------------------------------------
# Borrowing of originals (CON-10)
# --------------------------------------------------------------------------------------------------
def loan_approvers() -> list:
    from org.selectors import resolve

    return resolve(Role.ADMIN_HEAD)


def loan_keepers() -> list:
    from org.selectors import resolve

    return selectors._unique(resolve(Role.ARCHIVIST) + resolve(Role.ADMIN_HEAD))


@transaction.atomic
def loan_request(*, contract_id: int, by, purpose: str, return_due_on: date) -> Loan:
    contract = _lock(contract_id)
    if not contract.archive_number:
        raise WorkflowError(_("Only an archived original can be borrowed."))
    errors = {}
    today = timezone.localdate()
    policy = current_policy()
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say what the original is needed for.")]
    if return_due_on is None or return_due_on < today:
        errors["return_due_on"] = [_("Enter a return date from today on.")]
    elif (return_due_on - today).days > policy.loan_max_days:
        errors["return_due_on"] = [_("An original can be lent for at most %(days)s days.") % {
            "days": policy.loan_max_days}]
    if errors:
        raise ValidationError(errors)
    if contract.loans.filter(state__in=OPEN_LOAN_STATES).exists():
        raise WorkflowError(_("This original already has an open loan; it can be borrowed again once returned."))
    try:
        with transaction.atomic():
            loan = Loan.objects.create(contract=contract, borrower=by, purpose=purpose.strip(),
                                       return_due_on=return_due_on, policy_version=policy.version)
    except IntegrityError:
        raise WorkflowError(_("This original already has an open loan; it can be borrowed again once returned.")) \
            from None
    approvers = loan_approvers()
    url = contract.get_absolute_url()
    subject = _("Request to borrow the original of “%(title)s”") % {"title": contract.title}
    transaction.on_commit(lambda: notify_many(recipients=approvers + delegates_of(approvers),
                                              key=event_key("loan-request", loan), subject=subject, url=url))
    return loan


def _lock_loan(loan_id: int) -> Loan:
    loan = Loan.objects.select_for_update().get(pk=loan_id)
    _lock(loan.contract_id)
    return loan


@transaction.atomic
def loan_decide(*, loan_id: int, by, approve: bool, comment: str = "") -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state != LoanState.REQUESTED:
        raise WorkflowError(_("This request was already decided (%(state)s).") % {"state": loan.get_state_display()})
    principal = acting_for(by, loan_approvers())
    if principal is None:
        raise WorkflowError(_("Only the head of Administration (or their delegate) approves loans of originals."))
    if loan.borrower_id in (by.pk, principal.pk):
        raise WorkflowError(_("Nobody approves their own request."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": [_("Say why the loan is refused.")]})
    loan.state = LoanState.APPROVED if approve else LoanState.REJECTED
    loan.decided_by, loan.decided_at, loan.decision_comment = by, timezone.now(), comment.strip()[:200]
    loan.decided_on_behalf_of = principal if principal.pk != by.pk else None
    loan.save()
    return loan


@transaction.atomic
def loan_hand_out(*, loan_id: int, by) -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state != LoanState.APPROVED:
        raise WorkflowError(_("Only an approved loan can be handed out."))
    if acting_for(by, loan_keepers()) is None:
        raise WorkflowError(_("Only Administration hands out originals."))
    loan.state, loan.lent_by, loan.lent_at = LoanState.LENT, by, timezone.now()
    loan.save()
    return loan


@transaction.atomic
def loan_return(*, loan_id: int, by) -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state != LoanState.LENT:
        raise WorkflowError(_("Only a lent original can be returned."))
    if acting_for(by, loan_keepers()) is None:
        raise WorkflowError(_("Administration records the return of an original."))
    loan.state, loan.returned_to, loan.returned_at = LoanState.RETURNED, by, timezone.now()
    loan.save()
    return loan


@transaction.atomic
def loan_cancel(*, loan_id: int, by) -> Loan:
    loan = _lock_loan(loan_id)
    if loan.state not in (LoanState.REQUESTED, LoanState.APPROVED):
        raise WorkflowError(_("Only a loan not yet handed out can be withdrawn."))
    if by.pk != loan.borrower_id:
        raise WorkflowError(_("Only the borrower can withdraw the request."))
    loan.state = LoanState.CANCELLED
    loan.save()
    return loan


# --------------------------------------------------------------------------------------------------
# Disputes (CON-12)
# --------------------------------------------------------------------------------------------------
def _require_dispute_keeper(contract: Contract, by) -> None:
    if by.is_superuser or has_role(by, Role.LEGAL, *MARKETING_LEADERSHIP):
        return
    _require_handler_side(contract, by)


@transaction.atomic
def dispute_open(*, contract_id: int, by, opened_on: date, subject: str, description: str,
                 our_position: str = "") -> Dispute:
    contract = _lock(contract_id)
    if contract.state not in (*SIGNED_STATES, ContractState.TERMINATED):
        raise WorkflowError(_("Disputes are recorded on signed contracts."))
    _require_dispute_keeper(contract, by)
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


@transaction.atomic
def dispute_update(*, dispute_id: int, by, status: str, note: str = "", outcome: str = "",
                   closed_on: date | None = None) -> Dispute:
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    contract = _lock(dispute.contract_id)
    _require_dispute_keeper(contract, by)
    if dispute.status == DisputeStatus.CLOSED:
        raise WorkflowError(_("This dispute is closed."))
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


# --------------------------------------------------------------------------------------------------
# Reminders (CON-8, CON-10), run daily by the tasks; each reminder is sent once (notification key).
# --------------------------------------------------------------------------------------------------
def reminders_send(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    policy = current_policy()
    sent = 0
    marks = sorted(set(policy.reminder_days_before) | {0})
    for record in NonPerformance.objects.filter(status=NonPerformanceStatus.OPEN).select_related("contract__handler"):
        days_left = (record.objection_due_on - today).days
        if days_left in marks or days_left < 0:
            tag = "overdue" if days_left < 0 else f"d{days_left}"
            subject = (_("Overdue: objection letter for “%(title)s” was due %(due)s") if days_left < 0 else
                       _("Objection letter for “%(title)s” due %(due)s")) % {
                "title": record.contract.title, "due": record.objection_due_on.isoformat()}
            sent += notify_many(recipients=[record.contract.handler], key=event_key("np-remind", record, tag),
                                subject=subject, url=record.contract.get_absolute_url())
    for record in IncomingObjection.objects.filter(status=ObjectionStatus.OPEN).select_related("contract__handler"):
        days_left = (record.reply_due_on - today).days
        if days_left in marks or days_left < 0:
            tag = "overdue" if days_left < 0 else f"d{days_left}"
            subject = (_("Overdue: reply to the objection on “%(title)s” was due %(due)s") if days_left < 0 else
                       _("Reply to the objection on “%(title)s” due %(due)s")) % {
                "title": record.contract.title, "due": record.reply_due_on.isoformat()}
            sent += notify_many(recipients=[record.contract.handler], key=event_key("obj-remind", record, tag),
                                subject=subject, url=record.contract.get_absolute_url())
    keepers = loan_keepers()
    for loan in Loan.objects.filter(state=LoanState.LENT, return_due_on__lt=today).select_related("contract",
                                                                                                   "borrower"):
        subject = _("Overdue: the original of “%(title)s” was due back on %(due)s") % {
            "title": loan.contract.title, "due": loan.return_due_on.isoformat()}
        # Once per loan and day overdue is too noisy: once when overdue, then weekly.
        week = (today - loan.return_due_on).days // 7
        sent += notify_many(recipients=[loan.borrower, *keepers], key=event_key("loan-overdue", loan, week),
                            subject=subject, url=loan.contract.get_absolute_url())
    return sent


# --------------------------------------------------------------------------------------------------
# Audit: the history records who acted even outside a web request (tasks, the demo seed, other apps).
# --------------------------------------------------------------------------------------------------


for _name, _fn in list(globals().items()):
    if (inspect.isfunction(_fn) and _fn.__module__ == __name__ and not _name.startswith("_")
            and "by" in inspect.signature(_fn).parameters):
        globals()[_name] = audited(_fn)
