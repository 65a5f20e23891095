from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    """Projects, invoices, receipts, retention and the commission ledger (SPEC RCV)."""

    name = "receivables"
    verbose_name = _("Receivables")

    def ready(self):
        from contracts.hooks import register_acceptance_provider, register_contract_panel, register_customer_panel
        from contracts.signals import contract_handler_changed, contract_state_changed
        from marketing_portal import access
        from marketing_portal.registry import NavEntry, register_nav, register_work

        from . import selectors
        from .handlers import on_contract_handler_changed, on_contract_state_changed
        from .models import (
            Acceptance,
            AdjustmentRequest,
            CommissionEntry,
            CompensationAgreement,
            DutyProposal,
            ImportBatch,
            Invoice,
            OwnerHandover,
            Payout,
            Project,
            Receipt,
            RetentionStatement,
        )
        from .work import KINDS as WORK_KINDS
        from .work import contract_panel, customer_panel

        access.register_visibility(Project, selectors.projects_visible_to)
        access.register_visibility(Acceptance, selectors.acceptances_visible_to)
        access.register_visibility(Invoice, selectors.invoices_visible_to)
        access.register_visibility(Receipt, selectors.receipts_visible_to)
        access.register_visibility(RetentionStatement, selectors.statements_visible_to)
        access.register_visibility(OwnerHandover, selectors.handovers_visible_to)
        access.register_visibility(CommissionEntry, selectors.entries_visible_to)
        access.register_visibility(CompensationAgreement, selectors.agreements_visible_to)
        access.register_visibility(AdjustmentRequest, selectors.adjustments_visible_to)
        access.register_visibility(Payout, selectors.payouts_visible_to)
        access.register_visibility(DutyProposal, selectors.proposals_visible_to)
        access.register_visibility(ImportBatch, selectors.import_batches_visible_to)
        register_nav(NavEntry(label=_("Receivables and commission"), url_name="receivables:project-list", order=30,
                              visible=lambda user: user.has_perm("receivables.use_receivables")))
        register_work(*WORK_KINDS)
        # "Please handle" notices are done once the work is over, whoever ended it (see marketing_portal.notifications).
        from marketing_portal.notifications import register_work_item

        from .choices import AdjustmentState, AgreementState, ProposalState, StatementState
        from .models import Acceptance, AdjustmentRequest, CompensationAgreement, DutyProposal, RetentionStatement

        register_work_item(Acceptance, "original", is_open=lambda report: report.original_received_at is None)
        register_work_item(Acceptance, "copy", is_open=lambda report: report.copy_received_at is None)
        register_work_item(AdjustmentRequest, is_open=lambda request: request.state == AdjustmentState.PENDING)
        register_work_item(DutyProposal, is_open=lambda proposal: proposal.state == ProposalState.PENDING)
        register_work_item(CompensationAgreement, is_open=lambda agreement: agreement.state == AgreementState.REQUIRED)
        register_work_item(RetentionStatement, "issue", is_open=lambda st: st.state == StatementState.DRAFTED)
        register_work_item(RetentionStatement, "notify", is_open=lambda st: st.state == StatementState.ISSUED)
        register_customer_panel(order=20, provider=customer_panel)
        register_contract_panel(order=20, provider=contract_panel)
        contract_state_changed.connect(on_contract_state_changed, dispatch_uid="receivables-project-on-signing")
        contract_handler_changed.connect(on_contract_handler_changed, dispatch_uid="receivables-owner-follows-handler")
        # Repair tickets ask for the acceptance date (their warranty starts there) through contracts.hooks.
        register_acceptance_provider(lambda c: getattr(Project.objects.filter(contract=c).first(), "accepted_on", None))
        # The working-day calendar (CAL-2): the warranty end is a tracked period; the rules core's dates follow through
        # a listener that reassesses the projects a calendar change touches (receivables.calendar_follow).
        from marketing_portal.deadlines import register_calendar_listener, register_deadline

        from .calendar_follow import follow_calendar

        register_deadline(Project, "warranty_ends_on", label=_("warranty end"),
                          is_open=lambda qs: qs.filter(retention_statement__isnull=True),
                          notify=lambda project: [project.owner])
        register_calendar_listener(follow_calendar)
