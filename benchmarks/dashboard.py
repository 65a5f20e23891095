"""Benchmark of the managers' dashboard (RPT-1) and the home cards at growing data sizes.

    .venv/bin/python benchmarks/dashboard.py [--server postgres://postgres@127.0.0.1:5432/postgres]
        [--sizes 2000,10000,50000] [--keep]

It creates a scratch PostgreSQL database on the server (``bench_dashboard``; dropped at the end unless ``--keep``),
migrates it, seeds the demo organisation, approves a plan with targets for every region and month, and then, for
each size in ``--sizes`` (cumulative), adds that many signed sales contracts with their projects, invoices and
receipts (``tests/receivables/bulk.py``, accepted up to 900 days back) and one deduction entry for every fifth
project; then prints, for the director, a regional manager and a salesperson: the dashboard page (this year and a
custom 24 months), one Excel export and the home page — median milliseconds and SQL queries.

The number of queries must not change with the size (the figures are GROUP BY / conditional aggregates).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import measure  # noqa: E402

DB_NAME = "bench_dashboard"


@contextmanager
def _admin_connection(server: str):
    import psycopg

    parsed = urlparse(server)
    host = f"{parsed.hostname or '127.0.0.1'}:{parsed.port or 5432}"
    admin = f"postgresql://{parsed.username or 'postgres'}@{host}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        yield conn


def _recreate(server: str) -> str:
    with _admin_connection(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    parsed = urlparse(server)
    host = f"{parsed.hostname or '127.0.0.1'}:{parsed.port or 5432}"
    return f"postgres://{parsed.username or 'postgres'}@{host}/{DB_NAME}"


def _drop(server: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin_connection(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")


def _plan(year: int) -> None:
    """The centre's plan of ``year``: ¥3,000,000 a month for each region, approved by the director and the GM."""
    from django.contrib.auth import get_user_model

    from org.models import Region
    from planning import services

    users = get_user_model().objects
    by = users.get(username="mgmt_manager")
    plan = services.plan_create(by=by, year=year, region=None)
    version = plan.versions.get()
    services.plan_targets_set(version_id=version.pk, by=by, targets=[
        {"region": region, "person": None, "period": "month", "period_no": m, "amount": "3000000"}
        for region in Region.objects.filter(active=True) for m in range(1, 13)])
    services.plan_submit(version_id=version.pk, by=by)
    for login in ("director", "gm"):
        step = version.steps.get(status="pending")
        services.plan_approve(step_id=step.pk, by=users.get(username=login))


def _deductions(project_ids: list[int]) -> None:
    """A 5 % deduction for every fifth of the given projects, dated 30 days after acceptance."""
    from receivables.models import CommissionEntry, Project

    entries = []
    for project in Project.objects.filter(pk__in=project_ids[::5]):
        amount = -(project.commission * Decimal("0.05")).quantize(Decimal("0.01"))
        entries.append(CommissionEntry(project=project, owner=project.owner, kind="deduction", key="bench-deduction",
                                       entry_date=project.accepted_on + timedelta(days=30), amount=amount,
                                       commission=project.commission, policy_version=project.commission_policy_version,
                                       reason="开票逾期扣减（基准数据）"))
    CommissionEntry.objects.bulk_create(entries, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--sizes", default="2000,10000,50000", help="cumulative numbers of signed contracts")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database afterwards")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    os.environ["DATABASE_URL"] = _recreate(args.server)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_portal.settings_test")
    os.environ["REDIS_URL"] = os.environ.get("REDIS_URL", "")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from org import seed
    from tests.receivables.bulk import build_open_receivables

    setup_test_environment()
    try:
        call_command("migrate", verbosity=0)
        seed.run()
        get_user_model().objects.update(email="")
        today = timezone.localdate()
        _plan(today.year)
        print(f"dashboard benchmark on PostgreSQL ({connection.settings_dict['NAME']}), today {today}")
        page = reverse("dashboards:dashboard")
        urls = {
            "dashboard, this year": page,
            "dashboard, custom 24 months": f"{page}?period=custom&start={today.year - 1}-01&end={today.year}-12",
            "export: receivables aging": reverse("dashboards:export", args=["aging"]),
            "home (cards)": reverse("home"),
        }
        built, rows = 0, []
        for index, size in enumerate(sizes):
            started = time.perf_counter()
            ids = build_open_receivables(size - built, as_of=today, seed=index + 1, tag=f"D{index}",
                                         max_age_days=700)
            _deductions(ids)
            built = size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"\n{size:,} signed contracts with projects ({time.perf_counter() - started:.1f} s to build)")
            for login in ("director", "rm_hb", "sales_hb"):
                client = Client()
                client.force_login(get_user_model().objects.get(username=login))
                for label, url in urls.items():
                    ms, queries, status = measure(client, url, repeat=3)
                    print(f"  {login:<9} {label:<30} {ms:8.0f} ms {queries:4d} queries  HTTP {status}")
                    rows.append((size, login, label, ms, queries))
        print("\nsummary (queries per size must not change)")
        for login in ("director", "rm_hb", "sales_hb"):
            for label in urls:
                figures = [(s, ms, q) for s, lg, lb, ms, q in rows if lg == login and lb == label]
                text = "  ".join(f"{s:>6,}: {ms:6.0f} ms / {q} q" for s, ms, q in figures)
                same = len({q for _s, _ms, q in figures}) == 1
                print(f"  {login:<9} {label:<30} {text}  {'fixed' if same else 'CHANGES'}")
    finally:
        if not args.keep:
            _drop(args.server)


if __name__ == "__main__":
    main()
