"""Report periods (RPT-2): a week is an ISO week ``2026-W05`` (Monday to Sunday), a month ``2026-03``.

A pure rules core: parsing, labels and the due date (CAL-1 through ``marketing_portal.periods``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketing_portal.periods import is_workday, period_end

from .choices import ReportKind

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(kind: str, raw: str) -> tuple[date, date]:
    """The first and last day of the period ``raw`` of ``kind``; a clear error for anything else."""
    raw = (raw or "").strip().upper()
    try:
        if kind == ReportKind.WEEKLY:
            match = _WEEK.match(raw)
            if match:
                start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
                return start, start + timedelta(days=6)
        elif kind == ReportKind.MONTHLY:
            match = _MONTH.match(raw)
            if match:
                year, month = int(match[1]), int(match[2])
                return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        else:
            message = _("Choose a weekly or a monthly report.")
            raise ValidationError({"kind": [ValidationError(message, code="bad_kind")]})
    except ValueError:
        pass
    example = "2026-W05" if kind == ReportKind.WEEKLY else "2026-03"
    raise ValidationError({"period": [ValidationError(
        _("“%(raw)s” is not a period of this kind; write it like %(example)s.") % {"raw": raw, "example": example},
        code="bad_period")]})


def code_of(kind: str, start: date) -> str:
    if kind == ReportKind.WEEKLY:
        year, week, _day = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m}"


def label_of(kind: str, start: date) -> str:
    if kind == ReportKind.WEEKLY:
        year, week, _day = start.isocalendar()
        end = start + timedelta(days=6)
        return _("%(year)s week %(week)s (%(start)s–%(end)s)") % {
            "year": year, "week": week, "start": f"{start:%m-%d}", "end": f"{end:%m-%d}"}
    return _("%(year)s-%(month)02d") % {"year": start.year, "month": start.month}


def period_containing(kind: str, day: date) -> tuple[date, date]:
    if kind == ReportKind.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    return date(day.year, day.month, 1), date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def previous_period(kind: str, day: date) -> tuple[date, date]:
    """The period before the one containing ``day`` (the one a report is due for now)."""
    start, _end = period_containing(kind, day)
    return period_containing(kind, start - timedelta(days=1))


def nth_workday_after(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (not counting ``day``)."""
    current, counted = day, 0
    while counted < n:
        current += timedelta(days=1)
        if is_workday(current):
            counted += 1
    return current


def due_on(kind: str, period_end_day: date, policy) -> date:
    """Weekly: ``weekly_report_due_days`` days after the Sunday (CAL-1: Monday, or the next working day);
    monthly: the ``monthly_report_due_workdays``-th working day of the next month."""
    if kind == ReportKind.WEEKLY:
        return period_end(period_end_day, days=policy.weekly_report_due_days)
    return nth_workday_after(period_end_day, policy.monthly_report_due_workdays)
