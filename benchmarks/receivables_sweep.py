"""Benchmark of the daily receivables sweep (RCV-10): open receivables, first and second run of a day.

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python benchmarks/receivables_sweep.py \\
        [--server postgres://postgres@127.0.0.1:5432/postgres] [--sizes 5000,50000] [--keep]

It creates a scratch PostgreSQL database on the server (``bench_receivables``; dropped at the end unless
``--keep``), migrates it, seeds the demo organisation and then, for each size in ``--sizes`` (cumulative):

1. builds open receivables in bulk (accepted up to 900 days ago; not invoiced, being collected, or collected
   with retention outstanding — see ``tests/receivables/bulk.py``);
2. **catch-up**: sweeps them as of yesterday (each new project has never been assessed: all its past deductions,
   forfeitures, proposals, statements and notices are made, dated by their rule dates);
3. **first run of today**: the projects whose next event or reminder falls today;
4. **second run of today**: finds nothing due and changes no row (checked: row counts of every receivables and
   notification table, and a checksum of every project's sweep fields, before and after).

The sweep only reads projects with ``next_check_on <= today`` (a partial index), so the second run's time stays
flat as the number of receivables grows, and the first run's time follows the number of projects due that day.
E-mail is switched off (no addresses) so that the figures are the sweep's own.

Measured on the 2-vCPU development machine (2026-11-29):

    receivables  due today  first run  second run   catch-up of the new ones
          5,000         54     0.105 s    0.0021 s     10.4 s (2.1 ms per project)
         50,000        519     0.828 s    0.0065 s     99.9 s (45,000 new, 2.2 ms per project)

The second run reads the partial index only; what it still costs is the index entries the first run's updates
left behind until autovacuum (proportional to that day's work: 54 vs 519 projects), not the 50,000 rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.common import drop_database, recreate_database  # noqa: E402

DB_NAME = "bench_receivables"


@contextmanager
def frozen(day):
    """The sweep sees ``day`` as today (it reads ``timezone.localdate()``)."""
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


def fingerprint() -> tuple:
    """Row counts of every table the sweep writes, and a checksum of the projects' sweep fields."""
    from django.db import connection

    tables = ["receivables_commissionentry", "receivables_historicalcommissionentry", "receivables_dutyproposal",
              "receivables_compensationagreement", "receivables_retentionstatement", "portal_notification",
              "org_person", "org_historicalperson"]
    with connection.cursor() as cursor:
        counts = []
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts.append(cursor.fetchone()[0])
        cursor.execute("SELECT md5(string_agg(concat_ws(',', id, next_check_on, swept_on, deduction_percent, "
                       "suspension, next_deadline_on, next_deadline_label), ';' ORDER BY id)) FROM receivables_project")
        checksum = cursor.fetchone()[0]
    return tuple(counts), checksum


def timed_sweep(label: str, day, *, as_of=None):
    from receivables.engine import sweep_receivables

    with frozen(day):
        before = fingerprint()
        started = time.perf_counter()
        result = sweep_receivables(as_of=as_of)
        seconds = time.perf_counter() - started
        after = fingerprint()
    per = f"{seconds / result.assessed * 1000:.2f} ms per project assessed" if result.assessed else "—"
    print(f"  {label:<28} {seconds:8.3f} s   due {result.due:>6}  assessed {result.assessed:>6}  "
          f"entries {result.entries:>6}  proposals {result.proposals:>4}  statements {result.statements:>5}  "
          f"reminders {result.reminders:>5}  notices {result.notices:>6}   ({per})")
    return result, seconds, before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--sizes", default="5000,50000", help="cumulative numbers of open receivables")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database afterwards")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    os.environ["DATABASE_URL"] = recreate_database(args.server, DB_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_portal.settings_test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from org import seed
    from tests.receivables.bulk import build_open_receivables

    try:
        call_command("migrate", verbosity=0)
        seed.run()
        get_user_model().objects.update(email="")  # no e-mail tasks: the figures are the sweep's own
        today = timezone.localdate()
        yesterday = today - timedelta(days=1)
        print(f"receivables sweep benchmark on PostgreSQL ({connection.settings_dict['NAME']}), today {today}")
        built = 0
        rows = []
        for index, size in enumerate(sizes):
            started = time.perf_counter()
            build_open_receivables(size - built, as_of=yesterday, seed=index + 1, tag=f"B{index}")
            print(f"\n{size:,} open receivables ({size - built:,} new, built in {time.perf_counter() - started:.1f} s)")
            built = size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
            timed_sweep("catch-up (as of yesterday)", yesterday)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE receivables_project")  # autovacuum would: the catch-up rewrote every row
            first, first_s, _b, _a = timed_sweep("first run of today", today)
            second, second_s, before, after = timed_sweep("second run of today", today)
            unchanged = before == after and second.entries == 0 and second.assessed == 0
            print(f"  second run changed no row: {'yes' if unchanged else 'NO'}")
            rows.append((size, first.assessed, first_s, second_s, unchanged))
            if not unchanged:
                sys.exit("the second run of the day changed rows")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN SELECT id FROM receivables_project WHERE next_check_on <= %s", [today])
            plan = " / ".join(r[0].strip() for r in cursor.fetchall())
        print("\nsummary")
        print(f"  {'receivables':>12} {'due today':>10} {'first run':>10} {'second run':>11}")
        for size, due, first_s, second_s, _ok in rows:
            print(f"  {size:>12,} {due:>10,} {first_s:>9.3f}s {second_s:>10.4f}s")
        print(f"  query of the projects due: {plan}")
    finally:
        if not args.keep:
            drop_database(args.server, DB_NAME)


if __name__ == "__main__":
    main()
