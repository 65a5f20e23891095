"""RCV-14: properties of the rules core that must hold for any dates and any valid policy (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketing_portal.policy import Policy, default_values, defaults
from receivables.policy import Kind, Stage, Suspension, assess, assess_collection

# The calendar reads the days entered in the app (none here): 2027 and later count the provisional statutory
# holidays besides weekends (marketing_portal.statutory).
pytestmark = pytest.mark.django_db

SETTINGS = settings(max_examples=60, deadline=None)

policies = st.one_of(
    st.just(defaults()),
    st.builds(
        lambda deadline, step_days, percent, forfeit, compensation, col_days, col_forfeit, col_compensation: Policy(
            version=3,
            values={
                **default_values(),
                "invoice_deadline_months": deadline,
                "deduction_step_days": step_days,
                "deduction_step_percent": str(percent),
                "invoice_forfeit_months": forfeit,
                "invoice_compensation_months": compensation,
                "collection_deadline_days": col_days,
                "collection_forfeit_months": col_forfeit,
                "collection_compensation_months": col_compensation,
            },
        ),
        st.integers(1, 6),
        st.integers(1, 90),
        st.decimals(min_value=0, max_value=100, places=2),
        st.integers(1, 14),
        st.integers(1, 24),
        st.integers(1, 120),
        st.integers(1, 14),
        st.integers(1, 24),
    ),
)


@st.composite
def receivables(draw):
    """Consistent dates: accepted <= invoiced <= collected; any of the later ones may be missing."""
    accepted_on = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
    invoiced_on = collected_on = None
    if draw(st.booleans()):
        invoiced_on = accepted_on + timedelta(days=draw(st.integers(0, 600)))
        if draw(st.booleans()):
            collected_on = invoiced_on + timedelta(days=draw(st.integers(0, 600)))
    return accepted_on, invoiced_on, collected_on


def run(dates, as_of, policy):
    accepted_on, invoiced_on, collected_on = dates
    return assess(accepted_on=accepted_on, invoiced_on=invoiced_on, collected_on=collected_on, as_of=as_of,
                  policy=policy)


@SETTINGS
@given(dates=receivables(), offset=st.integers(0, 1500), policy=policies)
def test_the_deduction_is_between_0_and_100_and_is_the_sum_of_the_events(dates, offset, policy):
    as_of = dates[0] + timedelta(days=offset)
    result = run(dates, as_of, policy)
    assert Decimal(0) <= result.deduction_percent <= Decimal(100)
    assert all(e.percent >= 0 for e in result.events)
    assert sum(e.percent for e in result.events) == result.deduction_percent
    if result.forfeited:
        assert result.deduction_percent == Decimal(100)
    assert all(e.rule_date <= as_of for e in result.events)
    assert all(d.last_day >= as_of and d.rule_date == d.last_day + timedelta(days=1) for d in result.next_deadlines)
    assert list(result.events) == sorted(result.events, key=lambda e: e.rule_date)
    assert len({e.key for e in result.events}) == len(result.events)
    # The suspension comes only from the stage still open.
    open_stage = result.open_stage
    assert result.suspension == (open_stage.suspension if open_stage else Suspension.NONE)
    # Each deduction step is dated on the holiday-independent 30-day grid from its stage's deadline.
    for event in result.events:
        if event.kind == Kind.DEDUCTION:
            stage = result.invoice if event.stage == Stage.INVOICE else result.collection
            assert event.rule_date == stage.deadline + timedelta(days=event.step * policy.deduction_step_days)


@SETTINGS
@given(dates=receivables(), first=st.integers(0, 1200), gap=st.integers(0, 600), policy=policies)
def test_nothing_decreases_as_as_of_grows_and_history_is_a_prefix(dates, first, gap, policy):
    earlier_day = dates[0] + timedelta(days=first)
    later_day = earlier_day + timedelta(days=gap)
    earlier, later = run(dates, earlier_day, policy), run(dates, later_day, policy)
    assert earlier.deduction_percent <= later.deduction_percent
    assert earlier.forfeited <= later.forfeited
    assert earlier.compensation_required <= later.compensation_required
    # A sweep that missed days finds the same events, each with its own rule date: catching up is exact.
    assert earlier.events == tuple(e for e in later.events if e.rule_date <= earlier_day)


@SETTINGS
@given(dates=receivables(), first=st.integers(0, 1200), policy=policies)
def test_nothing_new_happens_before_next_event_on(dates, first, policy):
    accepted_on, invoiced_on, collected_on = dates
    as_of = accepted_on + timedelta(days=first)
    now = run(dates, as_of, policy)
    if now.next_event_on is None:
        assert now.next_deadlines == () or {d.key for d in now.next_deadlines} == {"deadline"}
        return
    assert now.next_event_on > as_of
    # With no new invoice or receipt, the day before brings nothing new and that day brings something.
    new_facts = [d for d in (invoiced_on, collected_on) if d is not None and as_of < d < now.next_event_on]
    if new_facts:
        return
    before = run(dates, now.next_event_on - timedelta(days=1), policy)
    assert before.events == now.events
    assert before.suspension == now.suspension
    on = run(dates, now.next_event_on, policy)
    if not any(d is not None and d == now.next_event_on for d in (invoiced_on, collected_on)):
        assert len(on.events) > len(now.events) or on.suspension != now.suspension


@SETTINGS
@given(dates=receivables(), extra=st.integers(0, 400), gap=st.integers(1, 800), policy=policies)
def test_nothing_changes_once_collected(dates, extra, gap, policy):
    accepted_on, invoiced_on, collected_on = dates
    if collected_on is None:
        invoiced_on = invoiced_on or accepted_on
        collected_on = invoiced_on
    dates = (accepted_on, invoiced_on, collected_on)
    done = run(dates, collected_on + timedelta(days=extra), policy)
    assert done.settled
    assert done.suspension == Suspension.NONE
    assert done.next_deadlines == ()
    assert run(dates, collected_on + timedelta(days=extra + gap), policy) == done


@SETTINGS
@given(
    started_on=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    collected_after=st.one_of(st.none(), st.integers(0, 700)),
    offset=st.integers(0, 900),
    prior=st.decimals(min_value=0, max_value=100, places=2),
    policy=policies,
)
def test_a_collection_clock_alone_matches_the_one_inside_assess_and_respects_the_cap(
    started_on, collected_after, offset, prior, policy
):
    collected_on = None if collected_after is None else started_on + timedelta(days=collected_after)
    as_of = started_on + timedelta(days=offset)
    alone = assess_collection(started_on=started_on, collected_on=collected_on, as_of=as_of, policy=policy)
    inside = assess(accepted_on=started_on, invoiced_on=started_on, collected_on=collected_on, as_of=as_of,
                    policy=policy)
    # Invoiced on the acceptance day, the invoice stage is on time: the collection clocks are the same.
    assert alone.collection == inside.collection
    assert alone.events == inside.events
    retention = assess_collection(started_on=started_on, collected_on=collected_on, as_of=as_of, policy=policy,
                                  stage=Stage.RETENTION, prior_percent=prior)
    assert prior <= retention.deduction_percent <= Decimal(100)
    assert sum(e.percent for e in retention.events) == retention.deduction_percent - prior
    assert {e.stage for e in retention.events} <= {Stage.RETENTION}
