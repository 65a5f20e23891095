"""Intake to dispatch (REP-1…5): the call or relay, equipment and warranty, the technician's phone response,
the agreed on-site time and the internal liaison sheet, which the department head (or a technician of the
department) accepts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract, ContractLine, Customer
from contracts.selectors import customers_visible_to
from marketing_portal.audit import audited
from marketing_portal.deadlines import deadline_track
from marketing_portal.numbering import next_number
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from org.selectors import acting_for, delegates_of

from .. import selectors
from ..choices import Category, Department, SheetState, Source, TicketState, VisitState
from ..models import Equipment, LiaisonSheet, Ticket, Visit
from ..warranty import department_for, warranty_of
from .common import (
    RepairError,
    add_hours,
    clean_text,
    hours_between,
    lock_sheet,
    lock_ticket,
    moment,
    on_behalf,
    require_perm,
    require_state,
    send,
    track_hours,
)

User = get_user_model()
PHONE = re.compile(r"^[0-9+()\-\s转#ext.]{7,40}$", re.IGNORECASE)


def ticket_number(year: int) -> str:
    return f"WX{year}-{next_number('repair-ticket', year):05d}"


def sheet_number(year: int) -> str:
    return f"LL{year}-{next_number('repair-liaison', year):04d}"


def _clean_contact(*, unit_name, contact_name, contact_phone, errors: dict) -> tuple[str, str, str]:
    unit = clean_text(unit_name, label=_("Unit's full name"), errors=errors, key="unit_name", limit=120)
    name = clean_text(contact_name, label=_("Responsible person"), errors=errors, key="contact_name", limit=40)
    phone = (contact_phone or "").strip()
    if not phone:
        errors.setdefault("contact_phone", []).append(
            _("Enter an accurate contact phone: without one nobody can call the customer back."))
    elif not PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 7:
        errors.setdefault("contact_phone", []).append(
            _("“%(phone)s” is not a phone number; enter digits such as 010-88888888 or 13800000000.")
            % {"phone": phone})
    return unit, name, phone


def _linked(*, customer_id, contract_id, equipment_id, errors: dict):
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    contract = Contract.objects.filter(pk=contract_id).first() if contract_id else None
    equipment = Equipment.objects.select_related("contract").filter(pk=equipment_id).first() if equipment_id else None
    if customer_id and customer is None:
        errors.setdefault("customer", []).append(_("This customer does not exist."))
    if equipment is not None:
        customer = customer or equipment.customer
        contract = contract or equipment.contract
        if equipment.customer_id != customer.pk:
            errors.setdefault("equipment", []).append(_("This equipment belongs to another customer."))
    if contract is not None:
        customer = customer or contract.customer
        if contract.customer_id != getattr(customer, "pk", None):
            errors.setdefault("contract", []).append(_("This contract is with another customer."))
    return customer, contract, equipment


@audited
@transaction.atomic
def ticket_register(*, by, category: str, unit_name: str, contact_name: str, contact_phone: str, fault: str,
                    site_address: str = "", customer_id: int | None = None, contract_id: int | None = None,
                    equipment_id: int | None = None, source: str = Source.CALL, now: datetime | None = None) -> Ticket:
    """A call taken by the specialist (REP-1/2) or a salesperson's relay (销售人员维修告知): a numbered ticket."""
    now = moment(now)
    if source == Source.SALES_RELAY:
        require_perm(by, "repairs.relay_ticket", None,
                     message=_("Only sales staff pass a customer's repair call on to customer service."))
        if customer_id and not customers_visible_to(by).filter(pk=customer_id).exists():
            raise RepairError(_("This customer does not exist."))
    else:
        require_perm(by, "repairs.register_ticket", None,
                     message=_("Only the customer-service specialist takes repair calls."))
    errors: dict[str, list] = {}
    if category not in Category.values:
        errors.setdefault("category", []).append(_("Choose the service category."))
    unit, name, phone = _clean_contact(unit_name=unit_name, contact_name=contact_name, contact_phone=contact_phone,
                                       errors=errors)
    fault = clean_text(fault, label=_("Specific fault"), errors=errors, key="fault")
    site = clean_text(site_address, label=_("Site address"), errors=errors, key="site_address", required=False,
                      limit=200)
    customer, contract, equipment = _linked(customer_id=customer_id, contract_id=contract_id,
                                            equipment_id=equipment_id, errors=errors)
    if errors:
        raise RepairError(errors)
    policy = current_policy()
    status = warranty_of(equipment=equipment, contract=contract, on=timezone.localdate(now),
                         default_months=policy.warranty_months)
    ticket = Ticket.objects.create(
        number=ticket_number(timezone.localdate(now).year), category=category, source=source, customer=customer,
        contract=contract, equipment=equipment, unit_name=unit, contact_name=name, contact_phone=phone,
        site_address=site or (equipment.site if equipment else "") or (customer.address if customer else ""),
        fault=fault, relayed_by=by if source == Source.SALES_RELAY else None,
        warranty=status.status, warranty_ends_on=status.ends_on, department=department_for(status.status, policy),
        received_at=now, received_by=by, policy_version=policy.version,
        response_due_at=add_hours(now, policy.repair_response_hours, policy),
        close_due_at=add_hours(now, policy.repair_close_hours, policy),
    )
    # The service levels and the warranty end are computed from the working-day calendar: they follow it (CAL-2).
    track_hours(ticket, "response_due_at", start=now, hours=policy.repair_response_hours, policy=policy)
    track_hours(ticket, "close_due_at", start=now, hours=policy.repair_close_hours, policy=policy)
    if status.starts_on is not None:
        deadline_track(ticket, "warranty_ends_on", start=status.starts_on, months=status.months)
    if source == Source.SALES_RELAY:
        url = ticket.get_absolute_url()
        transaction.on_commit(lambda: send(
            selectors.specialists(), key=f"repairs-relay|{ticket.pk}",
            subject=_("Repair call relayed by %(who)s: %(number)s %(unit)s")
            % {"who": display_name(by), "number": ticket.number, "unit": ticket.unit_name},
            body=ticket.fault, url=url, ticket=ticket))
    return ticket


