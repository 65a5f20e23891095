"""Reads of reports, plans, targets and bids, already narrowed to what the user may see (X-2).

The dashboard app reads targets and bids only through ``targets_for``, ``actual_for``,
``target_vs_actual`` and ``tenders_summary`` (documented in README), never through the models.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractMonth

from marketing_portal.access import has_role
from org.models import Region
from org.roles import Role
from org.rules import is_regional_manager
from org.selectors import regions_of, resolve

from . import rules
from .choices import PlanState, PlanStepKind, TargetPeriod, TenderState
from .models import PlanStep, PlanVersion, ReportComment, SalesPlan, SalesReport, Target, Tender, TenderStep

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0.00")


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _sees_all(user) -> bool:
    return _active(user) and (user.is_superuser or rules.sees_all_planning(user))


def _region_ids(user) -> list[int]:
    return [r.pk for r in regions_of(user)] if is_regional_manager(user) else []


def may_use_reports(user) -> bool:
    return _active(user) and (_sees_all(user) or rules.files_reports(user))


def may_use_plans(user) -> bool:
    return _active(user) and (_sees_all(user) or is_regional_manager(user) or has_role(user, Role.SALESPERSON))


def may_use_tenders(user) -> bool:
    return _active(user) and (_sees_all(user) or bool(rules.starts_bids(user)) or bool(rules.prepares_bids(user)))


# --------------------------------------------------------------------------------------------------
# Visibility (registered with marketing_portal.access)
# --------------------------------------------------------------------------------------------------
def reports_visible_to(user) -> QuerySet:
    """Own reports; a regional manager their region's; leadership and the GM's office all."""
    qs = SalesReport.objects.select_related("person", "region")
    if not _active(user):
        return qs.none()
    if _sees_all(user):
        return qs
    return qs.filter(Q(person=user) | Q(region_id__in=_region_ids(user)))


def report_comments_visible_to(user) -> QuerySet:
    return ReportComment.objects.filter(report__in=reports_visible_to(user))


def plans_visible_to(user) -> QuerySet:
    """Leadership all plans; a regional manager their region's and the centre's; others none (they see their
    own targets on “my targets”)."""
    qs = SalesPlan.objects.select_related("region")
    if not _active(user):
        return qs.none()
    if _sees_all(user):
        return qs
    if is_regional_manager(user):
        return qs.filter(Q(region_id__in=_region_ids(user)) | Q(region__isnull=True))
    return qs.none()


def plan_versions_visible_to(user) -> QuerySet:
    return PlanVersion.objects.filter(plan__in=plans_visible_to(user))


def plan_steps_visible_to(user) -> QuerySet:
    return PlanStep.objects.filter(plan_version__plan__in=plans_visible_to(user))


def targets_visible_to(user) -> QuerySet:
    """Targets of every version the user may see: leadership all; a regional manager their region's; a
    salesperson their own lines."""
    qs = Target.objects.select_related("region", "person", "version")
    if not _active(user):
        return qs.none()
    if _sees_all(user):
        return qs
    return qs.filter(Q(person=user) | Q(region_id__in=_region_ids(user)))


def tenders_visible_to(user) -> QuerySet:
    """Own bids (owner or preparing clerk); a regional manager their region's; the marketing office (the clerks
    prepare every bid) and the GM's office all."""
    qs = Tender.objects.select_related("customer", "region", "owner", "clerk")
    if not _active(user):
        return qs.none()
    if _sees_all(user) or rules.prepares_bids(user):
        return qs
    return qs.filter(Q(owner=user) | Q(clerk=user) | Q(region_id__in=_region_ids(user)))


def tender_steps_visible_to(user) -> QuerySet:
    return TenderStep.objects.filter(tender__in=tenders_visible_to(user))


# --------------------------------------------------------------------------------------------------
# Who approves
# --------------------------------------------------------------------------------------------------
def plan_approvers(kind: str) -> list:
    """The Marketing Director, then the general manager (the regulation: 报上级领导审批后执行)."""
    if kind == PlanStepKind.DIRECTOR:
        return resolve(Role.MARKETING_DIRECTOR)
    if kind == PlanStepKind.GM:
        return resolve(Role.GENERAL_MANAGER)
    raise ValueError(kind)


def tender_reviewers() -> list:
    """The Management Manager reviews bid documents, budgets and drawings (ORG-3)."""
    return resolve(Role.MANAGEMENT_MANAGER)


