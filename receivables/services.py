"""Every write of the receivables app (SPEC RCV-1 … RCV-13).

Each service takes keyword-only arguments, runs in one transaction, locks the project row it changes
(``select_for_update``), checks the transition and who acts, raises a translated ``ValidationError`` — in which
case nothing is stored — and brings the project up to date with ``engine.project_refresh`` before it commits,
so the page shows the new deadlines and ledger at once. E-mails go out after the commit (``notify``).
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.choices import SIGNED_STATES, Direction
from contracts.models import Contract
from marketing_portal.access import has_role
from marketing_portal.files import DOCUMENTS, attachment_add
from marketing_portal.money import format_yuan, to_amount
from marketing_portal.notifications import event_key, notify, notify_many
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from org.models import Person
from org.roles import EXECUTIVES, FINANCE, MARKETING_LEADERSHIP, MARKETING_OFFICE, XXX, Role
from org.selectors import acting_for

from . import engine
from .choices import (
    AdjustmentState,
    AgreementState,
    EntryKind,
    ProjectStage,
    ProposalKind,
    ProposalState,
    StatementState,
)
from .models import (
    Acceptance,
    AdjustmentRequest,
    CommissionEntry,
    CompensationAgreement,
    DutyProposal,
    ImportBatch,
    Invoice,
    OwnerHandover,
    Payout,
    Project,
    Receipt,
    RetentionStatement,
)
from .policy import HUNDRED, ZERO

# Who may do what (object-level visibility is in selectors).
REGISTRARS = MARKETING_OFFICE  # register projects for older contracts, acknowledge the original acceptance report
ACCEPTANCE_SUBMITTERS = XXX | MARKETING_OFFICE  # XXX submits; Marketing may enter an older paper acceptance for it
REASSIGNERS = frozenset({Role.MARKETING_DIRECTOR, Role.SALES_MANAGER})
ADJUSTMENT_REQUESTERS = MARKETING_LEADERSHIP | FINANCE
COMMISSION_READERS = MARKETING_LEADERSHIP | FINANCE | EXECUTIVES


class ReceivablesError(ValidationError):
    """A step that may not be taken now, or not by this person."""


def in_portal_language(func):
    """Run a service in the portal's language: what it stores (ledger reasons, history comments, notices) reads
    the same whoever triggered it, and its error messages are in Chinese (X-1)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


def _today() -> date:
    return timezone.localdate()


def _require(by, roles, message) -> None:
    if not (by.is_superuser or has_role(by, *roles)):
        raise ReceivablesError(message)


def _lock(project_id: int) -> Project:
    try:
        return Project.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=project_id)
    except Project.DoesNotExist:
        raise ReceivablesError(_("This project does not exist.")) from None


def _money(raw, field: str, *, allow_negative: bool = False, allow_zero: bool = False) -> Decimal:
    if isinstance(raw, float):
        raise TypeError("amounts are Decimal, never float")
    try:
        value = to_amount(Decimal(str(raw).replace(",", "").replace("，", "").replace("¥", "").strip()))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("“%(value)s” is not an amount.") % {"value": raw}]}) from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise ValidationError({field: [_("“%(value)s” is not an amount.") % {"value": raw}]})
    if value == 0 and not allow_zero:
        raise ValidationError({field: [_("The amount cannot be zero.")]})
    if value < 0 and not allow_negative:
        raise ValidationError({field: [_("The amount must be positive.")]})
    return value


def _refresh_facts(project: Project, *, by=None) -> None:
    """Recompute the project's dates and stage from its records, then bring its clocks and ledger up to date."""
    facts = engine.derive_facts(project)
    for name, value in facts.items():
        setattr(project, name, value)
    if project.accepted_on is not None and project.warranty_ends_on is None:
        project.warranty_ends_on = engine.warranty_end(project.accepted_on, project.warranty_months)
    project.stage = engine.derive_stage(project, engine.statement_of(project))
    project.next_check_on = _today()
    project.save()
    engine.project_refresh(project, by=by)


