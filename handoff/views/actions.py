"""The steps taken on a hand-off: XXX's costing page, Finance's review, negotiation rounds, Marketing's decision,
withdrawal and documents (HND-2…5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.deadlines import dated
from marketing_portal.money import format_yuan
from marketing_portal.people import display_name
from marketing_portal.web import apply_errors, field_errors, show_errors

from .. import forms, services
from ..choices import CostingState, HandoffState
from .detail import _detail_context, _load


# HND-2: costing by XXX (its own page: a table of cost lines)
# --------------------------------------------------------------------------------------------------
def _line_initial(costing_list) -> list[dict]:
    previous = next((c for c in reversed(costing_list) if c.total is not None), None)
    if previous is None:
        return [{} for _ in range(3)]
    return [{"category": ln.category, "description": ln.description, "quantity": f"{ln.quantity.normalize():f}",
             "unit": ln.unit, "unit_price": f"{ln.unit_price:f}"} for ln in previous.lines.all()]


@login_required
def costing_view(request, pk):
    handoff = _load(request, pk)
    costings = list(handoff.costings.all())
    live = next((c for c in costings if c.state == CostingState.OPEN), None)
    if handoff.state != HandoffState.COSTING or live is None:
        messages.error(request, _("The hand-off %(number)s is “%(state)s”: there is no costing to submit now.")
                       % {"number": handoff.number, "state": handoff.get_state_display()})
        return redirect(handoff)
    if not request.user.has_perm("handoff.cost_handoff", handoff):
        messages.error(request, _("Only XXX's cost estimators (or someone they delegated to) can cost a liaison "
                                  "sheet."))
        return redirect(handoff)
    form = forms.CostingForm(request.POST or None, request.FILES or None)
    lines = forms.CostLineFormSet(request.POST or None, prefix="lines", initial=_line_initial(costings))
    line_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            costing = services.costing_submit(by=request.user, handoff_id=handoff.pk, lines=forms.rows_of(lines),
                                              notes=form.cleaned_data["notes"],
                                              attachments=form.cleaned_data["attachments"],
                                              costing_id=int(request.POST.get("costing") or 0) or None)
        except ValidationError as exc:
            apply_errors(form, exc)
            line_errors = field_errors(exc, "lines")
        else:
            messages.success(request, _("Costing version %(v)s (%(total)s) was submitted to Finance; the review is due "
                                        "by %(due)s.") % {"v": costing.version, "total": format_yuan(costing.total),
                                                           "due": dated(costing.review_due_on)})
            return redirect(handoff)
    returned = next((c for c in reversed(costings) if c.state == CostingState.RETURNED), None)
    return render(request, "handoff/costing.html", {
        "handoff": handoff, "costing": live, "returned": returned, "form": form, "lines": lines,
        "line_errors": line_errors, "scope_items": list(handoff.scope_items.all()), "today": timezone.localdate(),
    })


def _rerender(request, handoff_pk, **bound):
    handoff = _load(request, handoff_pk)
    return render(request, "handoff/detail.html", _detail_context(request, handoff, **bound), status=200)


def _refused(request, handoff, exc: ValidationError, **bound):
    """A step the service refused: field errors come back on the page's form (``bound``), the rest as messages."""
    if hasattr(exc, "error_dict"):
        for form in bound.values():
            apply_errors(form, exc)
        return _rerender(request, handoff.pk, **bound)
    show_errors(request, exc)
    return redirect(handoff)


@login_required
@require_POST
def review_view(request, pk):
    handoff = _load(request, pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        return _rerender(request, handoff.pk, review_form=form)
    data = form.cleaned_data
    costing_id = int(request.POST.get("costing") or 0) or None
    try:
        if request.POST.get("decision") == "return":
            services.costing_return(by=request.user, handoff_id=handoff.pk, reason=data.get("comment", ""),
                                    costing_id=costing_id)
            messages.success(request, _("The costing was returned to XXX for revision; XXX's period restarts today."))
        else:
            costing = services.costing_suggest(by=request.user, handoff_id=handoff.pk,
                                               suggested_amount=data.get("suggested_amount", ""),
                                               comment=data.get("comment", ""), costing_id=costing_id)
            messages.success(request, _("The suggested amount %(amount)s was sent to Marketing and XXX.")
                             % {"amount": format_yuan(costing.suggested_amount)})
    except ValidationError as exc:
        return _refused(request, handoff, exc, review_form=form)
    return redirect(handoff)


@login_required
@require_POST
def round_view(request, pk):
    handoff = _load(request, pk)
    form = forms.RoundForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.negotiation_record(by=request.user, handoff_id=handoff.pk, **data)
        except ValidationError as exc:
            return _refused(request, handoff, exc, round_form=form)
        else:
            messages.success(request, _("Round %(n)s was put on record.") % {"n": record.number})
            return redirect(f"{handoff.get_absolute_url()}#negotiation")
    else:
        return _rerender(request, handoff.pk, round_form=form)
    return redirect(handoff)


@login_required
@require_POST
def decide_view(request, pk):
    handoff = _load(request, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        return _rerender(request, handoff.pk, decision_form=form)
    try:
        decision = services.handoff_decide(by=request.user, handoff_id=handoff.pk,
                                           amount=form.cleaned_data.get("amount", ""),
                                           notes=form.cleaned_data.get("notes", ""))
    except ValidationError as exc:
        return _refused(request, handoff, exc, decision_form=form)
    messages.success(request, _("Decided %(amount)s. The construction contract was drafted for %(handler)s to check "
                                "and submit for approval.")
                     % {"amount": format_yuan(decision.amount), "handler": display_name(handoff.contract.handler)})
    return redirect(handoff)


@login_required
@require_POST
def cancel_view(request, pk):
    handoff = _load(request, pk)
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        return _rerender(request, handoff.pk, cancel_form=form)
    try:
        services.handoff_cancel(by=request.user, handoff_id=handoff.pk, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, handoff, exc, cancel_form=form)
    messages.success(request, _("The liaison sheet was withdrawn."))
    return redirect(handoff)


@login_required
@require_POST
def attach_view(request, pk):
    handoff = _load(request, pk)
    form = forms.AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(handoff)
    try:
        services.handoff_attach(by=request.user, handoff_id=handoff.pk, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The document was attached to the liaison sheet."))
    return redirect(handoff)


# --------------------------------------------------------------------------------------------------
