"""Reads of hand-offs, already narrowed to what the user may see (SPEC X-2), and who must act (ORG-6).

Visibility:

* Finance sees every hand-off (it reviews them all); so does XXX — every hand-off is addressed to XXX —
  but XXX users see no sales contract beyond what the hand-off page shows them.
* Marketing and the executives see the hand-offs of the sales contracts they may see
  (``contracts_visible_to``): the handler and their regional manager, the Marketing office and
  leadership, the general managers. Others who read contracts for their own work (Legal, the archive,
  customer service) have no part in hand-offs and see none.
* A person acting for someone on leave (ORG-7) sees what that person sees here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractMonth, TruncDate
from django.utils import timezone

from contracts.choices import SIGNED_STATES, Direction
from contracts.models import ContractLine
from contracts.selectors import contracts_visible_to
from org.roles import MARKETING_LEADERSHIP, MARKETING_OFFICE, Role
from org.rules import holds, is_marketing_office, is_regional_manager
from org.selectors import regions_of, resolve

from . import rules
from .choices import ACTIVE_STATES, CostingState, HandoffState, Party
from .models import Costing, CostLine, Decision, Handoff, NegotiationRound, ScopeItem


def sees_all_handoffs(user) -> bool:
    return holds(user, rules.sees_all_handoffs)


def may_use_handoffs(user) -> bool:
    return holds(user, rules.uses_handoffs)


def handoffs_visible_to(user) -> QuerySet:
    qs = Handoff.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if sees_all_handoffs(user):
        return qs
    if not may_use_handoffs(user):
        # Reading a contract (Legal, the archive, customer service) is no part in its hand-off.
        return qs.none()
    return qs.filter(contract__in=contracts_visible_to(user))


def handoffs_of_contract_visible_to(user, contract) -> list:
    """The hand-offs of ``contract`` (its own, or the one its construction contract came from) that ``user`` may see,
    newest first: ``handoffs_visible_to`` narrowed to them, each sales contract asked of ``contracts.see_contract``
    (one row each; the page's own contract is already known) instead of collecting every contract the user sees."""
    from contracts.rules import can_see_contract

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    sees_all = sees_all_handoffs(user)
    if not sees_all and not may_use_handoffs(user):
        return []
    found = list(Handoff.objects.filter(Q(contract=contract) | Q(construction_contract=contract))
                 .select_related("line", "contract").order_by("-issued_at"))
    if sees_all:
        return found
    return [handoff for handoff in found if can_see_contract(user, handoff.contract)]


def _children(model, path: str = "handoff"):
    def visible(user) -> QuerySet:
        return model.objects.filter(**{f"{path}__in": handoffs_visible_to(user)})

    visible.__name__ = f"{model.__name__.lower()}s_visible_to"
    return visible


costings_visible_to = _children(Costing)
scope_items_visible_to = _children(ScopeItem)
rounds_visible_to = _children(NegotiationRound)
decisions_visible_to = _children(Decision)
cost_lines_visible_to = _children(CostLine, "costing__handoff")


def may_see_sales_contract(user, handoff: Handoff) -> bool:
    """Whether Party A's price and the sales contract are shown (``handoff.see_sales_contract``; not to XXX)."""
    return user.has_perm("handoff.see_sales_contract", handoff)


# --------------------------------------------------------------------------------------------------
# Who must act (resolved from the org chart; delegation applies through ``org.selectors.acting_for``)
# --------------------------------------------------------------------------------------------------
def _unique(users) -> list:
    return list({u.pk: u for u in users if u is not None}.values())


def estimators() -> list:
    """XXX's cost estimators: they cost every liaison sheet (HND-2)."""
    return resolve(Role.XXX_ESTIMATOR)


def finance_reviewers() -> list:
    """Finance reviews the costings (HND-3): the reviewers and the head of Finance."""
    return _unique(resolve(Role.FINANCE_REVIEWER) + resolve(Role.FINANCE_HEAD))


def xxx_negotiators() -> list:
    """XXX's side of the negotiation (HND-4): its contract negotiator and its head."""
    return _unique(resolve(Role.XXX_NEGOTIATOR) + resolve(Role.XXX_HEAD))


def deciders(handoff: Handoff) -> list:
    """Marketing decides the amount (HND-4): the contract's handler and Marketing leadership."""
    leadership = [u for role in sorted(MARKETING_LEADERSHIP) for u in resolve(role)]
    return _unique([handoff.contract.handler, *leadership])


def marketing_side(handoff: Handoff) -> list:
    """Marketing people of this hand-off: the handler, the issuer, the office, the region's manager."""
    office = [u for role in sorted(MARKETING_OFFICE) for u in resolve(role)]
    regional = resolve(Role.REGIONAL_MANAGER, region=handoff.contract.region)
    regional = [u for u in regional if handoff.contract.region_id in {r.pk for r in regions_of(u)}]
    return _unique([handoff.contract.handler, handoff.issued_by, *office, *regional])


def decision_followers() -> list:
    """Who is told of decisions waiting: the Director's Assistant holds the duty “XX新合同对接”."""
    return resolve(Role.DIRECTOR_ASSISTANT)


def party_heads(party: str) -> list:
    """The head alerted when ``party`` is late (HND-6)."""
    if party == Party.XXX:
        return resolve(Role.XXX_HEAD)
    if party == Party.FINANCE:
        return resolve(Role.FINANCE_HEAD)
    return resolve(Role.MARKETING_DIRECTOR)


def may_raise_for(user, contract) -> bool:
    """Marketing issues the sheet (HND-1): ``handoff.raise_for_contract``."""
    return holds(user, rules.raises_for_contract, contract)


def orders_open_for(user) -> QuerySet:
    """Order lines of signed sales contracts the user may raise a sheet for, without an active sheet."""
    contracts = contracts_visible_to(user).filter(direction=Direction.SALES, state__in=SIGNED_STATES)
    if not holds(user, is_marketing_office):
        region_ids = [r.pk for r in regions_of(user)] if is_regional_manager(user) else []
        contracts = contracts.filter(Q(handler=user) | Q(region__in=region_ids))
    return (
        ContractLine.objects.filter(contract__in=contracts)
        .exclude(handoffs__state__in=ACTIVE_STATES)
        .select_related("contract", "contract__customer", "contract__region", "contract__handler__person")
        .order_by("-contract__signed_on", "contract_id", "position")
    )


# --------------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------------
def handoff_list(user, *, search: str = "", state: str = "", region: str = "") -> QuerySet:
    """The hand-off register: visible hand-offs with everything a row shows, in a fixed number of queries."""
    from django.db.models import Prefetch

    qs = handoffs_visible_to(user).select_related(
        "contract", "contract__region", "contract__handler__person", "line", "issued_by__person",
        "construction_contract",
    ).prefetch_related(Prefetch("costings", queryset=Costing.objects.order_by("version")))
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(contract__title__icontains=search)
                       | Q(party_a__icontains=search) | Q(line__description__icontains=search)
                       | Q(site__icontains=search))
    if state:
        qs = qs.filter(state=state)
    if region:
        qs = qs.filter(contract__region__code=region)
    return qs.order_by("-issued_at", "-pk")


