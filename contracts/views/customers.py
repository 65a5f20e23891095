"""Pages of customers, their contacts and due diligence (CUS)."""

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
from marketing_portal.files import attachments_of
from marketing_portal.people import display_name
from marketing_portal.web import apply_errors, form_errors, show_errors

from .. import forms, hooks, selectors, services
from ..filters import CustomerFilter
from .contracts import PAGE_SIZE


@login_required
def customer_list(request):
    if not request.user.has_perm("contracts.see_customers"):
        raise Http404
    qs = selectors.customers_visible_to(request.user).select_related("region")
    return render(request, "contracts/customer_list.html",
                  lists.list_context(request, CustomerFilter, qs, page_size=PAGE_SIZE))


@login_required
def customer_export(request):
    """The customers of the list, exactly as filtered, as an Excel file."""
    if not request.user.has_perm("contracts.see_customers"):
        raise Http404
    qs = lists.filtered(request, CustomerFilter, selectors.customers_visible_to(request.user)).rows.select_related(
        "region", "created_by__person")
    rows = ([c.name, c.credit_code, c.region.name, c.industry, c.address, display_name(c.created_by), c.created_at]
            for c in qs.iterator(chunk_size=2000))
    headers = [_("Name"), _("Credit code"), _("Region"), _("Industry"), _("Address"), _("Entered by"),
               _("Entered on")]
    return xlsx_response(_("Customers %(date)s.xlsx") % {"date": timezone.localdate().isoformat()},
                         sheet_title=_("Customers"), headers=headers, rows=rows)


@login_required
def customer_create_view(request):
    if not request.user.has_perm("contracts.create_customer"):
        raise Http404
    form = forms.CustomerForm(request.POST or None)
    contact = forms.ContactForm(request.POST or None, prefix="contact")
    if request.method == "POST" and form.is_valid():
        contacts = []
        contact_ok = True
        if any(request.POST.get(f"contact-{f}") for f in ("name", "phone", "mobile")):
            contact_ok = contact.is_valid()
            if contact_ok:
                contacts = [contact.cleaned_data]
        if contact_ok:
            try:
                customer = services.customer_create(by=request.user, contacts=contacts, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Customer saved. Record the due diligence before a contract is submitted."))
                return redirect(customer)
    return render(request, "contracts/customer_form.html", {"form": form, "contact": contact})


@login_required
def customer_edit_view(request, pk):
    customer = get_object_or_404(selectors.customers_visible_to(request.user), pk=pk)
    if not request.user.has_perm("contracts.edit_customer", customer):
        raise Http404
    form = forms.CustomerForm(request.POST or None, initial={
        "name": customer.name, "credit_code": customer.credit_code, "region": customer.region,
        "address": customer.address, "industry": customer.industry, "notes": customer.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer_id=customer.pk, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Customer saved."))
            return redirect(customer)
    return render(request, "contracts/customer_form.html", {"form": form, "customer": customer})


@login_required
def customer_detail(request, pk):
    customer = get_object_or_404(selectors.customers_visible_to(request.user).select_related("region"), pk=pk)
    contracts = selectors.contracts_visible_to(request.user).filter(customer=customer).select_related(
        "region", "handler__person")
    context = {
        "customer": customer,
        "contacts": list(customer.contacts.all()),
        "due_diligences": list(customer.due_diligences.select_related("created_by__person")),
        "valid_dd": selectors.valid_due_diligence(customer),
        "contracts": list(contracts[:100]),
        "contact_form": forms.ContactForm(),
        "panels": hooks.customer_panels(customer, request.user, request),
    }
    return render(request, "contracts/customer_detail.html", context)


@login_required
@require_POST
def customer_contact_add_view(request, pk):
    customer = get_object_or_404(selectors.customers_visible_to(request.user), pk=pk)
    form = forms.ContactForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(customer)
    try:
        services.customer_contact_add(customer_id=customer.pk, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Contact added."))
    return redirect(customer)


@login_required
@require_POST
def customer_contact_retire_view(request, pk, contact_pk):
    customer = get_object_or_404(selectors.customers_visible_to(request.user), pk=pk)
    contact = get_object_or_404(customer.contacts.all(), pk=contact_pk)
    try:
        services.customer_contact_retire(contact_id=contact.pk, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect(customer)


@login_required
def due_diligence_create_view(request, pk):
    customer = get_object_or_404(selectors.customers_visible_to(request.user), pk=pk)
    if not request.user.has_perm("contracts.record_due_diligence", customer):
        raise Http404
    form = forms.DueDiligenceForm(request.POST or None, request.FILES or None,
                                  initial={"investigated_on": timezone.localdate(), "conclusion": "pass"})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.due_diligence_record(
                customer_id=customer.pk, by=request.user, investigated_on=form.cleaned_data["investigated_on"],
                conclusion=form.cleaned_data["conclusion"], summary=form.cleaned_data["summary"],
                findings=form.findings(), evidence=form.cleaned_data["evidence"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Due diligence recorded; valid until %(date)s.") % {
                "date": record.valid_until.isoformat()})
            return redirect(customer)
    return render(request, "contracts/dd_form.html", {"form": form, "customer": customer})


@login_required
def due_diligence_detail(request, pk):
    record = get_object_or_404(selectors.due_diligences_visible_to(request.user).select_related(
        "customer", "created_by__person"), pk=pk)
    return render(request, "contracts/dd_detail.html", {"record": record,
                                                        "evidence": attachments_of(record, "evidence")})
