"""Collection-only duty, compensation agreements and commission adjustments (RCV-4, 5, 8, 9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.web import form_errors, require_perm, show_errors
from org.models import Person

from .. import forms, selectors, services
from ..choices import ProposalState

PAGE_SIZE = 25


# Collection-only duty, compensation agreements, adjustments
# --------------------------------------------------------------------------------------------------
@login_required
def proposal_list(request):
    user = request.user
    proposals = selectors.proposals_visible_to(user).select_related(
        "person__user", "project", "decided_by__person", "decided_for__person")
    agreements = selectors.agreements_visible_to(user).select_related("project", "owner__person")
    require_perm(request, "receivables.see_duty")
    on_duty = Person.objects.filter(duty_status=Person.DutyStatus.COLLECTION_ONLY).select_related("user")
    if not selectors.sees_all_proposals(user):
        on_duty = on_duty.filter(user=user)
    return render(request, "receivables/duty.html", {
        "pending": [p for p in proposals if p.state == ProposalState.PENDING],
        "decided": [p for p in proposals if p.state != ProposalState.PENDING][:100],
        "on_duty": list(on_duty), "agreements": list(agreements),
        "decision_form": forms.DecisionForm(), "upload_form": forms.AgreementUploadForm(),
        "tab": "duty"})


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = get_object_or_404(selectors.proposals_visible_to(request.user), pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(proposal.get_absolute_url())
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.duty_proposal_decide(proposal_id=proposal.pk, by=request.user, confirm=confirm,
                                      reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def duty_lift_view(request, pk):
    require_perm(request, "receivables.lift_duty")
    person = get_object_or_404(Person, pk=pk, duty_status=Person.DutyStatus.COLLECTION_ONLY)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("receivables:proposal-list")
    try:
        services.duty_lift(person_id=person.pk, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Collection-only duty of %(person)s lifted.") % {"person": person})
    return redirect("receivables:proposal-list")


@login_required
@require_POST
def adjustment_decide_view(request, pk):
    adjustment = get_object_or_404(selectors.adjustments_visible_to(request.user), pk=pk)
    form = forms.AdjustmentDecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(adjustment.project.get_absolute_url() + "#adjustments")
    try:
        services.adjustment_decide(adjustment_id=adjustment.pk, by=request.user,
                                   approve=request.POST.get("decision") == "approve",
                                   comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(adjustment.project.get_absolute_url() + "#adjustments")


@login_required
@require_POST
def agreement_upload_view(request, pk):
    agreement = get_object_or_404(selectors.agreements_visible_to(request.user), pk=pk)
    form = forms.AgreementUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("receivables:proposal-list")
    try:
        services.agreement_upload(agreement_id=agreement.pk, by=request.user,
                                  signed_on=form.cleaned_data["signed_on"], scan=form.cleaned_data["scan"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Signed agreement uploaded."))
    return redirect("receivables:proposal-list")


# --------------------------------------------------------------------------------------------------
