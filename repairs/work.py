"""What the repairs app adds to the shell: "my work" items and the customer / contract page panels (CUS-3)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.registry import WorkItem

from . import selectors
from .choices import SheetState, TicketState, VisitState
from .models import LiaisonSheet, ReturnCall, Ticket


def _item(ticket: Ticket, title: str, due=None) -> WorkItem:
    due_at = due or ticket.close_due_at
    return WorkItem(title=f"{title}：{ticket.number} {ticket.unit_name}", url=ticket.get_absolute_url(),
                    category=_("Repairs"), since=ticket.updated_at,
                    due=timezone.localdate(due_at) if due_at else None,
                    overdue=bool(due_at and due_at < timezone.now()), due_computed=due_at is not None, due_at=due_at)


def work_items(user) -> list[WorkItem]:
    if not selectors.may_use_repairs(user):
        return []
    items: list[WorkItem] = []
    related = Ticket.objects.select_related("customer")
    if user.has_perm("repairs.register_ticket"):
        for ticket in related.filter(state=TicketState.NEW)[:50]:
            items.append(_item(ticket, _("Assign a technician"), ticket.response_due_at))
        for ticket in related.filter(state=TicketState.ONSITE_PENDING)[:50]:
            items.append(_item(ticket, _("Agree the on-site time and issue the liaison sheet"), ticket.visit_due_at))
        for ticket in related.filter(state=TicketState.RESOLVED)[:50]:
            items.append(_item(ticket, _("Answer the complaint") if ticket.is_complaint else _("Make the return call")))
    for ticket in related.filter(state=TicketState.ASSIGNED, technician=user)[:50]:
        items.append(_item(ticket, _("Call the customer back"), ticket.response_due_at))
    for ticket in related.filter(state=TicketState.ONSITE, visits__state=VisitState.OPEN,
                                 visits__technicians=user).distinct()[:50]:
        items.append(_item(ticket, _("Visit on site and fill in the feedback sheet"), ticket.visit_due_at))
    departments = selectors.departments_headed_by(user)
    if departments:
        for sheet in (LiaisonSheet.objects.filter(state=SheetState.ISSUED, department__in=departments)
                      .select_related("ticket")[:50]):
            items.append(_item(sheet.ticket, _("Accept liaison sheet %(sheet)s") % {"sheet": sheet.number},
                               sheet.ticket.visit_due_at))
        for ticket in related.filter(state=TicketState.ANALYSIS, department__in=departments)[:50]:
            items.append(_item(ticket, _("Decide on the cause analysis")))
    if selectors.acts_for_gm_office(user):
        for ticket in related.filter(state=TicketState.ESCALATED)[:50]:
            items.append(_item(ticket, _("Allocate technical resources and give a solution")))
    if _signs(user):
        for ticket in related.filter(state=TicketState.ARCHIVED)[:50]:
            items.append(_item(ticket, _("Review and sign the archive"), ticket.archived_at))
    return items


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
    found = _panel(selectors.tickets_visible_to(user).filter(customer=customer), user)
    may_relay = user.has_perm("repairs.relay_ticket")
    if not found and not may_relay:
        return None
    tickets, calls = found or ([], [])
    return _("Repair tickets and return calls"), "repairs/_panel.html", {
        "tickets": tickets, "calls": calls, "customer": customer, "contract": None, "user": user}


def contract_panel(contract, user):
    if not selectors.may_use_repairs(user) or contract.customer_id is None:
        return None
    found = _panel(selectors.tickets_visible_to(user).filter(Q(contract=contract)), user)
    may_relay = user.has_perm("repairs.relay_ticket")
    if not found and not may_relay:
        return None
    tickets, calls = found or ([], [])
    return _("Repair tickets and return calls"), "repairs/_panel.html", {
        "tickets": tickets, "calls": calls, "customer": contract.customer, "contract": contract, "user": user}
