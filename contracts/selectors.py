"""Reads of customers and contracts, already narrowed to what the user may see (SPEC X-2).

* Marketing leadership and office, Finance, Legal, Administration and the general managers see every
  contract (each needs it for its part of the chain, the register or the archive).
* A regional manager sees the contracts and customers of their regions.
* A salesperson sees the contracts they handle or created, and the customers of their regions.
* XXX users see the construction sub-contracts with XXX.
* Anyone named on a step (or acting for someone named) sees that contract, and so do the legal and technical
  participants it names (art. 7) and the people it copies (抄送)
  once it is submitted — read from the contract's own fields, so whoever a new
  version names instead loses sight of it at once.

Who belongs to which group is asked of ``contracts.rules`` (the role predicates); this module only narrows.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from org import rules as org_rules
from org.roles import MARKETING_OFFICE, Role
from org.selectors import DEPARTMENT_LEADER, active_delegations, regions_of, resolve

from . import rules
from .choices import SIGNED_STATES, Conclusion, Direction, StepKind, StepStatus
from .models import (
    ApprovalStep,
    Contract,
    ContractTemplate,
    Customer,
    DueDiligence,
    TemplateVersion,
)

# The roles of the Marketing staff (``contracts.rules.is_marketing_staff``), for other apps' selectors.
MARKETING_STAFF = MARKETING_OFFICE | {Role.REGIONAL_MANAGER, Role.SALESPERSON}
HANDLER_ROLES = (Role.SALESPERSON, Role.REGIONAL_MANAGER, Role.SALES_MANAGER)


def principal_ids(user, on: date | None = None) -> list[int]:
    """The user and everyone who delegated their approvals to the user today."""
    ids = [user.pk]
    ids.extend(active_delegations(on).filter(delegate=user).values_list("principal_id", flat=True))
    return ids


def contracts_visible_to(user) -> QuerySet:
    qs = Contract.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if rules.sees_every_contract(user):
        return qs
    region_ids = [r.pk for r in regions_of(user)] if org_rules.is_regional_manager(user) else []
    condition = Q(handler=user) | Q(created_by=user) | Q(region__in=region_ids)
    if rules.sees_construction_contracts(user):
        condition |= Q(direction=Direction.CONSTRUCTION)
    # The negotiation participants the contract names now (art. 7), from its submission on.
    condition |= (Q(legal_participant=user) | Q(technical_participant=user)) & Q(submitted_at__isnull=False)
    # Copied (抄送) on the draft, from its submission on.
    condition |= Q(pk__in=Contract.cc.through.objects.filter(user=user).values("contract_id"),
                   submitted_at__isnull=False)
    # Named on a step of the contract, for themselves or for someone who delegated to them.
    on_step = ApprovalStep.objects.filter(contract=OuterRef("pk"), assignees__in=principal_ids(user))
    decided = ApprovalStep.objects.filter(contract=OuterRef("pk"), decided_by=user)
    return qs.filter(condition | Exists(on_step) | Exists(decided))


def customers_visible_to(user) -> QuerySet:
    qs = Customer.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if rules.sees_every_customer(user):
        return qs
    region_ids = [r.pk for r in regions_of(user)]
    return qs.filter(
        Q(region__in=region_ids) | Q(created_by=user) | Q(pk__in=contracts_visible_to(user).values("customer_id"))
    )


def due_diligences_visible_to(user) -> QuerySet:
    return DueDiligence.objects.filter(customer__in=customers_visible_to(user))


def templates_visible_to(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ContractTemplate.objects.none()
    return ContractTemplate.objects.all()


def template_versions_visible_to(user) -> QuerySet:
    return TemplateVersion.objects.filter(template__in=templates_visible_to(user))


def steps_visible_to(user) -> QuerySet:
    return ApprovalStep.objects.filter(contract__in=contracts_visible_to(user))


def valid_due_diligence(customer, on: date | None = None) -> DueDiligence | None:
    """The newest record valid on ``on`` (art. 8, CON-5), or None."""
    on = on or timezone.localdate()
    return (
        DueDiligence.objects.filter(customer=customer, investigated_on__lte=on, valid_until__gte=on)
        .exclude(conclusion=Conclusion.FAIL)
        .order_by("-investigated_on", "-pk")
        .first()
    )


def responsible_for(kind: str, contract: Contract) -> list:
    """Who must act on a step of ``contract``, resolved from the org chart (ORG-6)."""
    if kind == StepKind.LEADER:
        return resolve(DEPARTMENT_LEADER, of=contract.handler)
    if kind == StepKind.FINANCE:
        return _unique(resolve(Role.FINANCE_REVIEWER) + resolve(Role.FINANCE_HEAD))
    if kind == StepKind.LEGAL:
        return resolve(Role.LEGAL)
    if kind == StepKind.GM:
        return resolve(Role.GENERAL_MANAGER)
    if kind == StepKind.LONG_TERM:
        # Art. 3: a long-term contract is finally signed off by the general manager or the deputy GM in charge.
        return _unique(resolve(Role.GENERAL_MANAGER) + resolve(Role.DEPUTY_GM))
    if kind == StepKind.SIGN:
        return [contract.handler]
    if kind == StepKind.REGISTER:
        return resolve(Role.SALES_CLERK)
    if kind == StepKind.ARCHIVE:
        return _unique(resolve(Role.ARCHIVIST) + resolve(Role.ADMIN_HEAD))
    if kind == StepKind.COPY_FINANCE:
        return _unique(resolve(Role.FINANCE_REVIEWER) + resolve(Role.FINANCE_HEAD))
    if kind == StepKind.COPY_MARKETING:
        return resolve(Role.MANAGEMENT_MANAGER)
    raise ValueError(kind)


# The route of the chain in its order (CON-6); which steps a contract takes depends on its flags.
ROUTE = (StepKind.LEADER, StepKind.FINANCE, StepKind.LEGAL, StepKind.GM, StepKind.LONG_TERM, StepKind.SIGN,
         StepKind.REGISTER, StepKind.ARCHIVE, StepKind.COPY_FINANCE, StepKind.COPY_MARKETING)


def planned_route(contract: Contract) -> list[tuple[str, list, str]]:
    """Who the org chart names today for each step the contract will take: ``[(kind, people, note), …]``. The
    flags are the contract's (a draft's page computes them under the policy in force first)."""
    from django.utils.translation import gettext as _

    planned = []
    for kind in ROUTE:
        if kind == StepKind.LONG_TERM and not contract.is_long_term:
            continue
        if kind == StepKind.LEGAL and contract.legal_waived:
            planned.append((kind, [], _("waived by policy")))
            continue
        planned.append((kind, responsible_for(kind, contract), ""))
    return planned


def copied_on(contract: Contract) -> list:
    """抄送: the regional managers of the contract's region and the people named on it, less its handler and
    submitter (who are told anyway)."""
    people = resolve(Role.REGIONAL_MANAGER, region=contract.region) + list(contract.cc.filter(is_active=True))
    skip = {contract.handler_id, contract.submitted_by_id}
    return [u for u in _unique(people) if u.pk not in skip]


def loan_approvers() -> list:
    """Who approves loans of originals: the head of Administration (art. 18)."""
    return resolve(Role.ADMIN_HEAD)


def loan_keepers() -> list:
    """Who hands originals out and takes them back: the archivist and the head of Administration."""
    return _unique(resolve(Role.ARCHIVIST) + resolve(Role.ADMIN_HEAD))


def _unique(users) -> list:
    return list({u.pk: u for u in users}.values())


def pending_steps_for(user) -> QuerySet:
    """Steps waiting on the user, for themselves or on behalf of someone who delegated to them."""
    return (
        ApprovalStep.objects.filter(status=StepStatus.PENDING, assignees__in=principal_ids(user))
        .filter(version=F("contract__version"))
        .select_related("contract", "contract__customer", "contract__region")
        .distinct()
        .order_by("opened_at")
    )


def contract_list(user, *, search: str = "", state: str = "", region: str = "", direction: str = "",
                  signed_from=None, signed_to=None) -> QuerySet:
    """The contract list: visible contracts with everything a row shows, in a fixed number of queries.

    ``signed_from`` / ``signed_to`` (the dashboard's links): sales contracts signed in those days and in force
    (originals, not amendments) — what the dashboard's signed amount counts."""
    qs = contracts_visible_to(user).select_related("customer", "region", "handler__person")
    if signed_from or signed_to:
        qs = qs.filter(direction=Direction.SALES, state__in=SIGNED_STATES, parent__isnull=True)
        if signed_from:
            qs = qs.filter(signed_on__gte=signed_from)
        if signed_to:
            qs = qs.filter(signed_on__lte=signed_to)
    if search:
        qs = qs.filter(
            Q(title__icontains=search) | Q(customer__name__icontains=search) | Q(archive_number__icontains=search)
        )
    if state:
        qs = qs.filter(state=state)
    if region:
        qs = qs.filter(region__code=region)
    if direction:
        qs = qs.filter(direction=direction)
    return qs.order_by("-created_at", "-pk")


def eligible_handlers() -> QuerySet:
    return (
        get_user_model().objects.filter(is_active=True, groups__name__in=HANDLER_ROLES)
        .select_related("person").distinct().order_by("username")
    )


def contract_children_visible_to(model):
    """A selector for records that belong to a contract: visible with their contract."""

    def visible(user) -> QuerySet:
        return model.objects.filter(contract__in=contracts_visible_to(user))

    visible.__name__ = f"{model.__name__.lower()}s_visible_to"
    return visible


def may_see_customers(user) -> bool:
    """Whether the customer list is in the user's navigation (``contracts.see_customers``)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("contracts.see_customers"))
