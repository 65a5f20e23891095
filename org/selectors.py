"""Reads of the org chart. ``resolve`` is the one routing function every workflow uses (SPEC ORG-6)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from marketing_portal.memo import recalled, remembered

from .models import Delegation, Person, Position, Unit
from .roles import Role

DEPARTMENT_LEADER = "department_leader"
UNIT_HEAD = "unit_head"

User = get_user_model()


def person_of(user) -> Person | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def unit_heads(unit: Unit) -> list:
    """The active holders of the head position(s) of ``unit``."""
    return list(remembered(("unit heads", unit.pk), lambda: tuple(
        User.objects.filter(person__positions__unit=unit, person__positions__is_head=True, is_active=True)
        .distinct()
        .order_by("pk")
    )))


def resolve(key: str, *, of=None, unit: Unit | None = None, region=None) -> list:
    """The users responsible for ``key``, never hard-coded (ORG-6).

    * ``"department_leader"`` — head of the unit of user ``of``; when ``of`` heads that unit, the head
      of its parent unit (部门领导).
    * ``"unit_head"`` — head(s) of ``unit`` (for a department such as the Repair Center).
    * any ``Role`` value — holders of positions with that role, e.g. ``Role.FINANCE_REVIEWER``,
      ``Role.GENERAL_MANAGER``; with ``region``, regional positions of other regions are left out.

    Delegation is applied when someone acts (``acting_for``), not here: the responsible person stays
    the one the org chart names.
    """
    if key == UNIT_HEAD:
        if unit is None:
            raise ValueError("unit_head needs a unit")
        return unit_heads(unit)
    if key == DEPARTMENT_LEADER:
        person = person_of(of)
        if person is None:
            return []
        current = person.unit
        while current is not None:
            heads = [u for u in unit_heads(current) if u.pk != of.pk]
            if heads:
                return heads
            current = current.parent
        return []
    if key not in Role.values:
        raise ValueError(f"unknown responsibility {key!r}")
    region_pk = getattr(region, "pk", region)
    if region_pk is None and _many_roles_asked(key):
        return list(remembered(("every role's holders",), _every_holder).get(key, ()))
    return list(remembered(("resolve", key, region_pk), lambda: _holders(key, region)))


def _many_roles_asked(key: str) -> bool:
    """Whether this request (its memo) has asked for the holders of another role already: a page that asks for
    several (a home's work kinds ask about ten) then reads every role's holders at once (``_every_holder``, two
    queries) instead of one query a role. Outside a memo, never (nothing is remembered)."""
    asked = remembered(("roles asked",), set)
    asked.add(key)
    return len(asked) > 1


def _every_holder() -> dict[str, tuple]:
    """{role: its active holders ordered by id} for every role: ``_holders(role, None)`` of all roles at once."""
    pairs = list(Person.positions.through.objects.filter(person__user__is_active=True)
                 .values_list("position__role", "person__user_id"))
    users = User.objects.in_bulk({user_id for _role, user_id in pairs})
    by_role: dict[str, set[int]] = {}
    for role, user_id in pairs:
        by_role.setdefault(role, set()).add(user_id)
    return {role: tuple(users[pk] for pk in sorted(ids)) for role, ids in by_role.items()}


def _holders(key: str, region) -> tuple:
    positions = Position.objects.filter(role=key)
    if region is not None:
        positions = positions.filter(Q(region__isnull=True) | Q(region=region))
    return tuple(User.objects.filter(person__positions__in=positions, is_active=True).distinct().order_by("pk"))


def active_delegations(on: date | None = None) -> QuerySet:
    on = on or timezone.localdate()
    return Delegation.objects.filter(revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on)


def acting_for(user, responsible, *, on: date | None = None):
    """On whose behalf ``user`` may act when one of ``responsible`` must act (ORG-7).

    Returns ``user`` when they are responsible themselves, the principal when one of the responsible
    people delegated to ``user`` for ``on``, or ``None`` when ``user`` may not act.
    """
    responsible_ids = {u.pk for u in responsible}
    if user.pk in responsible_ids:
        return user
    return next((d.principal for d in delegations_to(user, on=on) if d.principal_id in responsible_ids), None)


def acts_for_holder(user, *roles: str) -> bool:
    """Whether ``user`` holds a position with one of ``roles`` or acts today for someone who does: the answer of
    ``acting_for(user, resolve(role) + …) is not None``, asked about the user and their principals only.

    A contract page with a loan asked for the archivists and the head of Administration to learn that its reader is
    neither: three queries and, the second role tipping ``resolve`` into reading every role's holders, three hundred
    users built (a tenth of the page). Every role's holders are used when this request has read them already (a
    home page); else one query about the user and whoever delegated to them, remembered for the request (a write
    reads afresh: it has no memo).
    """
    principals = {user.pk, *(d.principal_id for d in delegations_to(user))}
    every = recalled(("every role's holders",))
    if every is not None:
        return any(u.pk in principals for role in roles for u in every.get(role, ()))
    return remembered(("acts for a holder", frozenset(principals), frozenset(roles)), lambda: User.objects.filter(
        pk__in=principals, is_active=True, person__positions__role__in=roles).exists())


def delegations_to(user, *, on: date | None = None) -> tuple:
    """The delegations ``user`` holds on ``on`` (today), with their principals, oldest first."""
    return remembered(("delegations to", user.pk, on or timezone.localdate()), lambda: tuple(
        active_delegations(on).filter(delegate=user).select_related("principal").order_by("pk")))


def delegates_of(users, *, on: date | None = None) -> list:
    """Everyone currently acting for any of ``users`` (to notify them too)."""
    ids = [u.pk for u in users]
    return list(User.objects.filter(delegations_received__in=active_delegations(on).filter(principal_id__in=ids))
                .distinct())


def regions_of(user) -> list:
    """The regions of the user's person and regional positions; kept on the user object for the request, as the
    role names are (``marketing_portal.access.has_role``): a contract page asked for them ten times."""
    cached = getattr(user, "_portal_regions", None)
    if cached is not None:
        return list(cached)
    person = person_of(user)
    if person is None:
        return []
    regions = {r.pk: r for r in person.regions.all()}
    for position in person.positions.filter(region__isnull=False).select_related("region"):
        regions[position.region_id] = position.region
    user._portal_regions = tuple(regions.values())
    return list(regions.values())


def is_collection_only(user) -> bool:
    """RCV-8 (kept for callers of the selector; the rule is ``org.rules.is_collection_only``)."""
    from .rules import is_collection_only as rule

    return bool(rule(user))


def delegations_visible_to(user) -> QuerySet:
    from .rules import sees_all_delegations

    if sees_all_delegations(user):
        return Delegation.objects.all()
    return Delegation.objects.filter(Q(principal=user) | Q(delegate=user))


def unit_ids_below(unit_ids: set) -> set:
    """The given units and every unit under them (the org tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), list(unit_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def people_visible_to(user) -> QuerySet:
    """The person pages a user may open: the same scope as the ``org.see_person`` rule (``org.rules.person_scope``)."""
    from .rules import person_scope

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Person.objects.none()
    sees_all, units = person_scope(user)
    if sees_all:
        return Person.objects.all()
    return Person.objects.filter(Q(user=user) | Q(unit_id__in=units))


def org_chart() -> list[Unit]:
    """All units with positions, duties and holders prefetched, ordered as a tree (roots first)."""
    units = list(
        Unit.objects.prefetch_related(
            Prefetch(
                "positions",
                queryset=Position.objects.select_related("region").prefetch_related(
                    "duties", Prefetch("holders", queryset=Person.objects.select_related("user"))
                ),
            )
        )
    )
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    for unit in units:
        unit.child_units = children.get(unit.pk, [])
    return children.get(None, [])
