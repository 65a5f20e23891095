"""The contract list, the register export (CON-13), drafting and changing contracts (CON-1…5, CON-11)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.documents import xlsx_response
from marketing_portal.files import latest_attachment
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors
from org.rules import collection_only_reason

from .. import forms, selectors, services
from ..choices import TEXT_SLOT, ContractState

PAGE_SIZE = 25


def _filtered(request):
    form = forms.ContractFilterForm(request.GET or None)
    params = {"search": "", "state": "", "region": "", "direction": ""}
    if form.is_valid():
        data = form.cleaned_data
        params = {"search": data["q"].strip(), "state": data["state"], "region": data["region"],
                  "direction": data["direction"], "signed_from": data["signed_from"], "signed_to": data["signed_to"]}
    return form, selectors.contract_list(request.user, **params)


@login_required
def contract_list_view(request):
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/list.html", {"page": page, "filter_form": form})


@login_required
def register_export(request):
    """The contract register 合同台账 (CON-13) as an Excel file, built row by row and streamed."""
    _form, qs = _filtered(request)
    qs = qs.select_related("customer", "region", "handler__person", "template_version__template")

    def rows():
        for c in qs.iterator(chunk_size=2000):
            yield [
                c.archive_number or "", c.title, c.get_kind_display(), c.get_direction_display(), c.counterparty_name,
                c.region.name, display_name(c.handler),
                c.amount, c.starts_on, c.ends_on, c.signed_on, c.get_state_display(), c.version,
                str(c.template_version) if c.template_version_id else _("Non-standard"),
                c.retention_percent, c.warranty_months,
                f"{c.archive_cabinet}/{c.archive_box}" if c.archive_number else "",
                timezone.localtime(c.registered_at) if c.registered_at else None,
            ]

    headers = [_("Archive number"), _("Title"), _("Kind"), _("Direction"), _("Counterparty"), _("Region"),
               _("Handler"), _("Amount (yuan)"), _("Term starts"), _("Term ends"), _("Signed on"), _("State"),
               _("Version"), _("Template"), _("Retention money (%)"), _("Warranty period (months)"),
               _("Location"), _("Registered at")]
    filename = _("Contract register %(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
    return xlsx_response(filename, sheet_title=_("Contract register"), headers=headers, rows=rows(),
                         money_columns=[7], widths=[16, 34, 8, 14, 30, 10, 10, 16, 12, 12, 12, 18, 6, 20, 8, 8, 12, 18])


def _initial_lines(contract):
    return [{"description": ln.description, "specification": ln.specification, "quantity": ln.quantity,
             "unit": ln.unit, "unit_price": ln.unit_price} for ln in contract.lines.all()]


@login_required
def contract_create_view(request):
    if not request.user.has_perm("contracts.create_contract"):
        raise Http404
    blocked = collection_only_reason(request.user, work="contracts")
    if blocked:
        messages.error(request, blocked)
        return redirect("contracts:list")
    initial = {"starts_on": timezone.localdate(), "drafted_by": "ours"}
    customer_id = request.GET.get("customer")
    if customer_id and customer_id.isdigit():
        initial["customer"] = customer_id
    form = forms.ContractForm(request.POST or None, user=request.user, initial=initial)
    lines = forms.LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            contract = services.contract_create(by=request.user, lines=forms.lines_of(lines), **form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved. Upload the draft text (the file the approvers "
                                        "read), then submit it for review."))
            return redirect(contract)
    return render(request, "contracts/form.html", {"form": form, "lines": lines, "policy": current_policy()})


@login_required
def contract_edit_view(request, pk):
    contract = get_object_or_404(selectors.contracts_visible_to(request.user), pk=pk)
    if contract.state != ContractState.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect(contract)
    if not request.user.has_perm("contracts.edit_contract", contract):
        raise Http404
    initial = {f: getattr(contract, f) for f in (
        "title", "kind", "direction", "customer", "region", "handler", "amount", "starts_on", "ends_on",
        "template_version", "non_standard_reason", "drafted_by", "is_foreign", "legal_participant",
        "technical_participant", "payment_terms", "retention_percent", "warranty_months", "notes")}
    initial["cc"] = list(contract.cc.all())
    form = forms.ContractForm(request.POST or None, user=request.user, initial=initial)
    lines = forms.LineFormSet(request.POST or None, prefix="lines", initial=_initial_lines(contract))
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.service_data()
        if contract.parent_id:
            data.pop("direction", None)
            data.pop("customer", None)
        try:
            services.contract_update(contract_id=contract.pk, by=request.user, lines=forms.lines_of(lines), **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if latest_attachment(contract, TEXT_SLOT) is None:
                messages.success(request, _("The draft was saved. Upload the draft text (the file the approvers "
                                            "read), then submit it for review."))
            else:
                messages.success(request, _("The draft was saved."))
            return redirect(contract)
    return render(request, "contracts/form.html", {"form": form, "lines": lines, "contract": contract,
                                                   "policy": current_policy()})


@login_required
def amendment_create_view(request, pk):
    parent = get_object_or_404(selectors.contracts_visible_to(request.user), pk=pk)
    if not request.user.has_perm("contracts.amend_contract", parent):
        raise Http404
    form = forms.AmendmentForm(request.POST or None, initial={"starts_on": timezone.localdate(),
                                                              "ends_on": parent.ends_on})
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_amendment_create(parent_id=parent.pk, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The agreement was drafted; it goes through the same approval chain."))
            return redirect(contract)
    return render(request, "contracts/amendment_form.html", {"form": form, "parent": parent})
