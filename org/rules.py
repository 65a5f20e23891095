"""The permission layer's vocabulary (django-rules): who someone is in the org chart, as named predicates.

Every app's ``rules.py`` builds its rules from these (``contracts.rules``, ``handoff.rules``…), and the
app's selectors, services, views and templates all ask those rules — so a maintainer finds each rule
in one place, and a new role or rule is one line. Conventions:

* role predicates take the user only (``is_finance(user)``); object rules take ``(user, obj)``;
* rules are registered with ``rules.add_perm("<app>.<verb>_<model>", predicate)`` and asked with
  ``user.has_perm("contracts.approve_contract", contract)`` or ``{% has_perm … as may %}`` in a template;
  never name one ``view_/add_/change_/delete_<model>`` (those are Django's model permissions);
* an active superuser passes every ``has_perm`` (Django's rule); predicates themselves never look at
  ``is_superuser`` — use ``is_superuser`` explicitly where a selector must widen for one.
* grants to one named person on one record stay with django-guardian (``obj_perm``);
* a rule may be asked of another app's record (``handoff.raise_for_contract`` of a Contract): django-guardian,
  which refuses that, is asked only for the model permissions it grants (``marketing_portal.backends``).
"""

from __future__ import annotations

import rules
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketing_portal.access import has_role

from .roles import ADMINISTRATION, EXECUTIVES, FINANCE, MARKETING_LEADERSHIP, MARKETING_OFFICE, TECHNICIANS, XXX, Role


def role_in(*roles: str, name: str) -> rules.Predicate:
    """A predicate true for users holding a position with any of ``roles`` (cached per user object)."""
    names = tuple(str(r) for r in roles)

    def check(user) -> bool:
        return has_role(user, *names)

    return rules.Predicate(check, name=name)


is_superuser = rules.is_superuser
is_authenticated = rules.is_authenticated

# One position each
is_marketing_director = role_in(Role.MARKETING_DIRECTOR, name="is_marketing_director")
is_management_manager = role_in(Role.MANAGEMENT_MANAGER, name="is_management_manager")
is_director_assistant = role_in(Role.DIRECTOR_ASSISTANT, name="is_director_assistant")
is_sales_manager = role_in(Role.SALES_MANAGER, name="is_sales_manager")
is_regional_manager = role_in(Role.REGIONAL_MANAGER, name="is_regional_manager")
is_sales_clerk = role_in(Role.SALES_CLERK, name="is_sales_clerk")
is_design_clerk = role_in(Role.DESIGN_CLERK, name="is_design_clerk")
is_salesperson = role_in(Role.SALESPERSON, name="is_salesperson")
is_cs_specialist = role_in(Role.CS_SPECIALIST, name="is_cs_specialist")
is_finance_head = role_in(Role.FINANCE_HEAD, name="is_finance_head")
is_finance_reviewer = role_in(Role.FINANCE_REVIEWER, name="is_finance_reviewer")
is_legal = role_in(Role.LEGAL, name="is_legal")
is_admin_head = role_in(Role.ADMIN_HEAD, name="is_admin_head")
is_archivist = role_in(Role.ARCHIVIST, name="is_archivist")
is_general_manager = role_in(Role.GENERAL_MANAGER, name="is_general_manager")
is_deputy_gm = role_in(Role.DEPUTY_GM, name="is_deputy_gm")
is_xxx_head = role_in(Role.XXX_HEAD, name="is_xxx_head")
is_xxx_estimator = role_in(Role.XXX_ESTIMATOR, name="is_xxx_estimator")
is_xxx_negotiator = role_in(Role.XXX_NEGOTIATOR, name="is_xxx_negotiator")
is_repair_supervisor = role_in(Role.REPAIR_SUPERVISOR, name="is_repair_supervisor")
is_rnd_head = role_in(Role.RND_HEAD, name="is_rnd_head")
is_production_head = role_in(Role.PRODUCTION_HEAD, name="is_production_head")
is_sysadmin = role_in(Role.SYSADMIN, name="is_sysadmin")

# Groups of positions (org.roles)
is_marketing_leadership = role_in(*MARKETING_LEADERSHIP, name="is_marketing_leadership")
is_marketing_office = role_in(*MARKETING_OFFICE, name="is_marketing_office")
is_marketing_staff = role_in(*MARKETING_OFFICE, Role.REGIONAL_MANAGER, Role.SALESPERSON, name="is_marketing_staff")
is_finance = role_in(*FINANCE, name="is_finance")
is_administration = role_in(*ADMINISTRATION, name="is_administration")
is_executive = role_in(*EXECUTIVES, name="is_executive")
is_xxx = role_in(*XXX, name="is_xxx")
is_technician = role_in(*TECHNICIANS, name="is_technician")
is_service_department_head = role_in(Role.REPAIR_SUPERVISOR, Role.RND_HEAD, Role.PRODUCTION_HEAD,
                                     name="is_service_department_head")