@audited
@transaction.atomic
def equipment_record(*, by, customer_id: int, model: str, serial_number: str = "", site: str = "",
                     contract_id: int | None = None, contract_line_id: int | None = None,
                     installed_on: date | None = None, accepted_on: date | None = None,
                     warranty_months: int | None = None, notes: str = "") -> Equipment:
    """An equipment record per delivered item (REP-2), kept by the specialist."""
    require_perm(by, "repairs.record_equipment", None,
                 message=_("Only the customer-service specialist keeps the equipment records."))
    errors: dict[str, list] = {}
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        errors.setdefault("customer", []).append(_("This customer does not exist."))
    model = clean_text(model, label=_("Model"), errors=errors, key="model", limit=100)
    serial = (serial_number or "").strip()[:60]
    contract = Contract.objects.filter(pk=contract_id).first() if contract_id else None
    line = ContractLine.objects.select_related("contract").filter(pk=contract_line_id).first() \
        if contract_line_id else None
    if line is not None:
        contract = contract or line.contract
        if line.contract_id != contract.pk:
            errors.setdefault("contract_line", []).append(_("This line belongs to another contract."))
    if contract is not None and customer is not None and contract.customer_id != customer.pk:
        errors.setdefault("contract", []).append(_("This contract is with another customer."))
    today = timezone.localdate()
    for key, day in (("installed_on", installed_on), ("accepted_on", accepted_on)):
        if day and day > today:
            errors.setdefault(key, []).append(_("This date is in the future."))
    if warranty_months is not None and not 0 <= int(warranty_months) <= 240:
        errors.setdefault("warranty_months", []).append(_("Enter a warranty between 0 and 240 months."))
    if errors:
        raise RepairError(errors)
    try:
        with transaction.atomic():
            return Equipment.objects.create(
                customer=customer, contract=contract, contract_line=line, model=model, serial_number=serial,
                site=(site or "").strip()[:200], installed_on=installed_on, accepted_on=accepted_on,
                warranty_months=warranty_months, notes=(notes or "").strip()[:200], created_by=by)
    except IntegrityError:
        raise RepairError({"serial_number": [_("Equipment of this model with this serial number is already "
                                               "recorded.")]}) from None


