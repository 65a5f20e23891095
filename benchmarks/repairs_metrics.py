"""Benchmark: repairs at scale (issue 10) — the metrics selector and page, the service-level sweep.

Fills a database with N tickets spread over a year across departments, technicians, customers and
products (bulk inserts: most closed, some open and overdue), then prints:

* ``repair_metrics`` (REP-9, the selector the dashboards call): time and SQL queries — fixed whatever N;
* the metrics page and its Excel export, with their query counts;
* the service-level sweep (beat, every 15 minutes): the first run (sends the alerts) and the next
  (nothing new: the cost of being idempotent).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_repairs_bench \\
        .venv/bin/python benchmarks/repairs_metrics.py [--rows 50000]

The database is created and filled on the first run; later runs reuse it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import environment, measure, prepare  # noqa: E402

environment("postgres://postgres@127.0.0.1:5432/h_repairs_bench")


def fill(rows: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from stdnum.cn import uscc

    from contracts.models import Customer
    from org.models import Region
    from repairs.models import Equipment, Ticket

    existing = Ticket.objects.count()
    if existing >= rows:
        return
    started = time.perf_counter()
    rng = random.Random(10)
    User = get_user_model()
    cs = User.objects.get(username="cs")
    techs = list(User.objects.filter(username__in=["tech_repair", "tech_rnd", "tech_production"]))
    regions = list(Region.objects.order_by("code"))
    if Customer.objects.count() < 300:
        Customer.objects.bulk_create([
            Customer(name=f"维修基准客户{i:04d}有限公司", region=regions[i % len(regions)], created_by=cs,
                     credit_code=(body := f"91130000MC{i:07d}") + uscc.calc_check_digit(body))
            for i in range(300)], ignore_conflicts=True)
    customers = list(Customer.objects.order_by("pk")[:300])
    models = ["KYN28A-12", "XGN15-12", "YBM-10/0.4", "GGD 低压柜", "直流屏 GZDW", "微机保护 WXH"]
    if not Equipment.objects.exists():
        Equipment.objects.bulk_create([
            Equipment(customer=c, model=models[i % len(models)], serial_number=f"BM-{i:05d}", created_by=cs)
            for i, c in enumerate(customers)])
    equipment = list(Equipment.objects.all())
    now = timezone.now()
    batch = []
    for i in range(existing, rows):
        received = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
        closed = rng.random() < 0.85
        phone = rng.random() < 0.4
        visits = 0 if phone else rng.choice([1, 1, 1, 2, 3])
        tech = techs[i % len(techs)]
        item = equipment[i % len(equipment)]
        batch.append(Ticket(
            number=f"BM{i:08d}", category=rng.choice(["repair"] * 8 + ["installation", "complaint", "other"]),
            state="closed" if closed else rng.choice(["assigned", "onsite", "analysis", "resolved"]),
            customer=item.customer, equipment=item, unit_name=item.customer.name, contact_name="王经理",
            contact_phone="13800000000", fault="基准故障", department=["repair", "rnd", "production"][i % 3],
            technician=tech, received_at=received, received_by=cs,
            response_due_at=received + timedelta(hours=4), close_due_at=received + timedelta(days=5),
            responded_at=received + timedelta(hours=1) if closed or rng.random() < 0.5 else None,
            phone_solved=phone if closed else None,
            response_hours=Decimal(rng.randint(10, 500)) / 100 if closed else None, visit_count=visits,
            escalation_count=1 if visits >= 2 and rng.random() < 0.3 else 0,
            archived_at=received + timedelta(days=3) if closed else None,
            signed_at=received + timedelta(days=4) if closed else None,
            close_hours=Decimal(rng.randint(100, 6000)) / 100 if closed else None,
            satisfaction=rng.randint(2, 5) if closed else None))
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    print(f"filled {rows - existing} tickets in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50000)
    args = parser.parse_args()
    prepare()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from repairs.metrics import repair_metrics
    from repairs.services import service_levels_sweep

    fill(args.rows)
    from django.contrib.auth import get_user_model

    director = get_user_model().objects.get(username="director")
    for label, user in (("director (all tickets)", director),
                        ("R&D head (one department)", get_user_model().objects.get(username="rnd_head"))):
        repair_metrics(user)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            data = repair_metrics(user)
            elapsed = (time.perf_counter() - started) * 1000
        print(f"repair_metrics, {label}: {elapsed:.0f} ms, {len(queries)} queries, "
              f"{data['totals']['tickets']} tickets, {len(data['month'])} months")
    client = Client()
    client.force_login(director)
    for name, url in (("metrics page", "/repairs/metrics/"), ("metrics Excel", "/repairs/metrics.xlsx"),
                      ("ticket list", "/repairs/")):
        ms, queries, status = measure(client, url, repeat=3)
        print(f"{name}: {ms:.0f} ms, {queries} queries, HTTP {status}")
    # Measure the same backlog each time: forget the alerts of an earlier run (this scratch database only).
    from marketing_portal.models import Notification
    from repairs.models import ServiceLevelAlert

    ServiceLevelAlert.objects.all().delete()
    Notification.objects.filter(key__startswith="repairs-sla|").delete()
    for run in ("first", "second"):
        started = time.perf_counter()
        sent = service_levels_sweep()
        print(f"service-level sweep, {run} run: {time.perf_counter() - started:.2f} s, {sent} alerts")


if __name__ == "__main__":
    main()
