from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffConfig(AppConfig):
    """Hand-off of orders to the engineering subsidiary XXX (SPEC HND)."""

    name = "handoff"
    verbose_name = _("Hand-off")

    def ready(self):
        from contracts.hooks import register_contract_panel, register_contract_reach, register_customer_panel
        from contracts.signals import contract_state_changed
        from marketing_portal import access
        from marketing_portal.registry import NavEntry, register_nav, register_work

        from . import selectors, services
        from .models import Costing, CostLine, Decision, Handoff, NegotiationRound, ScopeItem
        from .work import KINDS as WORK_KINDS
        from .work import contract_panel, customer_panel

        access.register_visibility(Handoff, selectors.handoffs_visible_to)
        access.register_visibility(ScopeItem, selectors.scope_items_visible_to)
        access.register_visibility(Costing, selectors.costings_visible_to)
        access.register_visibility(CostLine, selectors.cost_lines_visible_to)
        access.register_visibility(NegotiationRound, selectors.rounds_visible_to)
        access.register_visibility(Decision, selectors.decisions_visible_to)
        register_nav(NavEntry(label=_("Hand-off to XXX"), url_name="handoff:list", order=20,
                              visible=selectors.may_use_handoffs))
        register_work(*WORK_KINDS)
        register_customer_panel(order=15, provider=customer_panel)
        register_contract_panel(order=15, provider=contract_panel)
        # Receivables asks which contracts a user reaches through hand-offs (XXX sees the projects of its sheets).
        register_contract_reach(through="handoffs", provider=lambda user: selectors.handoffs_visible_to(user).filter(
            cancelled_at__isnull=True).values("contract_id"))
        contract_state_changed.connect(services.on_contract_state_changed, dispatch_uid="handoff-follows-contract")
        # The two periods of HND-2/3 follow the working-day calendar (CAL-2): recomputed when its days change.
        from marketing_portal.deadlines import register_deadline

        from .choices import CostingState

        register_deadline(Costing, "due_on", label=_("costing due date"),
                          is_open=lambda qs: qs.filter(state=CostingState.OPEN),
                          notify=lambda costing: selectors.estimators())
        register_deadline(Costing, "review_due_on", label=_("review due date"),
                          is_open=lambda qs: qs.filter(state=CostingState.SUBMITTED),
                          notify=lambda costing: selectors.finance_reviewers())
        # "Please handle" notices are done as soon as the piece of work they ask for is over, whoever ended it
        # (costed, reviewed, decided, withdrawn): the costing, the review, the decision, submitting the contract.
        from contracts.choices import ContractState
        from contracts.models import Contract
        from marketing_portal.notifications import register_work_item

        from .choices import HandoffState

        register_work_item(Costing, "cost", is_open=lambda costing: costing.state == CostingState.OPEN)
        register_work_item(Costing, "review", is_open=lambda costing: costing.state == CostingState.SUBMITTED)
        register_work_item(Handoff, "decide", is_open=lambda handoff: handoff.state == HandoffState.NEGOTIATION)
        register_work_item(Contract, "submit", is_open=lambda contract: contract.state == ContractState.DRAFT)
