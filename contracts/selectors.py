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
from django.db.models import F, QuerySet
from django.utils import timezone

from marketing_portal.lists import search_ids, search_matches
from marketing_portal.queries import in_ids, narrowed_ids, union_ids
from org import rules as org_rules
from org.roles import MARKETING_OFFICE, TECHNICIANS, Role
from org.selectors import DEPARTMENT_LEADER, delegations_to, regions_of, resolve

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
    return [user.pk, *(d.principal_id for d in delegations_to(user, on=on))]


def contract_id_sources(user) -> list[QuerySet]:
    """One indexed lookup per reason ``user`` may see a contract (the module's docstring), each a queryset of
    contract ids; for someone who does not see every contract. Their UNION ALL is the visible set: an OR of
    these across joins (steps, copies) is not answered from indexes by PostgreSQL."""
    sources = [
        Contract.objects.filter(handler=user).values("pk"),
        Contract.objects.filter(created_by=user).values("pk"),
    ]
    if org_rules.is_regional_manager(user):
        region_ids = [r.pk for r in regions_of(user)]
        if region_ids:
            sources.append(Contract.objects.filter(region__in=region_ids).values("pk"))
    if rules.sees_construction_contracts(user):
        # partial index contract_construction_idx (migration 0010)
        sources.append(Contract.objects.filter(direction=Direction.CONSTRUCTION).values("pk"))
    sources += [
        # The negotiation participants the contract names now (art. 7), from its submission on.
        Contract.objects.filter(legal_participant=user, submitted_at__isnull=False).values("pk"),
        Contract.objects.filter(technical_participant=user, submitted_at__isnull=False).values("pk"),
        # Copied (抄送) on the draft, from its submission on.
        Contract.cc.through.objects.filter(user=user, contract__submitted_at__isnull=False).values("contract_id"),
        # Named on a step of the contract, for themselves or for someone who delegated to them; or decided one.
        ApprovalStep.assignees.through.objects.filter(user_id__in=principal_ids(user))
        .values("approvalstep__contract_id"),
        ApprovalStep.objects.filter(decided_by=user).values("contract_id"),
    ]
    return sources


def contract_ids_visible_to(user) -> QuerySet | None:
    """The ids of the contracts ``user`` may see, as one subquery (UNION ALL of ``contract_id_sources``);
    ``None`` when the user sees every contract. Filter with ``marketing_portal.queries.in_ids(column, ids)``."""
    if rules.sees_every_contract(user):
        return None
    return union_ids(contract_id_sources(user))


def contracts_visible_to(user) -> QuerySet:
    qs = Contract.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    ids = contract_ids_visible_to(user)
    return qs if ids is None else qs.filter(in_ids("pk", ids))


def visible_contract(user, pk) -> QuerySet:
    """The contract ``pk`` if ``user`` may see it (a queryset of at most one row), for the pages of one contract.
    The same rule as ``contracts_visible_to``, with every lookup of ``contract_id_sources`` narrowed to that
    contract: a regional manager's contract page no longer collects the 2,500 ids of their region to find one
    (18 ms of the page on the ten-year data set)."""
    qs = Contract.objects.filter(pk=pk)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if rules.sees_every_contract(user):
        return qs
    return qs.filter(in_ids("pk", narrowed_ids(contract_id_sources(user), "", pk)))


def customers_visible_to(user) -> QuerySet:
    qs = Customer.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if rules.sees_every_customer(user):
        return qs
    # The customers of the user's regions, those they entered, and the counterparties of the contracts they see.
    sources = [Customer.objects.filter(created_by=user).values("pk")]
    region_ids = [r.pk for r in regions_of(user)]
    if region_ids:
        sources.append(Customer.objects.filter(region__in=region_ids).values("pk"))
    contract_ids = contract_ids_visible_to(user)
    if contract_ids is None:  # (sees every contract: sees every customer too, ``contracts.rules``)
        return qs
    sources.append(Contract.objects.filter(in_ids("pk", contract_ids), customer__isnull=False)
                   .values("customer_id"))
    return qs.filter(in_ids("pk", union_ids(sources)))


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


