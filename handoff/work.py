"""The "my work" provider of the hand-off app: sheets to cost (XXX), costings to review (Finance),
decisions and construction contracts waiting (Marketing), with their due dates and overdue flags: each a kind
the home counts and slices."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.choices import ContractState
from marketing_portal.registry import WorkItem, WorkKind, items_of
from org.rules import is_director_assistant
from org.selectors import acting_for

from . import rules, selectors
from .choices import CostingState, HandoffState
from .models import Costing, Handoff


def _uses(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and selectors.may_use_handoffs(user)


def _to_cost(user):
    if not _uses(user) or not rules.acts_for_estimators(user):
        return None
    return (Costing.objects.filter(state=CostingState.OPEN, handoff__state=HandoffState.COSTING)
            .select_related("handoff__line").order_by("due_on", "pk"))


def _to_cost_item(costing, user) -> WorkItem:
    title = (_("Cost liaison sheet %(number)s: %(line)s") if costing.version == 1 else
             _("Revise the costing of %(number)s: %(line)s")) % {
        "number": costing.handoff.number, "line": costing.handoff.line.description}
    return WorkItem(title=title, url=costing.handoff.get_absolute_url(), category=_("Hand-off to XXX"),
                    since=costing.opened_at, due=costing.due_on, overdue=costing.due_on < timezone.localdate(),
                    due_computed=True)


def _to_review(user):
    if not _uses(user) or not rules.acts_for_finance_reviewers(user):
        return None
    return (Costing.objects.filter(state=CostingState.SUBMITTED, handoff__state=HandoffState.REVIEW)
            .select_related("handoff__line").order_by("review_due_on", "pk"))


def _to_review_item(costing, user) -> WorkItem:
    return WorkItem(
        title=_("Review the costing of %(number)s: %(line)s") % {
            "number": costing.handoff.number, "line": costing.handoff.line.description},
        url=costing.handoff.get_absolute_url(), category=_("Hand-off to XXX"), since=costing.submitted_at,
        due=costing.review_due_on, overdue=costing.review_due_on < timezone.localdate(), due_computed=True)


def _deciding(user):
    """Decisions: the handler of the contract, and the Director's Assistant (duty “XX新合同对接”) for all."""
    negotiating = Handoff.objects.filter(state=HandoffState.NEGOTIATION)
    if not (is_director_assistant(user) or acting_for(user, selectors.decision_followers())):
        negotiating = negotiating.filter(Q(contract__handler=user) | Q(issued_by=user))
    return negotiating


def _to_decide(user):
    if not _uses(user):
        return None
    return _deciding(user).select_related("line").order_by("updated_at", "pk")


def _to_decide_item(handoff, user) -> WorkItem:
    return WorkItem(
        title=_("Negotiate and decide the amount of %(number)s: %(line)s") % {
            "number": handoff.number, "line": handoff.line.description},
        url=handoff.get_absolute_url(), category=_("Hand-off to XXX"), since=handoff.updated_at)


def _to_negotiate(user):
    """XXX's negotiator: the negotiations the user does not decide themselves (those are under ``_to_decide``)."""
    if not _uses(user) or not rules.acts_for_xxx_negotiators(user):
        return None
    return (Handoff.objects.filter(state=HandoffState.NEGOTIATION).exclude(pk__in=_deciding(user).values("pk"))
            .select_related("line").order_by("updated_at", "pk"))


def _to_negotiate_item(handoff, user) -> WorkItem:
    return WorkItem(
        title=_("Negotiate the amount of %(number)s with Marketing: %(line)s") % {
            "number": handoff.number, "line": handoff.line.description},
        url=handoff.get_absolute_url(), category=_("Hand-off to XXX"), since=handoff.updated_at)


def _to_submit(user):
    """The drafted construction contract waits for its handler to submit it (the contracts app shows the rest)."""
    if not _uses(user):
        return None
    return (Handoff.objects.filter(state=HandoffState.CONTRACTING, construction_contract__handler=user,
                                   construction_contract__state=ContractState.DRAFT)
            .select_related("construction_contract").order_by("updated_at", "pk"))


def _to_submit_item(handoff, user) -> WorkItem:
    return WorkItem(
        title=_("Submit the construction contract of %(number)s for approval") % {"number": handoff.number},
        url=handoff.construction_contract.get_absolute_url(), category=_("Hand-off to XXX"), since=handoff.updated_at)


KINDS = [
    WorkKind("handoff-costing", gettext_lazy("Liaison sheets to cost"), _to_cost, _to_cost_item, order=20),
    WorkKind("handoff-review", gettext_lazy("Costings to review"), _to_review, _to_review_item, order=21),
    WorkKind("handoff-decide", gettext_lazy("Hand-off amounts to decide"), _to_decide, _to_decide_item, order=22),
    WorkKind("handoff-negotiate", gettext_lazy("Hand-off amounts to negotiate"), _to_negotiate,
             _to_negotiate_item, order=23),
    WorkKind("handoff-construction", gettext_lazy("Construction contracts to submit"), _to_submit, _to_submit_item,
             order=24),
]


def work_items(user) -> list[WorkItem]:
    return items_of(KINDS, user)


def customer_panel(customer, user):
    """The hand-offs of a customer's orders on the customer page (CUS-3), narrowed to what the user may see."""
    handoffs = list(selectors.handoffs_visible_to(user).filter(contract__customer=customer)
                    .select_related("line", "contract").order_by("-issued_at")[:20])
    if not handoffs:
        return None
    return _("Hand-offs to XXX"), "handoff/_customer_panel.html", {"handoffs": handoffs}


def contract_panel(contract, user):
    """On a sales contract's page: its hand-offs; on a construction contract's page: the hand-off it came from."""
    handoffs = selectors.handoffs_of_contract_visible_to(user, contract)
    if not handoffs:
        return None
    return _("Hand-offs to XXX"), "handoff/_customer_panel.html", {"handoffs": handoffs}