@rules.predicate
def is_collection_only(user) -> bool:
    """RCV-8: the person is on collection-only duty (专项负责开票、回款)."""
    from .selectors import person_of

    person = person_of(user)
    return bool(person and person.is_collection_only)


# What collection-only duty blocks (RCV-8), one message per kind of work, each saying why and what still works.
COLLECTION_ONLY_BLOCKS = {
    "contracts": lambda: _("You are on collection-only duty (%(reason)s): you can invoice and collect, but you "
                           "cannot create or submit contracts until the Marketing Director lifts it."),
    "handoffs": lambda: _("You are on collection-only duty (%(reason)s): you can invoice and collect, but you "
                          "cannot raise hand-offs to XXX until the Marketing Director lifts it."),
    "bids": lambda: _("You are on collection-only duty (%(reason)s): you can invoice and collect, but you "
                      "cannot start bids until the Marketing Director lifts it."),
}


class CollectionOnlyDuty(ValidationError):
    """Raised when a person on collection-only duty tries work that the duty blocks (code ``collection_only``)."""


def collection_only_reason(user, *, work: str) -> str | None:
    """The message that explains why ``user`` cannot do ``work`` now ("contracts", "handoffs", "bids"), or None."""
    from .selectors import person_of

    if work not in COLLECTION_ONLY_BLOCKS:
        raise ValueError(f"unknown work {work!r}")
    if not is_collection_only(user):
        return None
    person = person_of(user)
    reason = person.duty_status_reason if person and person.duty_status_reason else _("no reason recorded")
    return COLLECTION_ONLY_BLOCKS[work]() % {"reason": reason}


def require_not_collection_only(user, *, work: str) -> None:
    """RCV-8 guard for services: refuse ``work`` to a person on collection-only duty, saying why."""
    message = collection_only_reason(user, work=work)
    if message:
        raise CollectionOnlyDuty(message, code="collection_only")


def holds(user, predicate, *obj) -> bool:
    """A predicate answered the way ``user.has_perm`` answers a rule: nobody inactive, an active superuser always.

    For services that check *who* acts with a role predicate before they check the record's state (each refusal
    with its own message); the one place where the superuser's pass is written.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or predicate.test(user, *obj))


# --------------------------------------------------------------------------------------------------
# org's own rules: person pages, duty-status reasons, delegation
# --------------------------------------------------------------------------------------------------
sees_all_people = is_sysadmin | is_executive | is_marketing_leadership
sees_all_delegations = is_sysadmin | is_marketing_director | is_general_manager


def person_scope(user) -> tuple[bool, frozenset]:
    """(sees everyone?, ids of the units whose people the user sees), worked out once per user object.

    One's own unit, and the units below the units one heads (a department leader sees the department).
    """
    cached = getattr(user, "_org_person_scope", None)
    if cached is not None:
        return cached
    from .selectors import person_of, unit_ids_below

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = (False, frozenset())
    elif user.is_superuser or sees_all_people(user):
        scope = (True, frozenset())
    else:
        person = person_of(user)
        units = set()
        if person is not None:
            units.add(person.unit_id)
            headed = set(person.positions.filter(is_head=True).values_list("unit_id", flat=True))
            if headed:
                units |= unit_ids_below(headed)
        scope = (False, frozenset(units))
    user._org_person_scope = scope
    return scope


@rules.predicate
def may_see_person(user, person) -> bool:
    """A person's page: oneself, one's unit (and the units one heads), everyone for leadership (X-2)."""
    if person is None or not getattr(user, "is_authenticated", False):
        return False
    if person.user_id == user.pk:
        return True
    sees_all, units = person_scope(user)
    return sees_all or person.unit_id in units


# Apps that put a person on a duty status for a reason naming their records (receivables: RCV-8 names the
# overdue projects) register here who may read that reason: ``check(viewer, person) -> bool``.
_duty_reason_checks: list = []


def register_duty_reason_check(check) -> None:
    if check not in _duty_reason_checks:
        _duty_reason_checks.append(check)


@rules.predicate
def may_read_duty_reason(user, person) -> bool:
    """The reason for a duty status names records (overdue projects): the person, and those who see the person
    and every record the reason stands on."""
    if person is None or not getattr(user, "is_authenticated", False):
        return False
    if person.user_id == user.pk:
        return True
    return bool(may_see_person(user, person)) and all(check(user, person) for check in _duty_reason_checks)


@rules.predicate
def is_principal_of(user, delegation) -> bool:
    return delegation is not None and delegation.principal_id == user.pk


@rules.predicate
def is_own_person(user, person) -> bool:
    return person is not None and person.user_id == user.pk


rules.add_perm("org.see_person", may_see_person)
rules.add_perm("org.read_duty_reason", may_read_duty_reason)
rules.add_perm("org.delegate_approvals", is_own_person | is_sysadmin)  # object: the principal's Person
rules.add_perm("org.revoke_delegation", is_principal_of | is_sysadmin)
rules.add_perm("org.see_all_delegations", sees_all_delegations)