# --------------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------------
def report_list(user, *, kind: str = "", period_start: date | None = None, region: str = "",
                person: int | None = None) -> QuerySet:
    qs = reports_visible_to(user).annotate(comment_count=Count("comments")).order_by("-period_start", "-filed_at",
                                                                                      "pk")
    if kind:
        qs = qs.filter(kind=kind)
    if period_start:
        qs = qs.filter(period_start=period_start)
    if region:
        qs = qs.filter(region__code=region)
    if person:
        qs = qs.filter(person_id=person)
    return qs


def tender_list(user, *, state: str = "", region: str = "", search: str = "") -> QuerySet:
    qs = tenders_visible_to(user)
    if state == "open":
        qs = qs.filter(state__in=[TenderState.PREPARING, TenderState.REVIEW, TenderState.READY, TenderState.SUBMITTED])
    elif state:
        qs = qs.filter(state=state)
    if region:
        qs = qs.filter(region__code=region)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(number__icontains=search) | Q(customer__name__icontains=search))
    return qs


def version_in_force(plan: SalesPlan) -> PlanVersion | None:
    return plan.versions.filter(in_force=True).first()


def open_version(plan: SalesPlan) -> PlanVersion | None:
    return plan.versions.filter(state__in=[PlanState.DRAFT, PlanState.REVIEW]).first()


# --------------------------------------------------------------------------------------------------
# For the dashboard: targets in force, actuals, actual against target
# --------------------------------------------------------------------------------------------------
def _months_of(period) -> tuple[int, list[int]]:
    """``period`` is a year (2026), a ``(year, month)`` pair, ``(year, "Q2")`` or ``(year, [1, 2, 3])``: the year
    and its months."""
    if isinstance(period, int):
        return period, list(range(1, 13))
    year, part = period
    if isinstance(part, list | tuple):  # some months of the year (the dashboard's custom period)
        return year, sorted(int(m) for m in part)
    if isinstance(part, str) and part.upper().startswith("Q"):
        quarter = int(part[1:])
        return year, [3 * quarter - 2, 3 * quarter - 1, 3 * quarter]
    return year, [int(part)]


