"""The portal's benchmark (issue 13, point 2): every figure in one run, on the seed_bench data set.

    .venv/bin/python manage.py seed_bench --database-url postgres://postgres@127.0.0.1:5432/bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python benchmarks/run.py [--repeat 20] [--only excel,pdf]

Prints, with the production settings (DEBUG off, Redis cache) and the Django test client in this process:

1. **Pages** — each role's home page, the contract list (first page, deep page, searches by a fragment of a
   title, a contract number and a customer name, filters), a contract, a project, the dashboard (when the
   ``dashboards`` app is installed), the ticket list and the technician's phone page: SQL queries per request,
   server time p50 / p95 over ``--repeat`` requests, and the **SQL floor** — the time the database took for the
   same statements, fetching the same rows (measured around each ``cursor.execute`` of the request) — with the
   ratio server p50 / floor, which is what to compare on a noisy machine. The home pages and the dashboard, whose
   figures are cached (``marketing_portal.figures_cache``), are printed twice: *cold* (the cache forgotten before
   each request: a first view) and *warm* (a repeat view, the figures read from the cache).
2. **Search plans** — ``EXPLAIN ANALYZE`` of the contract search: the trigram indexes, no scan of the table.
3. **Receivables sweep** — the first and the second run of today (inside a transaction rolled back at the end,
   so the benchmark can be run again on the same data).
4. **Excel** — the contract register with ~50,000 rows beside one with ~5,000: time and peak Python memory
   (tracemalloc), beside openpyxl's own write-only floor for the same cells.
5. **PDF** — the contract approval form's render time.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.common import drain, page_figures, production_environment  # noqa: E402

production_environment()

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.0 Mobile/15E148 Safari/604.1")


def login(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def dashboard_urls() -> list[tuple[str, str]]:
    """The managers' dashboard, when the dashboards app is there (issue 11)."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    if not apps.is_installed("dashboards"):
        return []
    for name in ("dashboards:index", "dashboards:home", "dashboards:dashboard", "dashboards:managers"):
        try:
            return [(name, reverse(name))]
        except NoReverseMatch:
            continue
    return []


def page_printer(repeat: int, title: str):
    """Prints the header of a table of pages; returns ``show(who, label, url, seen="", **headers)``, a row."""
    print(f"\n{title} ({repeat} requests each after a warm-up; floor = the database's time for the same statements)")
    print(f"{'who':<18}{'page':<34}{'rows seen':>10}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'floor ms':>9}"
          f"{'ratio':>7}")

    def show(who, label, url, seen="", cached=False, **headers):
        """One row; a page with cached figures (home, dashboard) two: every request computing its figures (cold:
        the cache forgotten before each) and every request reading them from the cache (warm)."""
        client = login(who)
        for temperature in ("cold", "warm") if cached else ("",):
            queries, p50, p95, floor, status = page_figures(client, url, repeat, cold=temperature == "cold",
                                                            **headers)
            assert status == 200, (who, url, status)
            ratio = p50 / floor if floor else float("nan")
            seen_text = f"{seen:,}" if isinstance(seen, int) else seen
            text = f"{label}, {temperature}" if temperature else label
            print(f"{who:<18}{text:<34}{seen_text:>10}{queries:>8}{p50:>9.1f}{p95:>9.1f}{floor:>9.1f}{ratio:>7.1f}")

    return show


def tickets(repeat: int) -> None:
    ticket_pages(page_printer(repeat, "1b. Ticket pages"))


def pages(repeat: int) -> None:
    from django.contrib.auth import get_user_model

    from contracts.models import Contract, Customer
    from contracts.selectors import contracts_visible_to
    from receivables.models import Project

    User = get_user_model()
    show = page_printer(repeat, "1. Pages")
    for who in ("director", "mgmt_manager", "rm_hb", "sales_hb", "clerk", "finance", "archivist", "gm", "cs",
                "tech_repair", "repair_supervisor", "sysadmin"):
        show(who, "home (my work)", "/", cached=True)
    contract = (Contract.objects.filter(state="filed", region__code="HB", handler__username="sales_hb",
                                        project__isnull=False).order_by("-signed_on").first())
    title_fragment = contract.title[2:9]
    number_fragment = contract.serial_number[:-1]
    customer = Customer.objects.filter(region__code="HB", contracts__isnull=False).order_by("pk").first()
    customer_fragment = customer.name[:4]
    for who in ("director", "rm_hb", "sales_hb"):
        user = User.objects.get(username=who)
        seen = contracts_visible_to(user).count()
        deep = max(1, int(seen / 25 * 0.8))
        show(who, "contracts, first page", "/contracts/", seen)
        show(who, f"contracts, page {deep}", f"/contracts/?page={deep}", seen)
        show(who, f"search title “{title_fragment}”", f"/contracts/?q={title_fragment}", seen)
        show(who, f"search number “{number_fragment}”", f"/contracts/?q={number_fragment}", seen)
        show(who, f"search customer “{customer_fragment}”", f"/contracts/?q={customer_fragment}", seen)
        show(who, "filter filed + HB", "/contracts/?state=filed&region=HB", seen)
        show(who, "contract page", f"/contracts/{contract.pk}/")
        show(who, "project page", f"/receivables/{contract.project.pk}/")
    show("finance", "project list", "/receivables/", Project.objects.count())
    for name, url in dashboard_urls():
        for who in ("director", "gm", "sales_manager", "rm_hb"):
            show(who, f"dashboard ({name})", url, cached=True)
    ticket_pages(show)
    return contract, title_fragment, number_fragment, customer_fragment