# --------------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------------
@in_portal_language
def project_register(*, contract_id: int, by=None, commission_base=None) -> Project:
    """Open the project of a signed sales contract (automatically on signing, or by hand for older contracts).

    Idempotent: a second call for the same contract returns the existing project (one per contract, unique).
    """
    with transaction.atomic():
        try:
            contract = Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract_id)
        except Contract.DoesNotExist:
            raise ReceivablesError(_("This contract does not exist.")) from None
        existing = Project.objects.filter(contract=contract).first()
        if existing is not None:
            return existing
        if by is not None:
            _require(by, REGISTRARS, _("Only the Marketing office can register a project."))
        if contract.direction != Direction.SALES:
            raise ReceivablesError(_("Only a sales contract with a customer becomes a project."))
        if contract.parent_id is not None:
            raise ReceivablesError(_("A supplementary or termination agreement belongs to the project of its "
                                     "original contract; it does not open a project of its own."))
        if contract.state not in SIGNED_STATES:
            raise ReceivablesError(_("The contract is not signed (it is “%(state)s”).") % {
                "state": contract.get_state_display()})
        policy = current_policy()
        base = contract.amount if commission_base in (None, "") else _money(commission_base, "commission_base",
                                                                            allow_zero=True)
        retention = to_amount(contract.amount * contract.retention_percent / HUNDRED)
        project = Project(
            contract=contract, name=contract.title[:150], customer=contract.customer, region=contract.region,
            owner=contract.handler, amount=contract.amount, retention_percent=contract.retention_percent,
            retention_amount=retention, warranty_months=contract.warranty_months, commission_base=base,
            commission_rate_percent=policy.commission_rate_percent, commission_policy_version=policy.version,
            registered_by=by,
        )
        project._change_reason = _("registered from the signed contract")
        try:
            with transaction.atomic():
                project.save()
        except IntegrityError:  # registered at the same moment by the signal and by hand
            return Project.objects.get(contract=contract)
        year = (contract.signed_on or _today()).year
        Project.objects.filter(pk=project.pk).update(number=f"XM{year}-{project.pk:05d}")
        project.refresh_from_db(fields=["number"])
        CommissionEntry.objects.create(
            project=project, owner=project.owner, kind=EntryKind.BASE, key="base", entry_date=_today(),
            amount=project.commission, commission=project.commission, policy_version=policy.version, created_by=by,
            reason=_("Base commission: %(rate)s%% of %(base)s") % {
                "rate": project.commission_rate_percent, "base": format_yuan(project.commission_base)},
        )
        notify(recipient=project.owner, key=event_key("rcv-project-registered", project),
               subject=_("Project registered: %(project)s") % {"project": project},
               body=_("Your commission on it: %(amount)s (%(rate)s%% of %(base)s). The invoice clock starts when "
                      "XXX submits the acceptance report.") % {
                   "amount": format_yuan(project.commission), "rate": project.commission_rate_percent,
                   "base": format_yuan(project.commission_base)},
               url=project.get_absolute_url())
    return project


