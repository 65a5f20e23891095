"""The dashboard's period: a month, a quarter, a year or a custom run of whole months (at most 24).

Whole months, because targets are set per month, quarter and year (RPT-3): a figure and its target always
cover the same days. Kept in the URL: ``?period=month&year=2026&month=3``, ``?period=quarter&year=2026&quarter=2``,
``?period=year&year=2026``, ``?period=custom&start=2026-01&end=2026-06``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

MAX_MONTHS = 24


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month in the period, in order."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def months_of(self, year: int) -> list[int]:
        return [m for y, m in self.months if y == year]

    @property
    def years(self) -> list[int]:
        return sorted({y for y, _m in self.months})

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Year %(year)s") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("%(year)s Q%(quarter)s") % {"year": self.start.year, "quarter": (self.start.month + 2) // 3}
        if self.kind == "month":
            return month_label(self.start.year, self.start.month)
        return _("%(start)s to %(end)s") % {"start": month_label(self.start.year, self.start.month),
                                             "end": month_label(self.end.year, self.end.month)}

    def query(self) -> dict:
        """The URL parameters that give this period back."""
        if self.kind == "custom":
            return {"period": "custom", "start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}
        params = {"period": self.kind, "year": str(self.start.year)}
        if self.kind == "quarter":
            params["quarter"] = str((self.start.month + 2) // 3)
        if self.kind == "month":
            params["month"] = str(self.start.month)
        return params


def month_label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31))


def quarter_period(year: int, quarter: int) -> Period:
    return Period("quarter", date(year, 3 * quarter - 2, 1), last_day(year, 3 * quarter))


def month_period(year: int, month: int) -> Period:
    return Period("month", date(year, month, 1), last_day(year, month))


def custom_period(start: tuple[int, int], end: tuple[int, int]) -> Period:
    return Period("custom", date(start[0], start[1], 1), last_day(*end))
