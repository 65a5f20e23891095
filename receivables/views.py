"""Pages of the receivables app. Thin: records are looked up through the selectors (unseen → 404), the form is
parsed, one service is called and its message shown; exports and PDFs go through the same selectors."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.selectors import contracts_visible_to
from marketing_portal.access import has_role
from marketing_portal.documents import pdf_response, render_pdf, xlsx_response
from marketing_portal.files import attachments_of
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors, form_errors, show_errors
from org.models import Person
from org.roles import FINANCE, MARKETING_LEADERSHIP, MARKETING_OFFICE, Role
from org.selectors import acting_for

from . import engine, forms, imports, selectors, services
from .choices import (
    EntryKind,
    ImportState,
    ProjectStage,
    ProposalState,
    StatementState,
)
from .models import Acceptance, Project
from .timeline import build_timeline

PAGE_SIZE = 25





def _require_users(request) -> None:
    if not selectors.may_use_receivables(request.user):
        raise Http404


def _tabs(user) -> dict:
    return {
        "may_see_commission": selectors.may_see_commission_pages(user),
        "may_import": user.is_superuser or has_role(user, *selectors.IMPORT_USERS),
        "is_finance": user.is_superuser or has_role(user, *FINANCE),
        "may_see_duty": user.is_superuser or has_role(user, *MARKETING_LEADERSHIP, Role.SALES_CLERK)
        or selectors.proposals_visible_to(user).exists(),
        "may_see_statements": selectors.sees_all_projects(user) or has_role(user, Role.REGIONAL_MANAGER),
    }


# --------------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------------
def _filtered_projects(request):
    form = forms.ProjectFilterForm(request.GET or None)
    params = {}
    if form.is_valid():
        data = form.cleaned_data
        params = {"search": data["q"].strip(), "stage": data["stage"], "region": data["region"],
                  "attention": data["attention"]}
    return form, selectors.project_list(request.user, **params)


@login_required
def project_list_view(request):
    _require_users(request)
    form, qs = _filtered_projects(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filter_form": form, "tab": "projects", "today": timezone.localdate(),
               "may_register": request.user.is_superuser or has_role(request.user, *services.REGISTRARS),
               **_tabs(request.user)}
    return render(request, "receivables/list.html", context)


@login_required
def project_export(request):
    """The receivables ledger by project (RCV-13) as a streamed Excel file, with the list's filters."""
    _require_users(request)
    _form, qs = _filtered_projects(request)
    today = timezone.localdate()

    def rows():
        for row in selectors.aging_rows(qs, as_of=today):
            p = row["project"]
            yield [p.number, p.name, p.customer.name, p.region.name, display_name(p.owner), p.get_stage_display(),
                   p.amount, row["invoiced"], row["received"], row["outstanding"], row["not_invoiced"],
                   p.retention_amount, p.accepted_on, p.invoiced_on, p.collected_on, p.deduction_percent,
                   p.next_deadline_label, p.next_deadline_on]

    headers = [_("Project number"), _("Project"), _("Customer"), _("Region"), _("Sales owner"), _("Stage"),
               _("Project amount"), _("Invoiced"), _("Received"), _("Outstanding"), _("Not yet invoiced"),
               _("Retention money"), _("Accepted on"), _("Invoiced in full on"), _("Collected on"),
               _("Deducted (%)"), _("Next deadline"), _("By")]
    return xlsx_response(_("Projects %(day)s.xlsx") % {"day": today.isoformat()}, sheet_title=_("Projects"),
                         headers=headers, rows=rows(), money_columns=[6, 7, 8, 9, 10, 11],
                         widths=[14, 30, 28, 8, 8, 12, 14, 14, 14, 14, 14, 12, 12, 12, 12, 8, 30, 12])


@login_required
def project_register_view(request):
    if not (request.user.is_superuser or has_role(request.user, *services.REGISTRARS)):
        raise Http404
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
    return render(request, "receivables/register.html", {"form": form, "tab": "projects", **_tabs(request.user)})


