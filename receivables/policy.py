"""The receivables rules core (SPEC RCV-2 … RCV-7, RCV-14): the regulation's money chapter as one pure function.

The rule (工程回款制度, quoted from the regulation)
=====================================================

    2.营销中心在接到相关资料后通知项目销售负责人在工程验收一个月内开具发票。
    超过规定期限仍未开票的根据以下情况做以处罚:
    若一个月后仍未开具发票,每延后30天,扣除该笔工程销售提成的5%,依次类推。
    若半年后项目仍未开具发票,该项目销售提成不予支付,公司有权通知暂时停止其他工作,专项负责开票、回款事宜。
    若一年后项目仍未开具发票,相关销售负责人应和公司签订相关赔偿协议。
    并且暂时停止其他工作,专项负责开票、回款事宜。

    3.每笔业务,在开具发票后,销售项目负责人应在60天内回款,若超过规定期限未回款根据以下情况做以处罚:
    若60天后仍为回款,每延后30天,扣除该笔工程销售提成的5%,依次类推。
    若八个月后项目仍未回款,该项目销售提成不予支付,公司有权通知暂时停止其他工作,专项负责开票、回款事宜。
    若一年后项目仍未回款,相关销售负责人应和公司签订相关赔偿协议。
    并且暂时停止其他工作,专项负责开票、回款事宜。

    4.在项目满质保期后,由财务中心向营销中心出具相关质保金催要材料(……),营销中心根据以上财务中心
    提供资料通知相关销售项目负责人,对质保金进行催收。
    质保金催收相关制度同本规定第3条。

How it is read here
===================

Every number is a policy value (``marketing_portal.policy``); the regulation's value is in brackets.

**Invoice stage** (RCV-2 … RCV-5), clock started by the acceptance date (验收日期):

* *deadline* ``D = period_end(accepted_on, months=invoice_deadline_months [1])`` — CAL-1: the
  acceptance day is not counted, a month ends on the same day of the next month (or its last day), and a
  deadline falling on a rest day moves to the next working day (make-up working days 调休 count as
  working days). The owner is within time all of day ``D``.
* *days late* = (invoice date, or ``as_of`` while there is none) − ``D``; *steps* = days late ÷
  ``deduction_step_days`` [30], rounded down. Step ``k`` takes effect on ``D + 30·k`` and deducts
  ``deduction_step_percent`` [5 %]: 29 days late → 0 %, 30 → 5 %, 59 → 5 %, 60 → 10 %. An invoice
  dated exactly 30 days after ``D`` is 30 days late and still costs 5 %. The 30-day steps are plain
  calendar days, **not** moved for holidays (only the milestone dates are period ends).
* *forfeiture mark* ``F = period_end(accepted_on, months=invoice_forfeit_months [6])``: not invoiced
  by the end of ``F`` → on ``F + 1 day`` the project's commission is forfeited (不予支付: 100 %) and
  collection-only duty **may** be imposed (``"may_suspend"``: the system proposes it to the Marketing
  Director, RCV-4). Deduction steps only run up to ``F``; from ``F + 1`` the forfeiture covers the rest.
* *compensation mark* ``C = period_end(accepted_on, months=invoice_compensation_months [12])``: not
  invoiced by the end of ``C`` → on ``C + 1`` a compensation agreement (赔偿协议) is required and
  collection-only duty is **mandatory** (``"suspended"``, RCV-5).

**Collection stage** (RCV-6), clock started by the invoice date; the same shape with
``D = period_end(invoiced_on, days=collection_deadline_days [60])``,
``F = period_end(invoiced_on, months=collection_forfeit_months [8])`` and
``C = period_end(invoiced_on, months=collection_compensation_months [12])``, stopped by ``collected_on``:
the day the invoiced amount, retention excluded, was received in full.

**Retention stage** (RCV-7, 质保金): "同本规定第3条" — the collection stage again, started by the issue
date of the retention collection statement (质保金催要材料) instead of an invoice date. Assess it alone
with :func:`assess_collection`::

    assess_collection(started_on=statement.issued_on, collected_on=retention_collected_on,
                      as_of=day, policy=policy, stage=Stage.RETENTION,
                      prior_percent=main_assessment.deduction_percent)

``stage=Stage.RETENTION`` labels its events so that their ledger keys differ from the main collection
stage's; ``prior_percent`` (what the other stages already deducted from the same commission) keeps the
total within 100 %.

**Adding up** (RCV-9): deductions of all stages add up, in date order, and never exceed 100 %; a
forfeiture brings the total to 100 %. A step that would add nothing (cap reached) is not an event.

**Suspension** (``suspension``) is the strongest state of a stage *still open* at ``as_of``:
``"none"`` < ``"may_suspend"`` (after ``F``) < ``"suspended"`` (after ``C``). A stage that is done no
longer holds one. Decision (RCV-8): once the invoice is issued the invoice stage is closed, so its
suspension no longer holds and ``suspension`` reflects only the collection stage (normally ``"none"``
right after invoicing): the sweep, seeing a person on collection-only duty whose receivables no longer
call for it, proposes lifting to the Marketing Director, who decides. Forfeiture and the compensation
agreement, once incurred, stay incurred (``forfeited`` / ``compensation_required`` never turn back).

What the caller gets
====================

:class:`Assessment` — the state at ``as_of`` (deadlines, ``deduction_percent``, ``forfeited``,
``suspension``, ``compensation_required``, ``policy_version``), per-stage detail (``invoice``,
``collection``: :class:`StageAssessment`), and:

* ``events`` — the dated facts (:class:`Event`: kind, stage, step, rule_date, percent) in rule-date order;
  ``rule_date`` is the day the rule took effect, so a sweep catching up after downtime dates each ledger
  entry and notice by it. ``sum(e.percent for e in events) == deduction_percent`` (less ``prior_percent``).
  For fixed inputs the events at an earlier ``as_of`` are always a prefix of those at a later one, so
  ``Event.key`` (stage, kind, step) is a stable idempotency key for ledger entries and notices.
  Events are history: a stage closed since keeps the events it incurred (e.g. ``may_suspend`` after a
  late invoice) while ``suspension`` says what holds now.
* ``next_deadlines`` — what is ahead for the stage still open (:class:`Deadline`: its deadline, the
  next deduction step, the forfeiture and compensation marks), each with ``last_day`` (the last day still
  within time, until 24:00 Asia/Shanghai) and ``rule_date`` (when the consequence takes effect), for the
  project page and reminders (RCV-12). Empty once collected. ``next_event_on`` is the first day a new
  event can take effect: a sweep may skip the receivable until then unless its dates change.

Facts dated after ``as_of`` (an invoice or receipt recorded later) are ignored: the result is the state
as it stood at the end of ``as_of``, so a sweep may assess any past day with today's data.

Bad input raises :class:`AssessmentInputError` (a ``ValueError`` with a ``code`` and a translated
message; the calling service turns it into a ``ValidationError``): ``as_of`` before the acceptance date,
an invoice dated before acceptance, a collection date without an invoice date or before it. A value that
is not a ``date`` (or is a ``datetime``) raises ``TypeError``: that is a programming error.

Cost: at most six ``period_end`` calls and a loop bounded by the number of steps before forfeiture (about
six); the only data read is the calendar's entered days, cached by ``marketing_portal.periods``. Pass the
``Policy`` once per sweep; ``policy=None`` reads the current version from the database.
``benchmarks/receivables_assess.py`` measured about 15,000 calls a second on the 2-vCPU development machine
(50,000 receivables in about 3.4 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from marketing_portal.periods import period_end

HUNDRED = Decimal("100.00")
ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
_ONE_DAY = timedelta(days=1)


class Stage(StrEnum):
    INVOICE = "invoice"
    COLLECTION = "collection"
    RETENTION = "retention"  # RCV-7: the collection rules started by the retention statement's issue date


class Kind(StrEnum):
    DEDUCTION = "deduction"
    FORFEITURE = "forfeiture"
    MAY_SUSPEND = "may_suspend"
    SUSPENSION = "suspension"
    COMPENSATION = "compensation"


class Suspension(StrEnum):
    NONE = "none"
    MAY_SUSPEND = "may_suspend"  # RCV-4: the system proposes collection-only duty; the Director decides
    SUSPENDED = "suspended"  # RCV-5: collection-only duty is mandatory


class DeadlineKey(StrEnum):
    DEADLINE = "deadline"
    DEDUCTION = "deduction"
    FORFEITURE = "forfeiture"
    COMPENSATION = "compensation"


_SUSPENSION_RANK = {Suspension.NONE: 0, Suspension.MAY_SUSPEND: 1, Suspension.SUSPENDED: 2}
# Events of one day, in the order their money is counted: steps, then the forfeiture that tops them up.
_KIND_RANK = {Kind.DEDUCTION: 0, Kind.FORFEITURE: 1, Kind.MAY_SUSPEND: 2, Kind.COMPENSATION: 3, Kind.SUSPENSION: 4}
_DEADLINE_RANK = {DeadlineKey.DEADLINE: 0, DeadlineKey.DEDUCTION: 1, DeadlineKey.FORFEITURE: 2,
                  DeadlineKey.COMPENSATION: 3}

_EVENT_LABELS = {
    (Stage.INVOICE, Kind.DEDUCTION): _("Invoice overdue: deduction step %(step)s"),
    (Stage.COLLECTION, Kind.DEDUCTION): _("Collection overdue: deduction step %(step)s"),
    (Stage.RETENTION, Kind.DEDUCTION): _("Retention collection overdue: deduction step %(step)s"),
    (Stage.INVOICE, Kind.FORFEITURE): _("Not invoiced in time: commission forfeited"),
    (Stage.COLLECTION, Kind.FORFEITURE): _("Not collected in time: commission forfeited"),
    (Stage.RETENTION, Kind.FORFEITURE): _("Retention not collected in time: commission forfeited"),
}
_KIND_LABELS = {
    Kind.MAY_SUSPEND: _("Collection-only duty may be imposed"),
    Kind.SUSPENSION: _("Collection-only duty is mandatory"),
    Kind.COMPENSATION: _("Compensation agreement required"),
}
_DEADLINE_LABELS = {
    (Stage.INVOICE, DeadlineKey.DEADLINE): _("Invoice deadline"),
    (Stage.COLLECTION, DeadlineKey.DEADLINE): _("Collection deadline"),
    (Stage.RETENTION, DeadlineKey.DEADLINE): _("Retention collection deadline"),
    (Stage.INVOICE, DeadlineKey.DEDUCTION): _("Invoice overdue: next deduction step %(step)s"),
    (Stage.COLLECTION, DeadlineKey.DEDUCTION): _("Collection overdue: next deduction step %(step)s"),
    (Stage.RETENTION, DeadlineKey.DEDUCTION): _("Retention collection overdue: next deduction step %(step)s"),
    (Stage.INVOICE, DeadlineKey.FORFEITURE): _("Invoice by this day or the commission is forfeited"),
    (Stage.COLLECTION, DeadlineKey.FORFEITURE): _("Collect by this day or the commission is forfeited"),
    (Stage.RETENTION, DeadlineKey.FORFEITURE): _("Collect the retention by this day or the commission is forfeited"),
    (Stage.INVOICE, DeadlineKey.COMPENSATION): _("Invoice by this day or a compensation agreement is required"),
    (Stage.COLLECTION, DeadlineKey.COMPENSATION): _(
        "Collect by this day or a compensation agreement is required"
    ),
    (Stage.RETENTION, DeadlineKey.COMPENSATION): _(
        "Collect the retention by this day or a compensation agreement is required"
    ),
}
SUSPENSION_LABELS = {
    Suspension.NONE: _("No suspension"),
    Suspension.MAY_SUSPEND: _("Collection-only duty may be proposed"),
    Suspension.SUSPENDED: _("Collection-only duty is mandatory"),
}


class AssessmentInputError(ValueError):
    """Dates that cannot belong to one receivable; ``code`` names the problem, ``str()`` is translated.

    A service turns it into a form error with
    ``ValidationError(exc.message, code=exc.code, params=exc.params)`` (or simply ``str(exc)``).
    """

    def __init__(self, code: str, message, **params):
        self.code = code
        self.message = message
        self.params = {key: value.isoformat() if isinstance(value, date) else value for key, value in params.items()}
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.message) % self.params


@dataclass(frozen=True)
class Event:
    """A dated consequence: what the sweep turns into a ledger entry, a proposal or a notice."""

    kind: Kind
    stage: Stage
    step: int | None  # 1, 2, … for deductions (the ``deduction_step_days`` step); None otherwise
    rule_date: date  # the day the rule took effect: date the ledger entry / notice by it
    percent: Decimal  # percentage points of the commission this event deducts (0.00 for non-money events)

    @property
    def key(self) -> str:
        """Stable per receivable, e.g. ``"invoice:deduction:2"``: the idempotency key of its entry or notice."""
        return f"{self.stage}:{self.kind}:{self.step or 0}"

    @property
    def label(self) -> str:
        text = _EVENT_LABELS.get((self.stage, self.kind)) or _KIND_LABELS[self.kind]
        return str(text) % {"step": self.step}


@dataclass(frozen=True)
class Deadline:
    """A date ahead that matters (RCV-12 reminders, the project page)."""

    key: DeadlineKey
    stage: Stage
    last_day: date  # the last day still within time (until 24:00 Asia/Shanghai): remind before it
    rule_date: date  # the day the consequence takes effect when nothing is done by ``last_day``
    step: int | None = None  # deduction step number (key "deduction" only)
    percent: Decimal | None = None  # what that step would deduct (key "deduction" only)

    @property
    def label_key(self) -> str:
        """E.g. ``"invoice_forfeiture"``: for templates and notification keys."""
        return f"{self.stage}_{self.key}"

    @property
    def label(self) -> str:
        return str(_DEADLINE_LABELS[(self.stage, self.key)]) % {"step": self.step}


@dataclass(frozen=True)
class StageAssessment:
    """One clock (invoice, collection or retention) at ``as_of``."""

    stage: Stage
    started_on: date  # acceptance date / invoice date / retention statement issue date
    deadline: date  # D: within time all of this day
    forfeit_mark: date  # F: not done by the end of it -> forfeited from the next day
    compensation_mark: date  # C: not done by the end of it -> compensation agreement, mandatory duty
    done_on: date | None  # invoice / collection date, when on or before as_of
    days_late: int  # (done_on or as_of) - deadline, at least 0
    steps_late: int  # full deduction steps in days_late (RCV-3's count; money stops at the forfeiture)
    deduction_percent: Decimal  # this stage's share of the total, forfeiture included, after the cap
    forfeited: bool
    compensation_required: bool
    suspension: Suspension  # what this stage holds at as_of; NONE once done

    @property
    def is_open(self) -> bool:
        return self.done_on is None


@dataclass(frozen=True)
class Assessment:
    """The receivable at the end of ``as_of`` under one policy version."""

    invoice_deadline: date | None  # None only for assess_collection (no invoice stage)
    collection_deadline: date | None  # None while not invoiced by as_of
    deduction_percent: Decimal  # 0.00-100.00: all stages (and prior_percent) added; 100.00 when forfeited
    forfeited: bool
    suspension: Suspension  # the strongest state of a stage still open at as_of
    compensation_required: bool
    policy_version: int
    events: tuple[Event, ...]  # in rule-date order
    next_deadlines: tuple[Deadline, ...]  # in last-day order; empty once collected
    invoice: StageAssessment | None
    collection: StageAssessment | None  # the collection or retention stage; None while not invoiced

    @property
    def settled(self) -> bool:
        """Collected in full: nothing can change any more."""
        return self.collection is not None and not self.collection.is_open

    @property
    def next_event_on(self) -> date | None:
        """The first day after ``as_of`` on which, with no new invoice or receipt, a new event takes effect.

        Until then re-assessing gives the same events and state (only ``days_late`` grows): a sweep may store
        it and skip the receivable until that day or until its dates change. None once nothing more can happen.
        """
        days = [d.rule_date for d in self.next_deadlines if d.key != DeadlineKey.DEADLINE]
        return min(days) if days else None

    @property
    def open_stage(self) -> StageAssessment | None:
        for stage in (self.invoice, self.collection):
            if stage is not None and stage.is_open:
                return stage
        return None


# ----------------------------------------------------------------------------------------------------------------


def assess(*, accepted_on: date, invoiced_on: date | None, collected_on: date | None, as_of: date,
           policy=None) -> Assessment:
    """Assess a receivable at the end of ``as_of``: invoice stage from ``accepted_on``, then collection.

    ``invoiced_on`` / ``collected_on`` dated after ``as_of`` count as not (yet) happened.
    ``policy=None`` means ``marketing_portal.policy.current_policy()`` (a database read).
    """
    _check_dates(accepted_on=accepted_on, invoiced_on=invoiced_on, collected_on=collected_on, as_of=as_of)
    if as_of < accepted_on:
        raise AssessmentInputError(
            "as_of_before_acceptance",
            _("The assessment date %(as_of)s is before the acceptance date %(accepted_on)s."),
            as_of=as_of, accepted_on=accepted_on,
        )
    if invoiced_on is not None and invoiced_on < accepted_on:
        raise AssessmentInputError(
            "invoice_before_acceptance",
            _("The invoice date %(invoiced_on)s is before the acceptance date %(accepted_on)s."),
            invoiced_on=invoiced_on, accepted_on=accepted_on,
        )
    if collected_on is not None and invoiced_on is None:
        raise AssessmentInputError(
            "collected_without_invoice",
            _("A collection date %(collected_on)s was given but no invoice date."),
            collected_on=collected_on,
        )
    if collected_on is not None and collected_on < invoiced_on:
        raise AssessmentInputError(
            "collection_before_invoice",
            _("The collection date %(collected_on)s is before the invoice date %(invoiced_on)s."),
            collected_on=collected_on, invoiced_on=invoiced_on,
        )
    policy = _policy(policy)
    invoiced = invoiced_on if invoiced_on is not None and invoiced_on <= as_of else None
    invoice, events, deadlines = _assess_stage(
        stage=Stage.INVOICE,
        started_on=accepted_on,
        deadline=period_end(accepted_on, months=policy.invoice_deadline_months),
        forfeit_mark=period_end(accepted_on, months=policy.invoice_forfeit_months),
        compensation_mark=period_end(accepted_on, months=policy.invoice_compensation_months),
        done_on=invoiced,
        as_of=as_of,
        policy=policy,
        prior=ZERO,
    )
    collection = None
    if invoiced is not None:
        collection, more_events, more_deadlines = _collection_stage(
            stage=Stage.COLLECTION, started_on=invoiced, collected_on=collected_on, as_of=as_of, policy=policy,
            prior=invoice.deduction_percent,
        )
        events += more_events
        deadlines += more_deadlines
    return _result(policy=policy, invoice=invoice, collection=collection, events=events, deadlines=deadlines,
                   prior=ZERO)


def assess_collection(*, started_on: date, collected_on: date | None, as_of: date, policy=None,
                      stage: Stage | str = Stage.COLLECTION, prior_percent: Decimal = ZERO) -> Assessment:
    """Assess a collection clock alone (RCV-6), e.g. retention money (RCV-7) from the statement's issue date.

    ``started_on`` is the invoice date, or for retention the issue date of the retention collection
    statement (pass ``stage=Stage.RETENTION``). ``prior_percent`` is what other stages already deducted
    from the same commission; the result's ``deduction_percent`` includes it and its events only add up to
    100 %. The result has no invoice stage (``invoice`` and ``invoice_deadline`` are None).
    """
    stage = Stage(stage)
    if stage is Stage.INVOICE:
        raise ValueError("assess_collection assesses a collection or retention stage, not the invoice stage")
    _check_dates(started_on=started_on, collected_on=collected_on, as_of=as_of)
    if isinstance(prior_percent, float) or not ZERO <= Decimal(prior_percent) <= HUNDRED:
        raise ValueError("prior_percent is a Decimal between 0 and 100")
    if as_of < started_on:
        raise AssessmentInputError(
            "as_of_before_start",
            _("The assessment date %(as_of)s is before the start of the collection period %(started_on)s."),
            as_of=as_of, started_on=started_on,
        )
    if collected_on is not None and collected_on < started_on:
        raise AssessmentInputError(
            "collection_before_start",
            _("The collection date %(collected_on)s is before the start of the collection period %(started_on)s."),
            collected_on=collected_on, started_on=started_on,
        )
    policy = _policy(policy)
    prior = _percent(Decimal(prior_percent))
    collection, events, deadlines = _collection_stage(
        stage=stage, started_on=started_on, collected_on=collected_on, as_of=as_of, policy=policy, prior=prior,
    )
    return _result(policy=policy, invoice=None, collection=collection, events=events, deadlines=deadlines,
                   prior=prior)


# ----------------------------------------------------------------------------------------------------------------


def _policy(policy):
    if policy is None:
        from marketing_portal.policy import current_policy

        return current_policy()
    return policy


def _check_dates(**values) -> None:
    for name, value in values.items():
        if value is None and name in {"invoiced_on", "collected_on"}:
            continue
        if not isinstance(value, date) or isinstance(value, datetime):
            raise TypeError(f"{name} must be a date, not {type(value).__name__}")


def _percent(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _collection_stage(*, stage, started_on, collected_on, as_of, policy, prior):
    collected = collected_on if collected_on is not None and collected_on <= as_of else None
    return _assess_stage(
        stage=stage,
        started_on=started_on,
        deadline=period_end(started_on, days=policy.collection_deadline_days),
        forfeit_mark=period_end(started_on, months=policy.collection_forfeit_months),
        compensation_mark=period_end(started_on, months=policy.collection_compensation_months),
        done_on=collected,
        as_of=as_of,
        policy=policy,
        prior=prior,
    )


def _assess_stage(*, stage, started_on, deadline, forfeit_mark, compensation_mark, done_on, as_of, policy, prior):
    """One clock: its events (money capped at 100 % together with ``prior``), state and deadlines ahead."""
    step_days: int = policy.deduction_step_days
    step_percent = _percent(policy.deduction_step_percent)
    stop = done_on if done_on is not None else as_of  # the invoice / collection date stops the clock
    days_late = max(0, (stop - deadline).days)
    steps_late = days_late // step_days
    # Steps take effect on deadline + k * step_days (calendar days) up to the forfeiture mark; from the
    # day after the mark the forfeiture covers everything.
    steps_before_forfeiture = max(0, (forfeit_mark - deadline).days // step_days)
    events: list[Event] = []
    total = prior
    for step in range(1, min(steps_late, steps_before_forfeiture) + 1):
        percent = min(step_percent, HUNDRED - total)
        if percent <= 0:
            break
        events.append(Event(Kind.DEDUCTION, stage, step, deadline + timedelta(days=step * step_days), percent))
        total += percent

    forfeited = stop > forfeit_mark
    if forfeited:
        events.append(Event(Kind.FORFEITURE, stage, None, forfeit_mark + _ONE_DAY, HUNDRED - total))
        events.append(Event(Kind.MAY_SUSPEND, stage, None, forfeit_mark + _ONE_DAY, ZERO))
        total = HUNDRED
    compensation_required = stop > compensation_mark
    if compensation_required:
        events.append(Event(Kind.COMPENSATION, stage, None, compensation_mark + _ONE_DAY, ZERO))
        events.append(Event(Kind.SUSPENSION, stage, None, compensation_mark + _ONE_DAY, ZERO))

    suspension = Suspension.NONE
    deadlines: list[Deadline] = []
    if done_on is None:
        if compensation_required:
            suspension = Suspension.SUSPENDED
        elif forfeited:
            suspension = Suspension.MAY_SUSPEND
        if as_of <= deadline:
            deadlines.append(Deadline(DeadlineKey.DEADLINE, stage, deadline, deadline + _ONE_DAY))
        next_step = steps_late + 1
        if next_step <= steps_before_forfeiture and total < HUNDRED and step_percent > 0:
            rule_date = deadline + timedelta(days=next_step * step_days)
            deadlines.append(Deadline(DeadlineKey.DEDUCTION, stage, rule_date - _ONE_DAY, rule_date, next_step,
                                      min(step_percent, HUNDRED - total)))
        if as_of <= forfeit_mark:
            deadlines.append(Deadline(DeadlineKey.FORFEITURE, stage, forfeit_mark, forfeit_mark + _ONE_DAY))
        if as_of <= compensation_mark:
            deadlines.append(Deadline(DeadlineKey.COMPENSATION, stage, compensation_mark,
                                      compensation_mark + _ONE_DAY))

    result = StageAssessment(
        stage=stage,
        started_on=started_on,
        deadline=deadline,
        forfeit_mark=forfeit_mark,
        compensation_mark=compensation_mark,
        done_on=done_on,
        days_late=days_late,
        steps_late=steps_late,
        deduction_percent=total - prior,
        forfeited=forfeited,
        compensation_required=compensation_required,
        suspension=suspension,
    )
    return result, events, deadlines


def _result(*, policy, invoice, collection, events, deadlines, prior) -> Assessment:
    stages = [s for s in (invoice, collection) if s is not None]
    return Assessment(
        invoice_deadline=invoice.deadline if invoice is not None else None,
        collection_deadline=collection.deadline if collection is not None else None,
        deduction_percent=prior + sum((s.deduction_percent for s in stages), ZERO),
        forfeited=any(s.forfeited for s in stages),
        suspension=max((s.suspension for s in stages), key=_SUSPENSION_RANK.__getitem__),
        compensation_required=any(s.compensation_required for s in stages),
        policy_version=policy.version,
        events=tuple(sorted(events, key=lambda e: (e.rule_date, _KIND_RANK[e.kind], e.step or 0))),
        next_deadlines=tuple(sorted(deadlines, key=lambda d: (d.last_day, _DEADLINE_RANK[d.key]))),
        invoice=invoice,
        collection=collection,
    )
