"""Benchmark: the contract list with 50,000 contracts (issue 3, "Speed").

Prints the time and the number of SQL queries of the contract list page for a director (sees all),
a regional manager (one region) and a salesperson (own contracts), on the first page, a deep page,
a search and a filter; and the time of the register export for one region.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_contracts_bench \
        .venv/bin/python benchmarks/contracts_list.py [--rows 50000]

The database is created and filled on the first run (bulk inserts, about ten seconds); later runs reuse it.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import environment, measure, prepare  # noqa: E402

environment("postgres://postgres@127.0.0.1:5432/h_contracts_bench")


def fill(rows: int) -> None:
    from django.contrib.auth import get_user_model
    from stdnum.cn import uscc

    from contracts.models import Contract, Customer
    from org.models import Region

    existing = Contract.objects.count()
    if existing >= rows:
        return
    User = get_user_model()
    regions = list(Region.objects.order_by("code"))
    sales = {r.code: User.objects.get(username=f"sales_{r.code.lower()}") for r in regions}
    creator = User.objects.get(username="clerk")
    customers = []
    for i in range(Customer.objects.count(), 500):
        body = f"91110000MA{i:07d}"
        customers.append(Customer(name=f"基准测试客户{i:04d}有限公司", credit_code=body + uscc.calc_check_digit(body),
                                  region=regions[i % len(regions)], created_by=creator))
    Customer.objects.bulk_create(customers)
    customers = list(Customer.objects.order_by("pk")[:500])
    states = ["draft", "leader_review", "joint_review", "gm_review", "approved", "signed", "registered", "archived",
              "filed", "filed", "filed", "terminated"]
    start = date(2025, 1, 1)
    batch = []
    started = time.perf_counter()
    for n in range(existing, rows):
        customer = customers[n % len(customers)]
        state = states[n % len(states)]
        archived = state in ("archived", "filed", "terminated")
        region = customer.region
        batch.append(Contract(
            title=f"基准合同{n:06d}", customer=customer, region=region, handler=sales[region.code],
            amount=Decimal(10000 + (n * 37) % 900000), starts_on=start + timedelta(days=n % 600),
            ends_on=start + timedelta(days=n % 600 + 300), state=state, non_standard_reason="基准数据",
            retention_percent=Decimal("5.00"), warranty_months=12, created_by=creator,
            archive_number=f"{region.code}-B-{n:06d}" if archived else None,
            archive_year=2025 if archived else None, archive_seq=n if archived else None,
        ))
        if len(batch) == 5000:
            Contract.objects.bulk_create(batch)
            batch = []
    if batch:
        Contract.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled {rows - existing} contracts in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    prepare()
    from django.test import Client

    from contracts.models import Contract

    fill(args.rows)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    total = Contract.objects.count()
    print(f"contracts in the database: {total:,}")
    print(f"{'who':<14}{'page':<38}{'rows seen':>10}{'median ms':>11}{'queries':>9}")
    for username in ("director", "rm_hb", "sales_hb"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        from contracts.selectors import contracts_visible_to

        seen = contracts_visible_to(User.objects.get(username=username)).count()
        for label, url in (
            ("list, first page", "/contracts/"),
            ("list, page 200", "/contracts/?page=200"),
            ("search title", "/contracts/?q=基准合同0421"),
            ("filter state + region", "/contracts/?state=filed&region=HB"),
        ):
            ms, queries, status = measure(client, url)
            assert status == 200, (url, status)
            print(f"{username:<14}{label:<38}{seen:>10,}{ms:>11.1f}{queries:>9}")
    client = Client()
    client.force_login(User.objects.get(username="director"))
    ms, queries, status = measure(client, "/contracts/register.xlsx?region=HB&state=filed", repeat=1)
    rows = Contract.objects.filter(region__code="HB", state="filed").count()
    print(f"register export (Excel), {rows:,} rows: {ms / 1000:.1f} s, {queries} queries")


if __name__ == "__main__":
    main()
