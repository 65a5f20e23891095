"""A project's facts, its assessment by the rules core and its commission ledger (RCV-9).

* ``derive_facts`` turns a project's invoices and receipts into its dates (invoiced in full, collected with
  retention excluded, retention collected) and ``derive_stage`` into its stage;
* ``assess_project`` asks the rules core (``receivables.policy``) about the main clock and, once its statement is
  issued, the retention clock;
* ``reconcile_ledger`` appends the entries the core's money events call for and reverses those no longer due.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from marketing_portal.money import to_amount
from marketing_portal.periods import period_end
from marketing_portal.policy import policy_version

from .choices import RULE_KINDS, EntryKind, ProjectStage, StatementState
from .models import CommissionEntry, Project, RetentionStatement
from .policy import HUNDRED, ZERO, Assessment, Deadline, Kind, Stage, Suspension, assess, assess_collection

ONE_DAY = timedelta(days=1)
# Entries that make up the project's earned commission (what a forfeiture takes away). Approved manual
# adjustments stand on their own; transfers, payouts and claw-backs only move money between owners and cash.
EARNING_KINDS = (EntryKind.BASE, EntryKind.BASE_CHANGE, EntryKind.DEDUCTION, EntryKind.FORFEITURE,
                 EntryKind.REVERSAL)
_SUSPENSION_RANK = {Suspension.NONE: 0, Suspension.MAY_SUSPEND: 1, Suspension.SUSPENDED: 2}


# --------------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------------
def _reached(rows, target: Decimal) -> date | None:
    """The day the running total of ``rows`` ((day, amount) in date order) first reaches ``target``."""
    total = ZERO
    for day, amount in rows:
        total += amount
        if total >= target:
            return day
    return None


def derive_facts(project: Project) -> dict:
    """The project's dates from its invoices and receipts (partial invoices and payments add up).

    * invoiced in full: invoices reach the project amount (RCV-2's invoice is the project's invoice);
    * collected: receipts reach the amount less retention (RCV-6), not before the project is invoiced in full;
    * retention collected: receipts reach the whole amount (RCV-7).
    """
    invoices = list(project.invoices.order_by("issued_on", "pk").values_list("issued_on", "amount"))
    receipts = list(project.receipts.order_by("received_on", "pk").values_list("received_on", "amount"))
    invoiced_on = _reached(invoices, project.amount) if project.accepted_on else None
    collected_on = retention_collected_on = None
    if invoiced_on is not None:
        main_target = project.main_target
        reached = invoiced_on if main_target <= 0 else _reached(receipts, main_target)
        if reached is not None:
            collected_on = max(reached, invoiced_on)
            if project.retention_amount <= 0:
                retention_collected_on = collected_on
            else:
                reached_all = _reached(receipts, project.amount)
                if reached_all is not None:
                    retention_collected_on = max(reached_all, collected_on)
    return {"invoiced_on": invoiced_on, "collected_on": collected_on,
            "retention_collected_on": retention_collected_on}


def derive_stage(project: Project, statement: RetentionStatement | None) -> str:
    if project.accepted_on is None:
        return ProjectStage.AWAITING_ACCEPTANCE
    if project.invoiced_on is None:
        return ProjectStage.INVOICING
    if project.collected_on is None:
        return ProjectStage.COLLECTING
    if project.retention_collected_on is not None:
        return ProjectStage.SETTLED
    if statement is not None and statement.state != StatementState.DRAFTED:
        return ProjectStage.RETENTION
    return ProjectStage.WARRANTY


def warranty_end(accepted_on: date, months: int) -> date:
    """RCV-7: the warranty period runs from acceptance; its last day is a period end under CAL-1."""
    return period_end(accepted_on, months=months)


def statement_of(project: Project) -> RetentionStatement | None:
    try:
        return project.retention_statement
    except RetentionStatement.DoesNotExist:
        return None


# --------------------------------------------------------------------------------------------------
# Assessment
# --------------------------------------------------------------------------------------------------
@dataclass
class ProjectAssessment:
    """The core's answer for one project at ``as_of``: the main clock and, once its statement is issued, retention."""

    main: Assessment | None
    retention: Assessment | None

    @property
    def events(self):
        events = list(self.main.events if self.main else ()) + list(self.retention.events if self.retention else ())
        return sorted(events, key=lambda e: (e.rule_date, _EVENT_ORDER[e.kind], e.step or 0))

    @property
    def deadlines(self) -> list[Deadline]:
        items = list(self.main.next_deadlines if self.main else ()) + list(
            self.retention.next_deadlines if self.retention else ())
        return sorted(items, key=lambda d: (d.last_day, d.rule_date))

    @property
    def suspension(self) -> str:
        states = [a.suspension for a in (self.main, self.retention) if a is not None]
        return max(states, key=_SUSPENSION_RANK.__getitem__) if states else Suspension.NONE

    @property
    def next_event_on(self) -> date | None:
        days = [a.next_event_on for a in (self.main, self.retention) if a is not None and a.next_event_on]
        return min(days) if days else None


_EVENT_ORDER = {Kind.DEDUCTION: 0, Kind.FORFEITURE: 1, Kind.MAY_SUSPEND: 2, Kind.COMPENSATION: 3, Kind.SUSPENSION: 4}


