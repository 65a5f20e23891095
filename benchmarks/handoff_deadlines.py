"""Benchmark: the hand-off at scale (issue 4) — the hourly deadline sweep, the on-time rates, the pages.

Fills a database with signed sales contracts and N hand-offs spread over a year (most completed on time,
some late, some open — due today, overdue or not yet due), then prints:

* the hourly sweep (HND-6): the first run at 09:05 and at 00:05 (sends the reminders / overdue alerts),
  and the next runs (nothing new to send: the cost of being idempotent);
* the on-time rates of a year (selector) for Finance (sees all) and a regional manager (one region);
* the register page, the dashboard and the register export, with their SQL query counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_handoff_bench \\
        .venv/bin/python benchmarks/handoff_deadlines.py [--rows 20000]

The database is created and filled on the first run (bulk inserts); later runs reuse it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import environment, measure, prepare  # noqa: E402

environment("postgres://postgres@127.0.0.1:5432/h_handoff_bench")


def fill(rows: int, today: date) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from stdnum.cn import uscc

    from contracts.models import Contract, ContractLine, Customer
    from handoff.models import Costing, Handoff
    from marketing_portal.periods import period_end
    from marketing_portal.policy import current_policy
    from org.models import Region

    existing = Handoff.objects.count()
    if existing >= rows:
        return
    started = time.perf_counter()
    User = get_user_model()
    regions = list(Region.objects.order_by("code"))
    sales = {r.code: User.objects.get(username=f"sales_{r.code.lower()}") for r in regions}
    clerk, estimator, finance = (User.objects.get(username=n) for n in ("clerk", "xxx_estimator", "finance"))
    policy = current_policy().version
    customers = []
    for i in range(Customer.objects.count(), 200):
        body = f"91120000MB{i:07d}"
        customers.append(Customer(name=f"对接基准客户{i:04d}有限公司", credit_code=body + uscc.calc_check_digit(body),
                                  region=regions[i % len(regions)], created_by=clerk))
    Customer.objects.bulk_create(customers)
    customers = list(Customer.objects.order_by("pk")[:200])
    # One signed contract per 4 hand-offs, 4 lines each.
    n_contracts = (rows - existing + 3) // 4
    contracts = []
    for n in range(n_contracts):
        customer = customers[n % len(customers)]
        contracts.append(Contract(
            title=f"对接基准合同{existing + n:06d}", customer=customer, region=customer.region,
            handler=sales[customer.region.code], amount=Decimal("400000.00"), starts_on=today - timedelta(days=400),
            ends_on=today + timedelta(days=300), state="filed", non_standard_reason="基准数据",
            retention_percent=Decimal("5.00"), warranty_months=12, created_by=clerk))
    contracts = Contract.objects.bulk_create(contracts, batch_size=2000)
    lines = ContractLine.objects.bulk_create(
        [ContractLine(contract=c, position=p, description=f"安装工程{p}", quantity=1, unit="项",
                      unit_price=Decimal("100000.00"), amount=Decimal("100000.00"))
         for c in contracts for p in range(1, 5)], batch_size=5000)
    tz = timezone.get_current_timezone()
    handoffs, plans = [], []
    for i, line in enumerate(lines[: rows - existing]):
        k = existing + i
        received = today - timedelta(days=(k * 7) % 365)      # spread over a year
        issued = datetime.combine(received, datetime.min.time(), tzinfo=tz) + timedelta(hours=9)
        kind = k % 100
        # 1 % open and due today, 1 % open and overdue, 1 % in review overdue, 3 % late, the rest on time
        if kind == 0:
            received = previous_workday(today)
            issued = datetime.combine(received, datetime.min.time(), tzinfo=tz) + timedelta(hours=9)
        state = "costing" if kind in (0, 1) else "review" if kind == 2 else "completed"
        handoffs.append(Handoff(
            number=f"JL-B-{k:06d}", contract=line.contract, line=line, state=state,
            party_a=line.contract.customer.name, site="基准现场", requirements="基准要求", planned_start=received,
            planned_finish=received + timedelta(days=60), issued_by=line.contract.handler, issued_at=issued,
            completed_at=issued + timedelta(days=10) if state == "completed" else None))
        plans.append((received, kind))
    # A completed hand-off needs its construction contract (a database constraint): one shared-free row each.
    construction = Contract.objects.bulk_create([
        Contract(title=f"对接基准施工合同{existing + i:06d}", direction="construction", region=h.contract.region,
                 handler=h.contract.handler, amount=Decimal("65000.00"), starts_on=h.planned_start,
                 ends_on=h.planned_finish, state="signed", non_standard_reason="基准数据",
                 retention_percent=Decimal("5.00"), warranty_months=12, created_by=clerk)
        for i, h in enumerate(handoffs) if h.state == "completed"], batch_size=2000)
    it = iter(construction)
    for h in handoffs:
        if h.state == "completed":
            h.construction_contract = next(it)
    handoffs = Handoff.objects.bulk_create(handoffs, batch_size=2000)
    costings = []
    for h, (received, kind) in zip(handoffs, plans, strict=True):
        due = period_end(received, days=1)
        c = Costing(handoff=h, version=1, opened_at=h.issued_at, received_on=received, due_on=due,
                    policy_version=policy)
        if kind not in (0, 1):
            late = kind in (3, 4, 5)
            submitted_on = due + timedelta(days=2) if late else due
            c.submitted_at = datetime.combine(submitted_on, datetime.min.time(), tzinfo=tz) + timedelta(hours=15)
            c.submitted_by, c.total = estimator, Decimal("62000.00")
            c.review_received_on = submitted_on
            c.review_due_on = period_end(submitted_on, days=1)
            c.review_policy_version = policy
            if kind == 2:
                c.state = "submitted"
            else:
                c.state = "accepted"
                c.reviewed_at = datetime.combine(c.review_due_on, datetime.min.time(), tzinfo=tz) + timedelta(hours=11)
                c.reviewed_by, c.suggested_amount = finance, Decimal("64000.00")
        costings.append(c)
    Costing.objects.bulk_create(costings, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled {len(handoffs):,} hand-offs in {time.perf_counter() - started:.1f} s")


def previous_workday(day: date) -> date:
    from marketing_portal.periods import is_workday

    day -= timedelta(days=1)
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    prepare()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from handoff.models import Costing, Handoff
    from handoff.selectors import on_time_rates
    from handoff.services import deadlines_sweep
    from marketing_portal.models import Notification
    from marketing_portal.periods import next_workday

    today = next_workday(timezone.localdate())  # the story is told as of a working day (reminders are sent then)
    fill(args.rows, today)
    User = get_user_model()
    print(f"hand-offs: {Handoff.objects.count():,}, costings: {Costing.objects.count():,}")
    tz = timezone.get_current_timezone()
    Notification.objects.filter(key__startswith="handoff-").delete()  # each run of the benchmark starts clean
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=tz)
    for label, moment in (("00:05 (overdue alerts)", midnight + timedelta(minutes=5)),
                          ("09:05 (due-day reminders)", midnight + timedelta(hours=9, minutes=5))):
        ms, sent = timed(lambda m=moment: deadlines_sweep(now=m))
        again, sent_again = timed(lambda m=moment: deadlines_sweep(now=m), repeat=3)
        print(f"sweep at {label:<26} first run {ms:8.1f} ms, {sent:5} notices; next runs {again:8.1f} ms, "
              f"{sent_again} notices")
    for username in ("finance", "rm_hb"):
        user = User.objects.get(username=username)
        ms, rates = timed(lambda u=user: on_time_rates(u, year=today.year), repeat=5)
        total = rates["xxx"]["total"]
        print(f"on-time rates {today.year} for {username:<10} {ms:8.1f} ms  (XXX: {total['rated']:,} rated, "
              f"{total['rate']}% on time)")
    print(f"{'who':<10}{'page':<32}{'median ms':>11}{'queries':>9}")
    for username in ("finance", "rm_hb"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url in (("register, first page", "/handoff/"), ("register, page 100", "/handoff/?page=100"),
                           ("register, search", "/handoff/?q=JL-B-0042"), ("dashboard", "/handoff/dashboard/")):
            ms, queries, status = measure(client, url)
            assert status == 200, (url, status)
            print(f"{username:<10}{label:<32}{ms:>11.1f}{queries:>9}")
    client = Client()
    client.force_login(User.objects.get(username="rm_hb"))
    ms, queries, status = measure(client, "/handoff/register.xlsx?region=HB", repeat=1)
    rows = Handoff.objects.filter(contract__region__code="HB").count()
    print(f"register export (Excel), {rows:,} rows: {ms / 1000:.1f} s, {queries} queries")


if __name__ == "__main__":
    main()
