"""The receivables ledger by age (RCV-13) and its export."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.documents import xlsx_response
from marketing_portal.people import display_name
from marketing_portal.web import require_perm

from .. import forms, selectors

PAGE_SIZE = 25


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
    require_perm(request, "receivables.use_receivables")
    form, qs, by = _aging_query(request)
    today = timezone.localdate()
    # One streaming pass for the totals (and the groups); by project, only the page's rows are aged again.
    grouped = selectors.aging_grouped(selectors.aging_rows(qs, as_of=today), "owner" if by == "project" else by)
    grand = {"count": sum(g["count"] for g in grouped),
             "outstanding": sum((g["outstanding"] for g in grouped), Decimal("0")),
             "not_invoiced": sum((g["not_invoiced"] for g in grouped), Decimal("0")),
             "retention_not_due": sum((g["retention_not_due"] for g in grouped), Decimal("0")),
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
        "buckets": selectors.BUCKET_KEYS, "today": today, "tab": "aging"})


@login_required
def aging_export(request):
    require_perm(request, "receivables.use_receivables")
    _form, qs, by = _aging_query(request)
    today = timezone.localdate()
    buckets = selectors.BUCKET_KEYS
    bucket_headers = [_("%(bucket)s days") % {"bucket": b} for b in buckets]
    if by == "project":
        headers = [_("Project number"), _("Project"), _("Customer"), _("Region"), _("Sales owner"), _("Stage"),
                   _("Project amount"), _("Invoiced"), _("Received"), _("Outstanding"), *bucket_headers,
                   _("Retention not yet due"), _("Not yet invoiced"), _("Retention outstanding")]

        def rows():
            for row in selectors.aging_rows(qs, as_of=today):
                p = row["project"]
                yield [p.number, p.name, p.customer.name, p.region.name, display_name(p.owner), p.get_stage_display(),
                       p.amount, row["invoiced"], row["received"], row["outstanding"],
                       *[row["buckets"][b] for b in buckets], row["retention_not_due"], row["not_invoiced"],
                       row["retention_outstanding"]]

        money = list(range(6, 10 + len(buckets) + 3))
        widths = [14, 30, 28, 8, 8, 12] + [14] * (6 + len(buckets))
        totals = money
    else:
        label = {"owner": _("Sales owner"), "region": _("Region"), "customer": _("Customer")}[by]
        headers = [label, _("Projects"), _("Project amount"), _("Invoiced"), _("Received"), _("Outstanding"),
                   *bucket_headers, _("Retention not yet due"), _("Not yet invoiced"), _("Retention outstanding")]

        def rows():
            for g in selectors.aging_grouped(selectors.aging_rows(qs, as_of=today), by):
                yield [g["label"], g["count"], g["amount"], g["invoiced"], g["received"], g["outstanding"],
                       *[g["buckets"][b] for b in buckets], g["retention_not_due"], g["not_invoiced"],
                       g["retention_outstanding"]]

        money = list(range(2, 6 + len(buckets) + 3))
        widths = [28, 8] + [14] * (6 + len(buckets))
        totals = [1, *money]  # the number of projects adds up too
    filename = _("Receivables aging %(day)s.xlsx") % {"day": today.isoformat()}
    return xlsx_response(filename, sheet_title=_("Aging"), headers=headers, rows=rows(), money_columns=money,
                         widths=widths, total_columns=totals)


# --------------------------------------------------------------------------------------------------
