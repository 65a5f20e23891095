"""Plans and targets: the list with actual against target, a plan's versions and targets, approval."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal import lists
from marketing_portal.documents import xlsx_response
from marketing_portal.people import display_name
from marketing_portal.web import apply_errors, require_perm, show_errors

from .. import selectors, services
from ..choices import PlanState
from ..filters import PlanFilter, with_plan_state
from ..forms import DecisionForm, PlanForm, TargetFormSet


def _plans(request):
    return (with_plan_state(selectors.plans_visible_to(request.user))
            .select_related("region", "created_by__person").prefetch_related("versions"))


@login_required
def plan_list(request):
    if not selectors.may_use_plans(request.user):
        raise Http404
    context = lists.list_context(request, PlanFilter, _plans(request))
    fs = context["filter"]
    year = fs.overview_year
    rows = [{"plan": p, "target": fs.targets["in_force"].get(p.pk), "proposed": fs.targets["latest"].get(p.pk)}
            for p in context["page"]]
    mine = selectors.target_vs_actual(request.user, year, person=request.user)
    overview = selectors.target_vs_actual(request.user, year) if (
        request.user.has_perm("planning.see_all_targets") or selectors.is_regional_manager(request.user)) else None
    return render(request, "planning/plan_list.html", {**context, "rows": rows, "year": year, "mine": mine,
                                                       "overview": overview})


@login_required
def plan_export(request):
    """The plans filtered, with each one's annual target in force and proposed, in Excel (X-6)."""
    if not selectors.may_use_plans(request.user):
        raise Http404
    fs = lists.filtered(request, PlanFilter, _plans(request))
    states = dict(PlanState.choices)
    rows = ([p.number, p.year, p.region.name if p.region_id else _("Whole marketing centre"), p.title,
             f"v{p.latest_number}" if p.latest_number else "", states.get(p.latest_state, ""),
             display_name(p.created_by), timezone.localtime(p.created_at),
             fs.targets["in_force"].get(p.pk), fs.targets["latest"].get(p.pk)]
            for p in fs.rows)
    headers = [_("Plan number"), _("Year"), _("Region"), _("Title"), _("Latest version"), _("State"),
               _("Drafted by"), _("Created at"), _("Annual target in force"), _("Annual target of the latest version")]
    return xlsx_response(_("Plans and targets") + ".xlsx", sheet_title=_("Plans and targets"), headers=headers,
                         rows=rows, money_columns=[8, 9], widths=[14, 6, 12, 30, 8, 14, 10, 16, 16, 16])


@login_required
def plan_new(request):
    require_perm(request, "planning.create_plan")
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The plan is drafted; enter its targets."))
            return redirect("planning:plan-targets", pk=plan.pk)
    return render(request, "planning/plan_form.html", {"form": form})


def _version(plan, request):
    versions = list(plan.versions.all())
    wanted = request.GET.get("v")
    for version in versions:
        if wanted and str(version.number) == wanted:
            return version, versions
    return (versions[-1] if versions else None), versions


@login_required
def plan_detail(request, pk):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    version, versions = _version(plan, request)
    targets = version.targets.filter(amount__gt=0).select_related("region", "person") if version else []
    steps = version.steps.select_related("decided_by", "on_behalf_of").prefetch_related("assignees") if version \
        else []
    return render(request, "planning/plan_detail.html", {
        "plan": plan, "version": version, "versions": versions, "targets": targets, "steps": steps,
        "decision_form": DecisionForm(),
        "progress": selectors.target_vs_actual(request.user, plan.year,
                                               region=plan.region.code if plan.region_id else None)})


@login_required
def plan_targets(request, pk):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    version = selectors.open_version(plan)
    if version is None:
        raise Http404
    require_perm(request, "planning.edit_plan_version", version)
    initial = [{"region": t.region, "person": t.person, "period": t.period, "period_no": t.period_no,
                "amount": t.amount} for t in version.targets.filter(amount__gt=0)]
    formset = TargetFormSet(request.POST or None, initial=initial)
    errors = []
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and f.cleaned_data.get("amount") not in
                (None, "")]
        try:
            services.plan_targets_set(version_id=version.pk, by=request.user, targets=rows)
        except ValidationError as exc:
            errors = exc.message_dict.get("targets", exc.messages) if hasattr(exc, "error_dict") else exc.messages
        else:
            messages.success(request, _("The targets are saved."))
            return redirect(plan)
    return render(request, "planning/plan_targets.html", {"plan": plan, "version": version, "formset": formset,
                                                          "errors": errors})


@login_required
@require_POST
def plan_submit(request, pk):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    version = selectors.open_version(plan)
    if version is None:
        raise Http404
    try:
        services.plan_submit(version_id=version.pk, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The plan is submitted for approval."))
    return redirect(plan)


@login_required
@require_POST
def plan_revise(request, pk):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    try:
        services.plan_revise(plan_id=plan.pk, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(plan)
    messages.success(request, _("A new version is drafted from the latest one; change its targets and submit it."))
    return redirect("planning:plan-targets", pk=plan.pk)


@login_required
@require_POST
def plan_decide(request, step_id):
    step = get_object_or_404(selectors.plan_steps_visible_to(request.user).select_related("plan_version__plan"),
                             pk=step_id)
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("decision") == "reject":
            services.plan_reject(step_id=step.pk, by=request.user, comment=comment)
            messages.success(request, _("The plan is rejected."))
        else:
            services.plan_approve(step_id=step.pk, by=request.user, comment=comment)
            messages.success(request, _("Approved."))
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect(step.plan_version.get_absolute_url())