@in_portal_language
@transaction.atomic
def project_commission_change(*, project_id: int, by, commission_base, rate_percent, reason: str) -> Project:
    """The Marketing Director changes the commission base or rate, with a reason (audited; RCV-9 override)."""
    project = _lock(project_id)
    principal = acting_for(by, engine.directors())
    if principal is None:
        raise ReceivablesError(_("Only the Marketing Director can change a project's commission."))
    errors: dict[str, list] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the commission changes.")]
    base = rate = None
    try:
        base = _money(commission_base, "commission_base", allow_zero=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        rate = _money(rate_percent, "rate_percent", allow_zero=True)
        if rate > HUNDRED:
            errors["rate_percent"] = [_("The rate must be between 0 and 100 %.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if base == project.commission_base and rate == project.commission_rate_percent:
        raise ValidationError(_("Nothing was changed."))
    old = project.commission
    posted = engine.Ledger(project.entries.all()).posted_percent()
    project.commission_base, project.commission_rate_percent = base, rate
    new = project.commission
    project._change_reason = reason.strip()[:100]
    project.save(update_fields=["commission_base", "commission_rate_percent"])
    # The change reaches the owner net of what is already deducted: deductions are shares of the commission.
    delta = to_amount((new - old) * (HUNDRED - posted) / HUNDRED)
    on_behalf = "" if principal.pk == by.pk else _(" (on behalf of %(name)s)") % {"name": display_name(principal)}
    CommissionEntry.objects.create(
        project=project, owner=project.owner, kind=EntryKind.BASE_CHANGE, entry_date=_today(), amount=delta,
        commission=new, percent=None, policy_version=current_policy().version, created_by=by,
        reason=(_("Commission %(old)s → %(new)s (%(posted)s%% already deducted): %(reason)s") % {
            "old": format_yuan(old), "new": format_yuan(new), "posted": posted, "reason": reason.strip()}
            + on_behalf)[:300],
    )
    notify(recipient=project.owner, key=event_key("rcv-commission-change", project, project.entries.count()),
           subject=_("%(project)s: your commission was changed to %(amount)s") % {
               "project": project, "amount": format_yuan(new)},
           body=reason.strip(), url=project.get_absolute_url())
    return project


@in_portal_language
@transaction.atomic
def project_reassign(*, project_id: int, by, to_owner, reason: str, open_items: str = "") -> OwnerHandover:
    """Give the project to another sales owner with a hand-over record; the unpaid commission moves along."""
    project = _lock(project_id)
    _require(by, REASSIGNERS, _("Only the Marketing Director or the Sales Manager can reassign a project."))
    errors: dict[str, list] = {}
    if to_owner is None:
        errors["to_owner"] = [_("Choose the new sales owner.")]
    elif to_owner.pk == project.owner_id:
        errors["to_owner"] = [_("This person already owns the project.")]
    elif not to_owner.is_active:
        errors["to_owner"] = [_("This login is disabled.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the project changes hands.")]
    if errors:
        raise ValidationError(errors)
    return _hand_over(project, to_owner=to_owner, reason=reason.strip(), open_items=open_items, by=by)


@in_portal_language
@transaction.atomic
def project_follow_handler_change(*, contract_id: int, change, by) -> OwnerHandover | None:
    """CON-9 → RCV: when the contract's handler hands over (both confirmed), the project follows the handler.

    Only a project still owned by the previous handler moves; one the Director reassigned stays where it is.
    """
    project = Project.objects.filter(contract_id=contract_id).first()
    if project is None:
        return None
    project = _lock(project.pk)
    if project.owner_id != change.from_handler_id or change.to_handler_id == project.owner_id:
        return None
    reason = _("Contract handler hand-over: %(from)s → %(to)s") % {
        "from": display_name(change.from_handler), "to": display_name(change.to_handler)}
    return _hand_over(project, to_owner=change.to_handler, reason=reason, open_items=change.open_items, by=by)


def _hand_over(project, *, to_owner, reason: str, open_items: str, by) -> OwnerHandover:
    old_owner = project.owner
    handover = OwnerHandover.objects.create(
        project=project, from_owner=old_owner, to_owner=to_owner, effective_on=_today(), reason=reason,
        open_items=(open_items or "").strip(), created_by=by)
    balance = project.entries.filter(owner=old_owner).aggregate(s=Sum("amount"))["s"] or ZERO
    if balance > 0:
        text = _("Hand-over to %(to)s: %(reason)s") % {"to": display_name(to_owner), "reason": reason}
        CommissionEntry.objects.create(project=project, owner=old_owner, kind=EntryKind.TRANSFER_OUT,
                                       entry_date=_today(), amount=-balance, handover=handover, created_by=by,
                                       reason=text[:300])
        CommissionEntry.objects.create(project=project, owner=to_owner, kind=EntryKind.TRANSFER_IN,
                                       entry_date=_today(), amount=balance, handover=handover, created_by=by,
                                       reason=(_("Taken over from %(from)s") % {"from": display_name(old_owner)})[:300])
    project.owner = to_owner
    project._change_reason = reason[:100]
    project.save(update_fields=["owner"])
    for user in (old_owner, to_owner):
        notify(recipient=user, key=event_key("rcv-handover", handover, user.pk),
               subject=_("%(project)s: sales owner %(from)s → %(to)s") % {
                   "project": project, "from": display_name(old_owner), "to": display_name(to_owner)},
               body=handover.open_items, url=project.get_absolute_url())
    engine.consider_lifting([old_owner.pk])
    return handover


# --------------------------------------------------------------------------------------------------
# Acceptance (RCV-1, RCV-2)
# --------------------------------------------------------------------------------------------------
@in_portal_language
@transaction.atomic
def acceptance_submit(*, project_id: int, by, report_date: date, notice: str, report_scan, notice_scan=None
                      ) -> Acceptance:
    """XXX submits the written completion notice with the acceptance report; the owner is told at once (RCV-2)."""
    project = _lock(project_id)
    _require(by, ACCEPTANCE_SUBMITTERS, _("Only XXX (or the Marketing office for an older paper acceptance) can "
                                          "submit the completion notice."))
    if project.stage != ProjectStage.AWAITING_ACCEPTANCE or Acceptance.objects.filter(project=project).exists():
        raise ReceivablesError(_("The acceptance of this project was already submitted."))
    errors: dict[str, list] = {}
    today = _today()
    signed_on = project.contract.signed_on
    if report_date is None:
        errors["report_date"] = [_("Enter the date of the acceptance report.")]
    elif report_date > today:
        errors["report_date"] = [_("The acceptance report cannot be dated in the future.")]
    elif signed_on and report_date < signed_on:
        errors["report_date"] = [_("The acceptance report cannot be dated before the contract was signed on "
                                   "%(day)s.") % {"day": signed_on.isoformat()}]
    if not (notice or "").strip():
        errors["notice"] = [_("Write the completion notice.")]
    if report_scan is None:
        errors["report_scan"] = [_("Upload the scan of the acceptance report.")]
    if errors:
        raise ValidationError(errors)
    acceptance = Acceptance.objects.create(project=project, report_date=report_date, notice=notice.strip(),
                                           submitted_by=by)
    try:
        attachment_add(owner=acceptance, upload=report_scan, by=by, slot="report", allowed=DOCUMENTS)
        if notice_scan is not None:
            attachment_add(owner=acceptance, upload=notice_scan, by=by, slot="notice", allowed=DOCUMENTS)
    except ValidationError as exc:
        raise ValidationError({"report_scan" if notice_scan is None else "__all__": exc.messages}) from None
    project.accepted_on = report_date
    project.warranty_ends_on = engine.warranty_end(report_date, project.warranty_months)
    project._change_reason = _("accepted on %(day)s") % {"day": report_date.isoformat()}
    _refresh_facts(project, by=by)
    policy = current_policy()
    from .policy import assess

    deadline = assess(accepted_on=report_date, invoiced_on=None, collected_on=None, as_of=max(report_date, today),
                      policy=policy).invoice_deadline
    notify(recipient=project.owner, key=event_key("rcv-accepted", project),
           subject=_("%(project)s was accepted on %(day)s: invoice by %(deadline)s") % {
               "project": project, "day": report_date.isoformat(), "deadline": deadline.isoformat()},
           body=_("Under the receivables rules the project must be invoiced within %(months)s month(s) of "
                  "acceptance, i.e. by 24:00 on %(deadline)s. Every full %(step)s days later %(percent)s%% of the "
                  "commission is deducted.") % {
               "months": policy.invoice_deadline_months, "deadline": deadline.isoformat(),
               "step": policy.deduction_step_days, "percent": policy.deduction_step_percent},
           url=project.get_absolute_url())
    notify_many(recipients=engine.marketing_receivers(), key=event_key("rcv-acceptance-original", acceptance),
                subject=_("Acceptance report of %(project)s: acknowledge the original") % {"project": project},
                url=acceptance.get_absolute_url())
    notify_many(recipients=engine.finance_people(), key=event_key("rcv-acceptance-copy", acceptance),
                subject=_("Acceptance report of %(project)s: acknowledge the copy") % {"project": project},
                url=acceptance.get_absolute_url())
    return acceptance


@in_portal_language
@transaction.atomic
def acceptance_acknowledge(*, project_id: int, by, part: str) -> Acceptance:
    """Marketing confirms it received the original, Finance the copy (RCV-1); each once."""
    project = _lock(project_id)
    acceptance = Acceptance.objects.select_for_update().filter(project=project).first()
    if acceptance is None:
        raise ReceivablesError(_("The acceptance of this project has not been submitted yet."))
    now = timezone.now()
    if part == "original":
        _require(by, MARKETING_OFFICE, _("Only the Marketing office acknowledges the original."))
        if acceptance.original_received_at:
            raise ReceivablesError(_("The original was already acknowledged."))
        acceptance.original_received_by, acceptance.original_received_at = by, now
        acceptance._change_reason = _("original received by Marketing")
    elif part == "copy":
        _require(by, FINANCE, _("Only Finance acknowledges the copy."))
        if acceptance.copy_received_at:
            raise ReceivablesError(_("The copy was already acknowledged."))
        acceptance.copy_received_by, acceptance.copy_received_at = by, now
        acceptance._change_reason = _("copy received by Finance")
    else:
        raise ReceivablesError(_("Unknown document."))
    acceptance.save()
    return acceptance


# --------------------------------------------------------------------------------------------------
# Invoices and receipts (RCV-11)
# --------------------------------------------------------------------------------------------------
def invoice_problems(project: Project, *, number: str, issued_on: date | None, amount: Decimal | None,
                     invoiced: Decimal, today: date) -> dict[str, list]:
    """What is wrong with an invoice for ``project`` given what is already invoiced (shared with the import)."""
    errors: dict[str, list] = {}
    if not number:
        errors["number"] = [_("Enter the invoice number.")]
    elif Invoice.objects.filter(number=number).exists():
        errors["number"] = [_("Invoice number %(number)s is already recorded.") % {"number": number}]
    if project.accepted_on is None:
        errors["issued_on"] = [_("The project has not been accepted yet: there is nothing to invoice.")]
    elif issued_on is None:
        errors["issued_on"] = [_("Enter the invoice date.")]
    elif issued_on < project.accepted_on:
        errors["issued_on"] = [_("The invoice date %(day)s is before the acceptance date %(accepted)s.") % {
            "day": issued_on.isoformat(), "accepted": project.accepted_on.isoformat()}]
    elif issued_on > today:
        errors["issued_on"] = [_("The invoice date cannot be in the future.")]
    if amount is not None and invoiced + amount > project.amount:
        errors["amount"] = [_("%(amount)s would bring the invoices to %(total)s, more than the project amount "
                              "%(project)s (%(left)s left to invoice).") % {
            "amount": format_yuan(amount), "total": format_yuan(invoiced + amount),
            "project": format_yuan(project.amount), "left": format_yuan(project.amount - invoiced)}]
    return errors


def receipt_problems(project: Project, *, received_on: date | None, amount: Decimal | None, bank_reference: str,
                     invoiced: Decimal, received: Decimal, first_invoice_on: date | None, today: date
                     ) -> dict[str, list]:
    errors: dict[str, list] = {}
    owed = invoiced - received
    if received_on is None:
        errors["received_on"] = [_("Enter the day the money was received.")]
    elif received_on > today:
        errors["received_on"] = [_("The receipt date cannot be in the future.")]
    elif first_invoice_on is None:
        errors["received_on"] = [_("No invoice is recorded for this project yet: record the invoice first.")]
    elif received_on < first_invoice_on:
        errors["received_on"] = [_("The receipt date %(day)s is before the first invoice of %(invoice)s.") % {
            "day": received_on.isoformat(), "invoice": first_invoice_on.isoformat()}]
    if amount is not None and first_invoice_on is not None and amount > owed:
        errors["amount"] = [_("%(amount)s is more than what is owed: %(owed)s (invoiced %(invoiced)s, received "
                              "%(received)s).") % {
            "amount": format_yuan(amount), "owed": format_yuan(owed), "invoiced": format_yuan(invoiced),
            "received": format_yuan(received)}]
    if bank_reference and Receipt.objects.filter(bank_reference=bank_reference).exists():
        errors["bank_reference"] = [_("Bank reference %(ref)s is already recorded.") % {"ref": bank_reference}]
    return errors


def _totals(project: Project) -> tuple[Decimal, Decimal, date | None]:
    invoices = project.invoices.aggregate(total=Sum("amount"))
    first = project.invoices.order_by("issued_on").values_list("issued_on", flat=True).first()
    received = project.receipts.aggregate(total=Sum("amount"))["total"] or ZERO
    return invoices["total"] or ZERO, received, first


@in_portal_language
def invoice_record(*, project_id: int, by, number: str, issued_on: date, amount, note: str = "",
                   batch: ImportBatch | None = None, refresh: bool = True) -> Invoice:
    """Finance records an invoice (partial invoices add up; RCV-2's clock stops when they reach the amount)."""
    with transaction.atomic():
        project = _lock(project_id)
        _require(by, FINANCE, _("Only Finance records invoices."))
        number = (number or "").strip()
        errors: dict[str, list] = {}
        value = None
        try:
            value = _money(amount, "amount")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        invoiced, _received, _first = _totals(project)
        for key, messages_ in invoice_problems(project, number=number, issued_on=issued_on, amount=value,
                                               invoiced=invoiced, today=_today()).items():
            errors.setdefault(key, []).extend(messages_)
        if errors:
            raise ValidationError(errors)
        invoice = Invoice(project=project, number=number, issued_on=issued_on, amount=value,
                          note=(note or "").strip()[:200], import_batch=batch, created_by=by)
        try:
            with transaction.atomic():
                invoice.save()
        except IntegrityError:
            raise ValidationError({"number": [_("Invoice number %(number)s is already recorded.") % {
                "number": number}]}) from None
        if refresh:
            project._change_reason = _("invoice %(number)s") % {"number": number}
            _refresh_facts(project, by=by)
    return invoice


@in_portal_language
def receipt_record(*, project_id: int, by, received_on: date, amount, bank_reference: str = "", payer: str = "",
                   note: str = "", batch: ImportBatch | None = None, refresh: bool = True) -> Receipt:
    """Finance records money received (partial payments add up; retention is what remains after collection)."""
    with transaction.atomic():
        project = _lock(project_id)
        _require(by, FINANCE, _("Only Finance records receipts."))
        reference = (bank_reference or "").strip()
        errors: dict[str, list] = {}
        value = None
        try:
            value = _money(amount, "amount")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        invoiced, received, first = _totals(project)
        for key, messages_ in receipt_problems(project, received_on=received_on, amount=value,
                                               bank_reference=reference, invoiced=invoiced, received=received,
                                               first_invoice_on=first, today=_today()).items():
            errors.setdefault(key, []).extend(messages_)
        if errors:
            raise ValidationError(errors)
        receipt = Receipt(project=project, received_on=received_on, amount=value, bank_reference=reference,
                          payer=(payer or "").strip()[:120], note=(note or "").strip()[:200], import_batch=batch,
                          created_by=by)
        try:
            with transaction.atomic():
                receipt.save()
        except IntegrityError:
            raise ValidationError({"bank_reference": [_("Bank reference %(ref)s is already recorded.") % {
                "ref": reference}]}) from None
        if refresh:
            project._change_reason = _("receipt of %(amount)s") % {"amount": format_yuan(value)}
            _refresh_facts(project, by=by)
    return receipt


@in_portal_language
def project_recompute(*, project_id: int, by=None) -> Project:
    """Recompute one project's dates and clocks from its records (after an import of several rows)."""
    with transaction.atomic():
        project = _lock(project_id)
        _refresh_facts(project, by=by)
    return project


# --------------------------------------------------------------------------------------------------
# Retention (RCV-7)
# --------------------------------------------------------------------------------------------------
@in_portal_language
@transaction.atomic
def statement_issue(*, statement_id: int, by, issued_on: date | None = None) -> RetentionStatement:
    """Finance issues the drafted statement to Marketing; its issue date starts the retention clock (RCV-6)."""
    statement = RetentionStatement.objects.select_for_update().get(pk=statement_id)
    project = _lock(statement.project_id)
    statement.refresh_from_db()
    _require(by, FINANCE, _("Only Finance issues the retention collection statement."))
    if statement.state != StatementState.DRAFTED:
        raise ReceivablesError(_("This statement was already issued."))
    today = _today()
    issued_on = issued_on or today
    if issued_on > today:
        raise ValidationError({"issued_on": [_("The issue date cannot be in the future.")]})
    if issued_on < statement.drafted_on:
        raise ValidationError({"issued_on": [_("The statement cannot be issued before it was drafted on %(day)s.")
                                             % {"day": statement.drafted_on.isoformat()}]})
    received = project.receipts.aggregate(s=Sum("amount"))["s"] or ZERO
    statement.collected_amount = received
    statement.receivable_amount = project.amount - received
    statement.state = StatementState.ISSUED
    statement.issued_on, statement.issued_by = issued_on, by
    statement._change_reason = _("issued by Finance")
    statement.save()
    project._change_reason = _("retention statement issued")
    _refresh_facts(project, by=by)
    notify_many(recipients=engine.marketing_receivers() + engine.directors(),
                key=event_key("rcv-statement-issued", statement),
                subject=_("Retention collection statement issued: %(project)s — notify the owner") % {
                    "project": project},
                body=_("Receivable %(amount)s; the collection period runs from %(day)s.") % {
                    "amount": format_yuan(statement.receivable_amount), "day": issued_on.isoformat()},
                url=statement.get_absolute_url())
    return statement


@in_portal_language
@transaction.atomic
def statement_notify_owner(*, statement_id: int, by) -> RetentionStatement:
    """Marketing passes the statement on to the sales owner, who must now collect the retention money."""
    statement = RetentionStatement.objects.select_for_update().select_related("project").get(pk=statement_id)
    _require(by, MARKETING_OFFICE, _("Only the Marketing office notifies the owner."))
    if statement.state != StatementState.ISSUED:
        raise ReceivablesError(_("Only an issued statement can be passed on to the owner."))
    statement.state = StatementState.NOTIFIED
    statement.notified_by, statement.notified_at = by, timezone.now()
    statement._change_reason = _("owner notified")
    statement.save()
    project = statement.project
    policy = current_policy()
    from .policy import assess_collection

    deadline = assess_collection(started_on=statement.issued_on, collected_on=None, as_of=statement.issued_on,
                                 policy=policy).collection_deadline
    notify(recipient=project.owner, key=event_key("rcv-statement-owner", statement),
           subject=_("%(project)s: collect the retention money %(amount)s by %(deadline)s") % {
               "project": project, "amount": format_yuan(statement.receivable_amount),
               "deadline": deadline.isoformat()},
           body=_("Finance issued the retention collection statement on %(day)s. The collection rules apply from "
                  "that day: within %(days)s days, then %(percent)s%% of the commission for every full %(step)s "
                  "days late.") % {
               "day": statement.issued_on.isoformat(), "days": policy.collection_deadline_days,
               "percent": policy.deduction_step_percent, "step": policy.deduction_step_days},
           url=statement.get_absolute_url())
    return statement


# --------------------------------------------------------------------------------------------------
# Collection-only duty (RCV-4, RCV-5, RCV-8) and compensation agreements
# --------------------------------------------------------------------------------------------------
@in_portal_language
@transaction.atomic
def duty_proposal_decide(*, proposal_id: int, by, confirm: bool, reason: str) -> DutyProposal:
    """The Marketing Director confirms or declines a proposal, with a reason."""
    proposal = DutyProposal.objects.select_for_update(of=("self",)).select_related("person__user", "project").get(
        pk=proposal_id)
    principal = acting_for(by, engine.directors())
    if principal is None:
        raise ReceivablesError(_("Only the Marketing Director decides on collection-only duty."))
    if proposal.person.user_id in (by.pk, principal.pk):
        raise ReceivablesError(_("No one decides on their own collection-only duty."))
    if proposal.state != ProposalState.PENDING:
        raise ReceivablesError(_("This proposal was already decided or withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the decision.")]})
    proposal.state = ProposalState.CONFIRMED if confirm else ProposalState.DECLINED
    proposal.decided_by, proposal.decided_for, proposal.decided_at = by, principal, timezone.now()
    proposal.decision_reason = reason[:300]
    proposal._change_reason = reason[:100]
    proposal.save()
    person = proposal.person
    if confirm and proposal.kind == ProposalKind.IMPOSE:
        engine.duty_set(person_id=person.pk, collection_only=True, reason=proposal.reason, by=by)
        subject = _("You are on collection-only duty: %(cause)s") % {"cause": proposal.reason}
        body = _("Decided by the Marketing Director: %(reason)s. Until it is lifted you can only do invoicing and "
                 "collection work; you cannot create contracts, hand-offs or bids.") % {"reason": reason}
    elif confirm:
        engine.duty_set(person_id=person.pk, collection_only=False, reason=reason, by=by)
        subject = _("Your collection-only duty is lifted")
        body = reason
    else:
        subject = body = ""
    if subject:
        notify(recipient=person.user, key=event_key("rcv-duty-decided", proposal), subject=subject, body=body,
               url=proposal.get_absolute_url())
    return proposal


@in_portal_language
@transaction.atomic
def duty_lift(*, person_id: int, by, reason: str) -> DutyProposal:
    """The Marketing Director lifts a collection-only duty without waiting for the system's proposal."""
    principal = acting_for(by, engine.directors())
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
    proposal = DutyProposal.objects.create(person=person, kind=ProposalKind.LIFT, reason=reason.strip()[:300])
    return duty_proposal_decide(proposal_id=proposal.pk, by=by, confirm=True, reason=reason)


@in_portal_language
@transaction.atomic
def agreement_upload(*, agreement_id: int, by, signed_on: date, scan) -> CompensationAgreement:
    """The signed compensation agreement (RCV-5) is uploaded; tracked until then."""
    agreement = CompensationAgreement.objects.select_for_update().select_related("project").get(pk=agreement_id)
    _require(by, MARKETING_LEADERSHIP | {Role.SALES_CLERK},
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
    agreement._change_reason = _("signed agreement uploaded")
    agreement.save()
    return agreement


# --------------------------------------------------------------------------------------------------
# Commission: adjustments and payouts (RCV-9)
# --------------------------------------------------------------------------------------------------
@in_portal_language
@transaction.atomic
def adjustment_request(*, project_id: int, by, amount, reason: str) -> AdjustmentRequest:
    project = _lock(project_id)
    _require(by, ADJUSTMENT_REQUESTERS, _("Only Marketing leadership or Finance can request an adjustment."))
    errors: dict[str, list] = {}
    value = None
    try:
        value = _money(amount, "amount", allow_negative=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the commission should be adjusted.")]
    if errors:
        raise ValidationError(errors)
    adjustment = AdjustmentRequest.objects.create(project=project, owner=project.owner, amount=value,
                                                  reason=reason.strip()[:300], requested_by=by)
    notify_many(recipients=engine.directors(), key=event_key("rcv-adjustment", adjustment),
                subject=_("Commission adjustment to approve: %(project)s %(amount)s") % {
                    "project": project, "amount": format_yuan(value)},
                body=adjustment.reason, url=project.get_absolute_url())
    return adjustment


@in_portal_language
@transaction.atomic
def adjustment_decide(*, adjustment_id: int, by, approve: bool, comment: str = "") -> AdjustmentRequest:
    adjustment = AdjustmentRequest.objects.select_for_update().get(pk=adjustment_id)
    project = _lock(adjustment.project_id)
    principal = acting_for(by, engine.directors())
    if principal is None:
        raise ReceivablesError(_("Only the Marketing Director approves commission adjustments."))
    if adjustment.requested_by_id in (by.pk, principal.pk) or adjustment.owner_id in (by.pk, principal.pk):
        raise ReceivablesError(_("No one approves an adjustment they requested or that concerns themselves."))
    if adjustment.state != AdjustmentState.PENDING:
        raise ReceivablesError(_("This adjustment was already decided."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("Say why the adjustment is rejected.")]})
    adjustment.state = AdjustmentState.APPROVED if approve else AdjustmentState.REJECTED
    adjustment.decided_by, adjustment.decided_for, adjustment.decided_at = by, principal, timezone.now()
    adjustment.decision_comment = comment[:300]
    adjustment.save()
    if approve:
        CommissionEntry.objects.create(
            project=project, owner=adjustment.owner, kind=EntryKind.ADJUSTMENT, entry_date=_today(),
            amount=adjustment.amount, adjustment=adjustment, created_by=by,
            reason=(_("Approved by %(who)s: %(reason)s") % {"who": display_name(principal), "reason": adjustment.reason}
                    )[:300])
        notify(recipient=adjustment.owner, key=event_key("rcv-adjustment-approved", adjustment),
               subject=_("%(project)s: commission adjusted by %(amount)s") % {
                   "project": project, "amount": format_yuan(adjustment.amount)},
               body=adjustment.reason, url=project.get_absolute_url())
    return adjustment


def payable_for(owner) -> list[dict]:
    """Per project, the owner's commission balance and whether it can be paid now.

    Commission is paid once the project is collected (RCV-6, retention excluded); a negative balance (a deduction
    that arrived after a payout) is recovered from the next payout (claw-back).
    """
    rows = (CommissionEntry.objects.filter(owner=owner).values("project_id")
            .annotate(balance=Sum("amount")).order_by("project_id"))
    balances = {r["project_id"]: r["balance"] for r in rows if r["balance"] != 0}
    projects = Project.objects.in_bulk(list(balances))
    result = []
    for pid, balance in balances.items():
        project = projects[pid]
        result.append({"project": project, "balance": balance,
                       "payable": balance > 0 and project.collected_on is not None,
                       "recover": balance < 0})
    return result


@in_portal_language
@transaction.atomic
def commission_payout(*, owner, by, paid_on: date, reference: str = "") -> Payout:
    """Finance pays an owner everything payable, less what must be recovered (claw-backs). Serialised per owner."""
    _require(by, FINANCE, _("Only Finance records commission payouts."))
    if paid_on is None or paid_on > _today():
        raise ValidationError({"paid_on": [_("Enter a payment date that is not in the future.")]})
    project_ids = list(CommissionEntry.objects.filter(owner=owner).values_list("project_id", flat=True).distinct())
    # Lock the owner's projects (in pk order, like the sweep) so no deduction lands between the sums and the entries.
    list(Project.objects.select_for_update(of=("self",)).filter(pk__in=project_ids).order_by("pk"))
    rows = payable_for(owner)
    gross = sum((r["balance"] for r in rows if r["payable"]), ZERO)
    owed_back = sum((-r["balance"] for r in rows if r["recover"]), ZERO)
    recovered = min(gross, owed_back)
    net = gross - recovered
    if net <= 0:
        raise ReceivablesError(_("Nothing can be paid to %(who)s now (payable %(gross)s, to recover %(back)s).") % {
            "who": display_name(owner), "gross": format_yuan(gross), "back": format_yuan(owed_back)})
    payout = Payout.objects.create(owner=owner, paid_on=paid_on, gross=gross, recovered=recovered, net=net,
                                   reference=(reference or "").strip()[:60], created_by=by)
    for row in rows:
        if row["payable"]:
            CommissionEntry.objects.create(project=row["project"], owner=owner, kind=EntryKind.PAYOUT,
                                           entry_date=paid_on, amount=-row["balance"], payout=payout, created_by=by,
                                           reason=(_("Paid out %(ref)s") % {"ref": payout.reference}).strip())
    left = recovered
    for row in sorted((r for r in rows if r["recover"]), key=lambda r: r["project"].pk):
        if left <= 0:
            break
        take = min(left, -row["balance"])
        CommissionEntry.objects.create(project=row["project"], owner=owner, kind=EntryKind.CLAWBACK,
                                       entry_date=paid_on, amount=take, payout=payout, created_by=by,
                                       reason=_("Recovered from the payout of %(day)s") % {"day": paid_on.isoformat()})
        left -= take
    notify(recipient=owner, key=event_key("rcv-payout", payout),
           subject=_("Commission paid: %(net)s") % {"net": format_yuan(net)},
           body=_("Commission %(gross)s, recovered %(back)s (deductions after an earlier payout).") % {
               "gross": format_yuan(gross), "back": format_yuan(recovered)}, url="")
    return payout


__all__ = [
    "ReceivablesError", "project_register", "project_commission_change", "project_reassign", "acceptance_submit",
    "acceptance_acknowledge", "invoice_record", "receipt_record", "project_recompute", "statement_issue",
    "statement_notify_owner", "duty_proposal_decide", "duty_lift", "agreement_upload", "adjustment_request",
    "adjustment_decide", "payable_for", "commission_payout",
]