def _detail_context(request, project: Project, bound: dict | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    policy = current_policy()
    statement = engine.statement_of(project)
    acceptance = Acceptance.objects.filter(project=project).select_related(
        "submitted_by__person", "original_received_by__person", "copy_received_by__person").first()
    pa = engine.assess_project(project, as_of=today, policy=policy, statement=statement)
    invoices = list(project.invoices.select_related("created_by__person", "import_batch"))
    receipts = list(project.receipts.select_related("created_by__person", "import_batch"))
    entries = list(selectors.entries_visible_to(user).filter(project=project).select_related("owner__person")
                   .order_by("entry_date", "pk"))
    sees_commission = selectors.entries_visible_to(user).filter(project=project).exists() or \
        selectors.sees_all_commission(user)
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
    is_finance = user.is_superuser or has_role(user, *FINANCE)
    is_office = user.is_superuser or has_role(user, *MARKETING_OFFICE)
    director_for = acting_for(user, engine.directors())
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
        "sees_commission": sees_commission,
        "contract_visible": contracts_visible_to(user).filter(pk=project.contract_id).exists(),
        "may_submit_acceptance": acceptance is None and project.stage == ProjectStage.AWAITING_ACCEPTANCE and (
            user.is_superuser or has_role(user, *services.ACCEPTANCE_SUBMITTERS)),
        "may_ack_original": acceptance is not None and not acceptance.original_received_at and is_office,
        "may_ack_copy": acceptance is not None and not acceptance.copy_received_at and is_finance,
        "may_record": is_finance and project.accepted_on is not None,
        "may_change_commission": director_for is not None,
        "may_reassign": user.is_superuser or has_role(user, *services.REASSIGNERS),
        "may_request_adjustment": user.is_superuser or has_role(user, *services.ADJUSTMENT_REQUESTERS),
        "may_decide_adjustment": director_for is not None,
        "acceptance_form": bound.get("accept") or forms.AcceptanceForm(),
        "invoice_form": bound.get("invoice") or forms.InvoiceForm(initial={"issued_on": today}),
        "receipt_form": bound.get("receipt") or forms.ReceiptForm(initial={"received_on": today}),
        "commission_form": bound.get("commission") or forms.CommissionForm(initial={
            "commission_base": project.commission_base, "rate_percent": project.commission_rate_percent}),
        "reassign_form": bound.get("reassign") or forms.ReassignForm(),
        "adjustment_form": bound.get("adjustment") or forms.AdjustmentForm(),
        "open_form": next(iter(bound), ""),
        "tab": "projects", **_tabs(user),
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
# Aging (RCV-13)
# --------------------------------------------------------------------------------------------------
def _aging_query(request):
    form = forms.AgingFilterForm(request.GET or None)
    qs = selectors.aging_projects(request.user)
    by = "project"
    if form.is_valid():
        data = form.cleaned_data
        by = data.get("by") or "project"
        if data["region"]:
            qs = qs.filter(region__code=data["region"])
        if data["q"].strip():
            qs = qs.filter(name__icontains=data["q"].strip()) | qs.filter(customer__name__icontains=data["q"].strip())
    return form, qs, by


@login_required
def aging_view(request):
    _require_users(request)
    form, qs, by = _aging_query(request)
    today = timezone.localdate()
    # One streaming pass for the totals (and the groups); by project, only the page's rows are aged again.
    grouped = selectors.aging_grouped(selectors.aging_rows(qs, as_of=today), "owner" if by == "project" else by)
    grand = {"count": sum(g["count"] for g in grouped),
             "outstanding": sum((g["outstanding"] for g in grouped), Decimal("0")),
             "not_invoiced": sum((g["not_invoiced"] for g in grouped), Decimal("0")),
             "buckets": {k: sum((g["buckets"][k] for g in grouped), Decimal("0")) for k in selectors.BUCKET_KEYS}}
    if by == "project":
        ordered = selectors.with_totals(qs).annotate(
            outstanding=F("invoiced_total") - F("received_total")).order_by("-outstanding", "pk")
        page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(selectors.aging_rows_for(list(page.object_list), as_of=today))
        groups = None
    else:
        page = None
        groups = grouped
    return render(request, "receivables/aging.html", {
        "filter_form": form, "by": by, "page": page, "groups": groups, "grand": grand,
        "buckets": selectors.BUCKET_KEYS, "today": today, "tab": "aging", **_tabs(request.user)})


@login_required
def aging_export(request):
    _require_users(request)
    _form, qs, by = _aging_query(request)
    today = timezone.localdate()
    buckets = selectors.BUCKET_KEYS
    bucket_headers = [_("%(bucket)s days") % {"bucket": b} for b in buckets]
    if by == "project":
        headers = [_("Project number"), _("Project"), _("Customer"), _("Region"), _("Sales owner"), _("Stage"),
                   _("Project amount"), _("Invoiced"), _("Received"), _("Outstanding"), *bucket_headers,
                   _("Not yet invoiced"), _("Retention outstanding")]

        def rows():
            for row in selectors.aging_rows(qs, as_of=today):
                p = row["project"]
                yield [p.number, p.name, p.customer.name, p.region.name, display_name(p.owner), p.get_stage_display(),
                       p.amount, row["invoiced"], row["received"], row["outstanding"],
                       *[row["buckets"][b] for b in buckets], row["not_invoiced"], row["retention_outstanding"]]

        money = list(range(6, 10 + len(buckets) + 2))
        widths = [14, 30, 28, 8, 8, 12] + [14] * (6 + len(buckets))
    else:
        label = {"owner": _("Sales owner"), "region": _("Region"), "customer": _("Customer")}[by]
        headers = [label, _("Projects"), _("Project amount"), _("Invoiced"), _("Received"), _("Outstanding"),
                   *bucket_headers, _("Not yet invoiced"), _("Retention outstanding")]

        def rows():
            for g in selectors.aging_grouped(selectors.aging_rows(qs, as_of=today), by):
                yield [g["label"], g["count"], g["amount"], g["invoiced"], g["received"], g["outstanding"],
                       *[g["buckets"][b] for b in buckets], g["not_invoiced"], g["retention_outstanding"]]

        money = list(range(2, 6 + len(buckets) + 2))
        widths = [28, 8] + [14] * (6 + len(buckets))
    filename = _("Receivables aging %(day)s.xlsx") % {"day": today.isoformat()}
    return xlsx_response(filename, sheet_title=_("Aging"), headers=headers, rows=rows(), money_columns=money,
                         widths=widths)


# --------------------------------------------------------------------------------------------------
# Commission ledger (RCV-9) and payouts
# --------------------------------------------------------------------------------------------------
def _ledger_query(request):
    user = request.user
    visible = selectors.entries_visible_to(user)
    owners = get_user_model().objects.filter(pk__in=visible.values("owner_id")).select_related("person")
    form = forms.LedgerFilterForm(request.GET or None, owners=owners)
    qs = visible.select_related("project", "owner__person", "created_by__person")
    if form.is_valid():
        data = form.cleaned_data
        if data["owner"]:
            qs = qs.filter(owner=data["owner"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["date_from"]:
            qs = qs.filter(entry_date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(entry_date__lte=data["date_to"])
    if request.GET.get("project", "").isdigit():
        qs = qs.filter(project_id=int(request.GET["project"]))
    return form, qs


@login_required
def ledger_view(request):
    if not selectors.may_see_commission_pages(request.user):
        raise Http404
    form, qs = _ledger_query(request)
    page = Paginator(qs.order_by("-entry_date", "-pk"), 50).get_page(request.GET.get("page"))
    balances = selectors.ledger_balances(qs)
    deductions = qs.filter(kind__in=[EntryKind.DEDUCTION, EntryKind.FORFEITURE]).aggregate(s=Sum("amount"))["s"]
    return render(request, "receivables/ledger.html", {
        "filter_form": form, "page": page, "balances": balances, "deductions": deductions or 0,
        "total": sum((b["balance"] for b in balances), 0), "tab": "ledger", **_tabs(request.user)})


@login_required
def ledger_export(request):
    if not selectors.may_see_commission_pages(request.user):
        raise Http404
    _form, qs = _ledger_query(request)

    def rows():
        for e in qs.order_by("entry_date", "pk").iterator(chunk_size=2000):
            yield [e.entry_date, e.project.number, e.project.name, display_name(e.owner), e.get_kind_display(),
                   e.get_stage_display() if e.stage else "", e.step, e.percent, e.amount, e.policy_version, e.reason,
                   timezone.localtime(e.created_at)]

    headers = [_("Date"), _("Project number"), _("Project"), _("Sales owner"), _("Kind"), _("Stage"), _("Step"),
               _("Share of the commission (%)"), _("Amount (yuan)"), _("Policy version"), _("Reason"),
               _("Posted at")]
    return xlsx_response(_("Commission ledger %(day)s.xlsx") % {"day": timezone.localdate().isoformat()},
                         sheet_title=_("Commission ledger"), headers=headers, rows=rows(), money_columns=[8],
                         widths=[12, 14, 30, 10, 14, 10, 6, 10, 14, 8, 50, 18])


@login_required
def payout_view(request):
    user = request.user
    if not (user.is_superuser or has_role(user, *FINANCE, *MARKETING_LEADERSHIP)):
        raise Http404
    is_finance = user.is_superuser or has_role(user, *FINANCE)
    owner_ids = (selectors.entries_visible_to(user).order_by().values("owner_id").annotate(s=Sum("amount"))
                 .exclude(s=0).values_list("owner_id", flat=True))
    owners = get_user_model().objects.filter(pk__in=list(owner_ids)).select_related("person").order_by("username")
    summary = []
    for owner in owners:
        rows = services.payable_for(owner)
        summary.append({"owner": owner, "payable": sum((r["balance"] for r in rows if r["payable"]), 0),
                        "recover": sum((-r["balance"] for r in rows if r["recover"]), 0),
                        "pending": sum((r["balance"] for r in rows if r["balance"] > 0 and not r["payable"]), 0)})
    form = forms.PayoutForm(request.POST or None, owners=owners, initial={"paid_on": timezone.localdate()})
    if request.method == "POST":
        if not is_finance:
            raise Http404
        if form.is_valid():
            try:
                payout = services.commission_payout(owner=form.cleaned_data["owner"], by=user,
                                                    paid_on=form.cleaned_data["paid_on"],
                                                    reference=form.cleaned_data["reference"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Payout of %(net)s recorded.") % {"net": payout.net})
                return redirect("receivables:payouts")
    payouts = selectors.payouts_visible_to(user).select_related("owner__person", "created_by__person")[:50]
    return render(request, "receivables/payouts.html", {
        "summary": summary, "form": form, "payouts": payouts, "is_finance": is_finance, "tab": "payouts",
        **_tabs(user)})


# --------------------------------------------------------------------------------------------------
# Collection-only duty, compensation agreements, adjustments
# --------------------------------------------------------------------------------------------------
@login_required
def proposal_list(request):
    user = request.user
    proposals = selectors.proposals_visible_to(user).select_related(
        "person__user", "project", "decided_by__person", "decided_for__person")
    agreements = selectors.agreements_visible_to(user).select_related("project", "owner__person")
    is_leader = user.is_superuser or has_role(user, *MARKETING_LEADERSHIP, Role.SALES_CLERK)
    if not (is_leader or proposals.exists() or agreements.exists()):
        raise Http404
    on_duty = Person.objects.filter(duty_status=Person.DutyStatus.COLLECTION_ONLY).select_related("user")
    if not (user.is_superuser or has_role(user, *MARKETING_LEADERSHIP)):
        on_duty = on_duty.filter(user=user)
    may_decide = acting_for(user, engine.directors()) is not None
    return render(request, "receivables/duty.html", {
        "pending": [p for p in proposals if p.state == ProposalState.PENDING],
        "decided": [p for p in proposals if p.state != ProposalState.PENDING][:100],
        "on_duty": list(on_duty), "agreements": list(agreements), "may_decide": may_decide,
        "may_upload": user.is_superuser or has_role(user, *MARKETING_LEADERSHIP, Role.SALES_CLERK),
        "decision_form": forms.DecisionForm(), "upload_form": forms.AgreementUploadForm(),
        "tab": "duty", **_tabs(user)})


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
    if acting_for(request.user, engine.directors()) is None:
        raise Http404
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
    form.is_valid()
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
# Retention statements (RCV-7)
# --------------------------------------------------------------------------------------------------
@login_required
def statement_list(request):
    _require_users(request)
    statements = selectors.statements_visible_to(request.user).select_related("project__owner__person")
    state = request.GET.get("state", "")
    if state in StatementState.values:
        statements = statements.filter(state=state)
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "receivables/statements.html", {
        "page": page, "state": state, "states": StatementState.choices, "tab": "statements",
        **_tabs(request.user)})


def _statement(request, pk):
    return get_object_or_404(selectors.statements_visible_to(request.user).select_related(
        "project__owner__person", "project__customer", "issued_by__person", "notified_by__person"), pk=pk)


@login_required
def statement_detail(request, pk):
    statement = _statement(request, pk)
    user = request.user
    return render(request, "receivables/statement_detail.html", {
        "statement": statement, "project": statement.project,
        "may_issue": statement.state == StatementState.DRAFTED and (user.is_superuser or has_role(user, *FINANCE)),
        "may_notify": statement.state == StatementState.ISSUED and (
            user.is_superuser or has_role(user, *MARKETING_OFFICE)),
        "issue_form": forms.StatementIssueForm(initial={"issued_on": timezone.localdate()}),
        "tab": "statements", **_tabs(user)})


@login_required
@require_POST
def statement_action(request, pk, name):
    statement = _statement(request, pk)
    try:
        if name == "issue":
            form = forms.StatementIssueForm(request.POST)
            if not form.is_valid():
                form_errors(request, form)
                return redirect(statement)
            services.statement_issue(statement_id=statement.pk, by=request.user,
                                     issued_on=form.cleaned_data["issued_on"])
            messages.success(request, _("Statement issued to Marketing."))
        elif name == "notify":
            services.statement_notify_owner(statement_id=statement.pk, by=request.user)
            messages.success(request, _("The sales owner has been notified."))
        else:
            raise Http404
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect(statement)


def _statement_fields(statement) -> list[tuple[str, object, bool]]:
    p = statement.project
    return [
        (_("Project name"), statement.project_name, False),
        (_("Project number"), p.number, False),
        (_("Invoicing unit"), statement.invoicing_unit, False),
        (_("Project amount"), statement.project_amount, True),
        (_("Collected amount"), statement.collected_amount, True),
        (_("Receivable amount"), statement.receivable_amount, True),
        (_("Of which retention money"), statement.retention_amount, True),
        (_("Warranty ended on"), statement.warranty_ends_on, False),
        (_("Sales owner"), display_name(p.owner), False),
        (_("Issued on"), statement.issued_on or _("not yet issued"), False),
    ]


@login_required
def statement_pdf(request, pk):
    statement = _statement(request, pk)
    pdf = render_pdf("receivables/pdf/statement.html", {
        "statement": statement, "project": statement.project, "fields": _statement_fields(statement),
        "printed_at": timezone.localtime()})
    return pdf_response(pdf, _("Retention collection statement %(number)s.pdf") % {
        "number": statement.project.number})


@login_required
def statement_xlsx(request, pk):
    statement = _statement(request, pk)
    rows = [[label, value] for label, value, _is_money in _statement_fields(statement)]
    return xlsx_response(_("Retention collection statement %(number)s.xlsx") % {"number": statement.project.number},
                         sheet_title=_("Retention collection statement"), headers=[_("Item"), _("Value")],
                         rows=rows, widths=[24, 40])


# --------------------------------------------------------------------------------------------------
# Import (RCV-11)
# --------------------------------------------------------------------------------------------------
def _require_import_user(user) -> None:
    if not (user.is_superuser or has_role(user, *selectors.IMPORT_USERS)):
        raise Http404


@login_required
def import_list(request):
    user = request.user
    _require_import_user(user)
    may_upload = user.is_superuser or has_role(user, *FINANCE)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_upload:
            raise Http404
        if form.is_valid():
            try:
                batch = imports.import_check(upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"], by=user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if batch.errors:
                    messages.error(request, _("The file has %(count)s errors; nothing can be imported until they "
                                              "are corrected.") % {"count": len(batch.errors)})
                else:
                    messages.info(request, _("The file was checked: %(count)s rows. Check the preview, then "
                                             "confirm the import.") % {"count": batch.row_count})
                return redirect(batch)
    batches = selectors.import_batches_visible_to(user).select_related("uploaded_by__person")[:50]
    return render(request, "receivables/imports.html", {
        "form": form, "batches": batches, "may_upload": may_upload, "tab": "imports", **_tabs(user)})


@login_required
def import_detail(request, pk):
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user).select_related(
        "uploaded_by__person", "imported_by__person"), pk=pk)
    errors_by_row = {}
    for error in batch.errors:
        errors_by_row.setdefault(error["row"], []).append(error)
    rows = [{**row, "errors": errors_by_row.get(row["row"], [])} for row in batch.rows]
    file_errors = errors_by_row.get(None, [])
    may_confirm = batch.state == ImportState.PREVIEWED and (request.user.is_superuser
                                                             or has_role(request.user, *FINANCE))
    total = sum((Decimal(r["amount"]) for r in batch.rows if r.get("amount")), Decimal("0"))
    return render(request, "receivables/import_detail.html", {
        "batch": batch, "rows": rows, "file_errors": file_errors, "may_confirm": may_confirm,
        "row_total_count": len(batch.rows), "total": total, "files": attachments_of(batch),
        "tab": "imports", **_tabs(request.user)})


@login_required
@require_POST
def import_confirm_view(request, pk):
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user), pk=pk)
    try:
        imports.import_confirm(batch_id=batch.pk, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("%(count)s rows imported.") % {"count": batch.row_count})
    return redirect(batch)


@login_required
def import_errors_export(request, pk):
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user), pk=pk)
    rows = ([e["row"] or "", e["column"], e["message"]] for e in batch.errors)
    return xlsx_response(_("Import errors %(name)s.xlsx") % {"name": batch.file_name.rsplit(".", 1)[0]},
                         sheet_title=_("Errors"), headers=[_("Row"), _("Column"), _("Problem")], rows=rows,
                         widths=[8, 16, 90])


@login_required
def import_template(request):
    _require_import_user(request.user)
    example = [["发票", "XM2026-00001", "", timezone.localdate(), "100000.00", "44010000", "", "", "首期发票"],
               ["回款", "XM2026-00001", "", timezone.localdate(), "95000.00", "", "BANK20260001", "某某供电公司", ""]]
    return xlsx_response(_("Import template.xlsx"), sheet_title=_("Invoices and receipts"),
                         headers=imports.TEMPLATE_HEADERS, rows=example, widths=[8, 16, 16, 12, 14, 14, 18, 24, 20])