# Who the ticket pages and plans are measured for: those who see every ticket, and the restricted ones.
TICKET_ROLES = ("cs", "repair_supervisor", "director", "rm_hb", "sales_hb", "tech_repair")


def ticket_pages(show) -> None:
    from django.contrib.auth import get_user_model

    from repairs.models import Ticket
    from repairs.selectors import tickets_visible_to

    for who in TICKET_ROLES:
        seen = tickets_visible_to(get_user_model().objects.get(username=who)).count()
        show(who, "ticket list", "/repairs/", seen)
    show("tech_repair", "phone: my tickets", "/repairs/?mine=1", HTTP_USER_AGENT=PHONE)
    mine = Ticket.objects.filter(technician__username="tech_repair").order_by("-received_at").first()
    if mine is not None:
        show("tech_repair", "phone: a ticket", f"/repairs/{mine.pk}/", HTTP_USER_AGENT=PHONE)


def ticket_plans() -> None:
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model
    from django.http import QueryDict

    from repairs.filters import TicketFilter
    from repairs.selectors import ticket_id_sources, ticket_list, visible_set_query, visible_tickets

    print("\n2b. Ticket list plans (EXPLAIN ANALYZE of the list's page query, as the list filters it; for a restricted"
          " viewer also of the visible set read once, repairs.selectors.visible_tickets)")
    for who, query in (*((who, "") for who in ("director", "rm_hb", "sales_hb", "tech_repair")),
                       ("tech_repair", "mine=1")):
        user = get_user_model().objects.get(username=who)
        visible = visible_tickets(user)  # as the list view does
        filtered = TicketFilter(QueryDict(query), queryset=ticket_list(user, visible=visible),
                                request=SimpleNamespace(user=user), visible=visible)
        if visible.ids is not None and not query:
            plan = visible_set_query(ticket_id_sources(user)).explain(analyze=True).splitlines()
            took = next((line for line in plan if line.startswith("Execution Time")), "")
            heap = sum(int(n) for line in plan for n in re.findall(r"Heap Blocks: exact=(\d+)", line))
            print(f"  {who} visible set: {len(visible.ids):,} tickets, {heap:,} heap blocks read ({took})")
        plan = filtered.rows[:25].explain(analyze=True)
        lines = plan.splitlines()
        seq = any(re.search(r"Seq Scan on repairs_ticket\b", line) for line in lines)
        took = next((line for line in lines if line.startswith("Execution Time")), "")
        print(f"  {who} {query or 'list'}: {'SEQUENTIAL SCAN of tickets' if seq else 'no scan of the tickets table'}"
              f" ({took})")
        for line in lines:
            if "Seq Scan" in line:
                print(f"      {line.strip()[:150]}")


def search_plans(fragments) -> None:
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model
    from django.http import QueryDict

    from contracts.filters import ContractFilter
    from contracts.selectors import contract_list

    print("\n2. Contract search plans (EXPLAIN ANALYZE of the list's page and count queries, as the list filters)")
    for who in ("director", "rm_hb", "sales_hb"):
        user = get_user_model().objects.get(username=who)
        for fragment in fragments:
            rows = ContractFilter(QueryDict(f"q={fragment}"), queryset=contract_list(user),
                                  request=SimpleNamespace(user=user)).rows
            for what, query in (("page", rows[:25]), ("count", rows.order_by().values("pk"))):
                lines = query.explain(analyze=True).splitlines()
                scans = [line.strip() for line in lines
                         if "Scan" in line and ("contract" in line or "customer" in line)]
                # the contracts table itself (not contracts_contract_cc, its empty copy-to table)
                seq = any(re.search(r"Seq Scan on contracts_contract\b", line) for line in lines)
                took = next((line for line in lines if line.startswith("Execution Time")), "")
                print(f"  {who} “{fragment}” {what}: "
                      f"{'SEQUENTIAL SCAN of contracts' if seq else 'no scan of the contracts table'} ({took})")
                for line in scans:
                    print(f"      {line[:150]}")