@audited
@transaction.atomic
def ticket_assign(*, by, ticket_id: int, technician_id: int, now: datetime | None = None) -> Ticket:
    """The specialist assigns a technician to respond by phone (REP-2)."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    require_state(ticket, TicketState.NEW, TicketState.ASSIGNED, action=_("assigning a technician"))
    require_perm(by, "repairs.assign_ticket", ticket,
                 message=_("Only the customer-service specialist assigns technicians."))
    technician = selectors.technicians().filter(pk=technician_id).first()
    if technician is None:
        raise RepairError({"technician": [_("Choose a technician: dedicated repair staff, R&D staff or production "
                                            "technical staff.")]})
    ticket.technician = technician
    ticket.assigned_at = now
    ticket.state = TicketState.ASSIGNED
    ticket.save()
    ticket.technicians.add(technician)
    url = ticket.get_absolute_url()
    transaction.on_commit(lambda: send(
        [technician], key=f"repairs-assigned|{ticket.pk}|{technician.pk}|{now.isoformat()}",
        subject=_("Call the customer back: %(number)s %(unit)s") % {"number": ticket.number, "unit": ticket.unit_name},
        body=f"{ticket.contact_name} {ticket.contact_phone}\n{ticket.fault}", url=url, ticket=ticket))
    return ticket


@audited
@transaction.atomic
def ticket_respond(*, by, ticket_id: int, solved: bool, notes: str, now: datetime | None = None) -> Ticket:
    """The technician's call back (REP-3): solved → closure (REP-8); not solved → an on-site time (REP-4)."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    require_state(ticket, TicketState.ASSIGNED, action=_("recording the phone response"))
    require_perm(by, "repairs.respond_ticket", ticket)
    errors: dict[str, list] = {}
    notes = clean_text(notes, label=_("What was said on the phone"), errors=errors, key="notes")
    if errors:
        raise RepairError(errors)
    policy = current_policy()
    ticket.responded_at = now
    ticket.response_notes = notes
    ticket.phone_solved = bool(solved)
    ticket.response_hours = hours_between(ticket.received_at, now, policy)
    if solved:
        ticket.state = TicketState.RESOLVED
        ticket.resolved_at = now
        subject = _("Solved by phone, return call due: %(number)s %(unit)s")
    else:
        ticket.state = TicketState.ONSITE_PENDING
        ticket.visit_due_at = add_hours(now, policy.repair_visit_hours, policy)
        subject = _("Not solved by phone, agree an on-site time: %(number)s %(unit)s")
    ticket.save()
    if not solved:
        track_hours(ticket, "visit_due_at", start=now, hours=policy.repair_visit_hours, policy=policy)
    url = ticket.get_absolute_url()
    transaction.on_commit(lambda: send(
        selectors.specialists(), key=f"repairs-responded|{ticket.pk}|{now.isoformat()}",
        subject=subject % {"number": ticket.number, "unit": ticket.unit_name}, body=notes, url=url, ticket=ticket))
    return ticket


