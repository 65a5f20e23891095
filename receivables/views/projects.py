"""Project pages: the list and its export, registering older contracts, the project page and its actions."""

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
from marketing_portal.deadlines import mark_text
from marketing_portal.documents import xlsx_response
from marketing_portal.files import attachments_of
from marketing_portal.memo import remember
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors, require_perm, show_errors

from .. import engine, forms, rules, selectors, services
from ..filters import ProjectFilter
from ..models import Acceptance, Project
from ..timeline import build_timeline

PAGE_SIZE = 25


def _filtered_projects(request):
    """The project list's filters (the list kernel) on the projects the user may see."""
    return lists.filtered(request, ProjectFilter, selectors.project_list(request.user))


@login_required
def project_list_view(request):
    require_perm(request, "receivables.use_receivables")
    context = lists.list_context(request, ProjectFilter, selectors.project_list(request.user), page_size=PAGE_SIZE)
    return render(request, "receivables/list.html", {**context, "tab": "projects", "today": timezone.localdate()})


@login_required
def project_export(request):
    """The receivables ledger by project (RCV-13) as a streamed Excel file, with the list's filters."""
    require_perm(request, "receivables.use_receivables")
    qs = _filtered_projects(request).rows
    today = timezone.localdate()

    def rows():
        for row in selectors.aging_rows(qs, as_of=today):
            p = row["project"]
            yield [p.number, p.name, p.customer.name, p.region.name, display_name(p.owner), p.get_stage_display(),
                   p.amount, row["invoiced"], row["received"], row["outstanding"], row["not_invoiced"],
                   p.retention_amount, p.accepted_on, p.invoiced_on, p.collected_on, p.deduction_percent,
                   p.next_deadline_label, p.next_deadline_on, mark_text(p.next_deadline_on)]

    headers = [_("Project number"), _("Project"), _("Customer"), _("Region"), _("Sales owner"), _("Stage"),
               _("Project amount"), _("Invoiced"), _("Received"), _("Outstanding"), _("Not yet invoiced"),
               _("Retention money"), _("Accepted on"), _("Invoiced in full on"), _("Collected on"),
               _("Deducted (%)"), _("Next deadline"), _("By"), _("Calendar basis")]
    return xlsx_response(_("Projects %(day)s.xlsx") % {"day": today.isoformat()}, sheet_title=_("Projects"),
                         headers=headers, rows=rows(), money_columns=[6, 7, 8, 9, 10, 11],
                         widths=[14, 30, 28, 8, 8, 12, 14, 14, 14, 14, 14, 12, 12, 12, 12, 8, 30, 12, 12])