def sweep() -> None:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from receivables.models import Project
    from receivables.sweep import sweep_receivables

    today = timezone.localdate()
    print("\n3. Receivables sweep, first and second run of today "
          f"({Project.objects.exclude(next_check_on=None).count():,} open projects; rolled back afterwards)")
    with transaction.atomic():
        for label in ("first run", "second run"):
            started = time.perf_counter()
            result = sweep_receivables()
            seconds = time.perf_counter() - started
            print(f"  {label:<11} {seconds:8.3f} s   due {result.due:>6}  assessed {result.assessed:>6}  entries "
                  f"{result.entries:>5}  statements {result.statements:>4}  notices {result.notices:>5}")
        due_tomorrow = Project.objects.filter(next_check_on__lte=today + timedelta(days=1)).count()
        print(f"  (projects due by tomorrow after the runs: {due_tomorrow:,})")
        transaction.set_rollback(True)


def excel() -> None:

    from contracts.models import Contract

    print("\n4. Excel: the contract register (director), streamed write-only, beside openpyxl's own floor")
    total = Contract.objects.count()
    # The year whose contracts number closest to 5,000 (searched by the contract number's year, HT-YYYY-).
    years = Contract.objects.values_list("created_at__year", flat=True)
    counts: dict[int, int] = {}
    for year in years:
        counts[year] = counts.get(year, 0) + 1
    year = min(counts, key=lambda y: abs(counts[y] - 5000))
    client = login("director")
    print(f"{'export':<36}{'rows':>8}{'seconds':>9}{'peak MB':>9}{'floor s':>9}{'floor MB':>9}")
    for label, url in ((f"register, contracts of {year}", f"/contracts/register.xlsx?q=HT-{year}-"),
                       ("register, every contract", "/contracts/register.xlsx")):
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        response = client.get(url)
        drain(response)
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        from openpyxl import load_workbook

        rows = sum(1 for _row in load_workbook(io.BytesIO(body), read_only=True).active.iter_rows()) - 1
        floor_s, floor_mb = openpyxl_floor(rows)
        print(f"{label:<36}{rows:>8,}{seconds:>9.2f}{peak / 2**20:>9.1f}{floor_s:>9.2f}{floor_mb:>9.1f}")
    print(f"  ({total:,} contracts in the database)")


def openpyxl_floor(rows: int) -> tuple[float, float]:
    """openpyxl write-only, the same 18 columns of plain values, no database: (seconds, peak MB)."""
    from datetime import date, datetime
    from decimal import Decimal

    from openpyxl import Workbook

    row = ["HB-2024-0001", "北京变电站10kV开关柜采购合同", "合同", "销售合同", "北京电力有限公司", "华北区", "张伟",
           Decimal("123456.78"), date(2024, 1, 1), date(2025, 1, 1), date(2024, 1, 5), "已归档（副本已签收）", 1,
           "标准文本 v1", Decimal("5.00"), 12, "1号柜/2号盒", datetime(2024, 1, 6, 9, 30)]  # noqa: DTZ001 - Excel keeps local time
    results = []
    for traced in (False, True):
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("合同台账")
        for _ in range(rows):
            sheet.append(row)
        workbook.save(io.BytesIO())
        seconds = time.perf_counter() - started
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results.append(peak / 2**20)
        else:
            results.append(seconds)
    return results[0], results[1]


def pdf(contract) -> None:
    """The approval form: the first render (WeasyPrint and the font loaded) and the median of three later ones."""
    if contract is None:  # --only without pages: the same kind of contract the pages section opens
        from contracts.models import Contract

        contract = (Contract.objects.filter(state="filed", region__code="HB", handler__username="sales_hb")
                    .order_by("-signed_on").first())
    client = login("director")
    url = f"/contracts/{contract.pk}/approval-form.pdf"
    started = time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - started
    assert response.status_code == 200
    times = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
    print(f"\n5. PDF: contract approval form ({len(response.content) // 1024} KB): "
          f"first {first:.2f} s, then median {statistics.median(times):.2f} s of 3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="pages,plans,sweep,excel,pdf",
                        help="sections to run, comma-separated (default: all): pages,plans,sweep,excel,pdf; "
                             "tickets: only the ticket pages and their plans")
    args = parser.parse_args()
    import django

    django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login's messages
    logging.getLogger("celery").setLevel(logging.WARNING)
    from django.db import connection

    from marketing_portal.management.commands.seed_bench import check_target

    check_target(os.environ.get("DATABASE_URL", "sqlite://"))  # only a seed_bench database
    from contracts.models import Contract

    print(f"benchmark on {connection.settings_dict['NAME']}: {Contract.objects.count():,} contracts; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    only = set(args.only.split(","))
    started = time.perf_counter()
    contract, *fragments = pages(args.repeat) if "pages" in only else (None,)
    if "tickets" in only and "pages" not in only:
        tickets(args.repeat)
    if "plans" in only or "tickets" in only:
        ticket_plans()
    if "plans" in only and fragments:
        search_plans(fragments)
    if "sweep" in only:
        sweep()
    if "excel" in only:
        excel()
    if "pdf" in only:
        pdf(contract)
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