def assess_project(project: Project, *, as_of: date, policy, statement: RetentionStatement | None = None
                   ) -> ProjectAssessment:
    if project.accepted_on is None or as_of < project.accepted_on:
        return ProjectAssessment(None, None)
    main = assess(accepted_on=project.accepted_on, invoiced_on=project.invoiced_on,
                  collected_on=project.collected_on, as_of=as_of, policy=policy)
    retention = None
    if statement is not None and statement.issued_on is not None and statement.issued_on <= as_of:
        collected = project.retention_collected_on
        if collected is not None and collected < statement.issued_on:
            collected = statement.issued_on  # paid before the statement was issued: the clock stops at once
        retention = assess_collection(started_on=statement.issued_on, collected_on=collected, as_of=as_of,
                                      policy=policy, stage=Stage.RETENTION, prior_percent=main.deduction_percent)
    return ProjectAssessment(main, retention)


# --------------------------------------------------------------------------------------------------
# Ledger
# --------------------------------------------------------------------------------------------------
class Ledger:
    """A project's entries (stored and about to be stored) with the sums the reconciliation needs."""

    def __init__(self, entries):
        self.entries = list(entries)
        self.new: list[CommissionEntry] = []

    def add(self, entry: CommissionEntry) -> None:
        self.entries.append(entry)
        self.new.append(entry)

    def _reversed_ids(self) -> set:
        return {e.reverses_id for e in self.entries if e.reverses_id}

    def active_rule_entries(self) -> dict[str, CommissionEntry]:
        reversed_ids = self._reversed_ids()
        active: dict[str, CommissionEntry] = {}
        for e in self.entries:
            if e.kind in RULE_KINDS and (e.pk is None or e.pk not in reversed_ids):
                if e.key not in active or e.revision > active[e.key].revision:
                    active[e.key] = e
        return active

    def posted_percent(self) -> Decimal:
        return sum((e.percent or ZERO for e in self.active_rule_entries().values()), ZERO)

    def earned(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.kind in EARNING_KINDS), ZERO)

    def next_revision(self, key: str) -> int:
        revisions = [e.revision for e in self.entries if e.key == key]
        return max(revisions) + 1 if revisions else 0


def _keys_under_version(project: Project, version: int, *, as_of: date, statement) -> set[str]:
    policy = _POLICY_VERSIONS.get(version)
    if policy is None:
        policy = _POLICY_VERSIONS[version] = policy_version(version)
    pa = assess_project(project, as_of=as_of, policy=policy, statement=statement)
    return {e.key for e in pa.events}


_POLICY_VERSIONS: dict = {}  # versions never change once stored

# Why entries reversed now are no longer due, when it is not a fact recorded later (``reversals_because``).
_reversal_cause: ContextVar[str | None] = ContextVar("receivables_reversal_cause", default=None)


@contextmanager
def reversals_because(cause: str) -> Iterator[None]:
    """Reversals appended inside the block say ``cause`` (e.g. the working-day calendar changed) instead of a
    later invoice or receipt."""
    token = _reversal_cause.set(cause)
    try:
        yield
    finally:
        _reversal_cause.reset(token)


def _reversal_reason(entry: CommissionEntry) -> str:
    values = {"what": entry.reason, "day": entry.entry_date.isoformat()}
    cause = _reversal_cause.get()
    if cause:
        return _("No longer due: “%(what)s” of %(day)s (%(cause)s)") % {**values, "cause": cause}
    return _("No longer due: “%(what)s” of %(day)s (an invoice or receipt recorded later stopped the clock "
             "earlier)") % values


def reconcile_ledger(project: Project, pa: ProjectAssessment, ledger: Ledger, *, as_of: date, policy,
                     statement=None, by=None) -> None:
    """Append what the core's money events call for; reverse active entries the core no longer gives (RCV-9).

    Deductions of all stages add up in date order and never exceed 100 % of the commission; a forfeiture takes
    whatever is left. Entries dated after ``as_of`` are not judged (a sweep of a past day leaves them alone).
    """
    money = [e for e in pa.events if e.kind in (Kind.DEDUCTION, Kind.FORFEITURE)]
    current = {e.key for e in money}
    commission = project.commission
    for key, entry in sorted(ledger.active_rule_entries().items(), key=lambda item: item[1].entry_date):
        if key in current or entry.entry_date > as_of or entry.pk is None:
            continue
        if entry.policy_version not in (None, policy.version) and key in _keys_under_version(
                project, entry.policy_version, as_of=as_of, statement=statement):
            continue  # still due under the policy it was posted with: a policy change never rewrites history
        ledger.add(CommissionEntry(
            project=project, owner=project.owner, kind=EntryKind.REVERSAL, entry_date=as_of, amount=-entry.amount,
            percent=-(entry.percent or ZERO), commission=entry.commission, stage=entry.stage, step=entry.step,
            policy_version=policy.version, reverses=entry, created_by=by,
            reason=_reversal_reason(entry)[:300],
        ))
    active = ledger.active_rule_entries()
    for event in money:
        if event.key in active:
            continue
        remaining = HUNDRED - ledger.posted_percent()
        earned = max(ledger.earned(), ZERO)
        if event.kind == Kind.DEDUCTION:
            percent = min(event.percent, remaining)
            if percent <= 0:
                continue
            amount = -min(to_amount(commission * percent / HUNDRED), earned)
            kind = EntryKind.DEDUCTION
        else:
            percent = max(remaining, ZERO)
            amount = -earned
            kind = EntryKind.FORFEITURE
        ledger.add(CommissionEntry(
            project=project, owner=project.owner, kind=kind, key=event.key, revision=ledger.next_revision(event.key),
            entry_date=event.rule_date, amount=amount, percent=percent, commission=commission, stage=event.stage.value,
            step=event.step, policy_version=policy.version, created_by=by,
            reason=event.label[:300],
        ))
        active = ledger.active_rule_entries()
