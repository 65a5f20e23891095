"""Bringing projects up to date (RCV-10): one project after each recorded fact, every project due in the nightly sweep.

* ``project_refresh`` brings one locked project up to date: it assesses the project with the core, reconciles the
  ledger, sets off the consequences, sends reminders and notices (each once), and stores the first day on which
  anything can change again (``next_check_on``).
* ``sweep_receivables`` does that for every project due (``next_check_on <= as_of``), a chunk of projects per
  transaction, the chunk's rows locked. A second process sweeping at the same time waits for the lock and then
  finds the rows no longer due (PostgreSQL re-checks the condition on the locked row): it adds nothing. The
  unique ledger key (project, stage:kind:step, revision) is the backstop.

Texts stored in records (entry reasons, notices) are written in the portal's language, whoever triggers them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from marketing_portal.figures_cache import figures_changed
from marketing_portal.policy import current_policy

from .choices import EntryKind, ProposalKind
from .consequences import (
    apply_consequences,
    consider_lifting,
    draft_statement_if_due,
    notify_drafted_statements,
    notify_entries,
    people_cached,
    reminder_plan,
    send_reminders,
    statement_due_on,
)
from .ledger import ONE_DAY, Ledger, ProjectAssessment, assess_project, reconcile_ledger, statement_of
from .models import SWEEP_FIELDS, CommissionEntry, CompensationAgreement, DutyProposal, Project, Receipt
from .policy import ZERO


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
    # bulk_create and the raw UPDATE send no signal: the cached figures are told after the commit (on PostgreSQL
    # the tables' triggers already count these writes).
    figures_changed()
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
