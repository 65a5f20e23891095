"""Retention collection statements (RCV-7): list, page, actions, PDF and Excel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.documents import pdf_response, render_pdf, xlsx_response
from marketing_portal.people import display_name
from marketing_portal.web import form_errors, require_perm, show_errors

from .. import forms, selectors, services
from ..choices import StatementState

PAGE_SIZE = 25


# Retention statements (RCV-7)
# --------------------------------------------------------------------------------------------------
@login_required
def statement_list(request):
    require_perm(request, "receivables.use_receivables")
    statements = selectors.statements_visible_to(request.user).select_related("project__owner__person")
    state = request.GET.get("state", "")
    if state in StatementState.values:
        statements = statements.filter(state=state)
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "receivables/statements.html", {
        "page": page, "state": state, "states": StatementState.choices, "tab": "statements"})


def _statement(request, pk):
    return get_object_or_404(selectors.statements_visible_to(request.user).select_related(
        "project__owner__person", "project__customer", "issued_by__person", "notified_by__person"), pk=pk)


@login_required
def statement_detail(request, pk):
    statement = _statement(request, pk)
    return render(request, "receivables/statement_detail.html", {
        "statement": statement, "project": statement.project,
        "issue_form": forms.StatementIssueForm(initial={"issued_on": timezone.localdate()}),
        "tab": "statements"})


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
