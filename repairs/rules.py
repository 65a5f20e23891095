"""Who may do what with a repair ticket (django-rules), built from the org predicates of ``org.rules``.

Each rule names the party and the state: views, templates (``{% has_perm "repairs.respond_ticket" user
ticket as may %}``) and services ask the same rule. Services check the state first (to say "not now") and
then the rule (to say "not you"). Heads, the GM's Office and the supervisor may act through delegation
(ORG-7); the service records on whose behalf.
"""

from __future__ import annotations

import rules

from org.rules import (
    is_cs_specialist,
    is_executive,
    is_marketing_leadership,
    is_regional_manager,
    is_repair_supervisor,
    is_salesperson,
    is_service_department_head,
    is_technician,
)
from org.selectors import acting_for

from . import selectors
from .choices import CANCELLABLE_STATES, COMPLAINT_ANSWER_STATES, Category, SheetState, TicketState


def in_state(*states: str) -> rules.Predicate:
    names = {str(s) for s in states}

    def check(user, ticket) -> bool:
        return ticket is not None and ticket.state in names

    return rules.Predicate(check, name=f"ticket_in_{'_'.join(sorted(names))}")


@rules.predicate
def acts_for_gm_office(user) -> bool:
    return selectors.acts_for_gm_office(user)


@rules.predicate
def acts_for_supervisor(user) -> bool:
    return acting_for(user, selectors.supervisors()) is not None


@rules.predicate
def is_ticket_technician(user, ticket) -> bool:
    """The technician assigned to call the customer back (REP-3)."""
    return ticket is not None and ticket.technician_id == user.pk


@rules.predicate
def is_on_open_visit(user, ticket) -> bool:
    """One of the technicians of the ticket's visit now under way (REP-6)."""
    visit = selectors.open_visit(ticket) if ticket is not None else None
    return bool(visit and visit.technicians.filter(pk=user.pk).exists())


@rules.predicate
def heads_ticket_department(user, ticket) -> bool:
    return ticket is not None and acting_for(user, selectors.department_heads(ticket.department)) is not None


@rules.predicate
def is_complaint(user, ticket) -> bool:
    return ticket is not None and ticket.category == Category.COMPLAINT


@rules.predicate
def sheet_is_issued(user, sheet) -> bool:
    return sheet is not None and sheet.state == SheetState.ISSUED


@rules.predicate
def heads_sheet_department(user, sheet) -> bool:
    return sheet is not None and acting_for(user, selectors.department_heads(sheet.department)) is not None


@rules.predicate
def is_technician_of_sheet_department(user, sheet) -> bool:
    """A technician of the department may take the sheet himself (技术人员领取, the flow chart)."""
    return sheet is not None and selectors.technicians_of(sheet.department).filter(pk=user.pk).exists()


sees_repair_metrics = (is_cs_specialist | is_repair_supervisor | is_service_department_head
                       | is_marketing_leadership | is_executive)

# Role predicates only (cached per request): the navigation asks this on every page.
rules.add_perm("repairs.use_repairs", sees_repair_metrics | is_technician | is_salesperson | is_regional_manager)
rules.add_perm("repairs.register_ticket", is_cs_specialist)
# 销售人员维修告知: salespeople, regional managers and Marketing leadership pass a customer's call on.
rules.add_perm("repairs.relay_ticket", is_salesperson | is_regional_manager | is_marketing_leadership)
rules.add_perm("repairs.record_equipment", is_cs_specialist)
rules.add_perm("repairs.assign_ticket", is_cs_specialist & in_state(TicketState.NEW, TicketState.ASSIGNED))
rules.add_perm("repairs.respond_ticket", is_ticket_technician & in_state(TicketState.ASSIGNED))
rules.add_perm("repairs.schedule_ticket", is_cs_specialist & in_state(TicketState.ONSITE_PENDING))
rules.add_perm("repairs.accept_sheet", sheet_is_issued & (heads_sheet_department | is_technician_of_sheet_department))
rules.add_perm("repairs.staff_sheet", sheet_is_issued & heads_sheet_department)  # the head picks the technicians
rules.add_perm("repairs.report_ticket", is_on_open_visit & in_state(TicketState.ONSITE))
rules.add_perm("repairs.decide_ticket", heads_ticket_department & in_state(TicketState.ANALYSIS))
rules.add_perm("repairs.resolve_ticket", acts_for_gm_office & in_state(TicketState.ESCALATED))
rules.add_perm("repairs.call_back_ticket", is_cs_specialist & in_state(TicketState.RESOLVED) & ~is_complaint)
rules.add_perm("repairs.answer_ticket", is_cs_specialist & is_complaint & in_state(*COMPLAINT_ANSWER_STATES))
rules.add_perm("repairs.sign_ticket", acts_for_supervisor & in_state(TicketState.ARCHIVED))
rules.add_perm("repairs.cancel_ticket", is_cs_specialist & in_state(*CANCELLABLE_STATES))
rules.add_perm("repairs.see_metrics", sees_repair_metrics)
