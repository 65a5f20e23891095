"""The managers' dashboard (SPEC RPT-1) and the Excel export of each of its charts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.documents import xlsx_response
from marketing_portal.web import require_perm

from . import figures
from .forms import DashboardFilterForm


def _params(request):
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET or None, today=today)
    return form, form.chosen_period(), form.chosen_region(), today


@login_required
def dashboard(request):
    require_perm(request, "dashboards.use_dashboard")
    form, period, region, today = _params(request)
    sections = figures.build_many(figures.section_keys(request.user), request.user, period, region, today)
    query = urlencode({**period.query(), **({"region": region} if region else {})})
    return render(request, "dashboards/dashboard.html", {
        "form": form, "period": period, "region": region, "sections": sections, "query": query, "today": today,
        "headline": figures.headline(sections, period, region)})


@login_required
def export(request, chart: str):
    require_perm(request, "dashboards.use_dashboard")
    if chart not in figures.section_keys(request.user):
        raise Http404
    _form, period, region, today = _params(request)
    section = figures.build(chart, request.user, period, region, today)
    filename = _("%(title)s %(period)s.xlsx") % {"title": section.title, "period": period.label}
    return xlsx_response(filename, sheet_title=section.title[:31], headers=section.headers, rows=iter(section.rows),
                         money_columns=section.money_columns, total_columns=())  # the section has its own 合计 row
