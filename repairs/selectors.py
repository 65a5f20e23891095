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

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, IntegerField, Q, QuerySet, Value

from contracts.models import Contract, Customer
from contracts.selectors import customers_visible_to, principal_ids
from marketing_portal.lists import owned_ids
from marketing_portal.memo import remembered
from marketing_portal.queries import in_ids, in_list, narrowed_ids, union_ids
from org import rules as org_rules
from org.models import Unit
from org.roles import TECHNICIANS, Role
from org.selectors import UNIT_HEAD, regions_of, resolve

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
    return principal_ids(user)


def departments_headed_by(user) -> list[str]:
    """Codes of the service departments the user heads, themselves or on someone's behalf."""
    if not getattr(user, "is_authenticated", False):
        return []
    codes = Department.values
    return list(Unit.objects.filter(code__in=codes, positions__is_head=True,
                                    positions__holders__user_id__in=principals_of(user))
                .values_list("code", flat=True).distinct())


def acts_for_gm_office(user) -> bool:
    """Whether the user or a principal of theirs is among ``gm_office_heads()`` (an active head of the GM's Office
    or a General Manager) — asked in one statement, once per request."""
    def ask() -> bool:
        return (User.objects.filter(pk__in=principals_of(user), is_active=True)
                .filter(Q(person__positions__unit__code=GM_OFFICE, person__positions__is_head=True)
                        | Q(person__positions__role=Role.GENERAL_MANAGER)).exists())

    return remembered(("acts for the GM's Office", user.pk), ask)


def sees_all_tickets(user) -> bool:
    return org_rules.holds(user, sees_every_ticket)


def _mine_sources(user) -> list[QuerySet]:
    """The tickets ``user`` works on (我的工单, ``mine_ids``): the first lookups of ``ticket_id_sources``."""
    return [Ticket.objects.filter(technician=user).values("pk"),
            Ticket.technicians.through.objects.filter(user=user).values("ticket_id")]


def ticket_id_sources(user) -> list[QuerySet]:
    """One indexed lookup per reason ``user`` may see a ticket (the module's docstring), each a queryset of ticket
    ids; for someone who does not see every ticket. Their UNION ALL is the visible set: an OR of these across
    joins (technicians, sheets, contracts, customers) is not answered from indexes by PostgreSQL (issue 13)."""
    sources = [
        *_mine_sources(user),
        Ticket.objects.filter(received_by=user).values("pk"),
        Ticket.objects.filter(relayed_by=user).values("pk"),
    ]
    departments = departments_headed_by(user)
    if departments:
        # The department the ticket or one of its liaison sheets was sent to (indexes of migration 0003).
        sources.append(Ticket.objects.filter(department__in=departments).values("pk"))
        sources.append(LiaisonSheet.objects.filter(department__in=departments).values("ticket_id"))
    if acts_for_gm_office(user):
        sources.append(Ticket.objects.filter(escalation_count__gt=0).values("pk"))  # partial index, 0003
    if org_rules.holds(user, org_rules.is_salesperson | org_rules.is_regional_manager):
        # The customers of the contracts the user (or whoever delegated to them) handles; the tickets of the
        # contracts the user handles.
        handled = Contract.objects.filter(handler_id__in=principals_of(user), customer__isnull=False)
        sources.append(Ticket.objects.filter(in_ids("customer_id", handled.values("customer_id"))).values("pk"))
        sources.append(Ticket.objects.filter(
            in_ids("contract_id", Contract.objects.filter(handler=user).values("pk"))).values("pk"))
    if org_rules.holds(user, org_rules.is_regional_manager):
        region_ids = [r.pk for r in regions_of(user)]
        if region_ids:
            customers = Customer.objects.filter(region__in=region_ids).values("pk")
            sources.append(Ticket.objects.filter(in_ids("customer_id", customers)).values("pk"))
    return sources


