"""The contract page: its terms, who must act now, the chain of every version, the records after signing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from marketing_portal.files import attachments_preload, latest_attachment
from marketing_portal.memo import remember
from marketing_portal.policy import current_policy

from .. import forms, hooks, rules, selectors, services
from ..choices import OPEN_LOAN_STATES, REVIEW_STATES, TEXT_SLOT, ContractState, HandoverStatus, StepStatus

# The route is shown before submission and while the chain runs up to the signature.
ROUTE_STATES = (ContractState.DRAFT, *REVIEW_STATES, ContractState.APPROVED)


class LazyForms(dict):
    """The page's unbound forms by name, each built when the template first asks for it: the template draws only
    the forms of the actions the user may take in the contract's state (a handler sees two or three of twenty)."""

    def __init__(self, **factories):
        super().__init__()
        self._factories = factories

    def __missing__(self, name):
        self[name] = form = self._factories[name]()
        return form


def _after_signing(contract) -> dict:
    """The records after signing, read only when the page draws them (``_after_signing.html``): while the contract
    is in force and once it is terminated. Before (a draft, under review, approved, withdrawn) seven queries less."""
    if not (contract.is_in_force or contract.state == ContractState.TERMINATED):
        return {"after_signing": False, "milestones": [], "non_performances": [], "objections": [], "inabilities": [],
                "handovers": [], "loans": [], "open_loan": None, "disputes": []}
    loans = list(contract.loans.select_related("borrower__person", "decided_by__person", "lent_by__person"))
    return {
        "after_signing": True,
        "milestones": list(contract.milestones.select_related("recorded_by__person")),
        "non_performances": list(contract.non_performances.select_related("flagged_by__person")),
        "objections": list(contract.incoming_objections.all()),
        "inabilities": list(contract.inability_reports.select_related("reported_by__person")),
        "handovers": list(contract.handler_changes.select_related("from_handler__person", "to_handler__person")),
        "loans": loans,
        "open_loan": next((ln for ln in loans if ln.state in OPEN_LOAN_STATES), None),
        "disputes": list(contract.disputes.all()),
    }


@login_required
def contract_detail(request, pk):
    contract = get_object_or_404(
        selectors.visible_contract(request.user, pk).select_related(
            "customer", "region", "handler__person", "template_version__template", "legal_participant__person",
            "technical_participant__person", "parent", "due_diligence"),
    )
    # Found through the selector: the rules asking "may see" again (print buttons) need not look it up.
    remember(rules.seen_key(request.user, contract), True)
    # The page shows the text, the related documents and the signed scan: their files in one query.
    attachments_preload(contract)
    today = timezone.localdate()
    if contract.state == ContractState.DRAFT:
        # A draft shows the flags its submission would get under the policy in force (not stored yet).
        services.apply_submission_flags(contract, current_policy())
    steps = list(
        contract.steps.select_related("decided_by__person", "on_behalf_of__person", "text")
        # The assignees with their persons in one query (``assignees__person`` was two).
        .prefetch_related(Prefetch("assignees", queryset=get_user_model().objects.select_related("person")))
        .order_by("-version", "opened_at", "pk")
    )
    rejected = [s for s in steps if s.status == StepStatus.REJECTED]
    route = services.contract_route(contract, steps) if contract.state in ROUTE_STATES else []
    copied = selectors.copied_on(contract) if contract.state in ROUTE_STATES else []
    # The route and the copied list name everyone the org chart gives them: their persons in one query, not one each.
    prefetch_related_objects([u for stop in route for u in stop.people] + copied, "person")
    # Who may do what is asked of contracts.rules in the templates ({% has_perm %}, {% test_rule %}).
    context = {
        "contract": contract,
        "steps": steps,
        "pending": [s for s in steps if s.status == StepStatus.PENDING and s.version == contract.version],
        "versions": sorted({s.version for s in steps}, reverse=True),
        # The last rejection (the handler's panel says why; the reviewers of the next version see it too).
        "last_rejection": rejected[0] if rejected else None,
        "route": route,
        "copied": copied,
        "text": latest_attachment(contract, TEXT_SLOT),
        "lines": list(contract.lines.all()),
        "problems": services.submission_problems(contract) if contract.state == ContractState.DRAFT else [],
        "signed_scan": latest_attachment(contract, "signed"),
        **_after_signing(contract),
        "amendments": list(contract.amendments.select_related("region")),
        "today": today,
        "forms": LazyForms(
            decision=forms.DecisionForm,
            sign=lambda: forms.SignForm(initial={"signed_on": today, "counterparty_signed_on": today}),
            register=forms.RegisterForm, archive=forms.ArchiveForm, withdraw=forms.WithdrawForm,
            file=forms.DraftFileForm, text=forms.DraftTextForm, recall=forms.RecallForm,
            milestone=forms.MilestoneForm,
            non_performance=lambda: forms.NonPerformanceForm(initial={"noticed_on": today}),
            objection_sent=lambda: forms.ObjectionSentForm(initial={"sent_on": today}),
            objection=lambda: forms.ObjectionReceivedForm(initial={"received_on": today}),
            answer=lambda: forms.ObjectionAnswerForm(initial={"replied_on": today}),
            inability=lambda: forms.InabilityForm(initial={"occurred_on": today, "counterparty_notified_on": today}),
            handover=forms.HandoverForm, loan=forms.LoanForm, loan_decision=forms.LoanDecisionForm,
            dispute=lambda: forms.DisputeForm(initial={"opened_on": today}),
            dispute_update=forms.DisputeUpdateForm, resolution=forms.ResolutionForm,
            milestone_done=lambda: forms.MilestoneDoneForm(initial={"done_on": today}),
        ),
        "HandoverStatus": HandoverStatus,
        "policy": current_policy(),
        "panels": hooks.contract_panels(contract, request.user, request),
    }
    return render(request, "contracts/detail.html", context)
