"""Sales reports: the list, filing (prefilled), the report page with comments, the compilation (PDF, Excel)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from marketing_portal import lists
from marketing_portal.documents import pdf_response, render_pdf, xlsx_response
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors, require_perm, show_errors
from org.models import Region

from .. import periods, selectors, services
from ..choices import ReportKind
from ..filters import ReportFilter, with_report_amounts
from ..forms import CommentForm, ReportForm


def _reports(request):
    """The reports the user may see, with their amounts as numbers (the list kernel sorts and adds them up)."""
    return with_report_amounts(selectors.reports_visible_to(request.user))


@login_required
def report_list(request):
    if not selectors.may_use_reports(request.user):
        raise Http404
    context = lists.list_context(request, ReportFilter, _reports(request), page_size=30)
    today = timezone.localdate()
    due = [(kind, periods.code_of(kind, periods.previous_period(kind, today)[0]),
            periods.label_of(kind, periods.previous_period(kind, today)[0])) for kind in ReportKind.values]
    return render(request, "planning/report_list.html", {**context, "due": due})


@login_required
def report_export(request):
    """The reports filtered, as the list shows them, in Excel (X-6)."""
    if not selectors.may_use_reports(request.user):
        raise Http404
    qs = lists.filtered(request, ReportFilter, _reports(request)).rows.select_related("person__person", "region")
    rows = ([r.get_kind_display(), r.period_label, r.period_start, r.period_end, display_name(r.person),
             r.region.name if r.region else "", timezone.localtime(r.filed_at), r.due_on,
             _("Yes") if r.is_late else "", r.figures.get("signed", {}).get("count", 0), r.signed_amount,
             r.invoiced_amount, r.received_amount, r.figures.get("handoffs", {}).get("count", 0),
             r.figures.get("tickets", {}).get("count", 0), r.comment_count or 0]
            for r in qs.iterator(chunk_size=500))
    headers = [_("Kind"), _("Period"), _("Period from"), _("Period to"), _("Salesperson"), _("Region"),
               _("Filed at"), _("Due on"), pgettext("report", "Late"), _("Contracts signed"), _("Signed amount"),
               _("Invoiced"), _("Received"), _("Hand-offs"), _("Repair tickets"), _("Comments")]
    title = _("Sales reports").replace("/", "、")  # 周报/月报: a slash is not allowed in a sheet's or a file's name
    return xlsx_response(title + ".xlsx", sheet_title=title, headers=headers, rows=rows,
                         money_columns=[10, 11, 12], widths=[8, 22, 12, 12, 10, 8, 16, 12, 6, 8, 14, 14, 14, 8, 8, 6])


@login_required
def report_new(request):
    """GET: the form with the period's figures; POST: file it (once)."""
    require_perm(request, "planning.file_report")
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind") or ReportKind.WEEKLY
    period = data.get("period") or periods.code_of(kind, periods.previous_period(kind, timezone.localdate())[0])
    try:
        start, end = periods.parse_period(kind, period)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("planning:reports")
    form = ReportForm(request.POST or None, initial={"kind": kind, "period": period})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_file(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            # The period and the kind are hidden fields: their errors are shown above the form.
            fields = getattr(exc, "error_dict", {})
            hidden = {key: fields.pop(key) for key in ("kind", "period") if key in fields}
            for errors in hidden.values():
                form.add_error(None, [m for e in errors for m in e.messages])
            if not hidden or getattr(exc, "error_dict", None):
                apply_errors(form, exc)
        else:
            messages.success(request, _("The report is filed."))
            return redirect(report)
    existing = selectors.reports_visible_to(request.user).filter(person=request.user, kind=kind,
                                                                 period_start=start).first()
    return render(request, "planning/report_form.html", {
        "form": form, "kind": kind, "kind_label": ReportKind(kind).label, "period_label": periods.label_of(kind, start),
        "start": start, "end": end, "figures": selectors.report_figures(request.user, start, end),
        "due_on": periods.due_on(kind, end, current_policy()), "existing": existing})


@login_required
def report_detail(request, pk):
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    return render(request, "planning/report_detail.html", {
        "report": report, "comments": report.comments.select_related("author"), "comment_form": CommentForm()})


@login_required
@require_POST
def report_comment(request, pk):
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.report_comment(report_id=report.pk, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("The comment is saved."))
    else:
        messages.error(request, _("Write the comment first."))
    return redirect(report)


def _compilation(request):
    """The reports of one period for a region (or the centre), with totals and who has not filed."""
    require_perm(request, "planning.compile_reports")
    kind = request.GET.get("kind") or ReportKind.WEEKLY
    period = request.GET.get("period") or periods.code_of(kind, periods.previous_period(kind,
                                                                                        timezone.localdate())[0])
    start, end = periods.parse_period(kind, period)
    code = request.GET.get("region", "")
    region = Region.objects.filter(code=code).first() if code else None
    if code and region is None:
        raise Http404
    if region is None:
        require_perm(request, "planning.compile_centre_reports")
    elif not request.user.has_perm("planning.compile_centre_reports") and region.pk not in {
            r.pk for r in selectors.regions_of(request.user)}:
        raise Http404
    reports = list(selectors.report_list(request.user, kind=kind, period_start=start,
                                         region=code).select_related("person", "region")
                   .prefetch_related("comments__author").order_by("region__code", "person__person__name"))
    totals = {key: Decimal("0.00") for key in ("signed", "invoices", "receipts")}
    counts = {key: 0 for key in ("signed", "handoffs", "tickets")}
    for report in reports:
        for key in totals:
            totals[key] += Decimal(report.figures.get(key, {}).get("amount", "0"))
        for key in counts:
            counts[key] += report.figures.get(key, {}).get("count", 0)
    missing = list(services.missing_reporters(kind, start, region=region).select_related("person"))
    return {"kind": kind, "kind_label": ReportKind(kind).label, "period": period,
            "period_label": periods.label_of(kind, start), "region": region, "reports": reports, "totals": totals,
            "counts": counts, "missing": missing, "regions": Region.objects.filter(active=True),
            "compiled_by": request.user, "compiled_at": timezone.now()}


@login_required
def report_compile(request):
    try:
        context = _compilation(request)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("planning:reports")
    return render(request, "planning/report_compile.html", context)


@login_required
def report_compile_pdf(request):
    try:
        context = _compilation(request)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("planning:reports")
    scope = context["region"].name if context["region"] else _("Marketing centre")
    pdf = render_pdf("pdf/planning_compilation.html", context, request=request)
    return pdf_response(pdf, f"{scope}{context['kind_label']}{context['period']}.pdf")


@login_required
def report_compile_xlsx(request):
    try:
        context = _compilation(request)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("planning:reports")
    scope = context["region"].name if context["region"] else _("Marketing centre")

    def rows():
        for r in context["reports"]:
            f = r.figures
            yield [display_name(r.person), r.region.name if r.region else "", r.filed_at, _("Yes") if r.is_late else "",
                   f["signed"]["count"], Decimal(f["signed"]["amount"]), Decimal(f["invoices"]["amount"]),
                   Decimal(f["receipts"]["amount"]), f["handoffs"]["count"], f["tickets"]["count"], r.work_done,
                   r.customers_visited, r.opportunities, r.next_plan, r.problems,
                   "；".join(f"{display_name(c.author)}：{c.body}" for c in r.comments.all())]
        for person in context["missing"]:
            yield [display_name(person), "", None, _("Not filed")] + [None] * 12

    headers = [_("Salesperson"), _("Region"), _("Filed at"), pgettext("report", "Late"), _("Contracts signed"),
               _("Signed amount"), _("Invoiced"), _("Received"), _("Hand-offs"), _("Repair tickets"),
               pgettext("report", "Work done"),
               _("Customers visited"), _("Opportunities"), _("Plan for the next period"),
               _("Problems and support needed"), _("Comments")]
    return xlsx_response(f"{scope}{context['kind_label']}{context['period']}.xlsx",
                         sheet_title=f"{context['kind_label']}{context['period']}", headers=headers, rows=rows(),
                         money_columns=[5, 6, 7], widths=[10, 8, 16, 6, 8, 14, 14, 14, 8, 8, 40, 30, 30, 30, 30, 40])