def ticket_ids_visible_to(user) -> QuerySet | None:
    """The ids of the tickets ``user`` may see, as one subquery (UNION ALL of ``ticket_id_sources``); ``None``
    when the user sees every ticket. Filter with ``marketing_portal.queries.in_ids(column, ids)``."""
    if sees_all_tickets(user):
        return None
    return union_ids(ticket_id_sources(user))


@dataclass(frozen=True)
class VisibleTickets:
    """What the ticket list needs of the visible set, read once per request (``visible_tickets``): the visible ids,
    those of them the user works on (``mine_ids``), and the technicians and customers of the visible tickets (the
    owner and region choices). ``ids`` is ``None`` for whoever sees every ticket: nothing is read ahead then."""

    ids: frozenset[int] | None = None
    mine: frozenset[int] = frozenset()
    technician_ids: frozenset[int] = frozenset()
    customer_ids: frozenset[int] = frozenset()


_NO_ID = Value(None, output_field=BigIntegerField())


def visible_tickets(user) -> VisibleTickets:
    """The visible set of ``ticket_ids_visible_to`` as one statement read into memory: the UNION ALL of
    ``ticket_id_sources``, each lookup also saying which lookup it is and — when it reads the tickets table anyway —
    the ticket's technician and customer. Only tickets found solely through another table (a liaison sheet, a
    technician on the ticket but not its technician) are read again for theirs. The ticket list then counts,
    pages and offers its owner and region choices from this, instead of computing the UNION four times over
    (issue 13: tech_repair's 我的工单, 5,300 tickets)."""
    if _sees_nothing(user):
        return VisibleTickets(ids=frozenset())
    if sees_all_tickets(user):
        return VisibleTickets()
    sources = ticket_id_sources(user)
    mine_count = len(_mine_sources(user))
    # Read by the cursor: ten thousand rows through the ORM's converters cost more than the statement.
    sql, params = visible_set_query(sources).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    on_tickets = {tag for tag, source in enumerate(sources) if source.model is Ticket}
    read = {row[0]: row for row in rows if row[3] in on_tickets}
    unread = {row[0] for row in rows if row[3] not in on_tickets}.difference(read)
    if unread:  # found only through another table (a liaison sheet, a technician on the ticket): read theirs
        read.update((row[0], row) for row in Ticket.objects.filter(in_list("pk", sorted(unread))).values_list(
            "pk", "technician_id", "customer_id"))
    return VisibleTickets(
        ids=frozenset(row[0] for row in rows), mine=frozenset(row[0] for row in rows if row[3] < mine_count),
        technician_ids=frozenset(row[1] for row in read.values() if row[1] is not None),
        customer_ids=frozenset(row[2] for row in read.values() if row[2] is not None))


def visible_set_query(sources: list[QuerySet]) -> QuerySet:
    """The statement ``visible_tickets`` reads: ``(id, technician_id, customer_id, lookup number)`` per lookup of
    ``sources`` (``ticket_id_sources``), NULLs for a lookup on another table (shown by ``benchmarks/run.py``)."""
    tagged = []
    for tag, source in enumerate(sources):
        column = source.query.values_select[0]
        extra = ("technician_id", "customer_id") if source.model is Ticket else (_NO_ID, _NO_ID)
        tagged.append(source.values_list(column, *extra, Value(tag, output_field=IntegerField())))
    return union_ids(tagged)


def _sees_nothing(user) -> bool:
    return not getattr(user, "is_authenticated", False) or not user.is_active


def tickets_visible_to(user) -> QuerySet:
    """The tickets ``user`` may see (registered with ``marketing_portal.access``)."""
    qs = Ticket.objects.all()
    if _sees_nothing(user):
        return qs.none()
    ids = ticket_ids_visible_to(user)
    # ``pk IN (UNION ALL …)``, a semi-join the planner sizes from the lookups' own estimates: measured on the
    # bench data, ``in_ids`` (an array it takes for 10 ids) made it join every visible row to the customer, the
    # equipment and the technician before sorting for the page (tech_repair's 我的工单 281 ms against 68 ms).
    return qs if ids is None else qs.filter(pk__in=ids)


