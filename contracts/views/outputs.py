"""Printed outputs of a contract (CON-13): the approval form 合同审批单 and the archive label."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.documents import pdf_response, render_pdf

from .. import selectors
from ..choices import StepStatus


@login_required
def approval_form_pdf(request, pk):
    """合同审批单: every opinion and signature of every version, the amount in capital numerals."""
    contract = get_object_or_404(
        selectors.visible_contract(request.user, pk).select_related(
            "customer", "region", "handler__person", "template_version__template", "legal_participant__person",
            "technical_participant__person", "due_diligence", "submitted_by__person"))
    steps = list(contract.steps.select_related("decided_by__person", "on_behalf_of__person")
                 .prefetch_related("assignees__person").order_by("-version", "opened_at", "pk"))
    current = [s for s in steps if s.version == contract.version]
    earlier = [s for s in steps if s.version != contract.version and s.status != StepStatus.CANCELLED]
    pdf = render_pdf("contracts/pdf/approval_form.html", {
        "contract": contract, "steps": current, "earlier": earlier, "lines": list(contract.lines.all()),
        "printed_at": timezone.localtime(), "printed_by": request.user,
    })
    name = contract.archive_number or contract.serial_number or contract.title
    return pdf_response(pdf, _("Contract approval form %(title)s.pdf") % {"title": name})


@login_required
def archive_label_pdf(request, pk):
    contract = get_object_or_404(selectors.visible_contract(request.user, pk).select_related(
        "customer", "region", "handler__person"))
    if not request.user.has_perm("contracts.print_archive_label", contract):
        messages.error(request, _("The contract has no archive number yet."))
        return redirect(contract)
    pdf = render_pdf("contracts/pdf/archive_label.html", {"contract": contract})
    return pdf_response(pdf, _("Archive label %(number)s.pdf") % {"number": contract.archive_number})