# Who hands originals out and takes them back: the archivist and the head of Administration.
LOAN_KEEPER_ROLES = (Role.ARCHIVIST, Role.ADMIN_HEAD)


def loan_keepers() -> list:
    """The holders of ``LOAN_KEEPER_ROLES``."""
    return _unique([u for role in LOAN_KEEPER_ROLES for u in resolve(role)])


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


def signed_sales(qs: QuerySet) -> QuerySet:
    """Sales contracts signed and in force, originals not amendments: what the dashboard's signed amount counts."""
    return qs.filter(direction=Direction.SALES, state__in=SIGNED_STATES, parent__isnull=True)


# What the contract list's search looks in (``contracts.filters.ContractFilter``).
CONTRACT_SEARCH_FIELDS = ("serial_number", "archive_number", "title", "customer__name")


def contract_search(qs: QuerySet, user, word: str) -> QuerySet:
    """The contracts of ``qs`` whose number, archive number, title or customer contains ``word``, each field by its
    own trigram index (migrations 0009, 0010), never a join. For whoever sees every contract, the union of each
    field's matches; for a user who sees only their own and their region's, a test of those rows (EXPLAIN
    ANALYZE on the ten-year data set: 5–8 ms instead of 100 ms for a common word, and no scan of the table for
    either — ``benchmarks/run.py`` prints both plans)."""
    if rules.sees_every_contract(user):
        return qs.filter(in_ids("pk", search_ids(Contract, CONTRACT_SEARCH_FIELDS, word)))
    return qs.filter(search_matches(Contract, CONTRACT_SEARCH_FIELDS, word))


def contract_list(user, *, search: str = "", state: str = "", region: str = "", direction: str = "",
                  signed_from=None, signed_to=None) -> QuerySet:
    """The contract list: visible contracts with everything a row shows, in a fixed number of queries.

    ``signed_from`` / ``signed_to`` (the dashboard's links): sales contracts signed in those days and in force
    (originals, not amendments) — what the dashboard's signed amount counts."""
    qs = contracts_visible_to(user).select_related("customer", "region", "handler__person")
    if signed_from or signed_to:
        qs = signed_sales(qs)
        if signed_from:
            qs = qs.filter(signed_on__gte=signed_from)
        if signed_to:
            qs = qs.filter(signed_on__lte=signed_to)
    for word in search.split():
        qs = contract_search(qs, user, word)
    if state:
        qs = qs.filter(state=state)
    if region:
        qs = qs.filter(region__code=region)
    if direction:
        qs = qs.filter(direction=direction)
    return qs.order_by("-created_at", "-pk")


# Who may take a part in a negotiation (art. 7): legal staff for 法务, technical staff (technicians and the heads of
# the technical departments) for 技术.
PARTICIPANT_ROLES = {
    "legal_participant": (Role.LEGAL,),
    "technical_participant": (*sorted(TECHNICIANS), Role.RND_HEAD, Role.PRODUCTION_HEAD, Role.REPAIR_SUPERVISOR),
}


def participants_for(part: str) -> QuerySet:
    """The active staff who can take ``part`` (``legal_participant`` / ``technical_participant``), by unit."""
    return (get_user_model().objects.filter(is_active=True, person__isnull=False,
                                            groups__name__in=PARTICIPANT_ROLES[part])
            .select_related("person__unit").distinct().order_by("person__unit__order", "person__unit__name",
                                                                "username"))


def may_use_contracts(user) -> bool:
    """Whether 合同 is in the user's navigation: everyone whose work involves contracts; a technician only while
    named on one (their list could only be empty otherwise)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if org_rules.is_technician(user) and not user.is_superuser and \
            not user.groups.exclude(name__in=TECHNICIANS).exists():
        return contracts_visible_to(user).exists()
    return True


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
