"""On-time rates per party and month (HND-6) and their export."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from marketing_portal import charts
from marketing_portal.documents import xlsx_response
from marketing_portal.web import require_perm

from .. import forms, selectors
from ..choices import HandoffState, Party


# HND-6: on-time rates per party and month
# --------------------------------------------------------------------------------------------------
def _dashboard_params(request):
    year, region = timezone.localdate().year, ""
    form = forms.DashboardForm(request.GET or None, initial={"year": year})
    if form.is_valid():
        year = form.cleaned_data.get("year") or year
        region = form.cleaned_data.get("region") or ""
    return form, year, region


@login_required
def dashboard(request):
    require_perm(request, "handoff.use_handoffs")
    form, year, region = _dashboard_params(request)
    rates = selectors.on_time_rates(request.user, year=year, region=region)
    labels = [date_format(date(year, m, 1), "YEAR_MONTH_FORMAT") for m in range(1, 13)]
    chart = charts.chart(
        _("On-time rate by month of the due date"), labels,
        [charts.series(_("XXX costing"), [r["rate"] for r in rates[Party.XXX]["months"]]),
         charts.series(_("Finance review"), [r["rate"] for r in rates[Party.FINANCE]["months"]])],
        axes=[charts.axis(_("On-time rate (%)"), "percent")],
        empty=_("No costing or review was due in %(year)s.") % {"year": year})
    return render(request, "handoff/dashboard.html", {
        "form": form, "year": year, "region": region, "rates": rates, "chart": chart,
        "xxx": rates[Party.XXX], "finance": rates[Party.FINANCE], "counts": selectors.waiting_counts(request.user),
        "states": HandoffState,
    })


@login_required
def dashboard_export(request):
    require_perm(request, "handoff.use_handoffs")
    _form, year, region = _dashboard_params(request)
    rates = selectors.on_time_rates(request.user, year=year, region=region)
    names = {Party.XXX: _("XXX costing"), Party.FINANCE: _("Finance review")}

    def rows():
        for party in (Party.XXX, Party.FINANCE):
            for row in [*rates[party]["months"], rates[party]["total"]]:
                yield [str(names[party]), f"{year}-{row['month']:02d}" if row["month"] else _("Whole year"),
                       row["on_time"], row["late"], row["overdue"], row["pending"], row["rate"]]

    headers = [_("Party and stage"), _("Month of the due date"), _("On time"), _("Late"), _("Overdue, still open"),
               _("Not yet due"), _("On-time rate (%)")]
    filename = _("Hand-off on-time rates %(year)s.xlsx") % {"year": year}
    return xlsx_response(filename, sheet_title=_("On-time rates"), headers=headers, rows=rows(),
                         widths=[16, 14, 10, 10, 14, 12, 12])
