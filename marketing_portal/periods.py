"""Working days and period ends (SPEC CAL-1, CAL-2): the calendar rules every deadline is built on.

* ``is_workday(day)`` answers from, in this order: days entered in the app (holiday or make-up
  working day), the ``chinese-calendar`` package for the years it covers, and weekends only.
* ``period_end(start, days=, months=)`` applies the PRC Civil Code arts. 201-203: the day of the
  event is not counted; N days end on start + N; N months end on the same day of the N-th following
  month, or on its last day when it has no such day; a period ending on a rest day ends on the next
  working day.

The only data read is the calendar itself (entered days, cached per process for a short time and
dropped at once when this process changes them), so these functions are cheap enough to call for
every receivable in a sweep.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

try:  # chinese-calendar knows a fixed range of years (2004-2026 in 1.11); other years raise.
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - the package is a pinned requirement
    _cc = None

# Entered days are re-read at most this often by processes that did not change them themselves.
CACHE_SECONDS = 30

_lock = threading.Lock()
_cache: dict[str, object] = {"loaded_at": None, "days": {}}


def _entered_days() -> dict[date, bool]:
    """Days entered in the app: ``{day: is_workday}``."""
    loaded_at = _cache["loaded_at"]
    if loaded_at is None or time.monotonic() - loaded_at > CACHE_SECONDS:
        from .models import CalendarDay  # imported late: this module is also used before apps load

        days = {d: kind == CalendarDay.Kind.WORKDAY for d, kind in CalendarDay.objects.values_list("day", "kind")}
        with _lock:
            _cache["days"] = days
            _cache["loaded_at"] = time.monotonic()
    return _cache["days"]  # type: ignore[return-value]


def invalidate_calendar_cache() -> None:
    """Forget the entered days; the next question reads them again."""
    with _lock:
        _cache["loaded_at"] = None


def package_covers(year: int) -> bool:
    """Whether the holiday package has data for ``year``."""
    if _cc is None:
        return False
    try:
        _cc.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def year_has_entered_days(year: int) -> bool:
    return any(d.year == year for d in _entered_days())


def year_is_covered(year: int) -> bool:
    """Whether the calendar of ``year`` is known (package or entered days); otherwise weekends are assumed."""
    return package_covers(year) or year_has_entered_days(year)


def source_of(day: date) -> str:
    """Where the answer for ``day`` comes from: ``"entered"``, ``"package"`` or ``"weekend"``."""
    if day in _entered_days():
        return "entered"
    return "package" if package_covers(day.year) else "weekend"


@functools.lru_cache(maxsize=16384)
def _package_is_workday(day: date) -> bool | None:
    """The package's answer, or None for a year it does not cover.

    Cached because the package's data never changes in a process and each of its lookups costs ~17 µs
    (it recomputes its year range every call): the receivables sweep asks for every receivable.
    """
    if _cc is None:
        return None
    try:
        return bool(_cc.is_workday(day))
    except NotImplementedError:
        return None


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day; make-up working days (调休) count as working days."""
    entered = _entered_days().get(day)
    if entered is not None:
        return entered
    packaged = _package_is_workday(day)
    if packaged is not None:
        return packaged
    return day.weekday() < 5


def next_workday(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    # A calendar has at most a few weeks of consecutive rest days; a year is a generous bound.
    for _ in range(366):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day within a year after {day}")


def raw_period_end(start: date, *, days: int = 0, months: int = 0) -> date:
    """The last day of the period before moving off rest days."""
    if days < 0 or months < 0:
        raise ValueError("a period cannot be negative")
    # relativedelta keeps the day of month, or takes the month's last day when it has no such day.
    return start + relativedelta(months=months) + timedelta(days=days)


def period_end(start: date, *, days: int = 0, months: int = 0) -> date:
    """The last day (ending 24:00 Asia/Shanghai) of a period of ``months`` months plus ``days`` days from ``start``.

    >>> period_end(date(2026, 1, 31), months=1)   # 2026-02-28 is a make-up Saturday
    datetime.date(2026, 2, 28)
    >>> period_end(date(2026, 9, 30), days=1)     # National Day holiday until 10-07
    datetime.date(2026, 10, 8)
    """
    return next_workday(raw_period_end(start, days=days, months=months))
