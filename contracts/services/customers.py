"""Customers, their contacts and due diligence (SPEC CUS-1, CUS-2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.files import attachments_add
from marketing_portal.periods import raw_period_end
from marketing_portal.policy import current_policy

from ..choices import DUE_DILIGENCE_POINTS, Conclusion, Rating
from ..models import Customer, CustomerContact, DueDiligence, validate_credit_code
from .common import require, stored


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


@audited
@transaction.atomic
def customer_create(*, by, name: str, credit_code: str, region, address: str = "", industry: str = "",
                    notes: str = "", contacts: Iterable[dict] = ()) -> Customer:
    require(by, "contracts.create_customer", message=_("Only Marketing staff can do this."))
    name, code = _customer_check(name=name, credit_code=credit_code, region=region)
    customer = Customer(name=name, credit_code=code, region=region, address=address.strip(),
                        industry=industry.strip(), notes=notes.strip(), created_by=by)
    _save_unique(customer, {"name": [_("This customer already exists.")]})
    for data in contacts:
        customer_contact_add(customer_id=customer.pk, by=by, **data)
    return customer


@audited
@transaction.atomic
def customer_update(*, customer_id: int, by, name: str, credit_code: str, region, address: str = "",
                    industry: str = "", notes: str = "") -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    require(by, "contracts.edit_customer", customer, message=_("Only Marketing staff can do this."))
    name, code = _customer_check(name=name, credit_code=credit_code, region=region, exclude_pk=customer.pk)
    customer.name, customer.credit_code, customer.region = name, code, region
    customer.address, customer.industry, customer.notes = address.strip(), industry.strip(), notes.strip()
    return _save_unique(customer, {"name": [_("This customer already exists.")]})


@audited
@transaction.atomic
def customer_contact_add(*, customer_id: int, by, name: str, position: str = "", phone: str = "",
                         mobile: str = "", email: str = "") -> CustomerContact:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    require(by, "contracts.edit_customer", customer, message=_("Only Marketing staff can do this."))
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


@audited
@transaction.atomic
def customer_contact_retire(*, contact_id: int, by) -> CustomerContact:
    contact = CustomerContact.objects.select_for_update().get(pk=contact_id)
    require(by, "contracts.edit_customer", contact.customer, message=_("Only Marketing staff can do this."))
    contact.active = False
    contact._change_reason = stored(gettext_lazy("no longer the contact"))
    contact.save()
    return contact


@audited
@transaction.atomic
def due_diligence_record(*, customer_id: int, by, investigated_on: date, conclusion: str, summary: str = "",
                         findings: dict, evidence: Iterable = ()) -> DueDiligence:
    """Record the eight points of art. 8; the record is valid for the policy's number of months."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    require(by, "contracts.record_due_diligence", customer, message=_("Only Marketing staff can do this."))
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
    attachments_add(owner=record, uploads=evidence, by=by, slot="evidence")  # chosen together: separate files
    return record
