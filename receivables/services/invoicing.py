"""Invoices and receipts entered by Finance (RCV-2, RCV-6, RCV-11; the import checks rows with the same rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from marketing_portal.money import format_yuan

from .. import rules
from ..models import (
    ImportBatch,
    Invoice,
    Project,
    Receipt,
)
from ..policy import ZERO
from ._common import _amount, _lock, _refresh_facts, _require, _today, stored_texts


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


def _checked_amount(amount, problems) -> Decimal:
    """The amount, or one refusal listing every problem: the amount's own and those ``problems(value)`` finds."""
    errors: dict[str, list] = {}
    value = None
    try:
        value = _amount(amount, "amount")
    except ValidationError as exc:
        errors.update(exc.error_dict)  # keeps the codes
    for key, messages_ in problems(value).items():
        errors.setdefault(key, []).extend(messages_)
    if errors:
        raise ValidationError(errors)
    return value


def _store(record, *, field: str, duplicate: str, project: Project, refresh: bool, by, reason) -> None:
    """Save an invoice or receipt (its number or bank reference is unique), then bring the project up to date."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError({field: [duplicate]}) from None
    if refresh:
        with stored_texts():
            project._change_reason = reason()
        _refresh_facts(project, by=by)


def invoice_record(*, project_id: int, by, number: str, issued_on: date, amount, note: str = "",
                   batch: ImportBatch | None = None, refresh: bool = True) -> Invoice:
    """Finance records an invoice (partial invoices add up; RCV-2's clock stops when they reach the amount)."""
    with transaction.atomic():
        project = _lock(project_id)
        _require(by, rules.records_money, _("Only Finance records invoices."))
        number = (number or "").strip()
        invoiced, _received, _first = _totals(project)
        value = _checked_amount(amount, lambda value: invoice_problems(
            project, number=number, issued_on=issued_on, amount=value, invoiced=invoiced, today=_today()))
        invoice = Invoice(project=project, number=number, issued_on=issued_on, amount=value,
                          note=(note or "").strip()[:200], import_batch=batch, created_by=by)
        _store(invoice, field="number", project=project, refresh=refresh, by=by,
               duplicate=_("Invoice number %(number)s is already recorded.") % {"number": number},
               reason=lambda: _("invoice %(number)s") % {"number": number})
    return invoice


def receipt_record(*, project_id: int, by, received_on: date, amount, bank_reference: str = "", payer: str = "",
                   note: str = "", batch: ImportBatch | None = None, refresh: bool = True) -> Receipt:
    """Finance records money received (partial payments add up; retention is what remains after collection)."""
    with transaction.atomic():
        project = _lock(project_id)
        _require(by, rules.records_money, _("Only Finance records receipts."))
        reference = (bank_reference or "").strip()
        invoiced, received, first = _totals(project)
        value = _checked_amount(amount, lambda value: receipt_problems(
            project, received_on=received_on, amount=value, bank_reference=reference, invoiced=invoiced,
            received=received, first_invoice_on=first, today=_today()))
        receipt = Receipt(project=project, received_on=received_on, amount=value, bank_reference=reference,
                          payer=(payer or "").strip()[:120], note=(note or "").strip()[:200], import_batch=batch,
                          created_by=by)
        _store(receipt, field="bank_reference", project=project, refresh=refresh, by=by,
               duplicate=_("Bank reference %(ref)s is already recorded.") % {"ref": reference},
               reason=lambda: _("receipt of %(amount)s") % {"amount": format_yuan(value)})
    return receipt


def project_recompute(*, project_id: int, by=None) -> Project:
    """Recompute one project's dates and clocks from its records (after an import of several rows)."""
    with transaction.atomic():
        project = _lock(project_id)
        _refresh_facts(project, by=by)
    return project
