"""Working-time arithmetic (marketing_portal.worktime) on the CAL calendar: examples across a weekend, a
holiday and a make-up Saturday (调休), with the working day 08:30–17:30."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from marketing_portal import worktime

SH = ZoneInfo("Asia/Shanghai")
# The calendar reads the days entered in the app (CAL-2), so these examples use the database.
pytestmark = pytest.mark.django_db

DAY = {"day_start": time(8, 30), "day_end": time(17, 30)}


def at(*args):
    return datetime(*args, tzinfo=SH)


def weekends_only(day: date) -> bool:
    return day.weekday() < 5


def test_within_one_working_day():
    assert worktime.add_working_hours(at(2026, 3, 4, 9, 0), 2, **DAY) == at(2026, 3, 4, 11, 0)
    assert worktime.working_hours_between(at(2026, 3, 4, 9, 0), at(2026, 3, 4, 11, 15), **DAY) == Decimal("2.25")


def test_across_a_weekend():
    # Friday 16:30 + 2 working hours: one hour on Friday, one on Monday morning.
    assert worktime.add_working_hours(at(2026, 3, 6, 16, 30), 2, **DAY) == at(2026, 3, 9, 9, 30)
    assert worktime.working_hours_between(at(2026, 3, 6, 16, 30), at(2026, 3, 9, 9, 30), **DAY) == Decimal("2.00")


def test_a_call_out_of_hours_starts_counting_at_the_next_opening():
    assert worktime.add_working_hours(at(2026, 3, 4, 20, 0), 1, **DAY) == at(2026, 3, 5, 9, 30)
    assert worktime.add_working_hours(at(2026, 3, 4, 6, 0), 1, **DAY) == at(2026, 3, 4, 9, 30)
    assert worktime.working_hours_between(at(2026, 3, 4, 18, 0), at(2026, 3, 5, 8, 0), **DAY) == Decimal("0.00")


def test_across_national_day_holiday():
    # 2026-09-30 (Wed) 17:00 + 1 working hour: 10-01..10-07 are holidays, 10-08 is the next working day.
    assert worktime.add_working_hours(at(2026, 9, 30, 17, 0), 1, **DAY) == at(2026, 10, 8, 9, 0)
    assert worktime.working_hours_between(at(2026, 9, 30, 17, 0), at(2026, 10, 8, 9, 0), **DAY) == Decimal("1.00")


def test_a_make_up_saturday_counts():
    # 2026-02-28 is a make-up working Saturday (调休): Friday 17:00 + 1 h ends on Saturday 09:00.
    assert worktime.add_working_hours(at(2026, 2, 27, 17, 0), 1, **DAY) == at(2026, 2, 28, 9, 0)
    # With a weekends-only calendar the same hour ends on Monday.
    assert worktime.add_working_hours(at(2026, 2, 27, 17, 0), 1, is_workday=weekends_only, **DAY) == \
        at(2026, 3, 2, 9, 0)


def test_day_hours_are_a_parameter_and_results_are_in_beijing_time():
    utc = datetime(2026, 3, 4, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 Beijing
    due = worktime.add_working_hours(utc, 3, day_start=time(9, 0), day_end=time(11, 0))
    assert due == at(2026, 3, 5, 10, 0) and due.tzinfo == SH


def test_round_trip_and_bad_arguments():
    start = at(2026, 4, 30, 15, 0)  # before the May Day holiday (05-01..05-05)
    end = worktime.add_working_hours(start, 7.5, **DAY)
    assert worktime.working_hours_between(start, end, **DAY) == Decimal("7.50")
    assert worktime.add_working_hours(start, 0, **DAY) == start
    with pytest.raises(ValueError):
        worktime.add_working_hours(start, -1, **DAY)
    with pytest.raises(ValueError):
        worktime.working_hours_between(start, end, day_start=time(18, 0), day_end=time(9, 0))
    assert worktime.parse_clock("08:30") == time(8, 30) and worktime.parse_clock("17：30") == time(17, 30)
    for bad in ("8", "25:00", "ab:cd", "8:3"):
        with pytest.raises(ValueError):
            worktime.parse_clock(bad)
