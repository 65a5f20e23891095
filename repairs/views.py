"""Pages of the repairs app. Thin: records are looked up through the selectors (unseen → 404), the form is
parsed, one service is called, its refusal is shown; on bad input the page comes back with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.selectors import contracts_visible_to, customers_visible_to
from marketing_portal import lists
from marketing_portal.files import attachments_of
from marketing_portal.web import apply_errors, form_errors, show_errors

from . import forms, selectors, services
from .choices import Source
from .filters import TicketFilter
from .warranty import department_for

PAGE_SIZE = 25


def require_perm(request, perm: str, obj=None) -> None:
    """A page the user has no business on answers 404, like a record they may not see."""
    if not request.user.has_perm(perm, obj):
        raise Http404


def visible_ticket(request, pk: int):
    return get_object_or_404(selectors.ticket_visible_to(request.user, pk))


@login_required
def ticket_list(request):
    require_perm(request, "repairs.use_repairs")
    # The visible set read once (ids, "mine", the choices' technicians and customers) for the count, the page and
    # the filter's choices alike.
    visible = selectors.visible_tickets(request.user)
    tickets = selectors.ticket_list(request.user, visible=visible).prefetch_related(*selectors.TICKET_ROW_RELATED)
    context = lists.list_context(request, TicketFilter, tickets, page_size=PAGE_SIZE, visible=visible)
    return render(request, "repairs/list.html", {**context, "mine": request.GET.get("mine") == "1"})


def _intake_choices(user, customer_id):
    customers = customers_visible_to(user).order_by("name").values_list("pk", "name")
    contracts, equipment = [], []
    if customer_id:
        contracts = [(c.pk, f"{c.archive_number or c.title}") for c in
                     contracts_visible_to(user).filter(customer_id=customer_id).order_by("-pk")[:200]]
        equipment = [(e.pk, str(e)) for e in selectors.equipment_visible_to(user).filter(customer_id=customer_id)]
    return {"customers": list(customers), "contracts": contracts, "equipment": equipment}


@login_required
def ticket_create(request):
    """The specialist takes the customer's call (客户报修电话)."""
    require_perm(request, "repairs.register_ticket")
    customer_id = request.POST.get("customer") or request.GET.get("customer") or None
    form = forms.TicketForm(request.POST or None, initial={"customer": customer_id},
                            **_intake_choices(request.user, customer_id))
    if request.method == "POST" and form.is_valid() and request.POST.get("refresh") != "1":
        data = form.cleaned_data
        try:
            ticket = services.ticket_register(
                by=request.user, category=data["category"], unit_name=data["unit_name"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"], fault=data["fault"],
                site_address=data["site_address"], customer_id=data["customer"], contract_id=data["contract"],
                equipment_id=data["equipment"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Ticket %(number)s recorded. Assign a technician.") % {"number": ticket.number})
            return redirect(ticket)
    return render(request, "repairs/create.html", {"form": form})


@login_required
def ticket_relay(request, customer_pk: int):
    """销售人员维修告知: from the customer or contract page."""
    require_perm(request, "repairs.relay_ticket")
    customer = get_object_or_404(customers_visible_to(request.user), pk=customer_pk)
    contract = None
    if request.GET.get("contract") or request.POST.get("contract"):
        contract = get_object_or_404(contracts_visible_to(request.user).filter(customer=customer),
                                     pk=request.GET.get("contract") or request.POST.get("contract"))
    contact = customer.contacts.first() if hasattr(customer, "contacts") else None
    initial = {"contact_name": getattr(contact, "name", ""),
               "contact_phone": getattr(contact, "mobile", "") or getattr(contact, "phone", ""),
               "site_address": customer.address}
    form = forms.RelayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_register(
                by=request.user, source=Source.SALES_RELAY, category=data["category"], unit_name=customer.name,
                contact_name=data["contact_name"], contact_phone=data["contact_phone"], fault=data["fault"],
                site_address=data["site_address"], customer_id=customer.pk,
                contract_id=contract.pk if contract else None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Passed on to customer service as ticket %(number)s.")
                             % {"number": ticket.number})
            return redirect(ticket)
    return render(request, "repairs/relay.html", {"form": form, "customer": customer, "contract": contract})


@login_required
def equipment_create(request, customer_pk: int):
    require_perm(request, "repairs.record_equipment")
    customer = get_object_or_404(customers_visible_to(request.user), pk=customer_pk)
    contracts = [(c.pk, c.archive_number or c.title) for c in contracts_visible_to(request.user)
                 .filter(customer=customer).order_by("-pk")[:200]]
    form = forms.EquipmentForm(request.POST or None, contracts=contracts, initial={"site": customer.address})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.equipment_record(by=request.user, customer_id=customer.pk, contract_id=data["contract"],
                                      model=data["model"], serial_number=data["serial_number"], site=data["site"],
                                      installed_on=data["installed_on"], accepted_on=data["accepted_on"],
                                      warranty_months=data["warranty_months"], notes=data["notes"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Equipment recorded."))
            return redirect(f"{reverse('repairs:create')}?customer={customer.pk}")
    return render(request, "repairs/equipment_form.html", {"form": form, "customer": customer})


@login_required
def ticket_detail(request, pk: int):
    from marketing_portal.policy import current_policy

    # what the page shows of the ticket in the same query (one query each otherwise: customer, contract, equipment,
    # and a user and their person for each of the people named)
    ticket = get_object_or_404(selectors.ticket_visible_to(request.user, pk).select_related(
        "customer", "contract", "equipment", "technician__person", "received_by__person", "relayed_by__person",
        "signed_by__person"))
    visits = list(ticket.visits.prefetch_related("technicians").select_related("sheet", "reported_by",
                                                                                 "decided_by"))
    for visit in visits:
        files = list(attachments_of(visit))
        visit.photos = [a for a in files if a.slot == "photo"]
        visit.signatures = [a for a in files if a.slot in ("signature", "signed_sheet")]
    sheets = list(ticket.sheets.select_related("issued_by", "accepted_by").prefetch_related("technicians"))
    open_sheet = next((s for s in sheets if s.state == "issued"), None)
    return render(request, "repairs/detail.html", {
        "ticket": ticket, "visits": visits, "sheets": sheets, "open_sheet": open_sheet,
        "open_visit": next((v for v in visits if v.state == "open"), None),
        "escalations": list(ticket.escalations.select_related("raised_by", "resolved_by")
                            .prefetch_related("technicians")),
        "calls": list(ticket.return_calls.select_related("called_by")),
        "alerts": list(ticket.alerts.all()),
        "technicians": selectors.technicians(),
        "schedule_form": forms.ScheduleForm(initial={"department": department_for(ticket.warranty,
                                                                                   current_policy())}),
        "waiting_on": services.waiting_on(ticket) if ticket.is_open else [],
    })


@login_required
def report_form(request, pk: int):
    """The repair feedback sheet on the technician's phone (REP-6, REP-10)."""
    ticket = visible_ticket(request, pk)
    require_perm(request, "repairs.report_ticket", ticket)
    form = forms.ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_report(
                by=request.user, ticket_id=ticket.pk, arrived_at=data["arrived_at"], departed_at=data["departed_at"],
                findings=data["findings"], work_done=data["work_done"], parts_used=data["parts_used"],
                solved=data["solved"] == "yes", cause_analysis=data["cause_analysis"],
                signer_name=data["signer_name"], signature=data["signature"] or None,
                signed_sheet=data["signed_sheet"], photos=data["photos"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Feedback sheet submitted."))
            return redirect(ticket)
    return render(request, "repairs/report.html", {"ticket": ticket, "form": form,
                                                   "visit": selectors.open_visit(ticket)})


def _act(request, pk: int, call, success: str):
    """Run one service for a POSTed action on a ticket the user can see; show its refusal otherwise."""
    ticket = visible_ticket(request, pk)
    try:
        call(ticket)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, success)
    return redirect(ticket)


def _ids(request, name="technicians"):
    return [v for v in request.POST.getlist(name) if v.strip().isdigit()]


def _when(request, name):
    field = forms.when_field("")
    try:
        return field.clean(request.POST.get(name) or None)
    except ValidationError:
        return None


@login_required
@require_POST
def assign(request, pk: int):
    raw = request.POST.get("technician", "")
    return _act(request, pk, lambda t: services.ticket_assign(
        by=request.user, ticket_id=t.pk, technician_id=int(raw) if raw.isdigit() else 0),
        _("Technician assigned and told to call the customer back."))


@login_required
@require_POST
def respond(request, pk: int):
    return _act(request, pk, lambda t: services.ticket_respond(
        by=request.user, ticket_id=t.pk, solved=request.POST.get("solved") == "yes",
        notes=request.POST.get("notes", "")), _("Phone response recorded."))


@login_required
@require_POST
def schedule(request, pk: int):
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(visible_ticket(request, pk))
    data = form.cleaned_data
    return _act(request, pk, lambda t: services.sheet_issue(
        by=request.user, ticket_id=t.pk, onsite_at=data["onsite_at"], department=data["department"],
        department_reason=data["department_reason"], instructions=data["instructions"]),
        _("Liaison sheet issued to the department."))


@login_required
@require_POST
def sheet_accept(request, pk: int):
    sheet = get_object_or_404(selectors.sheets_visible_to(request.user), pk=pk)
    return _act(request, sheet.ticket_id, lambda t: services.sheet_accept(
        by=request.user, sheet_id=sheet.pk, technician_ids=_ids(request)),
        _("Liaison sheet accepted; the technicians were told."))


@login_required
@require_POST
def decide(request, pk: int):
    return _act(request, pk, lambda t: services.analysis_decide(
        by=request.user, ticket_id=t.pk, escalate=request.POST.get("escalate") == "yes",
        solution=request.POST.get("solution", ""), report=request.POST.get("report", ""),
        technician_ids=_ids(request), planned_at=_when(request, "planned_at")), _("Decision recorded."))


@login_required
@require_POST
def resolve(request, pk: int):
    return _act(request, pk, lambda t: services.escalation_resolve(
        by=request.user, ticket_id=t.pk, resources=request.POST.get("resources", ""),
        solution=request.POST.get("solution", ""), technician_ids=_ids(request),
        planned_at=_when(request, "planned_at")), _("Solution recorded; the technicians visit again."))


@login_required
@require_POST
def return_call(request, pk: int):
    return _act(request, pk, lambda t: services.return_call_record(
        by=request.user, ticket_id=t.pk, fixed=request.POST.get("fixed") == "yes",
        satisfaction=request.POST.get("satisfaction"), comments=request.POST.get("comments", ""),
        archive_notes=request.POST.get("archive_notes", "")), _("Return call recorded."))


@login_required
@require_POST
def answer(request, pk: int):
    return _act(request, pk, lambda t: services.complaint_answer(
        by=request.user, ticket_id=t.pk, answer=request.POST.get("answer", ""),
        accepted=request.POST.get("accepted") == "yes"), _("Answer recorded."))


@login_required
@require_POST
def sign(request, pk: int):
    return _act(request, pk, lambda t: services.ticket_sign(
        by=request.user, ticket_id=t.pk, comment=request.POST.get("comment", "")), _("Archive signed."))


@login_required
@require_POST
def cancel(request, pk: int):
    return _act(request, pk, lambda t: services.ticket_cancel(
        by=request.user, ticket_id=t.pk, reason=request.POST.get("reason", "")), _("Ticket cancelled."))


