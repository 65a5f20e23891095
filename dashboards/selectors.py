"""The figures of the managers' dashboard (SPEC RPT-1) and of the home cards.

Every figure starts from the owning app's selector, already narrowed to what the user may see (X-2):
``contracts_visible_to``, ``handoff.selectors.on_time_rates``, ``receivables.selectors.aging_projects`` /
``entries_visible_to``, ``repairs.metrics.repair_metrics``, ``planning.selectors.target_vs_actual`` /
``tenders_summary``. Aggregates are computed by the database (GROUP BY / conditional aggregates): a fixed
number of queries whatever the data size, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest, Least

from contracts.choices import ContractState, Direction
from contracts.selectors import contracts_visible_to
from handoff.choices import Party
from handoff.selectors import on_time_rates
from marketing_portal.money import MONEY_FIELD
from marketing_portal.people import display_name
from marketing_portal.periods import period_end
from marketing_portal.policy import current_policy
from org import rules as org_rules
from org.models import Region
from planning import rules as planning_rules
from planning.choices import OPEN_TENDER_STATES
from planning.selectors import target_vs_actual, tenders_summary
from receivables.choices import AGING_BUCKETS, RULE_KINDS
from receivables.models import Invoice, Receipt, RetentionStatement
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


def _sum_sub(model, field: str = "amount", **filters):
    sub = (model.objects.filter(**filters).order_by().values("project").annotate(total=Sum(field)).values("total"))
    return Coalesce(Subquery(sub, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


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
    Two queries.
    """
    projects = aging_projects(user)
    if region:
        projects = projects.filter(region__code=region)
    statement_issued = Exists(RetentionStatement.objects.filter(project=OuterRef("pk"), issued_on__isnull=False))
    received = _sum_sub(Receipt, project=OuterRef("pk"))
    invoiced = _sum_sub(Invoice, project=OuterRef("pk"))
    cutoff = collection_cutoff(today)
    retention_started = Exists(RetentionStatement.objects.filter(project=OuterRef("pk"), issued_on__lte=cutoff))
    zero = Value(ZERO, output_field=MONEY_FIELD)
    per_project = projects.annotate(
        received_sum=received, invoiced_sum=invoiced, statement_issued=statement_issued,
        retention_started=retention_started)
    totals = per_project.aggregate(
        count=Count("pk"),
        retention_pending=Sum(Greatest(Least(F("retention_amount"), F("amount") - F("received_sum")), zero),
                              filter=Q(statement_issued=False), output_field=MONEY_FIELD),
        # Past the deadline: the whole amount once the retention's own deadline passed, else all but the retention
        # once the main collection deadline passed (RCV-6), else nothing.
        overdue_full=Sum(Greatest(F("invoiced_sum") - F("received_sum"), zero), filter=Q(retention_started=True),
                         output_field=MONEY_FIELD),
        overdue_main=Sum(Greatest(Least(F("invoiced_sum"), F("amount") - F("retention_amount")) - F("received_sum"),
                                  zero),
                         filter=Q(retention_started=False, invoiced_on__lte=cutoff, collected_on__isnull=True),
                         output_field=MONEY_FIELD),
    )
    # Per invoice, FIFO: the open part of [before, before + amount) above what was received, below the amount
    # the project owes now (its amount less retention not yet due).
    before = Coalesce(Subquery(
        Invoice.objects.filter(project=OuterRef("project")).filter(
            Q(issued_on__lt=OuterRef("issued_on")) | Q(issued_on=OuterRef("issued_on"), pk__lt=OuterRef("pk")))
        .order_by().values("project").annotate(total=Sum("amount")).values("total"), output_field=MONEY_FIELD),
        Value(ZERO), output_field=MONEY_FIELD)
    pending = Exists(RetentionStatement.objects.filter(project=OuterRef("project"), issued_on__isnull=False))
    invoices = Invoice.objects.filter(project__in=projects.values("pk")).annotate(
        before=before, received_sum=_sum_sub(Receipt, project=OuterRef("project")), issued=pending)
    owed_now = F("project__amount") - F("project__retention_amount")
    open_due = Greatest(Least(F("before") + F("amount"), owed_now) - Greatest(F("before"), F("received_sum")), zero)
    open_due_issued = Greatest(Least(F("before") + F("amount"), F("project__amount"))
                               - Greatest(F("before"), F("received_sum")), zero)
    bucket_sums = {}
    for _label, low, high in AGING_BUCKETS:
        in_bucket = Q(issued_on__lte=today - timedelta(days=low))
        if high is not None:
            in_bucket &= Q(issued_on__gte=today - timedelta(days=high))
        bucket_sums[f"b{low}"] = Sum(open_due, filter=in_bucket & Q(issued=False), output_field=MONEY_FIELD)
        bucket_sums[f"i{low}"] = Sum(open_due_issued, filter=in_bucket & Q(issued=True), output_field=MONEY_FIELD)
    sums = invoices.aggregate(**bucket_sums)
    buckets = [{"bucket": label, "amount": money(sums[f"b{low}"]) + money(sums[f"i{low}"])}
               for label, low, _high in AGING_BUCKETS]
    outstanding = sum((b["amount"] for b in buckets), ZERO)
    return {"count": totals["count"], "buckets": buckets, "outstanding": outstanding,
            "retention_pending": money(totals["retention_pending"]),
            "overdue": money(totals["overdue_full"]) + money(totals["overdue_main"]), "cutoff": cutoff}


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
                                                     "by_month": defaultdict(lambda: ZERO), "total": ZERO})
        amount = -money(row["amount"])
        person["by_month"][(row["y"], row["m"])] += amount
        person["total"] += amount
    ordered = sorted(people.values(), key=lambda p: (-p["total"], p["name"]))
    return {"people": ordered, "total": sum((p["total"] for p in ordered), ZERO)}


# --------------------------------------------------------------------------------------------------
# Repair service levels and satisfaction
# --------------------------------------------------------------------------------------------------
def repairs(user, period: Period) -> dict:
    """``repairs.metrics.repair_metrics`` for the period (seven queries)."""
    return repair_metrics(user, start=period.start, end=period.end)


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
