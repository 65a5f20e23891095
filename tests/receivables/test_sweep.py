"""RCV-10: the sweep is idempotent, catches up after downtime dating each entry by its rule date, runs safely in
two threads or two processes at once, runs by hand (``manage.py sweep_receivables``) and from the beat schedule
on a real Celery worker."""

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from marketing_portal.notifications import Notification
from receivables.engine import sweep_receivables
from receivables.models import CommissionEntry, DutyProposal, Project
from tests.concurrency import run_together

from .bulk import build_open_receivables
from .conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]


def snapshot():
    """Every row the sweep may write, as plain values."""
    return (
        sorted(CommissionEntry.objects.values_list("project_id", "key", "revision", "kind", "entry_date", "amount")),
        sorted(Project.objects.values_list("pk", "next_check_on", "swept_on", "deduction_percent", "suspension")),
        sorted(DutyProposal.objects.values_list("pk", "state")),
        Notification.objects.count(),
    )


def rule_rows(project):
    return [(e.key, e.revision, e.kind, e.entry_date, e.percent, e.amount)
            for e in CommissionEntry.objects.filter(project=project).exclude(kind="base").order_by("entry_date", "pk")]


@pytest.mark.django_db
def test_a_second_run_the_same_day_changes_no_row(rcv, on_day):
    on_day(date(2026, 1, 5))
    projects = [rcv.project(accepted_on=date(2026, 1, 5)) for _ in range(3)]
    on_day(date(2026, 8, 1))
    first = sweep_receivables()
    assert first.assessed == 3 and first.entries > 0
    before = snapshot()
    second = sweep_receivables()
    assert (second.due, second.assessed, second.entries, second.notices) == (0, 0, 0, 0)
    assert snapshot() == before
    assert all(Project.objects.get(pk=p.pk).next_check_on > date(2026, 8, 1) for p in projects)


@pytest.mark.django_db
def test_catch_up_after_downtime_gives_what_daily_runs_would_have_given(rcv, on_day):
    on_day(date(2026, 1, 5))
    daily = rcv.project(accepted_on=date(2026, 1, 5))
    downtime = rcv.project(accepted_on=date(2026, 1, 5))
    Project.objects.filter(pk=downtime.pk).update(next_check_on=date(2099, 1, 1))  # its server is "down"
    day = date(2026, 1, 6)
    while day <= date(2026, 8, 1):
        on_day(day)
        sweep_receivables()
        day += timedelta(days=1)
    Project.objects.filter(pk=downtime.pk).update(next_check_on=date(2026, 1, 6))  # back up on 2026-08-01
    result = sweep_receivables()
    assert result.assessed == 1
    assert rule_rows(downtime) == rule_rows(daily)
    assert [r[3] for r in rule_rows(downtime)] == [
        date(2026, 3, 7), date(2026, 4, 6), date(2026, 5, 6), date(2026, 6, 5), date(2026, 7, 5), date(2026, 7, 7)]
    may_suspend = DutyProposal.objects.get(project=downtime)
    assert may_suspend.cause_date == date(2026, 7, 7) and may_suspend.state == "pending"


@pytest.mark.django_db
def test_dry_run_reports_the_work_and_stores_nothing(rcv, on_day):
    on_day(date(2026, 1, 5))
    rcv.project(accepted_on=date(2026, 1, 5))
    on_day(date(2026, 8, 1))
    before = snapshot()
    result = sweep_receivables(dry_run=True)
    assert result.entries == 6 and result.proposals == 1
    assert snapshot() == before


