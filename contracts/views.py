"""Pages of customers and contracts. Thin: look records up through the selectors (unseen → 404), parse
the form, call one service, show its message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.access import has_role
from marketing_portal.documents import pdf_response, render_pdf, xlsx_response
from marketing_portal.files import DEFAULT_ALLOWED, attachment_add, attachments_of, latest_attachment
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors, form_errors, show_errors
from org.roles import MARKETING_LEADERSHIP, MARKETING_OFFICE, Role
from org.selectors import acting_for

from . import forms, hooks, selectors, services
from .choices import (
    APPROVAL_KINDS,
    SIGNED_STATES,
    ContractState,
    HandoverStatus,
    LoanState,
    StepKind,
    StepStatus,
)
from .models import Contract, TemplateVersion

PAGE_SIZE = 25





# --------------------------------------------------------------------------------------------------
# Contract list, register export
# --------------------------------------------------------------------------------------------------
def _filtered(request):
    form = forms.ContractFilterForm(request.GET or None)
    params = {"search": "", "state": "", "region": "", "direction": ""}
    if form.is_valid():
        data = form.cleaned_data
        params = {"search": data["q"].strip(), "state": data["state"], "region": data["region"],
                  "direction": data["direction"]}
    return form, selectors.contract_list(request.user, **params)


@login_required
def contract_list_view(request):
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = has_role(request.user, *selectors.MARKETING_STAFF) or request.user.is_superuser
    return render(request, "contracts/list.html", {"page": page, "filter_form": form, "may_create": may_create})


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


# --------------------------------------------------------------------------------------------------
# Drafting
# --------------------------------------------------------------------------------------------------
def _initial_lines(contract):
    return [{"description": ln.description, "specification": ln.specification, "quantity": ln.quantity,
             "unit": ln.unit, "unit_price": ln.unit_price} for ln in contract.lines.all()]


@login_required
def contract_create_view(request):
    if not (request.user.is_superuser or has_role(request.user, *selectors.MARKETING_STAFF)):
        raise Http404
    from org.selectors import is_collection_only

    if is_collection_only(request.user):
        try:
            services._require_not_collection_only(request.user)
        except ValidationError as exc:
            show_errors(request, exc)
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
            messages.success(request, _("The draft was saved. Attach the draft text and submit it for review."))
            return redirect(contract)
    return render(request, "contracts/form.html", {"form": form, "lines": lines, "policy": current_policy()})


@login_required
def contract_edit_view(request, pk):
    contract = get_object_or_404(selectors.contracts_visible_to(request.user), pk=pk)
    if contract.state != ContractState.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect(contract)
    initial = {f: getattr(contract, f) for f in (
        "title", "kind", "direction", "customer", "region", "handler", "amount", "starts_on", "ends_on",
        "template_version", "non_standard_reason", "drafted_by", "is_foreign", "legal_participant",
        "technical_participant", "payment_terms", "retention_percent", "warranty_months", "notes")}
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
            messages.success(request, _("The draft was saved."))
            return redirect(contract)
    return render(request, "contracts/form.html", {"form": form, "lines": lines, "contract": contract,
                                                   "policy": current_policy()})


@login_required
def amendment_create_view(request, pk):
    parent = get_object_or_404(selectors.contracts_visible_to(request.user), pk=pk)
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


# --------------------------------------------------------------------------------------------------
# Contract page
# --------------------------------------------------------------------------------------------------
def _may_act(step, contract, user) -> bool:
    try:
        services._actor(step, contract, user)
    except ValidationError:
        return False
    return True


@login_required
def contract_detail(request, pk):
    contract = get_object_or_404(
        selectors.contracts_visible_to(request.user).select_related(
            "customer", "region", "handler__person", "template_version__template", "legal_participant__person",
            "technical_participant__person", "parent", "due_diligence", "submitted_by__person"),
        pk=pk,
    )
    if contract.state == ContractState.DRAFT:
        # A draft shows the flags its submission would get under the policy in force (not stored yet).
        policy = current_policy()
        contract.is_major = contract.amount >= policy.major_contract_threshold
        contract.is_long_term = services.is_long_term(contract.starts_on, contract.ends_on,
                                                      policy.contract_max_term_months)
        contract.legal_waived = services.legal_may_be_waived(contract, policy)
    steps = list(
        contract.steps.select_related("decided_by__person", "on_behalf_of__person")
        .prefetch_related("assignees__person").order_by("-version", "opened_at", "pk")
    )
    pending = [s for s in steps if s.status == StepStatus.PENDING and s.version == contract.version]
    for step in pending:
        step.may_act = _may_act(step, contract, request.user)
    user = request.user
    is_handler_side = contract.handler_id == user.pk or user.is_superuser or has_role(user, *MARKETING_LEADERSHIP)
    loans = list(contract.loans.select_related("borrower__person", "decided_by__person", "lent_by__person"))
    may_approve_loans = acting_for(user, services.loan_approvers()) is not None
    may_keep = acting_for(user, services.loan_keepers()) is not None
    context = {
        "contract": contract,
        "steps": steps,
        "pending": pending,
        "versions": sorted({s.version for s in steps}, reverse=True),
        "lines": list(contract.lines.all()),
        "problems": services.submission_problems(contract) if contract.state == ContractState.DRAFT else [],
        "is_editor": contract.state == ContractState.DRAFT and (
            user.pk in (contract.handler_id, contract.created_by_id) or user.is_superuser
            or has_role(user, *MARKETING_OFFICE)),
        "is_handler_side": is_handler_side,
        "in_force": contract.state in SIGNED_STATES,
        "signed_scan": latest_attachment(contract, "signed"),
        "milestones": list(contract.milestones.select_related("recorded_by__person")),
        "non_performances": list(contract.non_performances.select_related("flagged_by__person")),
        "objections": list(contract.incoming_objections.all()),
        "inabilities": list(contract.inability_reports.select_related("reported_by__person")),
        "handovers": list(contract.handler_changes.select_related("from_handler__person", "to_handler__person")),
        "loans": loans,
        "open_loan": next((ln for ln in loans if ln.state in (LoanState.REQUESTED, LoanState.APPROVED,
                                                               LoanState.LENT)), None),
        "may_approve_loans": may_approve_loans,
        "may_keep": may_keep,
        "disputes": list(contract.disputes.all()),
        "amendments": list(contract.amendments.select_related("region")),
        "today": timezone.localdate(),
        "forms": {
            "decision": forms.DecisionForm(), "sign": forms.SignForm(initial={"signed_on": timezone.localdate(),
                                                                              "counterparty_signed_on":
                                                                                  timezone.localdate()}),
            "register": forms.RegisterForm(), "archive": forms.ArchiveForm(), "withdraw": forms.WithdrawForm(),
            "file": forms.DraftFileForm(), "milestone": forms.MilestoneForm(),
            "non_performance": forms.NonPerformanceForm(initial={"noticed_on": timezone.localdate()}),
            "objection_sent": forms.ObjectionSentForm(initial={"sent_on": timezone.localdate()}),
            "objection": forms.ObjectionReceivedForm(initial={"received_on": timezone.localdate()}),
            "answer": forms.ObjectionAnswerForm(initial={"replied_on": timezone.localdate()}),
            "inability": forms.InabilityForm(initial={"occurred_on": timezone.localdate(),
                                                      "counterparty_notified_on": timezone.localdate()}),
            "handover": forms.HandoverForm(), "loan": forms.LoanForm(), "loan_decision": forms.LoanDecisionForm(),
            "dispute": forms.DisputeForm(initial={"opened_on": timezone.localdate()}),
            "dispute_update": forms.DisputeUpdateForm(), "resolution": forms.ResolutionForm(),
            "milestone_done": forms.MilestoneDoneForm(initial={"done_on": timezone.localdate()}),
        },
        "may_arrange_handover": user.is_superuser or has_role(user, *MARKETING_LEADERSHIP, Role.REGIONAL_MANAGER),
        "may_keep_disputes": is_handler_side or has_role(user, Role.LEGAL, Role.REGIONAL_MANAGER),
        "HandoverStatus": HandoverStatus,
        "policy": current_policy(),
        "panels": hooks.contract_panels(contract, user, request),
    }
    return render(request, "contracts/detail.html", context)


# One POST endpoint per action; each looks the contract up through the selector first (unseen → 404).
def _child(contract, related: str, request, field: str):
    raw = request.POST.get(field, "")
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(getattr(contract, related).all(), pk=int(raw))


def _step_id(request):
    raw = request.POST.get("step", "")
    return int(raw) if raw.isdigit() else None


ACTIONS: dict[str, tuple] = {}


def action(name, form_class=None, success="", files=False):
    def wrap(fn):
        ACTIONS[name] = (fn, form_class, success, files)
        return fn
    return wrap


@action("submit", success=_("Submitted to the department leader."))
def _submit(request, contract, data):
    services.contract_submit(contract_id=contract.pk, by=request.user)


@action("withdraw", forms.WithdrawForm, _("The draft was withdrawn."))
def _withdraw(request, contract, data):
    services.contract_withdraw(contract_id=contract.pk, by=request.user, reason=data["reason"])


@action("approve", forms.DecisionForm, _("Approved."))
def _approve(request, contract, data):
    kind = request.POST.get("kind", "")
    if kind not in APPROVAL_KINDS:
        raise ValidationError(_("Choose the step to decide."))
    services.contract_approve(contract_id=contract.pk, by=request.user, kind=kind, comment=data["comment"],
                              step_id=_step_id(request))


@action("reject", forms.DecisionForm, _("Rejected: the draft went back to the handler."))
def _reject(request, contract, data):
    kind = request.POST.get("kind", "")
    if kind not in APPROVAL_KINDS:
        raise ValidationError(_("Choose the step to decide."))
    services.contract_reject(contract_id=contract.pk, by=request.user, kind=kind, comment=data["comment"],
                             step_id=_step_id(request))


@action("sign", forms.SignForm, _("Signing recorded; the clerk will register the contract."), files=True)
def _sign(request, contract, data):
    services.contract_sign(contract_id=contract.pk, by=request.user, signed_on=data["signed_on"],
                           counterparty_signed_on=data["counterparty_signed_on"], scan=data["scan"],
                           step_id=_step_id(request))


@action("register", forms.RegisterForm, _("Registered; hand the original to Administration."))
def _register(request, contract, data):
    services.contract_register(contract_id=contract.pk, by=request.user, notes=data["notes"],
                               step_id=_step_id(request))


@action("archive", forms.ArchiveForm, _("Archived."))
def _archive(request, contract, data):
    done = services.contract_archive(contract_id=contract.pk, by=request.user, cabinet=data["cabinet"],
                                     box=data["box"], step_id=_step_id(request))
    messages.info(request, _("Archive number: %(number)s") % {"number": done.archive_number})


@action("copy", success=_("Receipt of the copy acknowledged."))
def _copy(request, contract, data):
    kind = request.POST.get("kind", "")
    if kind not in (StepKind.COPY_FINANCE, StepKind.COPY_MARKETING):
        raise ValidationError(_("Choose the copy to acknowledge."))
    services.contract_acknowledge_copy(contract_id=contract.pk, by=request.user, kind=kind,
                                       step_id=_step_id(request))


@action("file", forms.DraftFileForm, _("The file was attached."), files=True)
def _file(request, contract, data):
    if contract.state != ContractState.DRAFT:
        raise ValidationError(_("Draft files can only be added while the contract is a draft."))
    services._require_editor(contract, request.user)
    attachment_add(owner=contract, upload=data["file"], by=request.user, slot="draft", allowed=DEFAULT_ALLOWED)


@action("milestone", forms.MilestoneForm, _("Milestone recorded."))
def _milestone(request, contract, data):
    services.milestone_record(contract_id=contract.pk, by=request.user, **data)


@action("milestone-done", forms.MilestoneDoneForm, _("Milestone done."))
def _milestone_done(request, contract, data):
    milestone = _child(contract, "milestones", request, "milestone")
    services.milestone_complete(milestone_id=milestone.pk, by=request.user, done_on=data["done_on"])


@action("non-performance", forms.NonPerformanceForm, _("Non-performance flagged; the handler was notified."))
def _non_performance(request, contract, data):
    services.non_performance_flag(contract_id=contract.pk, by=request.user, **data)


@action("objection-sent", forms.ObjectionSentForm, _("Objection letter recorded."), files=True)
def _objection_sent(request, contract, data):
    record = _child(contract, "non_performances", request, "record")
    services.non_performance_object(record_id=record.pk, by=request.user, sent_on=data["sent_on"],
                                    text=data["text"], letter=data.get("letter"))


@action("np-resolve", forms.ResolutionForm, _("Marked as resolved."))
def _np_resolve(request, contract, data):
    record = _child(contract, "non_performances", request, "record")
    services.non_performance_resolve(record_id=record.pk, by=request.user, resolution=data["resolution"])


@action("objection", forms.ObjectionReceivedForm, _("Objection recorded; reply by the deadline shown."), files=True)
def _objection(request, contract, data):
    services.objection_receive(contract_id=contract.pk, by=request.user, **data)


@action("answer", forms.ObjectionAnswerForm, _("Reply recorded."), files=True)
def _answer(request, contract, data):
    record = _child(contract, "incoming_objections", request, "record")
    services.objection_answer(objection_id=record.pk, by=request.user, **data)


@action("inability", forms.InabilityForm, _("Report recorded; the department leader was informed."))
def _inability(request, contract, data):
    services.inability_report(contract_id=contract.pk, by=request.user, **data)


@action("handover", forms.HandoverForm, _("Hand-over arranged; both handlers must confirm."))
def _handover(request, contract, data):
    services.handler_change_start(contract_id=contract.pk, by=request.user, **data)


@action("handover-confirm", success=_("Hand-over confirmed."))
def _handover_confirm(request, contract, data):
    change = _child(contract, "handler_changes", request, "change")
    services.handler_change_confirm(change_id=change.pk, by=request.user)


@action("handover-cancel", success=_("Hand-over cancelled."))
def _handover_cancel(request, contract, data):
    change = _child(contract, "handler_changes", request, "change")
    services.handler_change_cancel(change_id=change.pk, by=request.user)


@action("loan", forms.LoanForm, _("Loan requested; Administration will decide."))
def _loan(request, contract, data):
    services.loan_request(contract_id=contract.pk, by=request.user, **data)


@action("loan-approve", forms.LoanDecisionForm, _("Loan approved."))
def _loan_approve(request, contract, data):
    loan = _child(contract, "loans", request, "loan")
    services.loan_decide(loan_id=loan.pk, by=request.user, approve=True, comment=data["comment"])


@action("loan-reject", forms.LoanDecisionForm, _("Loan refused."))
def _loan_reject(request, contract, data):
    loan = _child(contract, "loans", request, "loan")
    services.loan_decide(loan_id=loan.pk, by=request.user, approve=False, comment=data["comment"])


@action("loan-out", success=_("Original handed out."))
def _loan_out(request, contract, data):
    services.loan_hand_out(loan_id=_child(contract, "loans", request, "loan").pk, by=request.user)


@action("loan-return", success=_("Original returned."))
def _loan_return(request, contract, data):
    services.loan_return(loan_id=_child(contract, "loans", request, "loan").pk, by=request.user)


@action("loan-cancel", success=_("Request withdrawn."))
def _loan_cancel(request, contract, data):
    services.loan_cancel(loan_id=_child(contract, "loans", request, "loan").pk, by=request.user)


@action("dispute", forms.DisputeForm, _("Dispute recorded."))
def _dispute(request, contract, data):
    services.dispute_open(contract_id=contract.pk, by=request.user, **data)


@action("dispute-update", forms.DisputeUpdateForm, _("Dispute updated."))
def _dispute_update(request, contract, data):
    dispute = _child(contract, "disputes", request, "dispute")
    services.dispute_update(dispute_id=dispute.pk, by=request.user, **data)


@login_required
@require_POST
def contract_action(request, pk, name):
    contract = get_object_or_404(selectors.contracts_visible_to(request.user), pk=pk)
    if name not in ACTIONS:
        raise Http404
    fn, form_class, success, files = ACTIONS[name]
    data = {}
    if form_class is not None:
        form = form_class(request.POST, request.FILES if files else None)
        if not form.is_valid():
            form_errors(request, form)
            return redirect(contract)
        data = form.cleaned_data
    try:
        fn(request, contract, data)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, success)
    return redirect(contract)


# --------------------------------------------------------------------------------------------------
# Outputs (CON-13)
# --------------------------------------------------------------------------------------------------
@login_required
def approval_form_pdf(request, pk):
    """合同审批单: every opinion and signature of every version, the amount in capital numerals."""
    contract = get_object_or_404(
        selectors.contracts_visible_to(request.user).select_related(
            "customer", "region", "handler__person", "template_version__template", "legal_participant__person",
            "technical_participant__person", "due_diligence", "submitted_by__person"), pk=pk)
    steps = list(contract.steps.select_related("decided_by__person", "on_behalf_of__person")
                 .prefetch_related("assignees__person").order_by("-version", "opened_at", "pk"))
    current = [s for s in steps if s.version == contract.version]
    earlier = [s for s in steps if s.version != contract.version and s.status != StepStatus.CANCELLED]
    pdf = render_pdf("contracts/pdf/approval_form.html", {
        "contract": contract, "steps": current, "earlier": earlier, "lines": list(contract.lines.all()),
        "printed_at": timezone.localtime(), "printed_by": request.user,
    })
    name = contract.archive_number or str(contract.pk)
    return pdf_response(pdf, _("Contract approval form %(title)s.pdf") % {"title": name})


@login_required
def archive_label_pdf(request, pk):
    contract = get_object_or_404(selectors.contracts_visible_to(request.user).select_related(
        "customer", "region", "handler__person"), pk=pk)
    if not contract.archive_number:
        messages.error(request, _("The contract has no archive number yet."))
        return redirect(contract)
    pdf = render_pdf("contracts/pdf/archive_label.html", {"contract": contract})
    return pdf_response(pdf, _("Archive label %(number)s.pdf") % {"number": contract.archive_number})


# --------------------------------------------------------------------------------------------------
# Customers (CUS)
# --------------------------------------------------------------------------------------------------
@login_required
def customer_list(request):
    if not selectors.may_see_customers(request.user):
        raise Http404
    qs = selectors.customers_visible_to(request.user).select_related("region")
    q = request.GET.get("q", "").strip()
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    page = Paginator(qs.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = request.user.is_superuser or has_role(request.user, *selectors.MARKETING_STAFF)
    return render(request, "contracts/customer_list.html", {"page": page, "q": q, "may_create": may_create})


@login_required
def customer_create_view(request):
    if not (request.user.is_superuser or has_role(request.user, *selectors.MARKETING_STAFF)):
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
        "may_edit": request.user.is_superuser or has_role(request.user, *selectors.MARKETING_STAFF),
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


# --------------------------------------------------------------------------------------------------
# Templates (CON-2)
# --------------------------------------------------------------------------------------------------
def _may_keep_templates(user) -> bool:
    return user.is_superuser or has_role(user, *MARKETING_LEADERSHIP, Role.LEGAL, Role.SALES_CLERK)


@login_required
def template_list(request):
    templates = selectors.templates_visible_to(request.user).prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.order_by("-number")))
    form = forms.TemplateForm(request.POST or None) if _may_keep_templates(request.user) else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                template = services.template_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Template created; upload its first version."))
                return redirect(template)
    return render(request, "contracts/template_list.html", {"templates": templates, "form": form})


@login_required
def template_detail(request, pk):
    template = get_object_or_404(selectors.templates_visible_to(request.user), pk=pk)
    may_keep = _may_keep_templates(request.user)
    form = forms.TemplateVersionForm(request.POST or None, request.FILES or None) if may_keep else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.template_version_add(template_id=template.pk, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("New version saved; earlier versions can no longer be chosen."))
                return redirect(template)
    versions = template.versions.select_related("created_by__person")
    return render(request, "contracts/template_detail.html", {"template": template, "versions": versions,
                                                              "form": form})


__all__ = ["Contract"]
