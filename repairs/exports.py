"""Printed and exported documents of the repairs app (X-6): the liaison sheet and feedback sheet PDFs, the
ticket register and the metrics in Excel. Every one looks its records up through the selectors (X-2)."""

from __future__ import annotations

import base64
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal import lists
from marketing_portal.documents import pdf_response, render_pdf, xlsx_response
from marketing_portal.files import attachments_of
from marketing_portal.forms import DateField, DateInput

from . import metrics, selectors
from .filters import TicketFilter
from .views import require_perm


def _data_url(attachment) -> str | None:
    """An image attachment inlined for the PDF (WeasyPrint reads data URLs; the file never leaves the app)."""
    if attachment is None:
        return None
    with attachment.file.open("rb") as handle:
        return f"data:{attachment.mime_type};base64,{base64.b64encode(handle.read()).decode()}"


@login_required
def sheet_pdf(request, pk: int):
    sheet = get_object_or_404(selectors.sheets_visible_to(request.user).select_related("ticket", "issued_by"), pk=pk)
    pdf = render_pdf("repairs/pdf/liaison_sheet.html", {
        "sheet": sheet, "ticket": sheet.ticket, "technicians": list(sheet.technicians.all()),
        "printed_at": timezone.localtime()}, request=request)
    return pdf_response(pdf, _("Internal liaison sheet %(number)s.pdf") % {"number": sheet.number})


@login_required
def visit_pdf(request, pk: int):
    visit = get_object_or_404(selectors.visits_visible_to(request.user).select_related("ticket", "reported_by"),
                              pk=pk)
    files = list(attachments_of(visit).order_by("slot", "version"))
    signature = next((a for a in reversed(files) if a.slot == "signature"), None)
    signed_sheet = next((a for a in reversed(files) if a.slot == "signed_sheet"), None)
    photos = [a for a in files if a.slot == "photo"]
    pdf = render_pdf("repairs/pdf/feedback_sheet.html", {
        "visit": visit, "ticket": visit.ticket, "technicians": list(visit.technicians.all()),
        "signature": _data_url(signature), "signed_sheet": _data_url(signed_sheet),
        "photos": [_data_url(p) for p in photos[:6]], "photo_count": len(photos),
        "printed_at": timezone.localtime()}, request=request)
    return pdf_response(pdf, _("Repair feedback sheet %(number)s-%(seq)s.pdf")
                        % {"number": visit.ticket.number, "seq": visit.seq})


@login_required
def ticket_export(request):
    require_perm(request, "repairs.use_repairs")
    qs = lists.filtered(request, TicketFilter, selectors.ticket_list(request.user)
                        .select_related(*selectors.TICKET_ROW_RELATED)).rows

    def rows():
        for t in qs.iterator(chunk_size=500):
            yield [t.number, t.get_category_display(), t.get_state_display(), t.unit_name, t.contact_name,
                   t.contact_phone, t.equipment.model if t.equipment_id else "", t.get_warranty_display(),
                   t.get_department_display(), t.technician.person.name if t.technician_id and
                   hasattr(t.technician, "person") else "", t.received_at, t.responded_at, t.response_hours,
                   t.phone_solved, t.visit_count, t.escalation_count, t.archived_at, t.close_hours, t.satisfaction]

    headers = [_("Ticket number"), _("Service category"), _("State"), _("Unit's full name"), _("Responsible person"),
               _("Contact phone"), _("Model"), _("Warranty"), _("Department"), _("Technician"), _("Received at"),
               _("Phone response at"), _("Response time (working hours)"), _("Solved by phone"), _("Visits"),
               _("Escalations to the GM's Office"), _("Archived at"), _("Time to close (working hours)"),
               _("Satisfaction")]
    return xlsx_response(_("Repair tickets %(date)s.xlsx") % {"date": timezone.localdate().isoformat()},
                         sheet_title=_("Repair tickets"), headers=headers, rows=rows())


def _period(request) -> tuple[date | None, date | None, list[str]]:
    errors, values = [], []
    for name in ("start", "end"):
        field = DateField(required=False, widget=DateInput())
        try:
            values.append(field.clean(request.GET.get(name) or None))
        except ValidationError:
            errors.append(_("“%(value)s” is not a date.") % {"value": request.GET.get(name)})
            values.append(None)
    start, end = values
    if start and end and end < start:
        errors.append(_("The period ends before it starts."))
        start = end = None
    return start, end, errors


FIGURES = [("tickets", "Tickets"), ("complaints", "Complaints"), ("response_hours", "Mean response (working h)"),
           ("phone_rate", "Solved by phone"), ("visits_per_ticket", "Visits per ticket"),
           ("escalations", "Escalations"), ("close_hours", "Mean time to close (working h)"),
           ("closed", "Closed"), ("satisfaction", "Satisfaction (1–5)")]


def figure_labels() -> list[tuple[str, str]]:
    labels = {"tickets": _("Tickets"), "complaints": _("Complaints"),
              "response_hours": _("Mean response (working h)"), "phone_rate": _("Solved by phone"),
              "visits_per_ticket": _("Visits per ticket"), "escalations": _("Escalations"),
              "close_hours": _("Mean time to close (working h)"), "closed": _("Closed"),
              "satisfaction": _("Satisfaction (1–5)")}
    return [(key, labels[key]) for key, _label in FIGURES]


@login_required
def metrics_page(request):
    require_perm(request, "repairs.see_metrics")
    start, end, errors = _period(request)
    data = metrics.repair_metrics(request.user, start=start, end=end)
    sections = [(key, label, data[key]) for key, label in metrics.dimension_labels().items()]
    return render(request, "repairs/metrics.html", {
        "totals": data["totals"], "sections": sections, "figures": figure_labels(), "errors": errors,
        "start": start, "end": end, "query": request.GET.urlencode()})


@login_required
def metrics_export(request):
    require_perm(request, "repairs.see_metrics")
    start, end, _errors = _period(request)
    data = metrics.repair_metrics(request.user, start=start, end=end)
    figures = figure_labels()

    def rows():
        for key, label in metrics.dimension_labels().items():
            for row in data[key]:
                yield [label, row["label"], *[row[f] for f, _l in figures]]

    headers = [_("Dimension"), _("Group"), *[label for _f, label in figures]]
    return xlsx_response(_("Repair metrics %(date)s.xlsx") % {"date": timezone.localdate().isoformat()},
                         sheet_title=_("Repair metrics"), headers=headers, rows=rows())