@pytest.mark.django_db
def test_sweeping_a_past_day_leaves_later_entries_alone(rcv, on_day):
    on_day(date(2026, 5, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    assert len(rule_rows(project)) == 3
    Project.objects.filter(pk=project.pk).update(next_check_on=date(2026, 3, 1))
    result = sweep_receivables(as_of=date(2026, 3, 10))
    assert result.assessed == 1 and result.reversals == 0
    assert len(rule_rows(project)) == 3


@pytest.mark.django_db
def test_command_by_hand_with_as_of_and_dry_run(rcv, on_day, capsys):
    on_day(date(2026, 1, 5))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    on_day(date(2026, 8, 1))
    call_command("sweep_receivables", "--as-of", "2026-04-10", "--dry-run")
    out = capsys.readouterr().out
    assert "试运行（未保存任何数据）" in out and "2 条台账分录" in out
    assert rule_rows(project) == []
    call_command("sweep_receivables", "--as-of", "2026-04-10")
    assert [r[0] for r in rule_rows(project)] == ["invoice:deduction:1", "invoice:deduction:2"]
    call_command("sweep_receivables")
    assert len(rule_rows(project)) == 6
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_receivables", "--as-of", "01/08/2026")
    with pytest.raises(CommandError, match="未来"):
        call_command("sweep_receivables", "--as-of", "2026-08-02")


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_sweep_daily_at_0030_beijing_time(settings):
    from celery.schedules import crontab

    from marketing_portal.celery import app

    app.loader.import_default_modules()  # what a worker does when it starts (autodiscovery)
    entry = settings.CELERY_BEAT_SCHEDULE["receivables-sweep"]
    assert entry["task"] == "receivables.tasks.sweep_receivables_task"
    assert entry["schedule"] == crontab(hour=0, minute=30)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert entry["task"] in app.tasks
    digest = settings.CELERY_BEAT_SCHEDULE["receivables-digest"]
    assert digest["task"] in app.tasks


# --------------------------------------------------------------------------------------------------
# Real concurrency on PostgreSQL, a real worker
# --------------------------------------------------------------------------------------------------
def _expected_keys(as_of):
    """What one sweep must leave: every project's events up to ``as_of`` (from the rules core), once each."""
    from marketing_portal.policy import current_policy
    from receivables.engine import assess_project
    from receivables.policy import Kind

    policy = current_policy()
    keys = set()
    for project in Project.objects.all():
        for event in assess_project(project, as_of=as_of, policy=policy).events:
            if event.kind in (Kind.DEDUCTION, Kind.FORFEITURE):
                keys.add((project.pk, event.key))
    return keys


def _posted_keys():
    rows = list(CommissionEntry.objects.exclude(kind="base").values_list("project_id", "key", "revision"))
    return rows


@pytest.mark.django_db(transaction=True)
def test_two_threads_sweeping_at_once_add_each_entry_once(transactional_demo, on_day):
    on_day(TODAY)
    build_open_receivables(300, as_of=TODAY, seed=7, late_share=0.5)
    expected = _expected_keys(TODAY)
    assert len(expected) > 400
    results, errors = run_together([lambda: sweep_receivables(chunk_size=25)] * 2, catch=Exception)
    assert errors == []
    posted = _posted_keys()
    assert len(posted) == len(set(posted)) == len(expected)
    assert {(p, k) for p, k, _r in posted} == expected
    # both really ran at the same time (each found all 300 due and took a share), each project assessed once
    assert [r.due for r in results] == [300, 300]
    assert all(r.assessed > 0 for r in results)
    assert sum(r.assessed for r in results) == 300
    assert sum(r.entries for r in results) == len(expected)
    assert sweep_receivables().entries == 0


def _test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_processes_running_the_command_at_once_add_each_entry_once(transactional_demo):
    as_of = date(2026, 6, 30)  # a fixed past day: the processes run with the machine's real clock
    build_open_receivables(400, as_of=as_of, seed=11, max_age_days=500, late_share=0.5)
    expected = _expected_keys(as_of)
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": "marketing_portal.settings_test"}
    command = [sys.executable, str(ROOT / "manage.py"), "sweep_receivables", "--as-of", as_of.isoformat()]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    posted = _posted_keys()
    assert len(posted) == len(set(posted)) == len(expected)
    assert {(p, k) for p, k, _r in posted} == expected
    assessed = sorted(int(re.search(r"已测算 (\d+) 个", out).group(1)) for out, _err in outputs)
    assert sum(assessed) == 400, outputs


@pytest.mark.worker
def test_the_beat_task_on_a_real_worker_sweeps_and_a_second_run_adds_nothing(celery_worker, transactional_demo,
                                                                              on_day, settings):
    on_day(TODAY)
    build_open_receivables(40, as_of=TODAY, seed=3)
    expected = _expected_keys(TODAY)
    task = settings.CELERY_BEAT_SCHEDULE["receivables-sweep"]["task"]
    # what beat sends at 00:30, consumed by a real worker through the real Redis broker
    first = celery_worker.send_task(task, ignore_result=False).get(timeout=120)
    assert first["assessed"] == 40 and first["entries"] == len(expected)
    assert Project.objects.filter(swept_on=TODAY).count() == 40
    assert len(_posted_keys()) == len(expected)
    before = snapshot()
    second = celery_worker.send_task(task, kwargs={"as_of": TODAY.isoformat()}, ignore_result=False).get(timeout=120)
    assert (second["due"], second["assessed"], second["entries"]) == (0, 0, 0)
    assert snapshot() == before
