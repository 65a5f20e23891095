"""What the repairs app adds to the shell: "my work" items and the customer / contract page panels (CUS-3)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.registry import WorkItem, WorkKind, items_of

from . import selectors
from .choices import SheetState, TicketState, VisitState
from .models import LiaisonSheet, ReturnCall, Ticket, Visit


def _item(ticket: Ticket, title: str, due=None) -> WorkItem:
    due_at = due or ticket.close_due_at
    return WorkItem(title=f"{title}：{ticket.number} {ticket.unit_name}", url=ticket.get_absolute_url(),
                    category=_("Repairs"), since=ticket.updated_at,
                    due=timezone.localdate(due_at) if due_at else None,
                    overdue=bool(due_at and due_at < timezone.now()), due_computed=due_at is not None, due_at=due_at)


def _tickets(state, title, *, due=None, duty=None, mine=None, order="received_at"):
    """A kind of tickets in ``state``: for those with ``duty(user)``, or (``mine``) narrowed to the user's."""
    def rows(user):
        if not selectors.may_use_repairs(user):
            return None
        tickets = Ticket.objects.filter(state=state).select_related("customer")
        if mine is not None:
            tickets = mine(tickets, user)
        elif duty is not None:
            scope = duty(user)
            if not scope:
                return None
            if scope is not True:
                tickets = tickets.filter(department__in=scope)
        return tickets.order_by(order, "pk")

    def item(ticket, user) -> WorkItem:
        label = title(ticket) if callable(title) else title
        return _item(ticket, str(label), getattr(ticket, due) if due else None)

    return rows, item


def _registers(user):
    return user.has_perm("repairs.register_ticket")


def _visiting(tickets, user):
    open_visit = Visit.objects.filter(ticket=OuterRef("pk"), state=VisitState.OPEN, technicians=user)
    return tickets.filter(Exists(open_visit))


def _sheets(user):
    if not selectors.may_use_repairs(user):
        return None
    departments = selectors.departments_headed_by(user)
    if not departments:
        return None
    return (LiaisonSheet.objects.filter(state=SheetState.ISSUED, department__in=departments)
            .select_related("ticket__customer").order_by("pk"))


def _sheet_item(sheet, user) -> WorkItem:
    return _item(sheet.ticket, _("Accept liaison sheet %(sheet)s") % {"sheet": sheet.number}, sheet.ticket.visit_due_at)


def _kind(key, label, order, source):
    rows, item = source
    return WorkKind(key, label, rows, item, order=order)


KINDS = [
    _kind("tickets-new", gettext_lazy("Tickets to assign"), 60, _tickets(
        TicketState.NEW, gettext_lazy("Assign a technician"), due="response_due_at", duty=_registers)),
    _kind("tickets-onsite-pending", gettext_lazy("On-site visits to arrange"), 61, _tickets(
        TicketState.ONSITE_PENDING, gettext_lazy("Agree the on-site time and issue the liaison sheet"),
        due="visit_due_at", duty=_registers)),
    _kind("tickets-resolved", gettext_lazy("Return calls to make"), 62, _tickets(
        TicketState.RESOLVED, lambda t: _("Answer the complaint") if t.is_complaint else _("Make the return call"),
        duty=_registers)),
    _kind("tickets-assigned", gettext_lazy("Customers to call back"), 63, _tickets(
        TicketState.ASSIGNED, gettext_lazy("Call the customer back"), due="response_due_at",
        mine=lambda tickets, user: tickets.filter(technician=user))),
    _kind("tickets-onsite", gettext_lazy("Visits on site"), 64, _tickets(
        TicketState.ONSITE, gettext_lazy("Visit on site and fill in the feedback sheet"), due="visit_due_at",
        mine=_visiting)),
    WorkKind("liaison-sheets", gettext_lazy("Liaison sheets to accept"), _sheets, _sheet_item, order=65),
    _kind("tickets-analysis", gettext_lazy("Cause analyses to decide"), 66, _tickets(
        TicketState.ANALYSIS, gettext_lazy("Decide on the cause analysis"),
        duty=lambda user: selectors.departments_headed_by(user))),
    _kind("tickets-escalated", gettext_lazy("Escalated tickets"), 67, _tickets(
        TicketState.ESCALATED, gettext_lazy("Allocate technical resources and give a solution"),
        duty=lambda user: bool(selectors.acts_for_gm_office(user)))),
    _kind("tickets-archived", gettext_lazy("Archives to sign"), 68, _tickets(
        TicketState.ARCHIVED, gettext_lazy("Review and sign the archive"), due="archived_at",
        duty=lambda user: _signs(user))),
]


def work_items(user) -> list[WorkItem]:
    return items_of(KINDS, user)


def _signs(user) -> bool:
    from org.selectors import acting_for

    return acting_for(user, selectors.supervisors()) is not None


def _panel(tickets_qs, user):
    tickets = list(tickets_qs.select_related("technician", "equipment").order_by("-received_at")[:20])
    if not tickets:
        return None
    calls = list(ReturnCall.objects.filter(ticket__in=[t.pk for t in tickets]).select_related("ticket", "called_by")
                 .order_by("-called_at")[:20])
    return tickets, calls


def customer_panel(customer, user):
    """The customer's repair tickets and return visits (CUS-3), and the relay button for sales staff."""
    if not selectors.may_use_repairs(user):
        return None
    found = _panel(selectors.visible_tickets_among(user, Ticket.objects.filter(customer=customer)), user)
    may_relay = user.has_perm("repairs.relay_ticket")
    if not found and not may_relay:
        return None
    tickets, calls = found or ([], [])
    return _("Repair tickets and return calls"), "repairs/_panel.html", {
        "tickets": tickets, "calls": calls, "customer": customer, "contract": None, "user": user}


def contract_panel(contract, user):
    if not selectors.may_use_repairs(user) or contract.customer_id is None:
        return None
    found = _panel(selectors.visible_tickets_among(user, Ticket.objects.filter(contract=contract)), user)
    may_relay = user.has_perm("repairs.relay_ticket")
    if not found and not may_relay:
        return None
    tickets, calls = found or ([], [])
    return _("Repair tickets and return calls"), "repairs/_panel.html", {
        "tickets": tickets, "calls": calls, "customer": contract.customer, "contract": contract, "user": user}
