"""Benchmark of the managers' dashboard (RPT-1) and the home cards: on the seed_bench data set, or at growing sizes.

On the ten-year data set (``manage.py seed_bench``), read only — every request runs inside one transaction that is
rolled back at the end (logins write their session), with the production settings (DEBUG off, the Redis cache):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python benchmarks/dashboard.py [--repeat 20]

prints, for the director, the GM, the Management Manager, the Sales Manager, a regional manager (华北) and a
salesperson: the dashboard (this year, a custom 24 months, filtered to a region), one Excel export and the home
page — SQL queries, server p50 / p95 milliseconds and the database's share (the time spent in ``execute`` and
fetching), each twice: cold (the cache of figures forgotten before each request) and warm (read from it); then the
time of each dashboard section's figures alone (computed, not cached).

At growing sizes (without ``DATABASE_URL``):

    .venv/bin/python benchmarks/dashboard.py [--server postgres://postgres@127.0.0.1:5432/postgres]
        [--sizes 2000,10000,50000] [--keep]

it creates a scratch PostgreSQL database on the server (``bench_dashboard``; dropped at the end unless ``--keep``),
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
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import drop_database, measure, page_figures, production_environment, recreate_database  # noqa: E402

DB_NAME = "bench_dashboard"


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


BENCH_ROLES = ("director", "gm", "mgmt_manager", "sales_manager", "rm_hb", "sales_hb")


def on_bench(repeat: int) -> None:
    """The dashboard and the home pages on an existing seed_bench database, read only (rolled back)."""
    production_environment()
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from dashboards import figures, periods
    from marketing_portal.management.commands.seed_bench import check_target
    from receivables.models import Invoice, Project, Receipt

    check_target(os.environ["DATABASE_URL"])  # only a seed_bench database
    today = timezone.localdate()
    print(f"dashboard benchmark on {connection.settings_dict['NAME']} (today {today}): {Project.objects.count():,} "
          f"projects, {Invoice.objects.count():,} invoices, {Receipt.objects.count():,} receipts; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {repeat} requests each after a warm-up")
    page = reverse("dashboards:dashboard")
    urls = {
        "dashboard, this year": page,
        "dashboard, custom 24 months": f"{page}?period=custom&start={today.year - 1}-01&end={today.year}-12",
        "dashboard, this year, 华北": f"{page}?period=year&year={today.year}&region=HB",
        "export: receivables aging": reverse("dashboards:export", args=["aging"]),
        "home (cards and my work)": reverse("home"),
    }
    users = get_user_model().objects
    rows = []
    with transaction.atomic():
        print(f"\n{'who':<15}{'page (cold: figures computed, warm: cached)':<36}{'queries':>8}{'p50 ms':>9}"
              f"{'p95 ms':>9}{'db ms':>8}")
        for login in BENCH_ROLES:
            client = Client()
            client.force_login(users.get(username=login))
            for label, url in urls.items():
                for temperature in ("cold", "warm"):
                    queries, p50, p95, floor, status = page_figures(client, url, repeat, cold=temperature == "cold")
                    flag = "" if status == 200 else f"  HTTP {status}"
                    text = f"{label}, {temperature}"
                    print(f"{login:<15}{text:<36}{queries:>8}{p50:>9.0f}{p95:>9.0f}{floor:>8.0f}{flag}", flush=True)
                    rows.append((login, text, p95, status))
        print("\nthe figures of each section alone (this year, median of 5 ms)")
        period = periods.year_period(today.year)
        for login in ("director", "rm_hb", "sales_hb"):
            user = users.get(username=login)
            parts = []
            for key in figures.section_keys(user):
                figures.compute(key, user, period, "", today)
                spent = []
                for _ in range(5):
                    started = time.perf_counter()
                    figures.compute(key, user, period, "", today)  # computed, not read from the cache
                    spent.append(time.perf_counter() - started)
                parts.append(f"{key} {statistics.median(spent) * 1000:.0f}")
            print(f"  {login:<13} " + " · ".join(parts), flush=True)
        transaction.set_rollback(True)
    for temperature in ("cold", "warm"):
        slow = [(login, label, round(p95)) for login, label, p95, status in rows
                if label.startswith("dashboard") and label.endswith(temperature) and p95 >= 300]
        print(f"\ndashboard p95 under 300 ms for every role, {temperature} cache: "
              f"{'yes' if not slow else 'NO: ' + repr(slow)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--sizes", default="2000,10000,50000", help="cumulative numbers of signed contracts")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database afterwards")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page on the seed_bench data set")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        on_bench(args.repeat)
        return
    sizes = [int(s) for s in args.sizes.split(",")]

    os.environ["DATABASE_URL"] = recreate_database(args.server, DB_NAME)
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
            drop_database(args.server, DB_NAME)


if __name__ == "__main__":
    main()