@audited
@transaction.atomic
def sheet_issue(*, by, ticket_id: int, onsite_at: datetime | None, department: str | None = None,
                department_reason: str = "", instructions: str = "", now: datetime | None = None) -> LiaisonSheet:
    """The agreed on-site time and the internal liaison sheet to the department of the warranty scope (REP-4/5)."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    require_state(ticket, TicketState.ONSITE_PENDING, action=_("issuing the liaison sheet"))
    require_perm(by, "repairs.schedule_ticket", ticket,
                 message=_("Only the customer-service specialist issues internal liaison sheets."))
    errors: dict[str, list] = {}
    if onsite_at is None:
        errors.setdefault("onsite_at", []).append(_("Enter the on-site time agreed with the customer."))
    elif onsite_at <= now:
        errors.setdefault("onsite_at", []).append(
            _("The on-site time %(when)s is in the past; enter the time agreed with the customer.")
            % {"when": timezone.localtime(onsite_at).strftime("%Y-%m-%d %H:%M")})
    policy = current_policy()
    default = department_for(ticket.warranty, policy)
    department = department or default
    if department not in Department.values:
        errors.setdefault("department", []).append(_("Choose the Repair Center, R&D or Production."))
    reason = (department_reason or "").strip()[:200]
    if department != default and not reason:
        errors.setdefault("department_reason", []).append(
            _("The warranty scope sends this sheet to %(default)s; say why it goes elsewhere.")
            % {"default": Department(default).label})
    instructions = clean_text(instructions, label=_("Instructions"), errors=errors, key="instructions",
                              required=False)
    if errors:
        raise RepairError(errors)
    sheet = LiaisonSheet.objects.create(
        number=sheet_number(timezone.localdate(now).year), ticket=ticket, department=department, onsite_at=onsite_at,
        instructions=instructions, department_reason=reason, issued_by=by, issued_at=now)
    ticket.department = department
    ticket.onsite_agreed_at = onsite_at
    ticket.state = TicketState.DISPATCHED
    ticket.save()
    heads = selectors.department_heads(department)
    url = ticket.get_absolute_url()
    transaction.on_commit(lambda: send(
        [*heads, *delegates_of(heads)], key=f"repairs-sheet|{sheet.pk}",
        subject=_("Liaison sheet %(sheet)s: accept it and send technicians (%(unit)s, on site %(when)s)")
        % {"sheet": sheet.number, "unit": ticket.unit_name,
           "when": timezone.localtime(onsite_at).strftime("%Y-%m-%d %H:%M")},
        body=ticket.fault, url=url, ticket=ticket))
    return sheet


def _technicians(ids: Iterable, *, key: str = "technicians") -> list:
    ids = {int(i) for i in ids if str(i).strip()}
    found = list(selectors.technicians().filter(pk__in=ids))
    if not ids or len(found) != len(ids):
        raise RepairError({key: [_("Choose at least one technician.")]})
    return found


def open_visit(ticket: Ticket, *, technicians: list, sheet: LiaisonSheet | None, planned_at, plan_notes: str = ""):
    seq = ticket.visits.count() + 1
    visit = Visit.objects.create(ticket=ticket, sheet=sheet, seq=seq, planned_at=planned_at, plan_notes=plan_notes,
                                 state=VisitState.OPEN)
    visit.technicians.set(technicians)
    ticket.technicians.add(*technicians)
    ticket.visit_count = seq
    return visit


@audited
@transaction.atomic
def sheet_accept(*, by, sheet_id: int, technician_ids: Iterable = (), now: datetime | None = None) -> Visit:
    """The department head accepts the sheet and assigns technicians — or a technician of that department
    takes it himself (技术人员领取). Of two accepting at once, one wins; the other is told who did."""
    now = moment(now)
    sheet = lock_sheet(sheet_id)
    if sheet.state != SheetState.ISSUED:
        who = display_name(sheet.accepted_by) if sheet.accepted_by_id else "—"
        raise RepairError(_("Liaison sheet %(sheet)s was already accepted by %(who)s.")
                          % {"sheet": sheet.number, "who": who}, code="already_accepted")
    require_perm(by, "repairs.accept_sheet", sheet,
                 message=_("Only the head of %(department)s or its technicians accept this sheet.")
                 % {"department": sheet.get_department_display()})
    ticket = lock_ticket(sheet.ticket_id)
    require_state(ticket, TicketState.DISPATCHED, action=_("accepting the liaison sheet"))
    principal = acting_for(by, selectors.department_heads(sheet.department))
    chosen = _technicians(technician_ids) if principal is not None else [by]
    sheet.state = SheetState.ACCEPTED
    sheet.accepted_by = by
    sheet.accepted_for = principal if principal is not None and principal.pk != by.pk else None
    sheet.accepted_at = now
    sheet._change_reason = on_behalf(by, principal)
    sheet.save()
    sheet.technicians.set(chosen)
    visit = open_visit(ticket, technicians=chosen, sheet=sheet, planned_at=sheet.onsite_at,
                       plan_notes=sheet.instructions)
    ticket.state = TicketState.ONSITE
    ticket.save()
    url = ticket.get_absolute_url()
    transaction.on_commit(lambda: send(
        chosen, key=f"repairs-visit|{visit.pk}",
        subject=_("Go on site: %(number)s %(unit)s, %(when)s")
        % {"number": ticket.number, "unit": ticket.unit_name,
           "when": timezone.localtime(sheet.onsite_at).strftime("%Y-%m-%d %H:%M")},
        body=f"{ticket.site_address}\n{ticket.contact_name} {ticket.contact_phone}\n{ticket.fault}",
        url=url, ticket=ticket))
    return visit


@audited
@transaction.atomic
def ticket_cancel(*, by, ticket_id: int, reason: str) -> Ticket:
    """A mistaken or duplicate ticket is cancelled, never deleted (X-7)."""
    ticket = lock_ticket(ticket_id)
    from ..choices import CANCELLABLE_STATES

    require_state(ticket, *CANCELLABLE_STATES, action=_("cancelling"))
    require_perm(by, "repairs.cancel_ticket", ticket,
                 message=_("Only the customer-service specialist cancels tickets."))
    errors: dict[str, list] = {}
    reason = clean_text(reason, label=_("Reason"), errors=errors, key="reason", limit=200)
    if errors:
        raise RepairError(errors)
    ticket.state = TicketState.CANCELLED
    ticket.cancel_reason = reason
    ticket.save()
    ticket.sheets.filter(state=SheetState.ISSUED).update(state=SheetState.WITHDRAWN)
    return ticket
