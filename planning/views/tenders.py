"""Bids: the list and its Excel register, registering a tender, the bid page with every step as a POST form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal import lists
from marketing_portal.documents import xlsx_response
from marketing_portal.people import display_name
from marketing_portal.web import apply_errors, form_errors, require_perm, show_errors
from org.rules import collection_only_reason

from .. import selectors, services
from ..filters import TenderFilter
from ..forms import DecisionForm, ReasonForm, ResultForm, TenderEditForm, TenderForm, UploadForm


def _tenders(request):
    return selectors.tender_list(request.user).select_related("customer", "region", "owner__person")


@login_required
def tender_list(request):
    if not selectors.may_use_tenders(request.user):
        raise Http404
    context = lists.list_context(request, TenderFilter, _tenders(request), page_size=30)
    return render(request, "planning/tender_list.html", {
        **context, "blocked": collection_only_reason(request.user, work="bids")})


@login_required
def tender_export(request):
    if not selectors.may_use_tenders(request.user):
        raise Http404
    qs = lists.filtered(request, TenderFilter, _tenders(request)).rows
    rows = ([t.number, t.title, t.customer.name, t.region.name, display_name(t.owner), t.budget, t.quoted_amount,
             t.documents_due_on, t.opening_on, t.get_state_display(), t.winning_amount, t.winner]
            for t in qs.iterator(chunk_size=500))
    headers = [_("Bid number"), _("Tender project"), _("Tendering party"), _("Region"), _("Sales owner"),
               _("Budget"), _("Our bid price"), _("Bid documents due"), _("Bid opening date"), _("State"),
               _("Winning price"), _("Winning bidder")]
    return xlsx_response(_("Bids") + ".xlsx", sheet_title=_("Bids"), headers=headers, rows=rows,
                         money_columns=[5, 6, 10], widths=[14, 30, 24, 8, 8, 14, 14, 12, 12, 16, 14, 20])


def _customers(user):
    from contracts.selectors import customers_visible_to

    return customers_visible_to(user).order_by("name")


@login_required
def tender_new(request):
    reason = collection_only_reason(request.user, work="bids")
    if reason:
        # RCV-8: the page says why instead of offering a form that would be refused.
        return render(request, "planning/tender_form.html", {"blocked": reason}, status=403)
    require_perm(request, "planning.create_tender")
    form = TenderForm(request.POST or None, customers=_customers(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.tender_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The bid is registered."))
            return redirect(tender)
    return render(request, "planning/tender_form.html", {"form": form})


def _visible(request, pk):
    return get_object_or_404(selectors.tenders_visible_to(request.user), pk=pk)


@login_required
def tender_detail(request, pk):
    tender = _visible(request, pk)
    edit_form = TenderEditForm(initial={"budget": tender.budget, "quoted_amount": tender.quoted_amount or "",
                                        "documents_due_on": tender.documents_due_on, "opening_on": tender.opening_on})
    steps = tender.steps.select_related("decided_by", "on_behalf_of").prefetch_related("assignees")
    return render(request, "planning/tender_detail.html", {
        "tender": tender, "steps": steps, "pending": steps.filter(status="pending").first(),
        "edit_form": edit_form, "upload_form": UploadForm(), "decision_form": DecisionForm(),
        "result_form": ResultForm(), "reason_form": ReasonForm()})


def _act(request, pk, call, success):
    tender = _visible(request, pk)
    try:
        call(tender)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, success)
    return redirect(tender)


@login_required
@require_POST
def tender_edit(request, pk):
    form = TenderEditForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(_visible(request, pk))
    return _act(request, pk, lambda t: services.tender_update(tender_id=t.pk, by=request.user, **form.cleaned_data),
                _("The bid is saved."))


@login_required
@require_POST
def tender_upload(request, pk):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(_visible(request, pk))
    return _act(request, pk, lambda t: services.tender_document_add(
        tender_id=t.pk, by=request.user, upload=form.cleaned_data["upload"], note=form.cleaned_data["note"]),
        _("The document is stored."))


@login_required
@require_POST
def tender_to_review(request, pk):
    return _act(request, pk, lambda t: services.tender_send_to_review(tender_id=t.pk, by=request.user),
                _("The bid documents are sent to the Management Manager."))


@login_required
@require_POST
def tender_review(request, pk, step_id):
    approve = request.POST.get("decision") != "reject"
    tender = _visible(request, pk)
    if not tender.steps.filter(pk=step_id).exists():
        raise Http404
    return _act(request, pk, lambda t: services.tender_review(step_id=step_id, by=request.user, approve=approve,
                                                              comment=request.POST.get("comment", "")),
                _("Passed.") if approve else _("Sent back for correction."))


@login_required
@require_POST
def tender_submit(request, pk):
    return _act(request, pk, lambda t: services.tender_submit(tender_id=t.pk, by=request.user),
                _("The budget and proposal are recorded as submitted."))


@login_required
@require_POST
def tender_result(request, pk):
    form = ResultForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(_visible(request, pk))
    return _act(request, pk, lambda t: services.tender_record_result(tender_id=t.pk, by=request.user,
                                                                     **form.cleaned_data),
                _("The result is recorded."))


@login_required
@require_POST
def tender_cancel(request, pk):
    return _act(request, pk, lambda t: services.tender_cancel(tender_id=t.pk, by=request.user,
                                                              reason=request.POST.get("reason", "")),
                _("The bid is cancelled."))


@login_required
@require_POST
def tender_start_contract(request, pk):
    tender = _visible(request, pk)
    require_perm(request, "planning.start_contract_from_tender", tender)
    try:
        contract = services.tender_start_contract(tender_id=tender.pk, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(tender)
    messages.success(request, _("The contract draft is started with the customer, amount and bid documents."))
    return redirect(contract)
