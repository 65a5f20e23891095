from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """Customers and contracts: drafting, the approval chain, the numbered archive (SPEC CUS, CON)."""

    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self):
        from marketing_portal import access
        from marketing_portal.registry import NavEntry, register_nav, register_work

        from . import selectors
        from .models import (
            ApprovalStep,
            Contract,
            ContractTemplate,
            Customer,
            Dispute,
            DueDiligence,
            HandlerChange,
            InabilityReport,
            IncomingObjection,
            Loan,
            Milestone,
            NonPerformance,
            TemplateVersion,
        )
        from .work import KINDS as WORK_KINDS

        access.register_visibility(Contract, selectors.contracts_visible_to)
        access.register_visibility(Customer, selectors.customers_visible_to)
        access.register_visibility(DueDiligence, selectors.due_diligences_visible_to)
        access.register_visibility(ContractTemplate, selectors.templates_visible_to)
        access.register_visibility(TemplateVersion, selectors.template_versions_visible_to)
        access.register_visibility(ApprovalStep, selectors.steps_visible_to)
        # Records attached to a contract are seen by whoever sees the contract (their files too).
        for model in (Milestone, NonPerformance, IncomingObjection, InabilityReport, HandlerChange, Loan, Dispute):
            access.register_visibility(model, selectors.contract_children_visible_to(model))
        register_nav(NavEntry(label=_("Contracts"), url_name="contracts:list", order=10,
                              visible=selectors.may_use_contracts))
        register_nav(NavEntry(label=_("Customers"), url_name="contracts:customer-list", order=11,
                              visible=selectors.may_see_customers))
        register_work(*WORK_KINDS)
        # "Please handle" notices are done once the work is over, whoever ended it (see marketing_portal.notifications).
        from marketing_portal.notifications import register_work_item

        from .choices import HandoverStatus, LoanState

        register_work_item(Loan, "decide", is_open=lambda loan: loan.state == LoanState.REQUESTED)
        register_work_item(HandlerChange, is_open=lambda change: change.status == HandoverStatus.PENDING)
        # The objection and reply deadlines (art. 12) are periods on the working-day calendar (CAL-2): they follow it.
        from marketing_portal.deadlines import register_deadline

        from .choices import NonPerformanceStatus, ObjectionStatus

        register_deadline(NonPerformance, "objection_due_on", label=_("objection letter deadline"),
                          is_open=lambda qs: qs.filter(status=NonPerformanceStatus.OPEN),
                          notify=lambda record: [record.contract.handler],
                          url=lambda record: record.contract.get_absolute_url())
        register_deadline(IncomingObjection, "reply_due_on", label=_("reply deadline"),
                          is_open=lambda qs: qs.filter(status=ObjectionStatus.OPEN),
                          notify=lambda record: [record.contract.handler],
                          url=lambda record: record.contract.get_absolute_url())