def targets_for(user, period, *, region: str | None = None, person=None) -> dict:
    """Target amounts of the approved versions in force, narrowed by X-2.

    ``period``: a year (``2026``), ``(2026, 3)`` for March or ``(2026, "Q1")``; ``region``: a region code;
    ``person``: a user (their own lines). Returns ``{"total", "by_month": {m: amount}, "by_region":
    {code: amount}, "by_person": {user_id: amount}}``. Monthly lines are what is summed; a region or person
    with only an annual or quarterly target has it spread evenly over its months (quarter ÷ 3, year ÷ 12)
    so that months, quarters and the year always add up. Region figures come from the region lines
    (``person`` empty); person figures from the person lines. One query, whatever the data.
    """
    year, months = _months_of(period)
    qs = targets_visible_to(user).filter(version__in_force=True, version__plan__year=year)
    if region:
        qs = qs.filter(region__code=region)
    if person is not None:
        qs = qs.filter(person=person)
    rows = qs.values("region__code", "person_id", "period", "period_no").annotate(amount=Sum("amount"))
    # Monthly amounts per (region, person): monthly lines win over quarterly, quarterly over annual.
    per_key: dict[tuple, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        per_key[(row["region__code"], row["person_id"])][row["period"]][row["period_no"]] = row["amount"]
    by_month: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_region: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_person: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (code, person_id), lines in per_key.items():
        for month in months:
            amount = monthly_amount(lines, month)
            if person_id is None:
                by_region[code] += amount
                if person is None:
                    by_month[month] += amount
            else:
                by_person[person_id] += amount
                if person is not None:
                    by_month[month] += amount
    total = sum(by_month.values(), ZERO)
    return {"year": year, "months": months, "total": total, "by_month": dict(by_month),
            "by_region": dict(by_region), "by_person": dict(by_person)}


def monthly_amount(lines: dict[str, dict[int, Decimal]], month: int) -> Decimal:
    """The target of ``month`` from one region's or person's lines: the monthly line, else a third of the
    quarter, else a twelfth of the year (rounded to the fen)."""
    cent = Decimal("0.01")
    if month in lines.get(TargetPeriod.MONTH, {}):
        return lines[TargetPeriod.MONTH][month]
    quarter = (month - 1) // 3 + 1
    if quarter in lines.get(TargetPeriod.QUARTER, {}):
        return (lines[TargetPeriod.QUARTER][quarter] / 3).quantize(cent)
    if 0 in lines.get(TargetPeriod.YEAR, {}):
        return (lines[TargetPeriod.YEAR][0] / 12).quantize(cent)
    return ZERO


def plan_year_targets(user, plans: QuerySet, *, latest: bool = False) -> dict[int, Decimal]:
    """The annual target of each plan of ``plans`` (the plan list's totals): of its version in force, or with
    ``latest`` of its newest version (what a draft or a revision proposes). Region lines only, each month read as
    ``targets_for`` reads it (``monthly_amount``), so the list and the dashboard agree. One GROUP BY query; plans
    without a target are missing from the answer."""
    qs = targets_visible_to(user).filter(version__plan__in=plans.values("pk"), person__isnull=True)
    if latest:
        newest = PlanVersion.objects.filter(plan=OuterRef("version__plan")).order_by("-number").values("pk")[:1]
        qs = qs.filter(version=Subquery(newest))
    else:
        qs = qs.filter(version__in_force=True)
    rows = (qs.values("version__plan_id", "region_id", "period", "period_no").annotate(amount=Sum("amount"))
            .order_by())
    per_key: dict[tuple, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        per_key[(row["version__plan_id"], row["region_id"])][row["period"]][row["period_no"]] = row["amount"]
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (plan_id, _region), lines in per_key.items():
        totals[plan_id] += sum((monthly_amount(lines, month) for month in range(1, 13)), ZERO)
    return dict(totals)


def actual_for(user, period, *, region: str | None = None, person=None) -> dict:
    """Signed sales contract amounts in ``period`` (by ``signed_on``), from the contracts the user may see.

    Same shape as ``targets_for``; one GROUP BY query. Terminated and withdrawn contracts do not count.
    """
    from contracts.choices import SIGNED_STATES, Direction
    from contracts.selectors import contracts_visible_to

    year, months = _months_of(period)
    qs = contracts_visible_to(user).filter(direction=Direction.SALES, state__in=SIGNED_STATES,
                                           signed_on__year=year, signed_on__month__in=months, parent__isnull=True)
    if region:
        qs = qs.filter(region__code=region)
    if person is not None:
        qs = qs.filter(handler=person)
    rows = (qs.annotate(month=ExtractMonth("signed_on")).values("month", "region__code", "handler_id")
            .annotate(amount=Sum("amount")).order_by())
    by_month: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_region: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_person: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        by_month[row["month"]] += row["amount"]
        by_region[row["region__code"]] += row["amount"]
        by_person[row["handler_id"]] += row["amount"]
    return {"year": year, "months": months, "total": sum(by_month.values(), ZERO), "by_month": dict(by_month),
            "by_region": dict(by_region), "by_person": dict(by_person)}


def target_vs_actual(user, period, *, region: str | None = None, person=None) -> dict:
    """``targets_for`` and ``actual_for`` side by side, with the completion rate (None without a target)."""
    target = targets_for(user, period, region=region, person=person)
    actual = actual_for(user, period, region=region, person=person)

    def rate(a: Decimal, t: Decimal):
        return (a / t * 100).quantize(Decimal("0.1")) if t else None

    months = [{"month": m, "target": target["by_month"].get(m, ZERO), "actual": actual["by_month"].get(m, ZERO)}
              for m in target["months"]]
    for row in months:
        row["rate"] = rate(row["actual"], row["target"])
    regions = sorted(set(target["by_region"]) | set(actual["by_region"]))
    names = dict(Region.objects.filter(code__in=regions).values_list("code", "name")) if regions else {}
    return {"year": target["year"], "target": target["total"], "actual": actual["total"],
            "rate": rate(actual["total"], target["total"]), "months": months,
            "regions": [{"region": code, "name": names.get(code, code), "target": target["by_region"].get(code, ZERO),
                         "actual": actual["by_region"].get(code, ZERO),
                         "rate": rate(actual["by_region"].get(code, ZERO), target["by_region"].get(code, ZERO))}
                        for code in regions],
            "people": {pk: {"target": target["by_person"].get(pk, ZERO), "actual": actual["by_person"].get(pk, ZERO)}
                       for pk in set(target["by_person"]) | set(actual["by_person"])}}


def tenders_summary(user, *, year: int | None = None, region: str | None = None, start: date | None = None,
                    end: date | None = None) -> dict:
    """Bids the user may see, by state: count and budget; won amount and win rate of the decided ones. Narrowed
    to the bids opening in ``year`` or between ``start`` and ``end`` (inclusive; the bid list's date range) and
    to a region. One GROUP BY query."""
    qs = tenders_visible_to(user)
    if year:
        qs = qs.filter(opening_on__year=year)
    if start:
        qs = qs.filter(opening_on__gte=start)
    if end:
        qs = qs.filter(opening_on__lte=end)
    if region:
        qs = qs.filter(region__code=region)
    rows = {r["state"]: r for r in qs.values("state").annotate(count=Count("pk"), budget=Sum("budget"),
                                                                won=Sum("winning_amount")).order_by()}
    won, lost = rows.get(TenderState.WON, {}), rows.get(TenderState.LOST, {})
    decided = won.get("count", 0) + lost.get("count", 0)
    return {"by_state": {state: {"count": r["count"], "budget": r["budget"] or ZERO} for state, r in rows.items()},
            "won_amount": won.get("won") or ZERO,
            "win_rate": (Decimal(won.get("count", 0)) / decided * 100).quantize(Decimal("0.1")) if decided else None}


# --------------------------------------------------------------------------------------------------
# The prefill of a report: the person's own records of the period, read through the other apps' selectors
# --------------------------------------------------------------------------------------------------
def _aware(day: date, end: bool = False) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=SHANGHAI)


def report_figures(person, start: date, end: date) -> dict:
    """What ``person`` did in ``start``…``end``: contracts signed and submitted, invoices and receipts of their
    projects, hand-offs raised, repair tickets of their customers. Each list through its app's selector,
    narrowed to what ``person`` may see; amounts as strings (stored as JSON)."""
    from contracts.choices import SIGNED_STATES, Direction
    from contracts.selectors import contracts_visible_to
    from handoff.selectors import handoffs_visible_to
    from receivables.models import Invoice, Receipt
    from receivables.selectors import projects_visible_to
    from repairs.selectors import tickets_visible_to

    since, until = _aware(start), _aware(end, end=True)
    mine = contracts_visible_to(person).filter(handler=person, direction=Direction.SALES).select_related("customer")
    signed = mine.filter(state__in=SIGNED_STATES, signed_on__gte=start, signed_on__lte=end).order_by("signed_on",
                                                                                                      "pk")
    submitted = mine.filter(submitted_at__gte=since, submitted_at__lte=until).order_by("submitted_at", "pk")
    projects = projects_visible_to(person).filter(owner=person)
    invoices = Invoice.objects.filter(project__in=projects, issued_on__gte=start, issued_on__lte=end)\
        .select_related("project").order_by("issued_on", "pk")
    receipts = Receipt.objects.filter(project__in=projects, received_on__gte=start, received_on__lte=end)\
        .select_related("project").order_by("received_on", "pk")
    handoffs = handoffs_visible_to(person).filter(Q(issued_by=person) | Q(contract__handler=person),
                                                  issued_at__gte=since, issued_at__lte=until)\
        .distinct().order_by("issued_at", "pk")
    tickets = tickets_visible_to(person).filter(Q(relayed_by=person) | Q(contract__handler=person),
                                                received_at__gte=since, received_at__lte=until)\
        .distinct().order_by("received_at", "pk")

    def total(rows) -> str:
        return str(sum((r.amount for r in rows), ZERO))

    signed, submitted, invoices, receipts = list(signed), list(submitted), list(invoices), list(receipts)
    handoffs, tickets = list(handoffs), list(tickets)
    return {
        "signed": {"count": len(signed), "amount": total(signed),
                   "rows": [[c.pk, c.title, c.customer.name if c.customer_id else "", str(c.amount),
                             c.signed_on.isoformat()] for c in signed]},
        "submitted": {"count": len(submitted), "amount": total(submitted),
                      "rows": [[c.pk, c.title, str(c.amount)] for c in submitted]},
        "invoices": {"count": len(invoices), "amount": total(invoices),
                     "rows": [[i.number, i.project.name, str(i.amount), i.issued_on.isoformat()] for i in invoices]},
        "receipts": {"count": len(receipts), "amount": total(receipts),
                     "rows": [[r.project.name, str(r.amount), r.received_on.isoformat()] for r in receipts]},
        "handoffs": {"count": len(handoffs),
                     "rows": [[h.pk, h.number or "", h.party_a, h.get_state_display()] for h in handoffs]},
        "tickets": {"count": len(tickets),
                    "rows": [[t.pk, t.number, t.unit_name, t.get_state_display()] for t in tickets]},
    }
