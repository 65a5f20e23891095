"""The receivables engine: the rules core (``receivables.policy``) applied to stored projects (RCV-9, 10, 12).

* ``derive_facts`` turns a project's invoices and receipts into its dates (invoiced in full, collected with
  retention excluded, retention collected) and stage.
* ``project_refresh`` brings one locked project up to date: it assesses the project with the core, appends the
  ledger entries the core's events call for and reverses those no longer due, opens the proposals and
  compensation agreements the rules require, drafts the retention statement when the warranty has ended, sends
  reminders and notices (each once: by notification key, and because entries exist once), and stores the first
  day on which anything can change again (``next_check_on``).
* ``sweep_receivables`` does that for every project due (``next_check_on <= as_of``), a chunk of projects per
  transaction, the chunk's rows locked. A second process sweeping at the same time waits for the lock and then
  finds the rows no longer due (PostgreSQL re-checks the condition on the locked row): it adds nothing. The
  unique ledger key (project, stage:kind:step, revision) is the backstop.

Services (``receivables.services``) call ``project_refresh`` after every fact they record, inside their
transaction and with the project row locked, so pages are right at once and the nightly sweep only moves clocks.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from marketing_portal.money import format_yuan, to_amount
from marketing_portal.notifications import event_key, notify, notify_many
from marketing_portal.periods import period_end
from marketing_portal.policy import current_policy, policy_version
from org.models import Person
from org.roles import Role
from org.selectors import delegates_of, resolve

from .choices import (
    RULE_KINDS,
    AgreementState,
    EntryKind,
    ProjectStage,
    ProposalKind,
    ProposalState,
    StatementState,
)
from .models import (
    SWEEP_FIELDS,
    CommissionEntry,
    CompensationAgreement,
    DutyProposal,
    Project,
    Receipt,
    RetentionStatement,
)
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
            reason=(_("No longer due: “%(what)s” of %(day)s (an invoice or receipt recorded later stopped the "
                      "clock earlier)") % {"what": entry.reason, "day": entry.entry_date.isoformat()})[:300],
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


# --------------------------------------------------------------------------------------------------
# Consequences: proposals, mandatory duty, compensation agreements, retention statement
# --------------------------------------------------------------------------------------------------
# Who is told what is resolved from the org chart once per sweep (a sweep may notify thousands of times).
_people_cache: ContextVar[dict | None] = ContextVar("receivables_people_cache", default=None)


@contextmanager
def people_cached():
    token = _people_cache.set({})
    try:
        yield
    finally:
        _people_cache.reset(token)


def _cached(key: str, compute):
    cache = _people_cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def directors() -> list:
    """The Marketing Director(s) and whoever acts for them today (ORG-7)."""

    def compute():
        people = resolve(Role.MARKETING_DIRECTOR)
        return people + [u for u in delegates_of(people) if u.pk not in {p.pk for p in people}]

    return _cached("directors", compute)


def finance_people() -> list:
    return _cached("finance", lambda: list({u.pk: u for u in resolve(Role.FINANCE_REVIEWER)
                                            + resolve(Role.FINANCE_HEAD)}.values()))


def marketing_receivers() -> list:
    """Who acts for Marketing on receivables paperwork: the Management Manager and the Sales Clerk."""
    return _cached("marketing", lambda: list({u.pk: u for u in resolve(Role.MANAGEMENT_MANAGER)
                                              + resolve(Role.SALES_CLERK)}.values()))


def management_managers() -> list:
    return _cached("management", lambda: resolve(Role.MANAGEMENT_MANAGER))


def person_of_user(user) -> Person | None:
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def duty_set(*, person_id: int, collection_only: bool, reason: str, by=None) -> Person:
    """The one writer of ``org.Person.duty_status`` for receivables reasons (RCV-8). Call inside a transaction."""
    person = Person.objects.select_for_update().get(pk=person_id)
    status = Person.DutyStatus.COLLECTION_ONLY if collection_only else Person.DutyStatus.NORMAL
    if person.duty_status == status:
        return person
    person.duty_status = status
    person.duty_status_reason = reason[:300] if collection_only else ""
    person._change_reason = reason[:100]
    if by is not None:
        person._history_user = by
    person.save(update_fields=["duty_status", "duty_status_reason"])
    return person


def _describe_cause(project: Project, event) -> str:
    return _("%(project)s: %(what)s (since %(day)s)") % {
        "project": project, "what": event.label, "day": event.rule_date.isoformat()}


def apply_consequences(project: Project, pa: ProjectAssessment, *, as_of: date, proposals: dict, agreements: dict,
                       result: SweepResult) -> None:
    """Open what the non-money events call for, once each; withdraw what a later fact made undue."""
    events = [e for e in pa.events if e.kind in (Kind.MAY_SUSPEND, Kind.SUSPENSION, Kind.COMPENSATION)]
    keys = {e.key for e in events}
    person = person_of_user(project.owner)
    url = project.get_absolute_url()
    for event in events:
        if event.kind in (Kind.MAY_SUSPEND, Kind.SUSPENSION) and person is not None:
            if event.key in proposals:
                continue
            mandatory = event.kind == Kind.SUSPENSION
            cause = _describe_cause(project, event)
            proposal = DutyProposal.objects.create(
                person=person, kind=ProposalKind.IMPOSE, mandatory=mandatory, project=project, cause_key=event.key,
                cause_date=event.rule_date, reason=cause[:300],
                state=ProposalState.CONFIRMED if mandatory else ProposalState.PENDING,
                decided_at=timezone.now() if mandatory else None,
                decision_reason=_("Mandatory under the regulation (RCV-5)") if mandatory else "",
            )
            proposals[event.key] = proposal
            result.proposals += 1
            if mandatory:
                duty_set(person_id=person.pk, collection_only=True, reason=cause)
                # What was still waiting for the Director is settled by the rule itself.
                for waiting in DutyProposal.objects.select_for_update().filter(person=person,
                                                                              state=ProposalState.PENDING):
                    if waiting.kind == ProposalKind.LIFT:
                        waiting.state = ProposalState.WITHDRAWN
                    else:
                        waiting.state = ProposalState.CONFIRMED
                        waiting.decided_at = timezone.now()
                        waiting.decision_reason = _("Superseded: collection-only duty became mandatory (RCV-5)")
                    waiting._change_reason = "mandatory collection-only duty"
                    waiting.save()
                    if waiting.project_id == project.pk:
                        proposals[waiting.cause_key] = waiting
                notify(recipient=project.owner, key=event_key("rcv-duty-mandatory", project, event.key),
                       subject=_("You are on collection-only duty: %(cause)s") % {"cause": cause},
                       body=_("Until the Marketing Director lifts it you can only do invoicing and collection work; "
                              "you cannot create contracts, hand-offs or bids."), url=url)
                notify_many(recipients=directors(), key=event_key("rcv-duty-mandatory", project, event.key),
                            subject=_("Collection-only duty imposed on %(person)s: %(cause)s") % {
                                "person": person, "cause": cause},
                            url=proposal.get_absolute_url())
            else:
                notify_many(recipients=directors(), key=event_key("rcv-duty-proposal", proposal),
                            subject=_("Proposal: collection-only duty for %(person)s") % {"person": person},
                            body=cause, url=proposal.get_absolute_url())
        elif event.kind == Kind.COMPENSATION:
            existing = agreements.get(event.stage.value)
            if existing is not None:
                continue
            agreement = CompensationAgreement.objects.create(
                project=project, owner=project.owner, stage=event.stage.value, required_on=event.rule_date)
            agreements[event.stage.value] = agreement
            result.agreements += 1
            subject = _("%(project)s: a compensation agreement with %(person)s is required") % {
                "project": project, "person": person or project.owner}
            notify(recipient=project.owner, key=event_key("rcv-agreement", agreement), subject=subject, url=url)
            notify_many(recipients=directors() + management_managers(),
                        key=event_key("rcv-agreement", agreement), subject=subject, url=url)
    # A late invoice or receipt can make a cause disappear: what is still open is withdrawn, never deleted.
    for key, proposal in proposals.items():
        if key not in keys and proposal.state == ProposalState.PENDING and (proposal.cause_date or as_of) <= as_of:
            proposal.state = ProposalState.WITHDRAWN
            proposal._change_reason = "cause no longer applies"
            proposal.save(update_fields=["state"])
    stage_keys = {e.stage.value for e in events if e.kind == Kind.COMPENSATION}
    for stage, agreement in agreements.items():
        if stage not in stage_keys and agreement.state == AgreementState.REQUIRED and agreement.required_on <= as_of:
            agreement.state = AgreementState.CANCELLED
            agreement.note = _("No longer required: the invoice or receipt recorded "
                                                            "later is dated within the period.")
            agreement.save(update_fields=["state", "note"])


def statement_due_on(project: Project) -> date | None:
    """The day the retention statement is drafted: the day after the warranty ends — once the retention is invoiced
    (the project invoiced in full) and while it is not yet received. None when there is nothing to chase."""
    if (project.retention_amount <= 0 or project.warranty_ends_on is None or project.invoiced_on is None
            or project.retention_collected_on is not None):
        return None
    return max(project.warranty_ends_on + ONE_DAY, project.invoiced_on)


def draft_statement_if_due(project: Project, statement: RetentionStatement | None, *, as_of: date,
                           result: SweepResult, received_totals: dict | None = None) -> RetentionStatement | None:
    """RCV-7: the day after the warranty ends, the retention collection statement is drafted for Finance."""
    due_on = statement_due_on(project)
    if statement is not None or due_on is None or as_of < due_on:
        return statement
    received = received_totals.get(project.pk) if received_totals is not None else None
    if received is None:
        received = sum(project.receipts.values_list("amount", flat=True), ZERO)
    statement = RetentionStatement.objects.create(
        project=project, warranty_ends_on=project.warranty_ends_on, drafted_on=due_on,
        project_name=project.name, invoicing_unit=project.customer.name, project_amount=project.amount,
        retention_amount=project.retention_amount, collected_amount=received,
        receivable_amount=project.amount - received,
    )
    result.statements += 1
    result.drafted.append(statement)
    return statement


def notify_drafted_statements(statements: list[RetentionStatement]) -> None:
    """Tell Finance about new retention statements: one by one, or in one notice when a catch-up made many."""
    if not statements:
        return
    if len(statements) <= 3:
        for statement in statements:
            project = statement.project
            notify_many(recipients=finance_people(), key=event_key("rcv-statement-drafted", statement),
                        subject=_("Retention collection statement to issue: %(project)s") % {"project": project},
                        body=_("The warranty ended on %(day)s; retention money %(amount)s.") % {
                            "day": statement.warranty_ends_on.isoformat(),
                            "amount": format_yuan(statement.retention_amount)},
                        url=statement.get_absolute_url())
        return
    ids = sorted(s.pk for s in statements)
    notify_many(recipients=finance_people(), key=event_key("rcv-statements-drafted", None, f"{ids[0]}-{ids[-1]}"),
                subject=_("%(count)s retention collection statements to issue") % {"count": len(statements)},
                body="\n".join(f"{s.project_name}：{format_yuan(s.retention_amount)}" for s in statements[:50]),
                url=reverse("receivables:statement-list") + "?state=drafted")


# --------------------------------------------------------------------------------------------------
# Notices and reminders (RCV-12)
# --------------------------------------------------------------------------------------------------
def notify_entries(project: Project, new: list[CommissionEntry], pa: ProjectAssessment) -> int:
    """One notice per project and run listing every new deduction, forfeiture or reversal: each is told once
    (its entry exists once, and the notice key names the entries)."""
    told = [e for e in new if e.kind in (EntryKind.DEDUCTION, EntryKind.FORFEITURE, EntryKind.REVERSAL)]
    if not told:
        return 0

    def texts():
        lines = []
        for e in told:
            lines.append(_("%(day)s %(what)s: %(percent)s%% of the commission, %(amount)s") % {
                "day": e.entry_date.isoformat(), "what": e.reason, "percent": e.percent,
                "amount": format_yuan(e.amount)})
        upcoming = pa.deadlines[:1]
        if upcoming:
            lines.append(_("Next: %(what)s — by %(day)s") % {"what": upcoming[0].label,
                                                             "day": upcoming[0].last_day.isoformat()})
        if len(told) == 1:
            subject = _("%(project)s: %(what)s") % {"project": project, "what": told[0].reason}
        else:
            subject = _("%(project)s: %(count)s commission entries") % {"project": project, "count": len(told)}
        return subject, "\n".join(lines)

    subject, body = texts()
    key = event_key("rcv-entries", project, ",".join(f"{e.kind}:{e.key or e.reverses_id}:{e.revision}"
                                                      for e in told))
    note = notify(recipient=project.owner, key=key, subject=subject, body=body, url=project.get_absolute_url())
    return 1 if note else 0


def reminder_plan(deadlines, *, as_of: date, days_before: list[int]):
    """(deadline, threshold) pairs to remind of today, and the next day a reminder falls due."""
    due, upcoming = [], []
    for deadline in deadlines:
        left = (deadline.last_day - as_of).days
        if left < 0:
            continue
        eligible = [n for n in days_before if n >= left]
        if eligible:
            due.append((deadline, min(eligible), left))
        upcoming.extend(deadline.last_day - timedelta(days=n) for n in days_before
                        if deadline.last_day - timedelta(days=n) > as_of)
    return due, (min(upcoming) if upcoming else None)


def send_reminders(project: Project, due) -> int:
    sent = 0
    for deadline, threshold, left in due:
        def texts(deadline=deadline, left=left):
            subject = _("%(project)s: %(what)s %(day)s (%(left)s days left)") % {
                "project": project, "what": deadline.label, "day": deadline.last_day.isoformat(), "left": left}
            body = _("The period ends at 24:00 on %(day)s; the consequence takes effect on %(effect)s.") % {
                "day": deadline.last_day.isoformat(), "effect": deadline.rule_date.isoformat()}
            return subject, body

        subject, body = texts()
        key = event_key("rcv-reminder", project, deadline.label_key, deadline.step or 0,
                        deadline.last_day.isoformat(), threshold)
        if notify(recipient=project.owner, key=key, subject=subject, body=body, url=project.get_absolute_url()):
            sent += 1
    return sent


# --------------------------------------------------------------------------------------------------
# One project, and the sweep
# --------------------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    as_of: date
    dry_run: bool = False
    due: int = 0
    assessed: int = 0
    entries: int = 0
    reversals: int = 0
    proposals: int = 0
    agreements: int = 0
    statements: int = 0
    reminders: int = 0
    notices: int = 0
    lift_proposals: int = 0
    seconds: float = 0.0
    drafted: list = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if k != "drafted"}


def _process(project: Project, *, as_of: date, today: date, policy, ledger: Ledger, proposals: dict,
             agreements: dict, result: SweepResult, by=None, received_totals: dict | None = None
             ) -> tuple[dict, ProjectAssessment]:
    """Bring one locked project up to date; returns its sweep fields' values (written by the caller) and the
    assessment."""
    statement = statement_of(project)
    pa = assess_project(project, as_of=as_of, policy=policy, statement=statement)
    reconcile_ledger(project, pa, ledger, as_of=as_of, policy=policy, statement=statement, by=by)
    apply_consequences(project, pa, as_of=as_of, proposals=proposals, agreements=agreements, result=result)
    statement = draft_statement_if_due(project, statement, as_of=as_of, result=result,
                                       received_totals=received_totals)
    result.assessed += 1
    candidates = [pa.next_event_on]
    deadlines = pa.deadlines
    if statement is None and (due_on := statement_due_on(project)) is not None and as_of < due_on:
        candidates.append(due_on)
    if as_of == today and project.accepted_on is not None:
        due, next_reminder = reminder_plan(deadlines, as_of=as_of, days_before=list(policy.reminder_days_before))
        result.reminders += send_reminders(project, due)
        candidates.append(next_reminder)
    elif as_of < today:
        candidates.append(as_of + ONE_DAY)  # a past day was assessed: today's run still has to look
    upcoming = [d for d in candidates if d is not None]
    first = deadlines[0] if deadlines else None
    return {
        "next_check_on": min(upcoming) if upcoming else None,
        "swept_on": as_of,
        "deduction_percent": ledger.posted_percent(),
        "suspension": pa.suspension,
        "next_deadline_on": first.last_day if first else None,
        "next_deadline_label": first.label[:120] if first else "",
    }, pa


def _store(projects_and_values, ledgers) -> int:
    new = [e for ledger in ledgers for e in ledger.new]
    if new:
        bulk_create_with_history(new, CommissionEntry, batch_size=1000)
    changed = []
    for project, values in projects_and_values:
        if any(getattr(project, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(project, k, v)
            changed.append(project)
    if changed:
        _update_sweep_fields(changed)
    return len(new)


def _update_sweep_fields(projects: list[Project]) -> None:
    """Write the sweep fields of many projects at once (no history: they are the sweep's bookkeeping).

    On PostgreSQL one ``UPDATE … FROM (VALUES …)`` per thousand rows; Django's ``bulk_update`` builds a CASE per
    field and row, about twenty times slower here.
    """
    if connection.vendor != "postgresql":
        Project.objects.bulk_update(projects, SWEEP_FIELDS, batch_size=500)
        return
    table = Project._meta.db_table
    casts = {"next_check_on": "date", "swept_on": "date", "deduction_percent": "numeric", "suspension": "text",
             "next_deadline_on": "date", "next_deadline_label": "text"}
    assignments = ", ".join(f"{name} = v.{name}::{casts[name]}" for name in SWEEP_FIELDS)
    columns = ", ".join(["id", *SWEEP_FIELDS])
    with connection.cursor() as cursor:
        for start in range(0, len(projects), 1000):
            batch = projects[start:start + 1000]
            row = "(" + ", ".join(["%s"] * (len(SWEEP_FIELDS) + 1)) + ")"
            params = [value for p in batch for value in (p.pk, *(getattr(p, name) for name in SWEEP_FIELDS))]
            cursor.execute(
                f"UPDATE {table} AS p SET {assignments} FROM (VALUES {', '.join([row] * len(batch))}) "  # noqa: S608
                f"AS v({columns}) WHERE p.id = v.id",
                params,
            )


def project_refresh(project: Project, *, as_of: date | None = None, by=None, policy=None) -> SweepResult:
    """Bring one project up to date now. The caller holds the row lock (``select_for_update``) in a transaction.

    Texts stored in records (entry reasons, notices) are written in the portal's language, whoever triggers them.
    """
    with translation.override(settings.LANGUAGE_CODE), people_cached():
        return _refresh(project, as_of=as_of, by=by, policy=policy)


def _refresh(project: Project, *, as_of, by, policy) -> SweepResult:
    today = timezone.localdate()
    as_of = as_of or today
    policy = policy or current_policy()
    result = SweepResult(as_of=as_of)
    ledger = Ledger(project.entries.all())
    proposals = {p.cause_key: p for p in DutyProposal.objects.filter(project=project, kind=ProposalKind.IMPOSE)}
    agreements = {a.stage: a for a in CompensationAgreement.objects.filter(project=project)}
    values, pa = _process(project, as_of=as_of, today=today, policy=policy, ledger=ledger, proposals=proposals,
                          agreements=agreements, result=result, by=by)
    result.entries = _store([(project, values)], [ledger])
    result.reversals = sum(1 for e in ledger.new if e.kind == EntryKind.REVERSAL)
    result.notices += notify_entries(project, ledger.new, pa)
    notify_drafted_statements(result.drafted)
    result.lift_proposals += consider_lifting([project.owner_id])
    return result


def _batched(items, size):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _sweep_chunk(ids: list[int], *, as_of: date, today: date, policy, result: SweepResult) -> None:
    projects = list(
        Project.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, next_check_on__lte=as_of)
        .select_related("owner__person", "retention_statement", "customer")
        .order_by("pk")
    )
    if not projects:
        return
    pids = [p.pk for p in projects]
    entries = defaultdict(list)
    for entry in CommissionEntry.objects.filter(project_id__in=pids).order_by("pk"):
        entries[entry.project_id].append(entry)
    proposals = defaultdict(dict)
    for proposal in DutyProposal.objects.filter(project_id__in=pids, kind=ProposalKind.IMPOSE):
        proposals[proposal.project_id][proposal.cause_key] = proposal
    agreements = defaultdict(dict)
    for agreement in CompensationAgreement.objects.filter(project_id__in=pids):
        agreements[agreement.project_id][agreement.stage] = agreement
    received = dict(Receipt.objects.filter(project_id__in=pids).order_by().values("project_id")
                    .annotate(total=Sum("amount")).values_list("project_id", "total"))
    drafted_before = len(result.drafted)
    done, ledgers, assessed = [], [], []
    for project in projects:
        ledger = Ledger(entries[project.pk])
        values, pa = _process(project, as_of=as_of, today=today, policy=policy, ledger=ledger,
                              proposals=proposals[project.pk], agreements=agreements[project.pk], result=result,
                              received_totals=received if project.pk in received else {project.pk: ZERO})
        done.append((project, values))
        ledgers.append(ledger)
        assessed.append((project, ledger, pa))
    result.entries += _store(done, ledgers)
    for project, ledger, pa in assessed:
        result.reversals += sum(1 for e in ledger.new if e.kind == EntryKind.REVERSAL)
        result.notices += notify_entries(project, ledger.new, pa)
    notify_drafted_statements(result.drafted[drafted_before:])
    result.lift_proposals += consider_lifting({p.owner_id for p in projects})


def sweep_receivables(*, as_of: date | None = None, dry_run: bool = False, chunk_size: int = 500) -> SweepResult:
    """RCV-10: bring every open receivable up to date as of the end of ``as_of`` (default today).

    Idempotent (a second run finds nothing due), safe in two processes at once, catches up after downtime with
    each entry dated by its rule date. ``dry_run`` does all the work in a transaction that is rolled back.
    """
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError(_("The sweep cannot run for a day in the future (%(day)s).") % {
            "day": as_of.isoformat()})
    started = time.monotonic()
    policy = current_policy()
    result = SweepResult(as_of=as_of, dry_run=dry_run)
    with translation.override(settings.LANGUAGE_CODE), people_cached():
        _sweep(as_of=as_of, today=today, dry_run=dry_run, chunk_size=chunk_size, policy=policy, result=result)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _sweep(*, as_of, today, dry_run, chunk_size, policy, result) -> None:
    # The partial index on next_check_on answers this; sorting in Python keeps the planner on that index.
    ids = sorted(Project.objects.filter(next_check_on__lte=as_of).order_by().values_list("pk", flat=True))
    result.due = len(ids)
    if dry_run:
        with transaction.atomic():
            for chunk in _batched(ids, chunk_size):
                _sweep_chunk(chunk, as_of=as_of, today=today, policy=policy, result=result)
            transaction.set_rollback(True)
    else:
        for chunk in _batched(ids, chunk_size):
            # Each chunk commits on its own: locks are short, and a crash loses at most one chunk's work.
            with transaction.atomic():
                _sweep_chunk(chunk, as_of=as_of, today=today, policy=policy, result=result)


# --------------------------------------------------------------------------------------------------
# Lifting collection-only duty (RCV-8)
# --------------------------------------------------------------------------------------------------
def blocking_projects(user_id: int):
    """Projects of the owner that still call for collection-only duty: a mandatory cause, or a cause the Director
    confirmed (or has not decided yet) that still holds."""
    live_proposal = DutyProposal.objects.filter(project=OuterRef("pk"), kind=ProposalKind.IMPOSE,
                                                state__in=[ProposalState.PENDING, ProposalState.CONFIRMED])
    return Project.objects.filter(owner_id=user_id).filter(
        Q(suspension=Suspension.SUSPENDED) | Q(suspension=Suspension.MAY_SUSPEND) & Exists(live_proposal))


def consider_lifting(user_ids) -> int:
    """Propose lifting the duty of people whose receivables no longer call for it (the Director decides)."""
    proposed = 0
    people = Person.objects.select_for_update().filter(
        user_id__in=list(user_ids), duty_status=Person.DutyStatus.COLLECTION_ONLY).order_by("pk")
    for person in people:
        imposed_here = DutyProposal.objects.filter(person=person, kind=ProposalKind.IMPOSE,
                                                   state=ProposalState.CONFIRMED).exists()
        if not imposed_here or blocking_projects(person.user_id).exists():
            continue
        if DutyProposal.objects.filter(person=person, kind=ProposalKind.LIFT, state=ProposalState.PENDING).exists():
            continue
        reason = _("The receivables that put %(person)s on collection-only duty are invoiced or collected.") % {
            "person": person}
        proposal = DutyProposal.objects.create(person=person, kind=ProposalKind.LIFT, reason=reason[:300])
        notify_many(recipients=directors(), key=event_key("rcv-duty-lift", proposal),
                    subject=_("Proposal: lift the collection-only duty of %(person)s") % {"person": person},
                    body=reason, url=proposal.get_absolute_url())
        proposed += 1
    return proposed


__all__ = [
    "SweepResult", "derive_facts", "derive_stage", "assess_project", "project_refresh", "sweep_receivables",
    "duty_set", "consider_lifting", "blocking_projects", "warranty_end", "statement_of", "Ledger",
]
