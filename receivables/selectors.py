"""Reads of projects, receivables and commission, already narrowed to what the user may see (SPEC X-2, RCV-13).

Projects (and their acceptance, invoices, receipts, retention statements, hand-overs):

* Marketing office and leadership, Finance and the general managers see every project.
* A regional manager sees the projects of their regions; a salesperson the projects they own or owned.
* XXX users see the projects of their hand-offs — sales contracts with a liaison sheet that was not withdrawn
  (the hand-off app's ``Handoff.contract``) — and the projects whose acceptance an XXX user submitted
  (older projects entered without a hand-off). Should the hand-off app be absent, the projects still
  awaiting acceptance take the place of "their hand-offs", so XXX can submit the completion notice.

Commission (ledger entries, adjustments, compensation agreements, payouts) is narrower: Marketing leadership,
Finance and the general managers see all; a regional manager the commission on the projects of their regions
and their own; everyone else only their own. XXX sees no commission.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from contracts.hooks import contracts_reached
from marketing_portal.people import display_name
from marketing_portal.queries import in_ids, narrowed_ids, union_ids
from org.roles import XXX
from org.rules import holds, is_regional_manager, is_xxx
from org.selectors import regions_of

from . import rules
from .choices import AGING_BUCKETS, OPEN_STAGES, ProjectStage, ProposalState
from .models import (
    Acceptance,
    AdjustmentRequest,
    CommissionEntry,
    CompensationAgreement,
    DutyProposal,
    ImportBatch,
    Invoice,
    OwnerHandover,
    Payout,
    Project,
    Receipt,
    RetentionStatement,
)
from .policy import ZERO


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _region_ids(user) -> list[int]:
    return [r.pk for r in regions_of(user)] if is_regional_manager(user) else []


# The rules of ``receivables.rules``, answered as ``has_perm`` answers them (an active superuser sees all).
def sees_all_projects(user) -> bool:
    return holds(user, rules.sees_all_projects)


def sees_all_commission(user) -> bool:
    return holds(user, rules.sees_all_commission)


def sees_all_proposals(user) -> bool:
    return holds(user, rules.sees_all_proposals)


def may_use_receivables(user) -> bool:
    return holds(user, rules.uses_receivables)


def projects_visible_to(user) -> QuerySet:
    qs = Project.objects.all()
    if not _active(user):
        return qs.none()
    if sees_all_projects(user):
        return qs
    return qs.filter(in_ids("pk", union_ids(_project_id_sources(user))))


def projects_of_contract_visible_to(user, contract) -> QuerySet:
    """``projects_visible_to(user)`` narrowed to the project(s) of ``contract``, each reason to see one asked for
    those rows only (``queries.narrowed_ids``): the contract page of a regional manager no longer collects the
    thousands of projects of the region to show one."""
    qs = Project.objects.filter(contract=contract)
    if not _active(user):
        return qs.none()
    if sees_all_projects(user):
        return qs
    return qs.filter(in_ids("pk", narrowed_ids(_project_id_sources(user), "__in", qs.values("pk"))))


def _project_id_sources(user) -> list[QuerySet]:
    qs = Project.objects.all()
    # One indexed lookup per reason (UNION ALL of ids, ``marketing_portal.queries``): an OR of them across the
    # commission ledger and the hand-offs is not answered from indexes by PostgreSQL.
    sources = [qs.filter(owner=user).values("pk"), CommissionEntry.objects.filter(owner=user).values("project_id")]
    region_ids = _region_ids(user)
    if region_ids:
        sources.append(qs.filter(region__in=region_ids).values("pk"))
    if is_xxx(user):
        # The hand-off app says which contracts the user reaches through hand-offs (``contracts.hooks``).
        handed_off = contracts_reached(user, through="handoffs")
        if handed_off is not None:
            sources.append(qs.filter(contract_id__in=handed_off).values("pk"))
        else:
            sources.append(qs.filter(stage=ProjectStage.AWAITING_ACCEPTANCE).values("pk"))
        sources.append(Acceptance.objects.filter(submitted_by__groups__name__in=XXX).values("project_id"))
    return sources


def _with_project(model):
    def visible(user) -> QuerySet:
        return model.objects.filter(project__in=projects_visible_to(user))

    visible.__name__ = f"{model.__name__.lower()}s_visible_to"
    return visible


acceptances_visible_to = _with_project(Acceptance)
invoices_visible_to = _with_project(Invoice)
receipts_visible_to = _with_project(Receipt)
statements_visible_to = _with_project(RetentionStatement)
handovers_visible_to = _with_project(OwnerHandover)


def _commission_condition(user, owner_field: str = "owner", project_field: str = "project") -> Q | None:
    """None: sees all; else the condition on the records of one owner."""
    if sees_all_commission(user):
        return None
    condition = Q(**{owner_field: user})
    region_ids = _region_ids(user)
    if region_ids:
        condition |= Q(**{f"{project_field}__region__in": region_ids})
    return condition


def entries_visible_to(user) -> QuerySet:
    qs = CommissionEntry.objects.all()
    if not _active(user):
        return qs.none()
    condition = _commission_condition(user)
    return qs if condition is None else qs.filter(condition)


def agreements_visible_to(user) -> QuerySet:
    qs = CompensationAgreement.objects.all()
    if not _active(user):
        return qs.none()
    condition = _commission_condition(user)
    return qs if condition is None else qs.filter(condition)


def adjustments_visible_to(user) -> QuerySet:
    qs = AdjustmentRequest.objects.all()
    if not _active(user):
        return qs.none()
    condition = _commission_condition(user)
    return qs if condition is None else qs.filter(condition)


def payouts_visible_to(user) -> QuerySet:
    qs = Payout.objects.all()
    if not _active(user):
        return qs.none()
    return qs if sees_all_commission(user) else qs.filter(owner=user)


def proposals_visible_to(user) -> QuerySet:
    qs = DutyProposal.objects.all()
    if not _active(user):
        return qs.none()
    if sees_all_proposals(user):
        return qs
    return qs.filter(person__user=user)


def import_batches_visible_to(user) -> QuerySet:
    qs = ImportBatch.objects.all()
    if not _active(user):
        return qs.none()
    return qs if holds(user, rules.imports_money) else qs.none()


# --------------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------------
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(model, field: str = "amount"):
    sub = (model.objects.filter(project=OuterRef("pk")).order_by().values("project")
           .annotate(total=Sum(field)).values("total"))
    return Coalesce(Subquery(sub, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def with_totals(qs: QuerySet) -> QuerySet:
    return qs.annotate(invoiced_total=_sum_of(Invoice), received_total=_sum_of(Receipt))


def project_list(user, *, search: str = "", stage: str = "", region: str = "", owner: int | None = None,
                 customer: int | None = None, attention: str = "", due_from=None, due_to=None) -> QuerySet:
    """Visible projects with their invoiced and received totals, in a fixed number of queries."""
    qs = with_totals(projects_visible_to(user).select_related("customer", "region", "owner__person"))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(number__icontains=search) | Q(customer__name__icontains=search)
                       | Q(contract__archive_number__icontains=search))
    if stage == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    elif stage:
        qs = qs.filter(stage=stage)
    if region:
        qs = qs.filter(region__code=region)
    if owner:
        qs = qs.filter(owner_id=owner)
    if customer:
        qs = qs.filter(customer_id=customer)
    if attention == "deducted":
        qs = qs.filter(deduction_percent__gt=0)
    elif attention == "suspension":
        qs = qs.exclude(suspension="none")
    if due_from:
        qs = qs.filter(next_deadline_on__gte=due_from)
    if due_to:
        qs = qs.filter(next_deadline_on__lte=due_to)
    return qs.order_by(F("next_deadline_on").asc(nulls_last=True), "-pk")


def contracts_without_project(user) -> QuerySet:
    """Signed sales contracts (originals, not amendments) that have no project yet: older data to register."""
    from contracts.choices import SIGNED_STATES, Direction
    from contracts.selectors import contracts_visible_to

    return (contracts_visible_to(user).filter(direction=Direction.SALES, parent__isnull=True,
                                              state__in=SIGNED_STATES, project__isnull=True)
            .select_related("customer", "region", "handler__person").order_by("-signed_on", "-pk"))


def ledger_balances(entries: QuerySet) -> list[dict]:
    """Balance per owner of the given entries (derived, never stored)."""
    rows = list(entries.order_by().values("owner_id").annotate(balance=Sum("amount")).order_by("owner_id"))
    owners = get_user_model().objects.select_related("person").in_bulk([r["owner_id"] for r in rows])
    balances = [{"owner_id": r["owner_id"], "name": display_name(owners[r["owner_id"]]), "balance": r["balance"]}
                for r in rows]
    return sorted(balances, key=lambda b: b["name"])


def pending_proposals() -> QuerySet:
    return (DutyProposal.objects.filter(state=ProposalState.PENDING)
            .select_related("person__user", "project").order_by("created_at"))


# --------------------------------------------------------------------------------------------------
# Receivables and aging (RCV-13)
# --------------------------------------------------------------------------------------------------
BUCKET_KEYS = [label for label, _low, _high in AGING_BUCKETS]


def bucket_of(days: int) -> str:
    for label, low, high in AGING_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return BUCKET_KEYS[0]  # a future-dated invoice cannot be stored; count it as current


def aging_of(amount: Decimal, retention: Decimal, invoices: list[tuple[date, Decimal]], received: Decimal,
             as_of: date, *, retention_due: bool = True) -> dict:
    """One project's receivable: receipts settle the oldest invoices first (FIFO); what is left is aged by the
    invoice date into the buckets of RCV-13.

    Retention money not yet due (``retention_due=False``: the warranty has not ended) is kept apart from the
    buckets, so it never counts as overdue: it is the last money the customer pays, so it is taken from the newest
    open invoices first, and shown as ``retention_not_due``.
    """
    buckets = {key: ZERO for key in BUCKET_KEYS}
    left = received
    invoiced = ZERO
    open_parts: list[tuple[date, Decimal]] = []
    for issued_on, value in sorted(invoices):
        invoiced += value
        paid = min(left, value)
        left -= paid
        if value - paid > 0:
            open_parts.append((issued_on, value - paid))
    outstanding = invoiced - received
    held = ZERO if retention_due else max(ZERO, min(retention, outstanding))
    to_hold = held
    for issued_on, open_part in reversed(open_parts):
        kept = min(to_hold, open_part)
        to_hold -= kept
        if open_part - kept > 0:
            buckets[bucket_of((as_of - issued_on).days)] += open_part - kept
    return {"invoiced": invoiced, "received": received, "outstanding": outstanding,
            "not_invoiced": amount - invoiced, "retention": retention,
            "retention_outstanding": min(retention, amount - received), "retention_not_due": held,
            "buckets": buckets}


def aging_rows(projects: QuerySet, *, as_of: date, chunk: int = 1000) -> Iterator[dict]:
    """Per project, its receivable and aging; reads invoices and receipts a chunk of projects at a time."""
    qs = projects.select_related("customer", "region", "owner__person").order_by("pk")
    batch: list[Project] = []
    for project in qs.iterator(chunk_size=chunk):
        batch.append(project)
        if len(batch) >= chunk:
            yield from _aging_batch(batch, as_of)
            batch = []
    if batch:
        yield from _aging_batch(batch, as_of)


def aging_rows_for(projects: list[Project], *, as_of: date) -> Iterable[dict]:
    """The aging of a few given projects (a page), in their order."""
    return _aging_batch(projects, as_of)


def _aging_batch(projects: list[Project], as_of: date) -> Iterable[dict]:
    ids = [p.pk for p in projects]
    invoices = defaultdict(list)
    for pid, issued_on, amount in Invoice.objects.filter(project_id__in=ids).values_list(
            "project_id", "issued_on", "amount"):
        invoices[pid].append((issued_on, amount))
    received = dict(Receipt.objects.filter(project_id__in=ids).order_by().values("project_id")
                    .annotate(s=Sum("amount")).values_list("project_id", "s"))
    for project in projects:
        due = project.warranty_ends_on is not None and project.warranty_ends_on <= as_of
        row = aging_of(project.amount, project.retention_amount, invoices[project.pk], received.get(project.pk, ZERO),
                       as_of, retention_due=due)
        row["project"] = project
        yield row


GROUPS = {
    "project": None,
    "owner": lambda p: (p.owner_id, display_name(p.owner)),
    "region": lambda p: (p.region_id, p.region.name),
    "customer": lambda p: (p.customer_id, p.customer.name),
}


def aging_grouped(rows: Iterable[dict], by: str) -> list[dict]:
    """Sum the per-project rows by owner, region or customer."""
    key_of = GROUPS[by]
    groups: dict = {}
    for row in rows:
        key, label = key_of(row["project"])
        group = groups.setdefault(key, {"key": key, "label": label, "count": 0, "amount": ZERO, "invoiced": ZERO,
                                        "received": ZERO, "outstanding": ZERO, "not_invoiced": ZERO,
                                        "retention_outstanding": ZERO, "retention_not_due": ZERO,
                                        "buckets": {k: ZERO for k in BUCKET_KEYS}})
        group["count"] += 1
        group["amount"] += row["project"].amount
        for field in ("invoiced", "received", "outstanding", "not_invoiced", "retention_outstanding",
                      "retention_not_due"):
            group[field] += row[field]
        for k in BUCKET_KEYS:
            group["buckets"][k] += row["buckets"][k]
    return sorted(groups.values(), key=lambda g: -g["outstanding"])


def aging_projects(user) -> QuerySet:
    """The receivables in the aging report: accepted projects not yet settled."""
    return projects_visible_to(user).filter(stage__in=OPEN_STAGES)
