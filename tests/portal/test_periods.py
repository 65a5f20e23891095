"""CAL-1 / CAL-2: working days and period ends."""

from datetime import date, timedelta

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


def test_entered_days_of_an_uncovered_year_replace_its_provisional_holidays(demo):
    # given 2027: no package data, nothing entered -> the statutory days count provisionally
    assert not periods.package_covers(2027)
    assert periods.year_status(2027) == periods.YEAR_PROVISIONAL
    assert periods.is_workday(date(2027, 1, 1)) is False and periods.source_of(date(2027, 1, 1)) == "provisional"
    assert periods.is_workday(date(2027, 2, 5)) is False  # 除夕, a Friday
    # when the make-up Saturday of a notice is entered
    calendar_day_set(day=date(2027, 2, 20), kind=CalendarDay.Kind.WORKDAY, name="春节", by=demo.user("sysadmin"))
    periods.invalidate_calendar_cache()
    # then the year follows its entered days and weekends only (the provisional days are gone), not yet settled
    assert periods.year_status(2027) == periods.YEAR_ENTERED
    assert periods.is_workday(date(2027, 2, 20)) is True
    assert periods.is_workday(date(2027, 1, 1)) is True and periods.source_of(date(2027, 1, 1)) == "weekend"
    assert periods.year_is_settled(2027) is False


def test_negative_periods_are_refused():
    with pytest.raises(ValueError):
        periods.period_end(date(2026, 1, 1), days=-1)


# --- Provisional statutory holidays (CAL-2, decision of turn 2) -------------------------------------------

PROVISIONAL_2027 = {
    date(2027, 1, 1): "元旦",
    # 除夕, 初一至初三
    date(2027, 2, 5): "春节", date(2027, 2, 6): "春节", date(2027, 2, 7): "春节", date(2027, 2, 8): "春节",
    date(2027, 4, 5): "清明节",
    date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
    date(2027, 6, 9): "端午节",
    date(2027, 9, 15): "中秋节",
    date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节",
}
PROVISIONAL_2028 = {
    date(2028, 1, 1): "元旦",
    date(2028, 1, 25): "春节", date(2028, 1, 26): "春节", date(2028, 1, 27): "春节", date(2028, 1, 28): "春节",
    date(2028, 4, 4): "清明节",
    date(2028, 5, 1): "劳动节", date(2028, 5, 2): "劳动节",
    date(2028, 5, 28): "端午节",
    date(2028, 10, 1): "国庆节", date(2028, 10, 2): "国庆节", date(2028, 10, 3): "中秋节、国庆节",  # 中秋 on 10-03
}


@pytest.mark.parametrize(("year", "expected"), [(2027, PROVISIONAL_2027), (2028, PROVISIONAL_2028)])
def test_provisional_statutory_holidays_of_a_year_no_package_knows(year, expected):
    assert periods.provisional_days(year) == expected
    for day in expected:
        assert periods.is_workday(day) is False and periods.source_of(day) == periods.PROVISIONAL
    # no make-up working day is invented: every Saturday and Sunday of the year stays a rest day
    weekends = [date(year, 1, 1) + timedelta(days=i) for i in range(366 if year % 4 == 0 else 365)]
    assert not any(periods.is_workday(d) for d in weekends if d.weekday() >= 5)
    # and every other weekday is a working day
    assert all(periods.is_workday(d) for d in weekends if d.weekday() < 5 and d not in expected)


@pytest.mark.parametrize(
    ("start", "kwargs", "expected"),
    [
        (date(2026, 12, 31), {"days": 1}, date(2027, 1, 4)),  # the example: 元旦 Friday, then a weekend
        (date(2027, 2, 4), {"days": 1}, date(2027, 2, 9)),  # 除夕 Friday 02-05 … 初三 Monday 02-08
        (date(2027, 4, 2), {"days": 1}, date(2027, 4, 6)),  # Saturday, Sunday, 清明 Monday
        (date(2027, 6, 8), {"days": 1}, date(2027, 6, 10)),  # 端午 Wednesday
        (date(2027, 9, 14), {"days": 1}, date(2027, 9, 16)),  # 中秋 Wednesday
        (date(2027, 8, 31), {"months": 1}, date(2027, 9, 30)),  # Thursday, a working day
        (date(2027, 9, 1), {"months": 1}, date(2027, 10, 4)),  # 国庆 Friday 10-01 + weekend
        (date(2027, 3, 3), {"days": 60}, date(2027, 5, 3)),  # 05-02 is 劳动节 (a Sunday anyway)
    ],
)
def test_period_ends_in_2027_skip_the_provisional_holidays(start, kwargs, expected):
    assert periods.period_end(start, **kwargs) == expected


def test_period_end_detail_says_when_the_answer_rests_on_an_unsettled_year():
    settled = periods.period_end_detail(date(2026, 9, 30), days=1)
    assert (settled.end, settled.raw, settled.provisional) == (date(2026, 10, 8), date(2026, 10, 1), False)
    crossing = periods.period_end_detail(date(2026, 12, 30), days=1)  # ends 12-31, inside the package's 2026
    assert (crossing.end, crossing.provisional) == (date(2026, 12, 31), False)
    into_2027 = periods.period_end_detail(date(2026, 12, 31), days=1)
    assert (into_2027.end, into_2027.provisional, into_2027.years) == (date(2027, 1, 4), True, (2027,))
    assert periods.period_end_detail(date(2027, 3, 3), days=1).provisional is True  # a working day, still unsettled


def test_a_confirmed_year_is_settled_and_no_longer_provisional(demo):
    from marketing_portal.services import calendar_year_confirm

    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦", by=admin)
    calendar_year_confirm(year=2027, notice="国办发明电〔2026〕1号", by=admin)
    periods.invalidate_calendar_cache()
    assert periods.year_status(2027) == periods.YEAR_CONFIRMED
    assert periods.period_end_detail(date(2026, 12, 31), days=1).provisional is False


def test_a_year_before_the_amendment_that_no_package_knows_counts_weekends_only():
    # 2003: chinese-calendar starts in 2004, and the 2024 statutory days do not apply before 2025
    assert not periods.package_covers(2003)
    assert periods.year_status(2003) == periods.YEAR_WEEKENDS and periods.provisional_days(2003) == {}
    assert periods.is_workday(date(2003, 10, 1)) is True  # a Wednesday: nothing known, weekend rule only
    assert periods.period_end(date(2003, 10, 3), days=1) == date(2003, 10, 6)
