"""The working-day calendar page (CAL-1/CAL-2): the year at a glance, entering a year at once from the
State Council's notice or a file (preview, then save), confirming a year, one day at a time, and the
deadline calculator. Views stay thin: parsing is ``calendar_input``, every write a ``services`` call."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import periods
from .calendar_forms import CalendarDayForm, ConfirmYearForm, ImportForm, NoticeForm, PeriodCheckForm, TableUploadForm
from .calendar_input import CalendarInputError, parse_csv, parse_notice, parse_table, to_csv
from .models import CalendarDay, CalendarImport, CalendarYear
from .services import (
    FIRST_YEAR,
    LAST_YEAR,
    calendar_day_remove,
    calendar_day_set,
    calendar_year_changes,
    calendar_year_confirm,
    calendar_year_import,
)
from .web import apply_errors, safe_next, show_errors


def _month_grid(year: int, answer) -> list:
    """Every month of ``year`` as weeks of cells ``{day, rest, makeup, source, name}`` (None outside the month)."""
    months = []
    cal = pycalendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in cal.monthdatescalendar(year, month):
            weeks.append([answer(d) if d.month == month else None for d in week])
        months.append((month, weeks))
    return months


def _calendar_cell(day: date) -> dict:
    workday, source = periods.is_workday(day), periods.source_of(day)
    return {"day": day, "rest": not workday, "makeup": workday and day.weekday() >= 5, "source": source,
            "name": periods.day_name(day)}


def _preview_cell(days: dict) -> callable:
    def cell(day: date) -> dict:
        entry = days.get(day)
        if entry is None:
            return {"day": day, "rest": day.weekday() >= 5, "makeup": False, "source": "weekend", "name": ""}
        return {"day": day, "rest": entry.kind == CalendarDay.Kind.HOLIDAY,
                "makeup": entry.kind == CalendarDay.Kind.WORKDAY, "source": "entered", "name": entry.name}
    return cell


def _page(request, year: int, *, status: int = 200, **forms) -> HttpResponse:
    check = PeriodCheckForm(request.GET if "start" in request.GET else None)
    result = None
    if check.is_bound and check.is_valid():
        data = check.cleaned_data
        result = periods.period_end_detail(data["start"], days=data.get("days") or 0, months=data.get("months") or 0)
    provisional = periods.provisional_days(year)
    return render(request, "portal/calendar.html", {
        "year": year,
        "status": periods.year_status(year),
        "record": CalendarYear.objects.filter(year=year).select_related("confirmed_by").first(),
        "entered": CalendarDay.objects.filter(day__year=year).select_related("created_by"),
        "imports": CalendarImport.objects.filter(year=year).select_related("created_by")[:5],
        "provisional": sorted(provisional.items()),
        "months": _month_grid(year, _calendar_cell),
        "form": forms.get("form") or CalendarDayForm(),
        "notice_form": forms.get("notice_form") or NoticeForm(),
        "upload_form": forms.get("upload_form") or TableUploadForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmYearForm(),
        "check": check,
        "result": result,
    }, status=status)


def _year_or_none(raw) -> int | None:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _back(year: int) -> str:
    return f"{reverse('calendar')}?year={year}"


@login_required
def calendar_page(request):
    year = _year_or_none(request.GET.get("year", timezone.localdate().year))
    if year is None:
        messages.error(request, _("Choose a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR,
                                                                                      "last": LAST_YEAR})
        return redirect("calendar")
    if request.method != "POST":
        return _page(request, year)
    if not request.user.has_perm("portal.add_calendarday"):
        return HttpResponse(status=403)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            entry = calendar_day_set(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(day)s saved.") % {"day": entry})
            return redirect(_back(entry.day.year))
    return _page(request, year, form=form)


@login_required
@permission_required("portal.enter_calendaryear", raise_exception=True)
@require_POST
def calendar_preview(request, year):
    """Read a pasted notice or an uploaded file and show what saving it would change; stores nothing."""
    if _year_or_none(year) is None:
        return HttpResponse(status=404)
    if "file" in request.FILES:
        form, source = TableUploadForm(request.POST, request.FILES), CalendarImport.Source.FILE
        forms = {"upload_form": form}
    else:
        form, source = NoticeForm(request.POST), CalendarImport.Source.NOTICE
        forms = {"notice_form": form}
    if not form.is_valid():
        return _page(request, year, **forms)
    try:
        if source == CalendarImport.Source.FILE:
            upload = form.cleaned_data["file"]
            days, text, file_name = parse_table(upload.read(), upload.name, year=year), "", upload.name
        else:
            text, file_name = form.cleaned_data["text"], ""
            days = parse_notice(text, year=year)
        changes = calendar_year_changes(year=year, days=days)
    except CalendarInputError as exc:
        form.add_error(None, exc)
        return _page(request, year, **forms)
    carry = ImportForm(initial={"payload": to_csv(days), "source": source, "fingerprint": changes.fingerprint,
                                "text": text, "file_name": file_name})
    return render(request, "portal/calendar_preview.html", {
        "year": year, "changes": changes, "carry": carry, "source": source, "file_name": file_name,
        "months": _month_grid(year, _preview_cell({d.day: d for d in days})),
        "replaces_provisional": periods.year_status(year) == periods.YEAR_PROVISIONAL,
        "record": CalendarYear.objects.filter(year=year).first(),
    })


@login_required
@permission_required("portal.enter_calendaryear", raise_exception=True)
@require_POST
def calendar_import(request, year):
    """Save what the preview showed: the whole arrangement of the year, all or nothing."""
    form = ImportForm(request.POST)
    if _year_or_none(year) is None or not form.is_valid():
        messages.error(request, _("The preview was incomplete; paste the notice or upload the file again."))
        return redirect(_back(year))
    data = form.cleaned_data
    try:
        changes = calendar_year_import(
            year=year, days=parse_csv(data["payload"], year=year), by=request.user, source=data["source"],
            text=data["text"], file_name=data["file_name"], expected=data["fingerprint"],
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(_back(year))
    if changes.count:
        messages.success(request, _(
            "The arrangement of %(year)s is saved: %(added)s days added, %(changed)s changed, %(removed)s removed. "
            "Confirm the year once it is checked against the notice."
        ) % {"year": year, "added": len(changes.added), "changed": len(changes.changed),
             "removed": len(changes.removed)})
    else:
        messages.info(request, _("The calendar of %(year)s already had exactly these days; nothing changed.")
                      % {"year": year})
    return redirect(_back(year))


@login_required
@permission_required("portal.confirm_calendaryear", raise_exception=True)
@require_POST
def calendar_confirm(request, year):
    form = ConfirmYearForm(request.POST)
    if _year_or_none(year) is None:
        return HttpResponse(status=404)
    if form.is_valid():
        try:
            calendar_year_confirm(year=year, notice=form.cleaned_data["notice"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(year)s is confirmed: its deadlines are no longer provisional.")
                             % {"year": year})
            return redirect(_back(year))
    return _page(request, year, confirm_form=form)


@login_required
@permission_required("portal.delete_calendarday", raise_exception=True)
@require_POST
def calendar_day_delete(request, pk):
    try:
        calendar_day_remove(day_id=pk, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The entered day was removed."))
    return redirect(safe_next(request, "calendar"))
