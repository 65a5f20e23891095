"""The contract list, the register export (CON-13), drafting and changing contracts (CON-1…5, CON-11)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal import lists
from marketing_portal.documents import xlsx_response
from marketing_portal.files import latest_attachment
from marketing_portal.people import name_columns, name_shown
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors
from org.rules import collection_only_reason

from .. import forms, selectors, services
from ..choices import TEXT_SLOT, ContractState
from ..filters import ContractFilter
from ..models import Contract

PAGE_SIZE = 25


def _filtered(request):
    """The contract list's filters (the list kernel) on the contracts the user may see."""
    return lists.filtered(request, ContractFilter, selectors.contract_list(request.user))


@login_required
def contract_list_view(request):
    context = lists.list_context(request, ContractFilter, selectors.contract_list(request.user), page_size=PAGE_SIZE)
    return render(request, "contracts/list.html", context)


@login_required
def register_export(request):
    """The contract register 合同台账 (CON-13) as an Excel file, built row by row and streamed."""
    # Values, not model instances (issue 13: a 50,000-row register was 2.6× openpyxl's own floor).
    qs = _filtered(request).rows.values_list(
        "archive_number", "title", "kind", "direction", "customer_id", "customer__name", "region__name",
        *name_columns("handler"), "amount", "starts_on", "ends_on", "signed_on", "state", "version",
        "template_version__template__name", "template_version__number", "retention_percent", "warranty_months",
        "archive_cabinet", "archive_box", "registered_at",
    )
    labels = {name: {value: str(label) for value, label in Contract._meta.get_field(name).flatchoices}
              for name in ("kind", "direction", "state")}
    ours, non_standard = str(_("XXX (engineering subsidiary)")), str(_("Non-standard"))

    def rows():
        for (archive_number, title, kind, direction, customer_id, customer_name, region, person, first, last, login,
             amount, starts_on, ends_on, signed_on, state, version, template, template_number, retention,
             warranty, cabinet, box, registered_at) in qs.iterator(chunk_size=2000):
            yield [
                archive_number or "", title, labels["kind"].get(kind, kind),
                labels["direction"].get(direction, direction), customer_name if customer_id else ours,
                region, name_shown(person, first, last, login),
                amount, starts_on, ends_on, signed_on, labels["state"].get(state, state), version,
                f"{template} v{template_number}" if template else non_standard,
                retention, warranty, f"{cabinet}/{box}" if archive_number else "",
                timezone.localtime(registered_at) if registered_at else None,
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
    contract = get_object_or_404(selectors.visible_contract(request.user, pk))
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
    parent = get_object_or_404(selectors.visible_contract(request.user, pk))
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