@login_required
def project_register_view(request):
    require_perm(request, "receivables.register_project")
    contracts = selectors.contracts_without_project(request.user)
    initial = {}
    if request.GET.get("contract", "").isdigit():
        initial["contract"] = int(request.GET["contract"])
    form = forms.RegisterForm(request.POST or None, contracts=contracts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_register(contract_id=form.cleaned_data["contract"].pk, by=request.user,
                                                commission_base=form.cleaned_data["commission_base"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Project %(project)s registered.") % {"project": project})
            return redirect(project)
    return render(request, "receivables/register.html", {"form": form, "tab": "projects"})


def _detail_context(request, project: Project, bound: dict | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    policy = current_policy()
    statement = engine.statement_of(project)
    acceptance = Acceptance.objects.filter(project=project).select_related(
        "submitted_by__person", "original_received_by__person", "copy_received_by__person").first()
    remember(rules.acceptance_key(project), acceptance)  # the rules of the page's buttons ask for it again
    pa = engine.assess_project(project, as_of=today, policy=policy, statement=statement)
    invoices = list(project.invoices.select_related("created_by__person", "import_batch"))
    receipts = list(project.receipts.select_related("created_by__person", "import_batch"))
    entries = list(selectors.entries_visible_to(user).filter(project=project).select_related("owner__person")
                   .order_by("entry_date", "pk"))
    proposals = list(selectors.proposals_visible_to(user).filter(project=project).select_related("person"))
    agreements = list(selectors.agreements_visible_to(user).filter(project=project))
    adjustments = list(selectors.adjustments_visible_to(user).filter(project=project).select_related(
        "requested_by__person", "decided_by__person", "owner__person"))
    handovers = list(project.handovers.select_related("from_owner__person", "to_owner__person"))
    past, upcoming = build_timeline(project, pa=pa, today=today, invoices=invoices, receipts=receipts,
                                    entries=entries, proposals=proposals, agreements=agreements, handovers=handovers,
                                    statement=statement, acceptance=acceptance)
    invoiced = sum((i.amount for i in invoices), 0)
    received = sum((r.amount for r in receipts), 0)
    balances = {}
    for e in entries:
        balances[e.owner_id] = balances.get(e.owner_id, 0) + e.amount
    bound = bound or {}
    context = {
        "project": project, "contract": project.contract, "acceptance": acceptance, "statement": statement,
        "pa": pa, "invoices": invoices, "receipts": receipts, "entries": entries, "proposals": proposals,
        "agreements": agreements, "adjustments": adjustments, "handovers": handovers, "past": past,
        "upcoming": upcoming, "invoiced": invoiced, "received": received, "outstanding": invoiced - received,
        "not_invoiced": project.amount - invoiced, "today": today,
        "owner_balances": [(e.owner, balances[e.owner_id]) for e in {e.owner_id: e for e in entries}.values()],
        "acceptance_form": bound.get("accept") or forms.AcceptanceForm(),
        "invoice_form": bound.get("invoice") or forms.InvoiceForm(initial={"issued_on": today}),
        "receipt_form": bound.get("receipt") or forms.ReceiptForm(initial={"received_on": today}),
        "commission_form": bound.get("commission") or forms.CommissionForm(initial={
            "commission_base": project.commission_base, "rate_percent": project.commission_rate_percent}),
        "reassign_form": bound.get("reassign") or forms.ReassignForm(),
        "adjustment_form": bound.get("adjustment") or forms.AdjustmentForm(),
        "open_form": next(iter(bound), ""),
        "tab": "projects",
    }
    if acceptance is not None:
        context["acceptance_files"] = list(attachments_of(acceptance))
    return context


@login_required
def project_detail(request, pk):
    project = get_object_or_404(selectors.projects_visible_to(request.user).select_related(
        "contract", "customer", "region", "owner__person"), pk=pk)
    return render(request, "receivables/detail.html", _detail_context(request, project))


ACTIONS = {
    "accept": forms.AcceptanceForm,
    "invoice": forms.InvoiceForm,
    "receipt": forms.ReceiptForm,
    "commission": forms.CommissionForm,
    "reassign": forms.ReassignForm,
    "adjustment": forms.AdjustmentForm,
}


@login_required
@require_POST
def project_action(request, pk, name):
    project = get_object_or_404(selectors.projects_visible_to(request.user).select_related(
        "contract", "customer", "region", "owner__person"), pk=pk)
    user = request.user
    if name in ("ack-original", "ack-copy"):
        try:
            services.acceptance_acknowledge(project_id=project.pk, by=user,
                                            part="original" if name == "ack-original" else "copy")
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Receipt acknowledged."))
        return redirect(project.get_absolute_url() + "#acceptance")
    form_class = ACTIONS.get(name)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if name == "accept":
                services.acceptance_submit(project_id=project.pk, by=user, report_date=data["report_date"],
                                           notice=data["notice"], report_scan=data["report_scan"],
                                           notice_scan=data.get("notice_scan"))
                done = _("Completion notice and acceptance report submitted; the sales owner has been notified.")
            elif name == "invoice":
                services.invoice_record(project_id=project.pk, by=user, number=data["number"],
                                        issued_on=data["issued_on"], amount=data["amount"], note=data["note"])
                done = _("Invoice recorded.")
            elif name == "receipt":
                services.receipt_record(project_id=project.pk, by=user, received_on=data["received_on"],
                                        amount=data["amount"], bank_reference=data["bank_reference"],
                                        payer=data["payer"], note=data["note"])
                done = _("Receipt recorded.")
            elif name == "commission":
                services.project_commission_change(project_id=project.pk, by=user,
                                                   commission_base=data["commission_base"],
                                                   rate_percent=data["rate_percent"], reason=data["reason"])
                done = _("Commission changed.")
            elif name == "reassign":
                services.project_reassign(project_id=project.pk, by=user, to_owner=data["to_owner"],
                                          reason=data["reason"], open_items=data["open_items"])
                done = _("Project handed over.")
            else:
                services.adjustment_request(project_id=project.pk, by=user, amount=data["amount"],
                                            reason=data["reason"])
                done = _("Adjustment sent to the Marketing Director for approval.")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            if not selectors.projects_visible_to(user).filter(pk=project.pk).exists():
                return redirect("receivables:project-list")  # handed over to someone else's scope
            return redirect(project)
    messages.error(request, _("Nothing was saved: please correct the marked fields."))
    project.refresh_from_db()
    return render(request, "receivables/detail.html", _detail_context(request, project, {name: form}))


# --------------------------------------------------------------------------------------------------
