"""One POST endpoint per action on a contract; each looks the contract up through the selector first
(unseen → 404), checks its small form, calls one service and shows its message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketing_portal.web import form_errors, show_errors

from .. import forms, selectors, services
from ..choices import APPROVAL_KINDS, StepKind
from ..models import Contract


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


@action("submit", success=gettext_lazy("Submitted to the department leader."))
def _submit(request, contract, data):
    services.contract_submit(contract_id=contract.pk, by=request.user)


@action("withdraw", forms.WithdrawForm, gettext_lazy("The draft was withdrawn."))
def _withdraw(request, contract, data):
    services.contract_withdraw(contract_id=contract.pk, by=request.user, reason=data["reason"])


@action("approve", forms.DecisionForm, gettext_lazy("Approved."))
def _approve(request, contract, data):
    kind = request.POST.get("kind", "")
    if kind not in APPROVAL_KINDS:
        raise ValidationError(_("Choose the step to decide."))
    services.contract_approve(contract_id=contract.pk, by=request.user, kind=kind, comment=data["comment"],
                              step_id=_step_id(request))


@action("reject", forms.DecisionForm, gettext_lazy("Rejected: the draft went back to the handler."))
def _reject(request, contract, data):
    kind = request.POST.get("kind", "")
    if kind not in APPROVAL_KINDS:
        raise ValidationError(_("Choose the step to decide."))
    services.contract_reject(contract_id=contract.pk, by=request.user, kind=kind, comment=data["comment"],
                             step_id=_step_id(request))


@action("sign", forms.SignForm, gettext_lazy("Signing recorded; the clerk will register the contract."), files=True)
def _sign(request, contract, data):
    services.contract_sign(contract_id=contract.pk, by=request.user, signed_on=data["signed_on"],
                           counterparty_signed_on=data["counterparty_signed_on"], scan=data["scan"],
                           step_id=_step_id(request))


@action("register", forms.RegisterForm, gettext_lazy("Registered; hand the original to Administration."))
def _register(request, contract, data):
    services.contract_register(contract_id=contract.pk, by=request.user, notes=data["notes"],
                               step_id=_step_id(request))


@action("archive", forms.ArchiveForm, gettext_lazy("Archived."))
def _archive(request, contract, data):
    done = services.contract_archive(contract_id=contract.pk, by=request.user, cabinet=data["cabinet"],
                                     box=data["box"], step_id=_step_id(request))
    messages.info(request, _("Archive number: %(number)s") % {"number": done.archive_number})


@action("copy", success=gettext_lazy("Receipt of the copy acknowledged."))
def _copy(request, contract, data):
    kind = request.POST.get("kind", "")
    if kind not in (StepKind.COPY_FINANCE, StepKind.COPY_MARKETING):
        raise ValidationError(_("Choose the copy to acknowledge."))
    services.contract_acknowledge_copy(contract_id=contract.pk, by=request.user, kind=kind,
                                       step_id=_step_id(request))


@action("recall", forms.RecallForm, gettext_lazy("Withdrawn from review: the contract is a draft again."))
def _recall(request, contract, data):
    services.contract_recall(contract_id=contract.pk, by=request.user, reason=data["reason"])


@action("text", forms.DraftTextForm, gettext_lazy("The draft text was uploaded; the approvers will read it."),
        files=True)
def _text(request, contract, data):
    services.contract_text_add(contract_id=contract.pk, by=request.user, upload=data["file"])


@action("file", forms.DraftFileForm, gettext_lazy("The file was attached."), files=True)
def _file(request, contract, data):
    services.contract_draft_file_add(contract_id=contract.pk, by=request.user, upload=data["file"])


@action("milestone", forms.MilestoneForm, gettext_lazy("Milestone recorded."))
def _milestone(request, contract, data):
    services.milestone_record(contract_id=contract.pk, by=request.user, **data)


@action("milestone-done", forms.MilestoneDoneForm, gettext_lazy("Milestone done."))
def _milestone_done(request, contract, data):
    milestone = _child(contract, "milestones", request, "milestone")
    services.milestone_complete(milestone_id=milestone.pk, by=request.user, done_on=data["done_on"])


@action("non-performance", forms.NonPerformanceForm, gettext_lazy("Non-performance flagged; the handler was notified."))
def _non_performance(request, contract, data):
    services.non_performance_flag(contract_id=contract.pk, by=request.user, **data)


@action("objection-sent", forms.ObjectionSentForm, gettext_lazy("Objection letter recorded."), files=True)
def _objection_sent(request, contract, data):
    record = _child(contract, "non_performances", request, "record")
    services.non_performance_object(record_id=record.pk, by=request.user, sent_on=data["sent_on"],
                                    text=data["text"], letter=data.get("letter"))


@action("np-resolve", forms.ResolutionForm, gettext_lazy("Marked as resolved."))
def _np_resolve(request, contract, data):
    record = _child(contract, "non_performances", request, "record")
    services.non_performance_resolve(record_id=record.pk, by=request.user, resolution=data["resolution"])


@action("objection", forms.ObjectionReceivedForm, gettext_lazy("Objection recorded; reply by the deadline shown."),
        files=True)
def _objection(request, contract, data):
    services.objection_receive(contract_id=contract.pk, by=request.user, **data)


@action("answer", forms.ObjectionAnswerForm, gettext_lazy("Reply recorded."), files=True)
def _answer(request, contract, data):
    record = _child(contract, "incoming_objections", request, "record")
    services.objection_answer(objection_id=record.pk, by=request.user, **data)


@action("inability", forms.InabilityForm, gettext_lazy("Report recorded; the department leader was informed."))
def _inability(request, contract, data):
    services.inability_report(contract_id=contract.pk, by=request.user, **data)


@action("handover", forms.HandoverForm, gettext_lazy("Hand-over arranged; both handlers must confirm."))
def _handover(request, contract, data):
    services.handler_change_start(contract_id=contract.pk, by=request.user, **data)


@action("handover-confirm", success=gettext_lazy("Hand-over confirmed."))
def _handover_confirm(request, contract, data):
    change = _child(contract, "handler_changes", request, "change")
    services.handler_change_confirm(change_id=change.pk, by=request.user)


@action("handover-cancel", success=gettext_lazy("Hand-over cancelled."))
def _handover_cancel(request, contract, data):
    change = _child(contract, "handler_changes", request, "change")
    services.handler_change_cancel(change_id=change.pk, by=request.user)


@action("loan", forms.LoanForm, gettext_lazy("Loan requested; Administration will decide."))
def _loan(request, contract, data):
    services.loan_request(contract_id=contract.pk, by=request.user, **data)


@action("loan-approve", forms.LoanDecisionForm, gettext_lazy("Loan approved."))
def _loan_approve(request, contract, data):
    loan = _child(contract, "loans", request, "loan")
    services.loan_decide(loan_id=loan.pk, by=request.user, approve=True, comment=data["comment"])


@action("loan-reject", forms.LoanDecisionForm, gettext_lazy("Loan refused."))
def _loan_reject(request, contract, data):
    loan = _child(contract, "loans", request, "loan")
    services.loan_decide(loan_id=loan.pk, by=request.user, approve=False, comment=data["comment"])


@action("loan-out", success=gettext_lazy("Original handed out."))
def _loan_out(request, contract, data):
    services.loan_hand_out(loan_id=_child(contract, "loans", request, "loan").pk, by=request.user)


@action("loan-return", success=gettext_lazy("Original returned."))
def _loan_return(request, contract, data):
    services.loan_return(loan_id=_child(contract, "loans", request, "loan").pk, by=request.user)


@action("loan-cancel", success=gettext_lazy("Request withdrawn."))
def _loan_cancel(request, contract, data):
    services.loan_cancel(loan_id=_child(contract, "loans", request, "loan").pk, by=request.user)


@action("dispute", forms.DisputeForm, gettext_lazy("Dispute recorded."))
def _dispute(request, contract, data):
    services.dispute_open(contract_id=contract.pk, by=request.user, **data)


@action("dispute-update", forms.DisputeUpdateForm, gettext_lazy("Dispute updated."))
def _dispute_update(request, contract, data):
    dispute = _child(contract, "disputes", request, "dispute")
    services.dispute_update(dispute_id=dispute.pk, by=request.user, **data)


__all__ = ["Contract"]


@login_required
@require_POST
def contract_action(request, pk, name):
    contract = get_object_or_404(selectors.visible_contract(request.user, pk))
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
