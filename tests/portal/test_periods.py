"""CAL-1 / CAL-2: working days and period ends."""

from datetime import date

import pytest

from marketing_portal import periods
from marketing_portal.models import CalendarDay
from marketing_portal.services import calendar_day_set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "kwargs", "expected"),
    [
        # The SPEC's own examples.
        (date(2026, 1, 31), {"months": 1}, date(2026, 2, 28)),  # a make-up Saturday is a working day
        (date(2026, 9, 30), {"days": 1}, date(2026, 10, 8)),  # National Day holiday runs to 10-07
        # The event day is not counted; N days end on start + N.
        (date(2026, 3, 2), {"days": 1}, date(2026, 3, 3)),
        (date(2026, 3, 2), {"days": 60}, date(2026, 5, 6)),  # 05-01..05 Labour Day holiday
        # Friday + 1 day = Saturday, a rest day -> Monday.
        (date(2026, 3, 6), {"days": 1}, date(2026, 3, 9)),
        # Months: same day of the month, or the month's last day.
        (date(2026, 3, 31), {"months": 1}, date(2026, 4, 30)),
        (date(2025, 8, 31), {"months": 6}, date(2026, 2, 28)),  # Feb has no 31st; the 28th is a make-up day
        (date(2026, 5, 15), {"months": 6}, date(2026, 11, 16)),  # 11-15 is a Sunday
    ],
)
def test_period_end_follows_the_civil_code(start, kwargs, expected):
    assert periods.period_end(start, **kwargs) == expected


def test_make_up_saturday_is_a_working_day_and_holiday_weekday_is_not():
    assert periods.is_workday(date(2026, 2, 28)) is True  # Saturday, 调休
    assert periods.is_workday(date(2026, 10, 1)) is False  # Thursday, National Day
    assert periods.is_workday(date(2026, 10, 9)) is True  # Friday after the holiday


def test_entered_days_override_the_package(demo):
    admin = demo.user("sysadmin")
    # A Thursday the package calls a working day becomes a holiday once entered.
    assert periods.is_workday(date(2026, 12, 10)) is True
    calendar_day_set(day=date(2026, 12, 10), kind=CalendarDay.Kind.HOLIDAY, name="演练", by=admin)
    periods.invalidate_calendar_cache()
    assert periods.is_workday(date(2026, 12, 10)) is False
    assert periods.period_end(date(2026, 12, 9), days=1) == date(2026, 12, 11)


def test_uncovered_year_falls_back_to_weekends_and_entered_days_cover_it(demo):
    assert not periods.package_covers(2027)
    assert periods.year_is_covered(2027) is False
    assert periods.is_workday(date(2027, 1, 1)) is True  # a Friday: unknown holiday, weekend rule only
    assert periods.is_workday(date(2027, 1, 2)) is False  # Saturday
    calendar_day_set(day=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦", by=demo.user("sysadmin"))
    periods.invalidate_calendar_cache()
    assert periods.year_is_covered(2027) is True
    assert periods.is_workday(date(2027, 1, 1)) is False
    assert periods.period_end(date(2026, 12, 31), days=1) == date(2027, 1, 4)


def test_negative_periods_are_refused():
    with pytest.raises(ValueError):
        periods.period_end(date(2026, 1, 1), days=-1)
