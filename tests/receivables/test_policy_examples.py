"""RCV-2 … RCV-7, RCV-14: the receivables rules core on worked examples.

Calendar facts used below (chinese-calendar 2025/2026; 2027 is not covered: weekends and the provisional
statutory holidays, none of which falls on a date below):
2026-01-01…03 New Year, 2026-01-04 (Sunday) a make-up working day; 2026-02-28 (Saturday) a make-up
working day; 2026-05-01…05 Labour Day; 2026-10-01…07 National Day.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from marketing_portal.policy import Policy, current_policy, default_values, defaults, policy_update
from receivables.policy import (
    Assessment,
    AssessmentInputError,
    Deadline,
    DeadlineKey,
    Event,
    Kind,
    Stage,
    Suspension,
    assess,
    assess_collection,
)

# The calendar reads the days entered in the app: every example needs the database.
pytestmark = pytest.mark.django_db

POLICY = defaults()
DAY = timedelta(days=1)


def run(accepted_on, invoiced_on=None, collected_on=None, *, as_of, policy=POLICY) -> Assessment:
    return assess(accepted_on=accepted_on, invoiced_on=invoiced_on, collected_on=collected_on, as_of=as_of,
                  policy=policy)


def policy_with(**changes) -> Policy:
    return Policy(version=7, values={**default_values(), **{k: str(v) for k, v in changes.items()}})


def keys(assessment: Assessment) -> list[str]:
    return [e.key for e in assessment.events]


# --- deadlines are period ends (CAL-1) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted_on", "invoice_deadline", "forfeit_mark", "compensation_mark"),
    [
        # The SPEC's example: 2026-02-28 is a make-up Saturday, a working day.
        (date(2026, 1, 31), date(2026, 2, 28), date(2026, 7, 31), date(2027, 2, 1)),  # 2027-01-31 is a Sunday
        # Aug 31 + 6 months has no 31st: February's last day, again the make-up Saturday.
        (date(2025, 8, 31), date(2025, 9, 30), date(2026, 2, 28), date(2026, 8, 31)),
        # 2026-01-01 New Year -> holidays to 01-03 -> 01-04, a make-up Sunday.
        (date(2025, 12, 1), date(2026, 1, 4), date(2026, 6, 1), date(2026, 12, 1)),
        # 2026-10-01 falls in National Day -> 2026-10-08; 2027-03-01 is a Monday.
        (date(2026, 9, 1), date(2026, 10, 8), date(2027, 3, 1), date(2027, 9, 1)),
        # 2026-07-05 is a Sunday -> Monday.
        (date(2026, 1, 5), date(2026, 2, 5), date(2026, 7, 6), date(2027, 1, 5)),
    ],
)
def test_invoice_milestones_are_period_ends(accepted_on, invoice_deadline, forfeit_mark, compensation_mark):
    result = run(accepted_on, as_of=accepted_on)
    assert result.invoice_deadline == result.invoice.deadline == invoice_deadline
    assert result.invoice.forfeit_mark == forfeit_mark
    assert result.invoice.compensation_mark == compensation_mark
    assert result.collection_deadline is None
    assert result.collection is None
    assert result.deduction_percent == Decimal("0")
    assert result.policy_version == 0


@pytest.mark.parametrize(
    ("invoiced_on", "collection_deadline", "forfeit_mark", "compensation_mark"),
    [
        # + 60 days = 2026-10-01 (National Day) -> 2026-10-08.
        (date(2026, 8, 2), date(2026, 10, 8), date(2027, 4, 2), date(2027, 8, 2)),
        # + 60 days = 2025-12-30; + 8 months = 2026-06-30; + 12 months = 2026-10-31, a Saturday -> 11-02.
        (date(2025, 10, 31), date(2025, 12, 30), date(2026, 6, 30), date(2026, 11, 2)),
        # + 8 months = 2026-02-28 (no 30th of February; a make-up Saturday).
        (date(2025, 6, 30), date(2025, 8, 29), date(2026, 2, 28), date(2026, 6, 30)),
    ],
)
def test_collection_milestones_are_period_ends(invoiced_on, collection_deadline, forfeit_mark, compensation_mark):
    result = run(invoiced_on - timedelta(days=10), invoiced_on, as_of=invoiced_on)
    assert result.collection_deadline == result.collection.deadline == collection_deadline
    assert result.collection.forfeit_mark == forfeit_mark
    assert result.collection.compensation_mark == compensation_mark
    assert result.collection.started_on == invoiced_on


# --- RCV-3: full 30-day steps after the invoice deadline -------------------------------------------------------

ACCEPTED = date(2026, 3, 10)
DEADLINE = date(2026, 4, 10)  # a Friday, a working day


@pytest.mark.parametrize(
    ("days_late", "percent", "steps"),
    [(0, "0", 0), (1, "0", 0), (29, "0", 0), (30, "5", 1), (31, "5", 1), (59, "5", 1), (60, "10", 2), (89, "10", 2),
     (90, "15", 3)],
)
def test_invoice_steps_the_day_before_and_the_day_of_each(days_late, percent, steps):
    as_of = DEADLINE + timedelta(days=days_late)
    result = run(ACCEPTED, as_of=as_of)
    assert result.invoice_deadline == DEADLINE
    assert result.invoice.days_late == days_late
    assert result.invoice.steps_late == steps
    assert result.deduction_percent == Decimal(percent)
    assert [(e.step, e.rule_date, e.percent) for e in result.events] == [
        (k, DEADLINE + timedelta(days=30 * k), Decimal("5")) for k in range(1, steps + 1)
    ]
    assert not result.forfeited
    assert result.suspension == Suspension.NONE


@pytest.mark.parametrize(("days_after_deadline", "percent"), [(-1, "0"), (0, "0"), (29, "0"), (30, "5"), (59, "5"),
                                                             (60, "10")])
def test_an_invoice_stops_the_clock_on_its_own_date(days_after_deadline, percent):
    invoiced_on = DEADLINE + timedelta(days=days_after_deadline)
    # An invoice dated exactly 30 days after the deadline is 30 days late: it still costs 5 %.
    result = run(ACCEPTED, invoiced_on, as_of=invoiced_on + timedelta(days=20))
    assert result.invoice.done_on == invoiced_on
    assert result.invoice.days_late == max(0, days_after_deadline)
    assert result.deduction_percent == Decimal(percent)
    # The clock stopped: a later day changes nothing for the invoice stage.
    later = run(ACCEPTED, invoiced_on, as_of=invoiced_on + timedelta(days=50))
    assert later.invoice == result.invoice


def test_steps_are_calendar_days_not_moved_for_holidays():
    # Accepted 2026-03-01 -> deadline 2026-04-01; step 1 falls on 2026-05-01, Labour Day, and still counts then.
    result = run(date(2026, 3, 1), as_of=date(2026, 5, 1))
    assert result.invoice_deadline == date(2026, 4, 1)
    assert result.events == (Event(Kind.DEDUCTION, Stage.INVOICE, 1, date(2026, 5, 1), Decimal("5.00")),)
    assert run(date(2026, 3, 1), as_of=date(2026, 4, 30)).deduction_percent == 0


def test_steps_count_from_the_holiday_adjusted_deadline():
    # Accepted 2026-09-01: the deadline moves from 10-01 to 10-08, so 30 days late is 11-07, not 10-31.
    assert run(date(2026, 9, 1), as_of=date(2026, 11, 6)).deduction_percent == 0
    assert run(date(2026, 9, 1), as_of=date(2026, 11, 7)).deduction_percent == 5


# --- RCV-4 / RCV-5: the 6- and 12-month marks of the invoice stage ----------------------------------------------

# Accepted 2026-01-05: deadline 2026-02-05, forfeiture mark 2026-07-06 (07-05 is a Sunday).
A = date(2026, 1, 5)


def test_within_time_on_the_six_month_mark_day():
    result = run(A, as_of=date(2026, 7, 6))
    assert not result.forfeited
    assert result.suspension == Suspension.NONE
    assert result.invoice.days_late == 151
    assert result.deduction_percent == Decimal("25")  # five full steps: 03-07, 04-06, 05-06, 06-05, 07-05


def test_forfeited_from_the_day_after_the_six_month_mark():
    result = run(A, as_of=date(2026, 7, 7))
    assert result.forfeited
    assert result.deduction_percent == Decimal("100")
    assert result.suspension == Suspension.MAY_SUSPEND
    assert not result.compensation_required
    assert result.events[-2:] == (
        Event(Kind.FORFEITURE, Stage.INVOICE, None, date(2026, 7, 7), Decimal("75.00")),  # tops the 25 % up
        Event(Kind.MAY_SUSPEND, Stage.INVOICE, None, date(2026, 7, 7), Decimal("0.00")),
    )
    assert sum(e.percent for e in result.events) == Decimal("100")


def test_an_invoice_on_the_six_month_mark_day_is_not_forfeited():
    on_mark = run(A, date(2026, 7, 6), as_of=date(2026, 8, 1))
    assert not on_mark.forfeited
    assert on_mark.deduction_percent == Decimal("25")
    after_mark = run(A, date(2026, 7, 7), as_of=date(2026, 8, 1))
    assert after_mark.forfeited
    assert after_mark.deduction_percent == Decimal("100")
    # The invoice stage is closed: its suspension no longer holds, the collection stage has none yet.
    assert after_mark.suspension == Suspension.NONE
    assert Kind.MAY_SUSPEND in {e.kind for e in after_mark.events}  # history is kept


def test_twelve_month_mark_day_and_the_day_after():
    # Accepted 2025-08-31: compensation mark 2026-08-31 (a Monday).
    on_mark = run(date(2025, 8, 31), as_of=date(2026, 8, 31))
    assert on_mark.suspension == Suspension.MAY_SUSPEND
    assert not on_mark.compensation_required
    after = run(date(2025, 8, 31), as_of=date(2026, 9, 1))
    assert after.suspension == Suspension.SUSPENDED
    assert after.compensation_required
    assert after.forfeited
    assert keys(after)[-2:] == ["invoice:compensation:0", "invoice:suspension:0"]
    assert {e.rule_date for e in after.events[-2:]} == {date(2026, 9, 1)}


def test_invoicing_after_the_twelve_month_mark_keeps_forfeiture_and_compensation_but_frees_the_stage():
    result = run(date(2025, 8, 31), date(2026, 9, 10), as_of=date(2026, 9, 15))
    assert result.forfeited and result.compensation_required
    assert result.deduction_percent == Decimal("100")
    assert not result.invoice.is_open
    assert result.invoice.suspension == Suspension.NONE
    # RCV-8: the invoice stage no longer calls for collection-only duty -> the sweep proposes lifting it.
    assert result.suspension == Suspension.NONE
    assert result.open_stage is result.collection
    assert result.collection_deadline == period_end_days(date(2026, 9, 10), 60)


def period_end_days(start, days):
    from marketing_portal.periods import period_end

    return period_end(start, days=days)


# --- RCV-6: collection ------------------------------------------------------------------------------------------

# Invoiced on time 2025-10-31: collection deadline 2025-12-30, 8-month mark 2026-06-30, 12-month mark 2026-11-02.
ACC2, INV2, COL_DEADLINE = date(2025, 10, 20), date(2025, 10, 31), date(2025, 12, 30)


@pytest.mark.parametrize(
    ("days_late", "percent"), [(0, "0"), (29, "0"), (30, "5"), (59, "5"), (60, "10"), (180, "30")]
)
def test_collection_steps_the_day_before_and_the_day_of_each(days_late, percent):
    result = run(ACC2, INV2, as_of=COL_DEADLINE + timedelta(days=days_late))
    assert result.invoice.deduction_percent == 0
    assert result.collection.days_late == days_late
    assert result.deduction_percent == Decimal(percent)
    assert all(e.stage == Stage.COLLECTION for e in result.events)


def test_collection_eight_month_mark_day_and_day_after():
    on_mark = run(ACC2, INV2, as_of=date(2026, 6, 30))
    assert not on_mark.forfeited
    assert on_mark.suspension == Suspension.NONE
    assert on_mark.deduction_percent == Decimal("30")  # 182 days late: 6 steps
    after = run(ACC2, INV2, as_of=date(2026, 7, 1))
    assert after.forfeited
    assert after.suspension == Suspension.MAY_SUSPEND
    assert after.deduction_percent == Decimal("100")
    assert after.events[-2].key == "collection:forfeiture:0"
    assert after.events[-2].percent == Decimal("70")
    # Collected on the mark day: not forfeited.
    assert not run(ACC2, INV2, date(2026, 6, 30), as_of=date(2026, 7, 1)).forfeited


def test_collection_twelve_month_mark_moved_off_the_weekend():
    # 2026-10-31 is a Saturday: the owner is within time until the end of Monday 11-02.
    assert not run(ACC2, INV2, as_of=date(2026, 11, 2)).compensation_required
    result = run(ACC2, INV2, as_of=date(2026, 11, 3))
    assert result.compensation_required
    assert result.suspension == Suspension.SUSPENDED
    # Collecting afterwards closes the stage; the agreement is still required.
    collected = run(ACC2, INV2, date(2026, 11, 20), as_of=date(2026, 11, 20))
    assert collected.compensation_required
    assert collected.suspension == Suspension.NONE
    assert collected.settled
    assert collected.next_deadlines == ()


def test_both_stages_add_up():
    # Invoice 61 days late (10 %), then collected 95 days after the collection deadline (15 %).
    invoiced_on = DEADLINE + timedelta(days=61)
    col_deadline = period_end_days(invoiced_on, 60)
    collected_on = col_deadline + timedelta(days=95)
    result = run(ACCEPTED, invoiced_on, collected_on, as_of=collected_on + timedelta(days=400))
    assert result.invoice.deduction_percent == Decimal("10")
    assert result.collection.deduction_percent == Decimal("15")
    assert result.deduction_percent == Decimal("25")
    assert keys(result) == ["invoice:deduction:1", "invoice:deduction:2", "collection:deduction:1",
                            "collection:deduction:2", "collection:deduction:3"]
    assert not result.forfeited
    assert result.settled


def test_the_total_never_exceeds_one_hundred():
    policy = policy_with(deduction_step_percent="40")
    invoiced_on = DEADLINE + timedelta(days=65)  # 2 steps: 80 %
    col_deadline = period_end_days(invoiced_on, 60)
    result = run(ACCEPTED, invoiced_on, as_of=col_deadline + timedelta(days=70), policy=policy)  # 2 more steps
    assert result.policy_version == 7
    assert result.deduction_percent == Decimal("100")
    assert not result.forfeited  # 100 % by steps, not by forfeiture
    # The first collection step only tops up to 100; the second adds nothing, so it is no event.
    assert [(e.key, e.percent) for e in result.events] == [
        ("invoice:deduction:1", Decimal("40")), ("invoice:deduction:2", Decimal("40")),
        ("collection:deduction:1", Decimal("20")),
    ]
    assert DeadlineKey.DEDUCTION not in {d.key for d in result.next_deadlines}


def test_a_second_forfeiture_adds_nothing_but_is_recorded():
    # Invoiced after the 6-month mark (forfeited), then not collected by the 8-month mark.
    invoiced_on = date(2026, 7, 10)
    result = run(A, invoiced_on, as_of=date(2027, 3, 20))
    forfeitures = [e for e in result.events if e.kind == Kind.FORFEITURE]
    assert [(e.stage, e.percent) for e in forfeitures] == [(Stage.INVOICE, Decimal("75")),
                                                           (Stage.COLLECTION, Decimal("0"))]
    assert not any(e.kind == Kind.DEDUCTION and e.stage == Stage.COLLECTION for e in result.events)
    assert result.deduction_percent == Decimal("100")
    assert result.suspension == Suspension.MAY_SUSPEND


def test_facts_after_as_of_have_not_happened_yet():
    # A sweep catching up on a past day with today's data must see that day as it was.
    later_invoice = run(A, date(2026, 6, 1), as_of=date(2026, 5, 31))
    assert later_invoice == run(A, None, as_of=date(2026, 5, 31))
    assert later_invoice.collection_deadline is None
    later_receipt = run(ACC2, INV2, date(2026, 3, 1), as_of=date(2026, 2, 28))
    assert later_receipt == run(ACC2, INV2, None, as_of=date(2026, 2, 28))
    assert later_receipt.collection.is_open


def test_events_are_dated_by_their_rule_date_for_a_catching_up_sweep():
    result = run(A, as_of=date(2026, 9, 1))  # a sixth step would have fallen on 08-04: the forfeiture covers it
    assert [(e.key, e.rule_date) for e in result.events] == [
        ("invoice:deduction:1", date(2026, 3, 7)),
        ("invoice:deduction:2", date(2026, 4, 6)),
        ("invoice:deduction:3", date(2026, 5, 6)),
        ("invoice:deduction:4", date(2026, 6, 5)),
        ("invoice:deduction:5", date(2026, 7, 5)),
        ("invoice:forfeiture:0", date(2026, 7, 7)),
        ("invoice:may_suspend:0", date(2026, 7, 7)),
    ]
    # Assessing a day in between gives exactly the events dated up to that day.
    assert run(A, as_of=date(2026, 5, 6)).events == result.events[:3]


# --- what is ahead ------------------------------------------------------------------------------------------------


def test_next_deadlines_before_the_invoice_deadline():
    result = run(A, as_of=date(2026, 1, 20))
    assert result.next_deadlines == (
        Deadline(DeadlineKey.DEADLINE, Stage.INVOICE, date(2026, 2, 5), date(2026, 2, 6)),
        Deadline(DeadlineKey.DEDUCTION, Stage.INVOICE, date(2026, 3, 6), date(2026, 3, 7), 1, Decimal("5")),
        Deadline(DeadlineKey.FORFEITURE, Stage.INVOICE, date(2026, 7, 6), date(2026, 7, 7)),
        Deadline(DeadlineKey.COMPENSATION, Stage.INVOICE, date(2027, 1, 5), date(2027, 1, 6)),
    )
    assert [d.label_key for d in result.next_deadlines] == [
        "invoice_deadline", "invoice_deduction", "invoice_forfeiture", "invoice_compensation"]


def test_next_deadlines_on_the_last_day_and_after_steps():
    assert run(A, as_of=date(2026, 2, 5)).next_deadlines[0].key == DeadlineKey.DEADLINE  # today is the last day
    result = run(A, as_of=date(2026, 4, 10))  # two steps behind
    assert [(d.key, d.step, d.last_day) for d in result.next_deadlines] == [
        (DeadlineKey.DEDUCTION, 3, date(2026, 5, 5)),
        (DeadlineKey.FORFEITURE, None, date(2026, 7, 6)),
        (DeadlineKey.COMPENSATION, None, date(2027, 1, 5)),
    ]
    # Past the forfeiture mark no step is ahead, only the compensation mark.
    assert [d.key for d in run(A, as_of=date(2026, 7, 7)).next_deadlines] == [DeadlineKey.COMPENSATION]
    assert run(A, as_of=date(2027, 1, 6)).next_deadlines == ()


def test_next_deadlines_move_to_the_collection_stage_once_invoiced():
    result = run(ACC2, INV2, as_of=date(2025, 11, 5))
    assert {d.stage for d in result.next_deadlines} == {Stage.COLLECTION}
    assert result.next_deadlines[0] == Deadline(DeadlineKey.DEADLINE, Stage.COLLECTION, COL_DEADLINE,
                                                COL_DEADLINE + DAY)


def test_labels_are_translated():
    result = run(A, as_of=date(2027, 2, 1))
    with translation.override("zh-hans"):
        labels = [e.label for e in result.events]
        assert labels[0] == "开票逾期扣减提成（第1期）"
        assert "提成不予支付" in labels[5]
        assert "赔偿协议" in labels[-2]
    with translation.override("en"):
        assert result.events[0].label == "Invoice overdue: deduction step 1"


# --- policy -------------------------------------------------------------------------------------------------------


def test_policy_values_drive_every_number():
    policy = policy_with(invoice_deadline_months=2, deduction_step_days=10, deduction_step_percent="2.5",
                         invoice_forfeit_months=3)
    result = run(date(2026, 3, 10), as_of=date(2026, 6, 1), policy=policy)
    assert result.invoice_deadline == date(2026, 5, 11)  # 05-10 is a Sunday
    assert result.invoice.days_late == 21
    assert result.deduction_percent == Decimal("5.0")  # two 10-day steps of 2.5 %
    assert result.invoice.forfeit_mark == date(2026, 6, 10)


def test_no_policy_means_the_current_version(demo):
    assert run(A, as_of=date(2026, 4, 6), policy=None).policy_version == current_policy().version
    policy_update(changes={"deduction_step_percent": "4"}, by=demo.user("director"), reason="测试")
    result = assess(accepted_on=A, invoiced_on=None, collected_on=None, as_of=date(2026, 4, 6))
    assert result.policy_version == current_policy().version >= 2
    assert result.deduction_percent == Decimal("8")


# --- RCV-7: retention ------------------------------------------------------------------------------------------------


def test_retention_is_the_collection_clock_from_the_statement_issue_date():
    issued_on = INV2
    retention = assess_collection(started_on=issued_on, collected_on=None, as_of=date(2026, 7, 1), policy=POLICY,
                                  stage="retention")
    main = run(ACC2, INV2, as_of=date(2026, 7, 1))
    assert retention.invoice is None and retention.invoice_deadline is None
    assert retention.collection_deadline == COL_DEADLINE
    assert [(e.kind, e.step, e.rule_date, e.percent) for e in retention.events] == [
        (e.kind, e.step, e.rule_date, e.percent) for e in main.events
    ]
    assert {e.stage for e in retention.events} == {Stage.RETENTION}
    assert retention.events[0].key == "retention:deduction:1"
    assert retention.forfeited and retention.suspension == Suspension.MAY_SUSPEND


def test_retention_adds_to_what_other_stages_deducted():
    result = assess_collection(started_on=INV2, collected_on=date(2026, 2, 1), as_of=date(2026, 3, 1),
                               policy=POLICY, stage=Stage.RETENTION, prior_percent=Decimal("97.5"))
    # 33 days late is one step; only 2.5 % is left to deduct.
    assert result.collection.days_late == 33
    assert [e.percent for e in result.events] == [Decimal("2.5")]
    assert result.deduction_percent == Decimal("100")
    assert result.collection.deduction_percent == Decimal("2.5")
    assert result.settled


# --- bad input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code", "chinese"),
    [
        ({"accepted_on": A, "invoiced_on": None, "collected_on": None, "as_of": date(2026, 1, 4)},
         "as_of_before_acceptance", "核算日期2026-01-04早于验收日期2026-01-05。"),
        ({"accepted_on": A, "invoiced_on": date(2026, 1, 4), "collected_on": None, "as_of": date(2026, 3, 1)},
         "invoice_before_acceptance", "开票日期2026-01-04早于验收日期2026-01-05。"),
        ({"accepted_on": A, "invoiced_on": None, "collected_on": date(2026, 2, 1), "as_of": date(2026, 3, 1)},
         "collected_without_invoice", "已填写回款日期2026-02-01，但没有开票日期。"),
        ({"accepted_on": A, "invoiced_on": date(2026, 2, 1), "collected_on": date(2026, 1, 31),
          "as_of": date(2026, 3, 1)},
         "collection_before_invoice", "回款日期2026-01-31早于开票日期2026-02-01。"),
    ],
)
def test_impossible_dates_are_refused_with_a_clear_message(kwargs, code, chinese):
    with pytest.raises(AssessmentInputError) as caught:
        assess(**kwargs, policy=POLICY)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == code
    with translation.override("zh-hans"):
        assert str(caught.value) == chinese
    with translation.override("en"):
        assert "2026-" in str(caught.value)


def test_retention_dates_are_checked():
    with pytest.raises(AssessmentInputError) as caught:
        assess_collection(started_on=INV2, collected_on=INV2 - DAY, as_of=date(2026, 1, 1), policy=POLICY,
                          stage="retention")
    assert caught.value.code == "collection_before_start"
    with pytest.raises(AssessmentInputError) as caught:
        assess_collection(started_on=INV2, collected_on=None, as_of=INV2 - DAY, policy=POLICY)
    assert caught.value.code == "as_of_before_start"
    with pytest.raises(ValueError, match="prior_percent"):
        assess_collection(started_on=INV2, collected_on=None, as_of=INV2, policy=POLICY, prior_percent=Decimal("101"))
    with pytest.raises(ValueError, match="invoice stage"):
        assess_collection(started_on=INV2, collected_on=None, as_of=INV2, policy=POLICY, stage="invoice")


def test_a_datetime_or_a_string_is_a_programming_error():
    with pytest.raises(TypeError, match="accepted_on"):
        assess(accepted_on=datetime(2026, 1, 5, 9), invoiced_on=None, collected_on=None, as_of=date(2026, 2, 1),
               policy=POLICY)
    with pytest.raises(TypeError, match="invoiced_on"):
        assess(accepted_on=A, invoiced_on="2026-02-01", collected_on=None, as_of=date(2026, 3, 1), policy=POLICY)


def test_same_day_acceptance_invoice_and_collection_is_fine():
    result = run(A, A, A, as_of=A)
    assert result.deduction_percent == 0
    assert result.settled
    assert result.events == ()
