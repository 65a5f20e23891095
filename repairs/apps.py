from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    """Repair tickets (SPEC REP): the customer's call to the supervisor's signed archive (客户报修处理流程图)."""

    name = "repairs"
    verbose_name = _("Repairs")

    def ready(self):
        from contracts.hooks import register_contract_panel, register_customer_panel
        from marketing_portal import access
        from marketing_portal.registry import NavEntry, register_nav, register_work

        from . import selectors
        from .models import Equipment, Escalation, LiaisonSheet, ReturnCall, ServiceLevelAlert, Ticket, Visit
        from .work import KINDS as WORK_KINDS
        from .work import contract_panel, customer_panel

        access.register_visibility(Ticket, selectors.tickets_visible_to)
        access.register_visibility(Visit, selectors.visits_visible_to)
        access.register_visibility(LiaisonSheet, selectors.sheets_visible_to)
        access.register_visibility(Escalation, selectors.escalations_visible_to)
        access.register_visibility(ReturnCall, selectors.return_calls_visible_to)
        access.register_visibility(ServiceLevelAlert, selectors.alerts_visible_to)
        access.register_visibility(Equipment, selectors.equipment_visible_to)
        register_nav(NavEntry(label=_("Repairs"), url_name="repairs:list", order=40,
                              visible=selectors.may_use_repairs))
        register_work(*WORK_KINDS)
        # A notice about a ticket asks for the work of the state it was in; it is done once the ticket moves on.
        from marketing_portal.notifications import register_work_stages

        register_work_stages(Ticket, current=lambda ticket: ticket.state)
        register_customer_panel(order=30, provider=customer_panel)
        register_contract_panel(order=30, provider=contract_panel)
        # The service levels (working hours) and the warranty end (months) are computed from the working-day
        # calendar (CAL-2): they follow it when days are entered, with old → new in the ticket's history.
        from marketing_portal.deadlines import register_deadline

        from .choices import OPEN_STATES
        from .services.levels import LEVELS, waiting_on
        from .warranty import warranty_follow

        for due_field, states, done_field in LEVELS.values():
            register_deadline(Ticket, due_field, notify=waiting_on,
                              is_open=lambda qs, states=states, done=done_field: qs.filter(
                                  state__in=states, **{f"{done}__isnull": True}))
        register_deadline(Ticket, "warranty_ends_on", label=_("warranty end"),
                          is_open=lambda qs: qs.filter(state__in=OPEN_STATES),
                          notify=lambda ticket: selectors.specialists(), on_change=warranty_follow)
