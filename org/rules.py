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
* grants to one named person on one record stay with django-guardian (``obj_perm``).
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