def current_costing(handoff: Handoff) -> Costing | None:
    """The costing in play: the live one, else the newest."""
    costings = sorted(handoff.costings.all(), key=lambda c: c.version)
    live = [c for c in costings if c.state in (CostingState.OPEN, CostingState.SUBMITTED)]
    if live:
        return live[-1]
    return costings[-1] if costings else None


def accepted_costing(handoff: Handoff) -> Costing | None:
    return handoff.costings.filter(state=CostingState.ACCEPTED).order_by("-version").first()


def current_decision(handoff: Handoff) -> Decision | None:
    from .choices import DecisionState

    return handoff.decisions.filter(state=DecisionState.CURRENT).select_related("construction_contract").first()


# --------------------------------------------------------------------------------------------------
# On-time rates (HND-6, RPT-1)
# --------------------------------------------------------------------------------------------------
def on_time_rates(user, *, year: int, region: str = "", today: date | None = None) -> dict:
    """Per party (XXX costing, Finance review) and month of the due date: on time, late, overdue and open.

    A period counts when it ended — done (on time if done by 24:00 of the due day, Beijing time) or
    overdue and still open; periods not yet due and still open are shown but not rated. Rate =
    on time ÷ (on time + late + overdue open).
    """
    today = today or timezone.localdate()
    tz = ZoneInfo(settings.TIME_ZONE)
    handoffs = handoffs_visible_to(user)
    if region:
        handoffs = handoffs.filter(contract__region__code=region)
    base = Costing.objects.filter(handoff__in=handoffs)

    def tally(qs, *, due: str, done_at: str, open_state: str):
        done_local = TruncDate(done_at, tzinfo=tz)
        return (
            qs.filter(**{f"{due}__year": year})
            .annotate(month=ExtractMonth(due), done_local=done_local)
            .values("month")
            .annotate(
                on_time=Count("pk", filter=Q(**{f"{done_at}__isnull": False}, done_local__lte=F(due))),
                late=Count("pk", filter=Q(**{f"{done_at}__isnull": False}, done_local__gt=F(due))),
                overdue=Count("pk", filter=Q(**{f"{done_at}__isnull": True, "state": open_state,
                                                f"{due}__lt": today})),
                pending=Count("pk", filter=Q(**{f"{done_at}__isnull": True, "state": open_state,
                                                f"{due}__gte": today})),
            )
            .order_by("month")
        )

    # A costing closed by a withdrawn hand-off before it was done is not counted against anyone.
    xxx = tally(base.exclude(state=CostingState.CANCELLED, submitted_at__isnull=True), due="due_on",
                done_at="submitted_at", open_state=CostingState.OPEN)
    finance = tally(base.filter(review_due_on__isnull=False).exclude(state=CostingState.CANCELLED,
                                                                      reviewed_at__isnull=True),
                    due="review_due_on", done_at="reviewed_at", open_state=CostingState.SUBMITTED)
    parties = {}
    for party, rows in ((Party.XXX, xxx), (Party.FINANCE, finance)):
        months = {m: {"month": m, "on_time": 0, "late": 0, "overdue": 0, "pending": 0} for m in range(1, 13)}
        for row in rows:
            months[row["month"]].update(row)
        total = {"month": None, "on_time": 0, "late": 0, "overdue": 0, "pending": 0}
        for row in months.values():
            for key in ("on_time", "late", "overdue", "pending"):
                total[key] += row[key]
        for row in [*months.values(), total]:
            rated = row["on_time"] + row["late"] + row["overdue"]
            row["rated"] = rated
            row["rate"] = (Decimal(row["on_time"] * 100) / rated).quantize(Decimal("0.1")) if rated else None
        parties[party] = {"months": list(months.values()), "total": total}
    return parties


def waiting_counts(user) -> dict:
    """How many visible hand-offs are in each open state (for the dashboard's header)."""
    rows = handoffs_visible_to(user).values("state").annotate(n=Count("pk"))
    counts = {state: 0 for state in HandoffState.values}
    for row in rows:
        counts[row["state"]] = row["n"]
    return counts
