"""Working days and period ends (SPEC CAL-1, CAL-2): the calendar rules every deadline is built on.

* ``is_workday(day)`` answers from, in this order:

  1. a day entered in the app (holiday or make-up working day);
  2. for a year the ``chinese-calendar`` package covers: the package;
  3. for a year with entered days (the official notice, pasted or uploaded): weekends only besides them;
  4. for a year with neither: the **provisional** statutory days of 《全国年节及纪念日放假办法》
     (``marketing_portal.statutory``) besides weekends — no make-up working day is invented;
  5. weekends only (years before the 2024 amendment that the package does not know).

* A year is **settled** when the package covers it or authorised staff confirmed it follows the official
  notice (``CalendarYear``); until then every period that looks at one of its days is provisional.
* ``period_end(start, days=, months=)`` applies the PRC Civil Code arts. 201-203: the day of the
  event is not counted; N days end on start + N; N months end on the same day of the N-th following
  month, or on its last day when it has no such day; a period ending on a rest day ends on the next
  working day. ``period_end_detail`` says in addition whether the answer rested on an unsettled year.

The only data read is the calendar itself (entered days and confirmed years, cached per process for a
short time and dropped at once when this process changes them), so these functions are cheap enough to
call for every receivable in a sweep.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from . import statutory

try:  # chinese-calendar knows a fixed range of years (2004-2026 in 1.11); other years raise.
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - the package is a pinned requirement
    _cc = None

# Entered days are re-read at most this often by processes that did not change them themselves.
CACHE_SECONDS = 30

# Where the answer for a day comes from (``source_of``) …
ENTERED, PACKAGE, PROVISIONAL, WEEKEND = "entered", "package", "provisional", "weekend"
# … and what is known about a year (``year_status``).
YEAR_PACKAGE, YEAR_CONFIRMED, YEAR_ENTERED, YEAR_PROVISIONAL, YEAR_WEEKENDS = (
    "package", "confirmed", "entered", "provisional", "weekends",
)


@dataclass(frozen=True)
class _Snapshot:
    days: dict[date, tuple[bool, str]]  # entered day -> (is_workday, name)
    years: frozenset[int]  # years with entered days
    confirmed: frozenset[int]  # years confirmed against the official notice


_lock = threading.Lock()
_cache: dict[str, object] = {"loaded_at": None, "snapshot": None}


def _snapshot() -> _Snapshot:
    loaded_at = _cache["loaded_at"]
    if loaded_at is None or time.monotonic() - loaded_at > CACHE_SECONDS:
        from .models import CalendarDay, CalendarYear  # imported late: this module is used before apps load

        days = {
            d: (kind == CalendarDay.Kind.WORKDAY, name)
            for d, kind, name in CalendarDay.objects.values_list("day", "kind", "name")
        }
        confirmed = frozenset(CalendarYear.objects.filter(confirmed_at__isnull=False).values_list("year", flat=True))
        snapshot = _Snapshot(days=days, years=frozenset(d.year for d in days), confirmed=confirmed)
        with _lock:
            _cache["snapshot"] = snapshot
            _cache["loaded_at"] = time.monotonic()
    return _cache["snapshot"]  # type: ignore[return-value]


def invalidate_calendar_cache() -> None:
    """Forget the entered days and confirmations; the next question reads them again."""
    with _lock:
        _cache["loaded_at"] = None


@functools.lru_cache(maxsize=256)
def package_covers(year: int) -> bool:
    """Whether the holiday package has data for ``year`` (fixed for the life of the process)."""
    if _cc is None:
        return False
    try:
        _cc.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def year_has_entered_days(year: int) -> bool:
    return year in _snapshot().years


def year_is_confirmed(year: int) -> bool:
    return year in _snapshot().confirmed


def year_status(year: int) -> str:
    """``package``, ``confirmed``, ``entered`` (not yet confirmed), ``provisional`` or ``weekends``."""
    if package_covers(year):
        return YEAR_PACKAGE
    if year_is_confirmed(year):
        return YEAR_CONFIRMED
    if year_has_entered_days(year):
        return YEAR_ENTERED
    return YEAR_PROVISIONAL if statutory.applies_to(year) else YEAR_WEEKENDS


def year_is_settled(year: int) -> bool:
    """Whether deadlines in ``year`` are final: the package covers it or its notice was confirmed."""
    return package_covers(year) or year_is_confirmed(year)


def year_is_covered(year: int) -> bool:
    """Whether the holidays of ``year`` are known at all (package, entered days or provisional statutory days)."""
    return year_status(year) != YEAR_WEEKENDS


def provisional_days(year: int) -> dict[date, str]:
    """The provisional rest days of ``year`` with their names, or nothing when the year needs none."""
    if year_status(year) != YEAR_PROVISIONAL:
        return {}
    return {day: statutory.day_name(keys) for day, keys in statutory.statutory_days(year).items()}


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


def _answer(day: date) -> tuple[bool, str]:
    """``(is_workday, source)`` for one day, in the order of the module docstring."""
    snapshot = _snapshot()
    entered = snapshot.days.get(day)
    if entered is not None:
        return entered[0], ENTERED
    packaged = _package_is_workday(day)
    if packaged is not None:
        return packaged, PACKAGE
    if day.year not in snapshot.years and day in statutory.statutory_days(day.year):
        return False, PROVISIONAL
    return day.weekday() < 5, WEEKEND


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day; make-up working days (调休) count as working days."""
    return _answer(day)[0]


