"""Benchmark plans, reports and bids (``manage.py seed_bench``).

Per year and region a sales plan whose approved version holds monthly region targets (the year's before this
one approved by the director and the GM); salespeople's monthly reports over ten years and weekly reports over
the last year, mostly on time; about 8,000 bids at scale 1 over ten years, most decided (won or lost).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from marketing_portal.benchdata import BenchContext, Numbers, bulk, history, stored_dates
from org.models import Person, Region
from org.roles import Role

from .models import PlanStep, PlanVersion, SalesPlan, SalesReport, Target, Tender

EMPTY_FIGURES = {k: {"rows": [], "count": 0, "amount": "0.00"} for k in ("signed", "submitted", "invoices", "receipts")}


def run(ctx: BenchContext) -> None:
    rng = ctx.rng
    User = get_user_model()
    director, gm, mgmt = (User.objects.get(username=u) for u in ("director", "gm", "mgmt_manager"))
    regions = list(Region.objects.order_by("pk"))
    taken = set(SalesPlan.objects.values_list("year", "region_id"))
    numbers = Numbers("plan")
    plans, versions, targets, steps = [], [], [], []
    for year in range(ctx.first_day.year + 1, ctx.today.year + 1):
        for region in regions:
            if (year, region.pk) in taken:
                continue
            created = ctx.moment(date(year - 1, 12, rng.randint(1, 20)))
            plan = SalesPlan(number=f"JH-{year}-{numbers.take(year):04d}", year=year, region=region,
                             title=f"{year}年{region.name}销售计划", created_by=mgmt, created_at=created)
            plans.append(plan)
    with stored_dates(SalesPlan, PlanVersion):
        bulk(ctx, SalesPlan, plans)
        for plan in plans:
            created = plan.created_at
            v = PlanVersion(plan=plan, number=1, state="approved", in_force=True, note="年度计划",
                            submitted_by=mgmt, submitted_at=created + timedelta(days=1),
                            approved_at=created + timedelta(days=6), created_by=mgmt, created_at=created,
                            content_hash="0" * 64)
            versions.append(v)
        bulk(ctx, PlanVersion, versions)
    numbers.save()
    for v in versions:
        base = Decimal(rng.randint(8, 40)) * Decimal(100_000) * (1 + Decimal(v.plan.year - ctx.first_day.year) / 10)
        for month in range(1, 13):
            targets.append(Target(version=v, region_id=v.plan.region_id, period="month", period_no=month,
                                  amount=(base * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal("1.00"))))
        for kind, who, days in (("director", director, 3), ("gm", gm, 5)):
            steps.append(PlanStep(plan_version=v, kind=kind, status="approved", opened_at=v.submitted_at,
                                  decided_at=v.created_at + timedelta(days=days), decided_by=who, comment="同意"))
    bulk(ctx, Target, targets)
    bulk(ctx, PlanStep, steps)

    # Reports: monthly over ten years, weekly over the last year, by every salesperson.
    sellers = list(Person.objects.filter(positions__role=Role.SALESPERSON).prefetch_related("regions")
                   .select_related("user"))
    have = set(SalesReport.objects.values_list("person_id", "kind", "period_start"))
    reports = []
    month = date(ctx.first_day.year, ctx.first_day.month, 1)
    months = []
    while month < ctx.today.replace(day=1):
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    monday = ctx.today - timedelta(days=ctx.today.weekday() + 7)
    weeks = [monday - timedelta(weeks=w) for w in range(52)]
    keep = ctx.scale  # at a small scale, fewer periods per person
    for person in sellers:
        region = next(iter(person.regions.all()), None)
        for kind, starts in (("monthly", months), ("weekly", weeks)):
            for start in starts:
                if keep < 1 and rng.random() > keep or rng.random() < 0.05:
                    continue  # the odd period was never reported
                end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1) if kind == "monthly" \
                    else start + timedelta(days=6)
                if (person.user_id, kind, start) in have:
                    continue
                due = end + timedelta(days=3)
                late = rng.random() < 0.1
                filed = ctx.moment(due + timedelta(days=rng.randint(1, 6)) if late else end + timedelta(
                    days=rng.randint(0, 3)))
                reports.append(SalesReport(
                    person_id=person.user_id, region=region, kind=kind, period_start=start, period_end=end,
                    work_done="拜访客户，跟进在谈项目，处理合同及回款事宜。", customers_visited="重点客户三家",
                    opportunities="新增意向项目一个", next_plan="继续跟进投标及回款", figures=EMPTY_FIGURES,
                    due_on=due, filed_at=filed, is_late=late, policy_version=1))
    bulk(ctx, SalesReport, reports)

    # Bids.
    clerks = list(User.objects.filter(person__positions__role__in=[Role.SALES_CLERK, Role.DESIGN_CLERK]))
    customers = list(_customers())
    handlers = {}
    for person in sellers:
        for r in person.regions.all():
            handlers.setdefault(r.pk, []).append(person.user_id)
    tnumbers = Numbers("tender")
    tenders = []
    for day in sorted(ctx.day_in_ten_years() for _ in range(ctx.n(8000))):
        customer_id, region_id, name = rng.choice(customers)
        recent = (ctx.today - day).days < 45
        state = ctx.pick({"preparing": 30, "review": 20, "ready": 20, "submitted": 30}) if recent else \
            ctx.pick({"won": 35, "lost": 55, "cancelled": 10})
        budget = Decimal(int(rng.lognormvariate(13, 0.8))).quantize(Decimal("1.00")) + Decimal(10_000)
        opening = day + timedelta(days=rng.randint(15, 40))
        won = state == "won"
        created = ctx.moment(day)
        tenders.append(Tender(
            number=f"ZB-{day.year}-{tnumbers.take(day.year):04d}", title=f"{name[:2]}电力设备采购项目招标",
            customer_id=customer_id, region_id=region_id,
            owner_id=rng.choice(handlers.get(region_id) or next(iter(handlers.values()))), clerk=rng.choice(clerks),
            budget=budget, documents_due_on=opening - timedelta(days=2), opening_on=opening, state=state,
            quoted_amount=(budget * Decimal("0.95")).quantize(Decimal("1.00")) if state in (
                "submitted", "won", "lost") else None,
            submitted_at=ctx.moment(opening - timedelta(days=3)) if state in ("submitted", "won", "lost") else None,
            result_on=opening + timedelta(days=rng.randint(0, 20)) if state in ("won", "lost", "cancelled") else None,
            winning_amount=(budget * Decimal("0.93")).quantize(Decimal("1.00")) if state in ("won", "lost") else None,
            winner="" if won or state != "lost" else "其他投标人", created_by=mgmt, created_at=created,
            updated_at=created))
    tnumbers.save()
    with stored_dates(Tender):
        bulk(ctx, Tender, tenders)
    bulk(ctx, Tender.history.model, [history(t, when=t.created_at, by=t.created_by_id, reason="新建投标项目")
                                     for t in tenders], label="planning_historicaltender")
    ctx.log(f"planning: {len(plans)} plans ({len(targets)} targets), {len(reports)} reports, {len(tenders)} bids")


def _customers():
    from contracts.models import Customer

    return Customer.objects.values_list("pk", "region_id", "name")
