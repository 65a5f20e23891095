"""HND-2/3/6 with CAL-1/3: the 1-day periods around weekends, make-up working days, holidays and entered days."""

from datetime import date
from decimal import Decimal

import pytest

from handoff.choices import CostingState, HandoffState
from handoff.models import Costing
from handoff.services import costing_return, costing_submit
from marketing_portal.policy import current_policy, policy_update

from .conftest import COSTS, at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 9, 30, 16), date(2026, 10, 8)),   # CAL-3: National Day 10-01…07, due the first working day after
        (at(2026, 3, 6, 11), date(2026, 3, 9)),     # Friday → the weekend is skipped → Monday
        (at(2026, 3, 4, 9), date(2026, 3, 5)),      # Wednesday → Thursday
        (at(2026, 9, 24, 10), date(2026, 9, 28)),   # Thursday before the Mid-Autumn Friday and a weekend → Monday
        (at(2026, 2, 13, 17), date(2026, 2, 14)),   # Friday → Saturday 02-14 is a make-up working day (调休)
        (at(2026, 2, 27, 10), date(2026, 2, 28)),   # Friday → Saturday 02-28, make-up working day
        (at(2026, 5, 8, 10), date(2026, 5, 9)),     # Friday → Saturday 05-09, make-up working day
        (at(2026, 10, 10, 10), date(2026, 10, 12)),  # received on a make-up Saturday → Sunday 10-11 rests → Monday
        (at(2026, 2, 12, 10), date(2026, 2, 13)),   # Thursday → Friday before the Spring Festival
        (at(2026, 2, 14, 10), date(2026, 2, 24)),   # make-up Saturday → Spring Festival 02-15…23 → Tuesday 02-24
        (at(2026, 9, 29, 23, 30), date(2026, 9, 30)),  # 23:30 Beijing is still the 29th: due the 30th
        (at(2026, 9, 30, 0, 30), date(2026, 10, 8)),   # 00:30 Beijing (16:30 UTC the day before) is the 30th
    ],
)
def test_costing_due_is_one_day_under_cal1(hf, received, due):
    # given / when a sheet is issued (received by XXX) at that moment
    handoff = hf.handoff(now=received)
    costing = handoff.costings.get()
    # then XXX's period ends on the first working day on or after receipt + 1 day, 24:00 Beijing time
    assert costing.received_on == received.date()
    assert costing.due_on == due
    assert costing.policy_version == current_policy().version


def test_sunday_make_up_day_counts_as_working_day(hf):
    # 2026-09-20 is a Sunday worked in exchange for the holidays: a sheet on Saturday 09-19 is due that Sunday
    handoff = hf.handoff(now=at(2026, 9, 19, 10))
    assert handoff.costings.get().due_on == date(2026, 9, 20)


def test_review_due_runs_from_the_submission_date(hf, demo):
    # given a sheet costed on 2026-09-30 (the eve of National Day)
    handoff = hf.handoff(now=at(2026, 9, 29, 10))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS, now=at(2026, 9, 30, 15))
    costing = Costing.objects.get(handoff=handoff)
    # then Finance's review is due on 10-08 and XXX was on time (due 09-30)
    assert costing.review_received_on == date(2026, 9, 30)
    assert costing.review_due_on == date(2026, 10, 8)
    assert costing.costing_on_time is True
    assert costing.review_policy_version == current_policy().version


def test_submission_after_midnight_of_the_due_day_is_late(hf, demo):
    handoff = hf.handoff(now=at(2026, 3, 4, 9))                       # due Thursday 03-05 24:00
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS,
                   now=at(2026, 3, 6, 0, 5))                           # five past midnight: Friday
    assert Costing.objects.get(handoff=handoff).costing_on_time is False
    handoff2 = hf.handoff(now=at(2026, 3, 4, 9))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff2.pk, lines=COSTS, now=at(2026, 3, 5, 23, 59))
    assert Costing.objects.get(handoff=handoff2).costing_on_time is True


def test_return_restarts_the_xxx_clock_from_the_return_date(hf, demo):
    # given a costing submitted on Wednesday 09-23 and returned by Finance on Thursday 09-24
    handoff = hf.handoff(now=at(2026, 9, 22, 10))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS, now=at(2026, 9, 23, 10))
    revision = costing_return(by=demo.user("finance"), handoff_id=handoff.pk, reason="人工单价偏高，请复核",
                              now=at(2026, 9, 24, 16))
    # then version 2 starts on the return date and is due Monday 09-28 (Mid-Autumn Friday, weekend)
    assert revision.version == 2
    assert revision.state == CostingState.OPEN
    assert revision.received_on == date(2026, 9, 24)
    assert revision.due_on == date(2026, 9, 28)
    first = Costing.objects.get(handoff=handoff, version=1)
    assert first.state == CostingState.RETURNED and first.review_comment == "人工单价偏高，请复核"
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.COSTING


def test_a_policy_change_applies_to_new_periods_and_never_rewrites_old_ones(hf, demo):
    # given a sheet under the regulation's 1 day
    first = hf.handoff(now=at(2026, 3, 4, 9)).costings.get()
    old_version = first.policy_version
    # when authorised staff change the costing period to 2 days
    new = policy_update(changes={"handoff_costing_days": 2}, by=demo.user("director"), reason="试行两日核算")
    second = hf.handoff(now=at(2026, 3, 4, 9)).costings.get()
    # then the new sheet uses 2 days and records the new version; the old one keeps its deadline and version
    assert second.due_on == date(2026, 3, 6) and second.policy_version == new.version
    first.refresh_from_db()
    assert first.due_on == date(2026, 3, 5) and first.policy_version == old_version


def test_days_entered_in_the_app_override_the_package(hf, demo):
    from marketing_portal.services import calendar_day_set

    # given Administration entered Thursday 2026-03-05 as a holiday (e.g. a local holiday)
    calendar_day_set(by=demo.user("sysadmin"), day=date(2026, 3, 5), kind="holiday", name="地方假日")
    # then a sheet of Wednesday is due Friday
    assert hf.handoff(now=at(2026, 3, 4, 9)).costings.get().due_on == date(2026, 3, 6)


def test_a_year_the_package_does_not_know_counts_the_provisional_statutory_holidays(hf):
    # chinese-calendar knows no 2027: its statutory days count provisionally (CAL-2), and nothing crashes
    assert hf.handoff(now=at(2027, 1, 1, 10)).costings.get().due_on == date(2027, 1, 4)  # Saturday → Monday
    # Thursday 02-04 + 1 = 除夕 Friday 02-05, then 正月初一至初三 (02-06…08) → Tuesday 02-09
    assert hf.handoff(now=at(2027, 2, 4, 10)).costings.get().due_on == date(2027, 2, 9)


def test_costed_total_is_exact_decimal(hf, demo):
    handoff = hf.handoff(now=at(2026, 3, 4, 9))
    costing = costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, now=at(2026, 3, 4, 15),
                             lines=[{"category": "material", "description": "螺栓", "quantity": "3", "unit": "套",
                                     "unit_price": "0.10"},
                                    {"category": "labour", "description": "零工", "quantity": "0.333", "unit": "工日",
                                     "unit_price": "100"}])
    assert costing.total == Decimal("33.60")  # 0.30 + 33.30, no float drift