def source_of(day: date) -> str:
    """Where the answer for ``day`` comes from: ``entered``, ``package``, ``provisional`` or ``weekend``."""
    return _answer(day)[1]


def day_name(day: date) -> str:
    """The name of an entered or provisional day (``春节``), else an empty string."""
    entered = _snapshot().days.get(day)
    if entered is not None:
        return entered[1]
    return provisional_days(day.year).get(day, "")


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


@dataclass(frozen=True)
class PeriodEnd:
    """A period's end and what it rested on.

    ``raw`` is start + period before moving off rest days; ``end`` the last day (24:00 Asia/Shanghai);
    ``provisional`` is true when a day from ``raw`` to ``end`` lies in a year that is not settled (neither
    the package nor a confirmed notice covers it), so the end may still move when the notice is entered.
    """

    end: date
    raw: date
    provisional: bool

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.raw.year, self.end.year + 1))


def period_end_detail(start: date, *, days: int = 0, months: int = 0) -> PeriodEnd:
    raw = raw_period_end(start, days=days, months=months)
    end = next_workday(raw)
    provisional = any(not year_is_settled(year) for year in range(raw.year, end.year + 1))
    return PeriodEnd(end=end, raw=raw, provisional=provisional)


def period_end(start: date, *, days: int = 0, months: int = 0) -> date:
    """The last day (ending 24:00 Asia/Shanghai) of a period of ``months`` months plus ``days`` days from ``start``.

    >>> period_end(date(2026, 1, 31), months=1)   # 2026-02-28 is a make-up Saturday
    datetime.date(2026, 2, 28)
    >>> period_end(date(2026, 9, 30), days=1)     # National Day holiday until 10-07
    datetime.date(2026, 10, 8)
    """
    return next_workday(raw_period_end(start, days=days, months=months))


def years_to_confirm(*, today: date, years_in_use=()) -> list[int]:
    """Years the administrators must still confirm (CAL-2 banner), ascending.

    This year; from 1 November also the following year; and any other year in use (a stored deadline,
    entered days) from this year on — each only while it is not settled.
    """
    candidates = {today.year, *(y for y in years_in_use if y >= today.year)}
    if today.month >= 11:
        candidates.add(today.year + 1)
    candidates |= {y for y in _snapshot().years if y >= today.year}
    return sorted(y for y in candidates if not year_is_settled(y))