def ticket_visible_to(user, pk: int) -> QuerySet:
    """The ticket ``pk`` as a queryset (empty when ``user`` may not see it): each lookup of ``ticket_id_sources``
    asked for that one id — a ticket's pages, rather than the whole visible set (5,000 ids) computed to find it."""
    qs = Ticket.objects.filter(pk=pk)
    if _sees_nothing(user):
        return qs.none()
    if sees_all_tickets(user):
        return qs
    return qs.filter(pk__in=narrowed_ids(ticket_id_sources(user), "", pk))


def visible_tickets_among(user, candidates: QuerySet) -> QuerySet:
    """Those of ``candidates`` (one contract's tickets, one customer's) that ``user`` may see: every lookup of
    ``ticket_id_sources`` narrowed to the candidates, rather than the whole visible set (a salesperson's 3,000
    tickets) computed to keep a few — the panels of the contract and customer pages."""
    if _sees_nothing(user):
        return candidates.none()
    if sees_all_tickets(user):
        return candidates
    among = candidates.order_by().values("pk")
    return candidates.filter(pk__in=narrowed_ids(ticket_id_sources(user), "__in", among))


def _children(model):
    def visible(user) -> QuerySet:
        qs = model.objects.all()
        if _sees_nothing(user):
            return qs.none()
        ids = ticket_ids_visible_to(user)
        return qs if ids is None else qs.filter(in_ids("ticket_id", ids))

    visible.__name__ = f"{model.__name__.lower()}s_visible_to"
    return visible


visits_visible_to = _children(Visit)
sheets_visible_to = _children(LiaisonSheet)
escalations_visible_to = _children(Escalation)
return_calls_visible_to = _children(ReturnCall)
alerts_visible_to = _children(ServiceLevelAlert)


def equipment_visible_to(user) -> QuerySet:
    """The equipment of the tickets the user sees and of the customers they see."""
    qs = Equipment.objects.all()
    if _sees_nothing(user):
        return qs.none()
    ticket_ids = ticket_ids_visible_to(user)
    if ticket_ids is None:
        return qs
    on_tickets = Ticket.objects.filter(in_ids("pk", ticket_ids), equipment__isnull=False).values("equipment_id")
    of_customers = Equipment.objects.filter(in_ids("customer_id", customers_visible_to(user).values("pk")))
    return qs.filter(in_ids("pk", union_ids([on_tickets, of_customers.values("pk")])))


def mine_ids(user) -> QuerySet:
    """The ids of the tickets ``user`` works on (我的工单): the technician's, and those they are on."""
    return owned_ids(Ticket, ("technician", "technicians"), user)


# What a row of the ticket list and of its export shows besides the ticket. The list page prefetches them for
# its 25 rows: joined (select_related), PostgreSQL joined every visible ticket (5,000 for a technician) before
# sorting out the page — 73 ms against 40 on the ten-year data set. The export, which reads every row, joins.
TICKET_ROW_RELATED = ("customer", "technician__person", "equipment")


def ticket_list(user, *, search: str = "", state: str = "", category: str = "", department: str = "",
                mine: bool = False, visible: VisibleTickets | None = None) -> QuerySet:
    """The visible tickets, filtered, in the list's order; add ``TICKET_ROW_RELATED`` as the use needs. Given
    ``visible`` (``visible_tickets(user)``, read once for the request), the visible set is its ids."""
    if visible is not None and visible.ids is not None:
        qs = Ticket.objects.filter(in_list("pk", sorted(visible.ids)))
    else:
        qs = tickets_visible_to(user)
    if mine:
        qs = qs.filter(pk__in=mine_ids(user))  # a semi-join: see ``marketing_portal.lists``'s ``filter_mine``
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
