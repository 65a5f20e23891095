"""The figures of the managers' dashboard (SPEC RPT-1) and of the home cards.

Every figure starts from the owning app's selector, already narrowed to what the user may see (X-2):
``contracts_visible_to``, ``handoff.selectors.on_time_rates``, ``receivables.selectors.aging_projects`` /
``entries_visible_to``, ``repairs.metrics.repair_metrics``, ``planning.selectors.target_vs_actual`` /
``tenders_summary``. Aggregates are computed by the database (GROUP BY / conditional aggregates): a fixed
number of queries whatever the data size, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from contracts.choices import ContractState, Direction
from contracts.selectors import contracts_visible_to
from handoff.choices import Party
from handoff.selectors import on_time_rates
from marketing_portal.people import display_name
from marketing_portal.periods import period_end
from marketing_portal.policy import current_policy
from org import rules as org_rules
from org.models import Region
from planning import rules as planning_rules
from planning.choices import OPEN_TENDER_STATES
from planning.selectors import target_vs_actual, tenders_summary
from receivables.choices import AGING_BUCKETS, RULE_KINDS
from receivables.models import Invoice, Project, Receipt, RetentionStatement
from receivables.selectors import aging_projects, entries_visible_to
from repairs.metrics import repair_metrics

from .periods import Period

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value) -> Decimal:
    """A database sum as Decimal yuan (SQLite may hand back a float or an int)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def rate(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


# --------------------------------------------------------------------------------------------------
# Whose figures: a salesperson's own, a regional manager's region, leadership all
# --------------------------------------------------------------------------------------------------
def personal_scope(user) -> bool:
    """A salesperson without a wider view sees their own targets (their person lines), not a region's."""
    return not org_rules.holds(user, planning_rules.sees_all_planning | org_rules.is_regional_manager)


# --------------------------------------------------------------------------------------------------
# Contract pipeline by state (a snapshot: every visible sales contract in its current state)
# --------------------------------------------------------------------------------------------------
def pipeline(user, *, region: str = "") -> list[dict]:
    """Visible sales contracts by state: count and amount; the same records as the contract list with
    ``?direction=sales&state=…&region=…``. One query."""
    qs = contracts_visible_to(user).filter(direction=Direction.SALES)
    if region:
        qs = qs.filter(region__code=region)
    rows = {r["state"]: r for r in qs.order_by().values("state").annotate(count=Count("pk"), amount=Sum("amount"))}
    return [{"state": state, "label": str(label), "count": rows[state]["count"], "amount": money(rows[state]["amount"])}
            for state, label in ContractState.choices if state in rows]


# --------------------------------------------------------------------------------------------------
# Signed amount by month and region against target
# --------------------------------------------------------------------------------------------------
def signed_vs_target(user, period: Period, *, region: str = "") -> dict:
    """``planning.selectors.target_vs_actual`` over the period's months (one call per calendar year: three
    queries each). A salesperson's figures are their own (their contracts, their person targets)."""
    person = user if personal_scope(user) else None
    months, regions = [], {}
    for year in period.years:
        tva = target_vs_actual(user, (year, period.months_of(year)), region=region or None, person=person)
        months += [{"year": year, **row} for row in tva["months"]]
        for row in tva["regions"]:
            acc = regions.setdefault(row["region"], {"region": row["region"], "name": row["name"], "target": ZERO,
                                                     "actual": ZERO})
            acc["target"] += row["target"]
            acc["actual"] += row["actual"]
    for row in months:
        row["label"] = f"{row['year']}-{row['month']:02d}"
        row["rate"] = rate(row["actual"], row["target"])
    region_rows = sorted(regions.values(), key=lambda r: r["region"] or "")
    for row in region_rows:
        row["rate"] = rate(row["actual"], row["target"])
    target = sum((r["target"] for r in months), ZERO)
    actual = sum((r["actual"] for r in months), ZERO)
    return {"months": months, "regions": region_rows, "target": target, "actual": actual,
            "rate": rate(actual, target), "personal": person is not None}


# --------------------------------------------------------------------------------------------------
# Hand-off on-time rate
# --------------------------------------------------------------------------------------------------
def handoff_on_time(user, period: Period, *, region: str = "") -> dict:
    """``handoff.selectors.on_time_rates`` for the period's months (two queries per calendar year)."""
    out = {Party.XXX: [], Party.FINANCE: []}
    for year in period.years:
        wanted = set(period.months_of(year))
        rates = on_time_rates(user, year=year, region=region)
        for party in out:
            out[party] += [{"year": year, "label": f"{year}-{r['month']:02d}", **r}
                           for r in rates[party]["months"] if r["month"] in wanted]
    totals = {}
    for party, rows in out.items():
        total = {key: sum(r[key] for r in rows) for key in ("on_time", "late", "overdue", "pending", "rated")}
        total["rate"] = rate(total["on_time"], total["rated"])
        totals[party] = total
    return {"months": out, "totals": totals}


# --------------------------------------------------------------------------------------------------
# Receivables aging and overdue amounts (a snapshot as of today); retention not yet due kept apart
# --------------------------------------------------------------------------------------------------
BUCKETS = [label for label, _low, _high in AGING_BUCKETS]


def collection_cutoff(today: date) -> date:
    """The last start date whose collection deadline (RCV-6: ``period_end(start, days=N)``, N from the policy)
    is already past ``today``: money invoiced (or a retention statement issued) on or before it is overdue."""
    days = current_policy().collection_deadline_days
    day = today - timedelta(days=days)
    while period_end(day, days=days) >= today:
        day -= timedelta(days=1)
    return day


def receivables_aging(user, *, region: str = "", today: date) -> dict:
    """The open receivables of the projects the user may see (``receivables.selectors.aging_projects``).

    * ``buckets``: what is invoiced and not received, by the invoice's age (RCV-13 buckets), receipts
      settling the oldest invoices first — as the aging list reckons it — **without** retention not yet due;
    * ``retention_pending``: retention money whose collection has not started (no retention statement issued
      yet, RCV-7), invoiced or not: kept apart, it is not yet owed;
    * ``overdue``: the part of the receivable past its collection deadline (RCV-6: N days after the project
      was invoiced in full, or after the retention statement was issued for the retention).

    One statement (``_AGING_SQL``), one pass over each table, whatever the number of invoices: no subquery
    per row.
    """
    projects = aging_projects(user)
    if region:
        projects = projects.filter(region__code=region)
    cutoff = collection_cutoff(today)
    visible = projects.order_by().values("pk")
    visible_sql, visible_params = visible.query.get_compiler(using=visible.db).as_sql()
    connection = connections[visible.db]
    adapt = connection.ops.adapt_datefield_value
    greatest, least = ("MAX", "MIN") if connection.vendor == "sqlite" else ("GREATEST", "LEAST")
    # The open part of an invoice [before, before + amount): above what was received, below what the project owes
    # now (``cap``: its amount, less the retention while no statement is issued).
    open_part = f"{greatest}({least}(x.before + x.invoice, x.cap) - {greatest}(x.before, x.received), 0)"
    buckets, bucket_params = [], []
    for _label, low, high in AGING_BUCKETS:
        condition = "x.issued_on <= %s"
        bucket_params.append(adapt(today - timedelta(days=low)))
        if high is not None:
            condition += " AND x.issued_on >= %s"
            bucket_params.append(adapt(today - timedelta(days=high)))
        buckets.append(f"SUM(CASE WHEN {condition} THEN {open_part} END)")
    sql = _AGING_SQL.format(
        visible=visible_sql, project=Project._meta.db_table, statement=RetentionStatement._meta.db_table,
        receipt=Receipt._meta.db_table, invoice=Invoice._meta.db_table, greatest=greatest, least=least,
        buckets=",\n       ".join(buckets))
    params = [*[adapt(cutoff)] * 3, *bucket_params, *visible_params, *visible_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, retention_pending, overdue_full, overdue_main, *sums = cursor.fetchone()
    rows = [{"bucket": label, "amount": money(value)}
            for (label, _low, _high), value in zip(AGING_BUCKETS, sums, strict=True)]
    return {"count": count, "buckets": rows, "outstanding": sum((b["amount"] for b in rows), ZERO),
            "retention_pending": money(retention_pending),
            "overdue": money(overdue_full) + money(overdue_main), "cutoff": cutoff}


# The aging figures in one statement (PostgreSQL and SQLite alike: window functions). ``x`` has one row per invoice
# of each visible open project (one row with no invoice for a project without any): the project's amount, retention,
# dates and retention statement (one-to-one), its receipts summed once (a grouped subquery joined, not a subquery
# per row), and over the project's invoices in FIFO order (date, then id) the running sum of the earlier ones
# (``before``), the project's invoiced total and the row number (``rn = 1``: the project's first row, which carries
# the per-project figures). Per project: retention not yet due (no statement issued); overdue (RCV-6) — everything
# once the retention's own deadline passed (statement issued on or before the cut-off), else all but the retention
# once the main collection deadline passed (invoiced in full on or before the cut-off, not yet collected). Per
# invoice: its open part in the bucket of its age.
_AGING_SQL = """
SELECT COUNT(CASE WHEN x.rn = 1 THEN 1 END),
       SUM(CASE WHEN x.rn = 1 AND x.statement_on IS NULL
                THEN {greatest}({least}(x.retention_amount, x.amount - x.received), 0) END),
       SUM(CASE WHEN x.rn = 1 AND x.statement_on <= %s THEN {greatest}(x.invoiced - x.received, 0) END),
       SUM(CASE WHEN x.rn = 1 AND (x.statement_on IS NULL OR x.statement_on > %s) AND x.invoiced_on <= %s
                     AND x.collected_on IS NULL
                THEN {greatest}({least}(x.invoiced, x.amount - x.retention_amount) - x.received, 0) END),
       {buckets}
FROM (
    SELECT pr.amount, pr.retention_amount, pr.invoiced_on, pr.collected_on, st.issued_on AS statement_on,
           CASE WHEN st.issued_on IS NULL THEN pr.amount - pr.retention_amount ELSE pr.amount END AS cap,
           COALESCE(rc.received, 0) AS received, i.issued_on, i.amount AS invoice,
           COALESCE(SUM(i.amount) OVER (PARTITION BY pr.id ORDER BY i.issued_on, i.id), 0)
               - COALESCE(i.amount, 0) AS before,
           COALESCE(SUM(i.amount) OVER (PARTITION BY pr.id), 0) AS invoiced,
           ROW_NUMBER() OVER (PARTITION BY pr.id ORDER BY i.issued_on, i.id) AS rn
    FROM {project} pr
    LEFT JOIN {statement} st ON st.project_id = pr.id
    LEFT JOIN (SELECT r.project_id, SUM(r.amount) AS received FROM {receipt} r
               WHERE r.project_id IN ({visible}) GROUP BY r.project_id) rc ON rc.project_id = pr.id
    LEFT JOIN {invoice} i ON i.project_id = pr.id
    WHERE pr.id IN ({visible})
) x
"""


# --------------------------------------------------------------------------------------------------
# Commission deductions by person and month
# --------------------------------------------------------------------------------------------------
def deductions(user, period: Period, *, region: str = "") -> dict:
    """Deductions and forfeitures (RCV-3…6) posted to the commission ledger in the period, by owner and month
    (as positive amounts), from the entries the user may see. Two queries."""
    qs = entries_visible_to(user).filter(kind__in=RULE_KINDS, entry_date__gte=period.start,
                                         entry_date__lte=period.end)
    if region:
        qs = qs.filter(project__region__code=region)
    rows = list(qs.annotate(y=ExtractYear("entry_date"), m=ExtractMonth("entry_date")).order_by()
                .values("owner_id", "y", "m").annotate(amount=Sum("amount")))
    owners = get_user_model().objects.select_related("person").in_bulk({r["owner_id"] for r in rows})
    people: dict[int, dict] = {}
    for row in rows:
        person = people.setdefault(row["owner_id"], {"owner_id": row["owner_id"],
                                                     "name": display_name(owners[row["owner_id"]]),
                                                     "by_month": {}, "total": ZERO})  # a dict: it is cached
        amount = -money(row["amount"])
        ym = (row["y"], row["m"])
        person["by_month"][ym] = person["by_month"].get(ym, ZERO) + amount
        person["total"] += amount
    ordered = sorted(people.values(), key=lambda p: (-p["total"], p["name"]))
    return {"people": ordered, "total": sum((p["total"] for p in ordered), ZERO)}


# --------------------------------------------------------------------------------------------------
# Repair service levels and satisfaction
# --------------------------------------------------------------------------------------------------
def repairs(user, period: Period) -> dict:
    """``repairs.metrics.repair_metrics`` for the period, the two dimensions the dashboard draws (three queries)."""
    return repair_metrics(user, start=period.start, end=period.end, dimensions=("department", "month"), missed=False)


def tenders(user, period: Period, *, region: str = "") -> dict:
    """``planning.selectors.tenders_summary`` of the bids opening in the period (one query): count and budget by
    state, the won amount, the win rate (won of won and lost) and the number still open."""
    summary = tenders_summary(user, region=region or None, start=period.start, end=period.end)
    by_state = {state: {"count": row["count"], "budget": money(row["budget"])}
                for state, row in summary["by_state"].items()}
    return {"by_state": by_state, "won_amount": money(summary["won_amount"]), "win_rate": summary["win_rate"],
            "count": sum(r["count"] for r in by_state.values()),
            "open": sum(by_state.get(state, {}).get("count", 0) for state in OPEN_TENDER_STATES)}


def regions() -> list[tuple[str, str]]:
    return list(Region.objects.filter(active=True).order_by("code").values_list("code", "name"))
