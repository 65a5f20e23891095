"""Every read of the repairs app, narrowed to what the user may see (SPEC X-2, REP-11 of issue 10).

* the customer-service specialist, the Repair Center supervisor, Marketing leadership and the executives
  see every ticket;
* a department head (and whoever acts for them, ORG-7) the tickets of their department — the one the
  ticket or one of its liaison sheets was sent to;
* a technician the tickets they are on (phone response, liaison sheet, visit, GM's Office allocation);
* the GM's Office the tickets escalated to it;
* a salesperson the tickets of the customers whose contracts they handle and those they relayed;
  a regional manager those of their region's customers.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from contracts.models import Contract
from contracts.selectors import customers_visible_to
from org import rules as org_rules
from org.models import Unit
from org.roles import TECHNICIANS, Role
from org.selectors import UNIT_HEAD, active_delegations, regions_of, resolve

from .choices import Department
from .models import Equipment, Escalation, LiaisonSheet, ReturnCall, ServiceLevelAlert, Ticket, Visit

User = get_user_model()
GM_OFFICE = "gm-office"
# Who sees every ticket: the desk, the supervisor, Marketing leadership and the executives.
sees_every_ticket = (org_rules.is_cs_specialist | org_rules.is_repair_supervisor | org_rules.is_marketing_leadership
                     | org_rules.is_executive)


def _unit(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def department_heads(code: str) -> list:
    """The head(s) of the Repair Center, R&D or Production (from the org chart, ORG-6)."""
    unit = _unit(code)
    return resolve(UNIT_HEAD, unit=unit) if unit else []


def gm_office_heads() -> list:
    """Who answers for the GM's Office 总经办: its head(s) and the General Manager."""
    unit = _unit(GM_OFFICE)
    heads = resolve(UNIT_HEAD, unit=unit) if unit else []
    return _unique([*heads, *resolve(Role.GENERAL_MANAGER)])


def supervisors() -> list:
    return resolve(Role.REPAIR_SUPERVISOR)


def specialists() -> list:
    return resolve(Role.CS_SPECIALIST)


def technicians() -> QuerySet:
    """Everyone who may be assigned: dedicated repair staff, R&D staff, production technical staff (REP-2)."""
    return (User.objects.filter(is_active=True, person__positions__role__in=[str(r) for r in TECHNICIANS])
            .select_related("person__unit").distinct().order_by("person__unit__order", "pk"))


def technicians_of(code: str) -> QuerySet:
    return technicians().filter(person__unit__code=code)


def _unique(users) -> list:
    return list({u.pk: u for u in users if u is not None}.values())


def principals_of(user) -> list[int]:
    """The user and everyone who delegated to the user today (ORG-7)."""
    return [user.pk, *active_delegations().filter(delegate=user).values_list("principal_id", flat=True)]


def departments_headed_by(user) -> list[str]:
    """Codes of the service departments the user heads, themselves or on someone's behalf."""
    if not getattr(user, "is_authenticated", False):
        return []
    codes = Department.values
    return list(Unit.objects.filter(code__in=codes, positions__is_head=True,
                                    positions__holders__user_id__in=principals_of(user))
                .values_list("code", flat=True).distinct())


def acts_for_gm_office(user) -> bool:
    ids = set(principals_of(user))
    return any(u.pk in ids for u in gm_office_heads())


def sees_all_tickets(user) -> bool:
    return org_rules.holds(user, sees_every_ticket)


def tickets_visible_to(user) -> QuerySet:
    """The tickets ``user`` may see (registered with ``marketing_portal.access``)."""
    qs = Ticket.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if sees_all_tickets(user):
        return qs
    condition = (Q(technician=user) | Q(technicians=user) | Q(received_by=user) | Q(relayed_by=user))
    departments = departments_headed_by(user)
    if departments:
        condition |= Q(department__in=departments) | Q(sheets__department__in=departments)
    if acts_for_gm_office(user):
        condition |= Q(escalation_count__gt=0)
    if org_rules.holds(user, org_rules.is_salesperson | org_rules.is_regional_manager):
        handled = Contract.objects.filter(handler_id__in=principals_of(user)).values("customer_id")
        condition |= Q(customer_id__in=handled) | Q(contract__handler=user)
    if org_rules.holds(user, org_rules.is_regional_manager):
        condition |= Q(customer__region__in=[r.pk for r in regions_of(user)])
    return qs.filter(pk__in=Ticket.objects.filter(condition).values("pk"))


def _children(model):
    def visible(user) -> QuerySet:
        return model.objects.filter(ticket__in=tickets_visible_to(user).values("pk"))

    visible.__name__ = f"{model.__name__.lower()}s_visible_to"
    return visible


visits_visible_to = _children(Visit)
sheets_visible_to = _children(LiaisonSheet)
escalations_visible_to = _children(Escalation)
return_calls_visible_to = _children(ReturnCall)
alerts_visible_to = _children(ServiceLevelAlert)


def equipment_visible_to(user) -> QuerySet:
    qs = Equipment.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if sees_all_tickets(user):
        return qs
    return qs.filter(Q(tickets__in=tickets_visible_to(user).values("pk"))
                     | Q(customer__in=customers_visible_to(user).values("pk"))).distinct()


def ticket_list(user, *, search: str = "", state: str = "", category: str = "", department: str = "",
                mine: bool = False) -> QuerySet:
    qs = tickets_visible_to(user).select_related("customer", "technician__person", "equipment")
    if mine:
        qs = qs.filter(pk__in=Ticket.objects.filter(Q(technician=user) | Q(technicians=user)).values("pk"))
    if state == "open":
        from .choices import OPEN_STATES

        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if department:
        qs = qs.filter(department=department)
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(unit_name__icontains=search) | Q(fault__icontains=search)
                       | Q(contact_name__icontains=search) | Q(equipment__serial_number__icontains=search))
    return qs.order_by("-received_at", "-pk")


def open_visit(ticket: Ticket) -> Visit | None:
    return ticket.visits.filter(state="open").order_by("-seq").first()


def current_sheet(ticket: Ticket) -> LiaisonSheet | None:
    return ticket.sheets.order_by("-issued_at", "-pk").first()


def may_use_repairs(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("repairs.use_repairs"))
