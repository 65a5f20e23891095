"""Warranty status of a ticket's equipment (REP-2) and the department its liaison sheet goes to (REP-5).

The warranty starts on the equipment's own accepted date when the specialist entered one, else on the
acceptance of the contract's project (asked through ``contracts.hooks.accepted_on``: the receivables app
answers), else on the equipment's installed date; it lasts the equipment's warranty months, else the
contract's, else the policy's default, and ends on the period end of CAL-1 (``periods.period_end``).
No start date → "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.hooks import accepted_on as contract_accepted_on
from marketing_portal.periods import period_end

from .choices import Department, Warranty


@dataclass(frozen=True)
class WarrantyStatus:
    status: str
    starts_on: date | None
    ends_on: date | None
    months: int | None
    source: str  # "equipment", "project", "installed" or ""


def warranty_of(*, equipment=None, contract=None, on: date, default_months: int) -> WarrantyStatus:
    contract = contract or (equipment.contract if equipment is not None else None)
    start, source = None, ""
    if equipment is not None and equipment.accepted_on:
        start, source = equipment.accepted_on, "equipment"
    elif contract is not None and (accepted := contract_accepted_on(contract)):
        start, source = accepted, "project"
    elif equipment is not None and equipment.installed_on:
        start, source = equipment.installed_on, "installed"
    months = next((m for m in (getattr(equipment, "warranty_months", None),
                               getattr(contract, "warranty_months", None)) if m is not None), default_months)
    if start is None:
        return WarrantyStatus(Warranty.UNKNOWN, None, None, months, "")
    ends = period_end(start, months=months)
    return WarrantyStatus(Warranty.IN if on <= ends else Warranty.EXPIRED, start, ends, months, source)


def warranty_follow(ticket, *, old: date, new: date) -> None:
    """The calendar moved an open ticket's warranty end: the scope it was received under follows (in → expired or
    back). The liaison sheet's department is not changed: a sheet already issued stays where it went."""
    from django.utils import timezone

    received = timezone.localdate(ticket.received_at)
    status = Warranty.IN if received <= new else Warranty.EXPIRED
    if ticket.warranty != status:
        ticket.warranty = status
        ticket.save(update_fields=["warranty"])


def department_for(warranty: str, policy) -> str:
    """Which department the liaison sheet goes to by warranty scope (policy values, REP-5)."""
    key = {Warranty.IN: "repair_unit_in_warranty", Warranty.EXPIRED: "repair_unit_out_of_warranty"}.get(
        warranty, "repair_unit_unknown_warranty")
    value = getattr(policy, key)
    return value if value in Department.values else Department.REPAIR
