"""The "my work" provider of the hand-off app: sheets to cost (XXX), costings to review (Finance),
decisions and construction contracts waiting (Marketing), with their due dates and overdue flags."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import ContractState
from marketing_portal.registry import WorkItem
from org.rules import is_director_assistant
from org.selectors import acting_for

from . import rules, selectors
from .choices import CostingState, HandoffState
from .models import Costing, Handoff


def work_items(user) -> list[WorkItem]:
    if not getattr(user, "is_authenticated", False) or not selectors.may_use_handoffs(user):
        return []
    today = timezone.localdate()
    category = _("Hand-off to XXX")
    items: list[WorkItem] = []
    if rules.acts_for_estimators(user):
        for costing in (Costing.objects.filter(state=CostingState.OPEN, handoff__state=HandoffState.COSTING)
                        .select_related("handoff__line").order_by("due_on", "pk")):
            title = (_("Cost liaison sheet %(number)s: %(line)s") if costing.version == 1 else
                     _("Revise the costing of %(number)s: %(line)s")) % {
                "number": costing.handoff.number, "line": costing.handoff.line.description}
            items.append(WorkItem(title=title, url=costing.handoff.get_absolute_url(), category=category,
                                  since=costing.opened_at, due=costing.due_on, overdue=costing.due_on < today,
                                  due_computed=True))
    if rules.acts_for_finance_reviewers(user):
        for costing in (Costing.objects.filter(state=CostingState.SUBMITTED, handoff__state=HandoffState.REVIEW)
                        .select_related("handoff__line").order_by("review_due_on", "pk")):
            items.append(WorkItem(
                title=_("Review the costing of %(number)s: %(line)s") % {
                    "number": costing.handoff.number, "line": costing.handoff.line.description},
                url=costing.handoff.get_absolute_url(), category=category, since=costing.submitted_at,
                due=costing.review_due_on, overdue=costing.review_due_on < today, due_computed=True))
    # Decisions: the handler of the contract, and the Director's Assistant (duty “XX新合同对接”) for all.
    negotiating = Handoff.objects.filter(state=HandoffState.NEGOTIATION).select_related("line")
    if not (is_director_assistant(user) or acting_for(user, selectors.decision_followers())):
        negotiating = negotiating.filter(Q(contract__handler=user) | Q(issued_by=user))
    negotiator = bool(rules.acts_for_xxx_negotiators(user))
    seen = set()
    for handoff in negotiating.order_by("updated_at"):
        seen.add(handoff.pk)
        items.append(WorkItem(
            title=_("Negotiate and decide the amount of %(number)s: %(line)s") % {
                "number": handoff.number, "line": handoff.line.description},
            url=handoff.get_absolute_url(), category=category, since=handoff.updated_at))
    if negotiator:
        for handoff in (Handoff.objects.filter(state=HandoffState.NEGOTIATION).exclude(pk__in=seen)
                        .select_related("line").order_by("updated_at")):
            items.append(WorkItem(
                title=_("Negotiate the amount of %(number)s with Marketing: %(line)s") % {
                    "number": handoff.number, "line": handoff.line.description},
                url=handoff.get_absolute_url(), category=category, since=handoff.updated_at))
    # The drafted construction contract waits for its handler to submit it (the contracts app shows the rest).
    for handoff in (Handoff.objects.filter(state=HandoffState.CONTRACTING, construction_contract__handler=user,
                                           construction_contract__state=ContractState.DRAFT)
                    .select_related("construction_contract")):
        items.append(WorkItem(
            title=_("Submit the construction contract of %(number)s for approval") % {"number": handoff.number},
            url=handoff.construction_contract.get_absolute_url(), category=category, since=handoff.updated_at))
    return items



def customer_panel(customer, user):
    """The hand-offs of a customer's orders on the customer page (CUS-3), narrowed to what the user may see."""
    handoffs = list(selectors.handoffs_visible_to(user).filter(contract__customer=customer)
                    .select_related("line", "contract").order_by("-issued_at")[:20])
    if not handoffs:
        return None
    return _("Hand-offs to XXX"), "handoff/_customer_panel.html", {"handoffs": handoffs}


def contract_panel(contract, user):
    """On a sales contract's page: its hand-offs; on a construction contract's page: the hand-off it came from."""
    visible = selectors.handoffs_visible_to(user).select_related("line", "contract")
    handoffs = list(visible.filter(Q(contract=contract) | Q(construction_contract=contract)).order_by("-issued_at"))
    if not handoffs:
        return None
    return _("Hand-offs to XXX"), "handoff/_customer_panel.html", {"handoffs": handoffs}
