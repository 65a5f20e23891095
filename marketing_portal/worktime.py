"""Working-time arithmetic on the CAL calendar: service levels measured in working hours (REP, CAL-2).

A working day (``periods.is_workday``: entered days, then the holiday package, then weekends; make-up
Saturdays 调休 count) has working hours from ``day_start`` to ``day_end`` (a policy value, e.g.
08:30–17:30) in Asia/Shanghai; other time does not count. Pure functions: the only data read is the
calendar through ``is_workday``, which a caller (or a test) may replace.

Example (working day 08:30–17:30): Friday 2026-03-06 16:30 + 2 working hours is Monday 2026-03-09
09:30, the weekend does not count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from . import periods

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A stretch of rest days is at most a few weeks; ten years bounds any loop on a broken calendar.
MAX_DAYS = 3660


def parse_clock(value: str) -> time:
    """``"08:30"`` → ``time(8, 30)``; ``ValueError`` for anything else."""
    text = str(value).strip().replace("：", ":")
    hours, _sep, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a clock time: {value!r}")
    return time(int(hours), int(minutes))


def _window(day: date, day_start: time, day_end: time, tz) -> tuple[datetime, datetime]:
    return datetime.combine(day, day_start, tzinfo=tz), datetime.combine(day, day_end, tzinfo=tz)


def _check(day_start: time, day_end: time) -> None:
    if day_end <= day_start:
        raise ValueError("the working day must end after it starts")


def working_seconds_between(start: datetime, end: datetime, *, day_start: time, day_end: time,
                            is_workday: Callable[[date], bool] | None = None, tz=SHANGHAI) -> int:
    """Working seconds from ``start`` to ``end`` (aware datetimes); 0 when ``end`` is not after ``start``."""
    _check(day_start, day_end)
    is_workday = is_workday or periods.is_workday
    if end <= start:
        return 0
    start, end = start.astimezone(tz), end.astimezone(tz)
    total = 0
    day = start.date()
    for _ in range(MAX_DAYS * 10):
        if day > end.date():
            break
        if is_workday(day):
            opens, closes = _window(day, day_start, day_end, tz)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += int((hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


def working_hours_between(start: datetime, end: datetime, *, day_start: time, day_end: time,
                          is_workday: Callable[[date], bool] | None = None, tz=SHANGHAI) -> Decimal:
    """Working hours from ``start`` to ``end``, to two decimals (e.g. ``Decimal("1.50")``)."""
    seconds = working_seconds_between(start, end, day_start=day_start, day_end=day_end, is_workday=is_workday, tz=tz)
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def add_working_hours(start: datetime, hours, *, day_start: time, day_end: time,
                      is_workday: Callable[[date], bool] | None = None, tz=SHANGHAI) -> datetime:
    """The instant ``hours`` working hours after ``start`` (an aware datetime), in ``tz``.

    Time outside working hours is skipped: a call at 20:00 with 1 working hour is due at 09:30 on the
    next working day (working day 08:30–17:30). Zero hours is ``start`` itself.
    """
    _check(day_start, day_end)
    is_workday = is_workday or periods.is_workday
    remaining = Decimal(str(hours)) * 3600
    if remaining < 0:
        raise ValueError("hours cannot be negative")
    cursor = start.astimezone(tz)
    if remaining == 0:
        return cursor
    day = cursor.date()
    for _ in range(MAX_DAYS):
        if is_workday(day):
            opens, closes = _window(day, day_start, day_end, tz)
            lo = max(opens, cursor)
            if closes > lo:
                available = Decimal(int((closes - lo).total_seconds()))
                if remaining <= available:
                    return lo + timedelta(seconds=float(remaining))
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("no working time within ten years")
