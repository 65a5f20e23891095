"""The shell's permission layer (django-rules): the inbox, the policy pages and the status page.

The shell sits left of ``org`` and cannot use its role predicates; it names the one role it needs by its group
name (the calendar keeps its own checks, ``portal.add_calendarday``). Views and templates ask these rules.
"""

from __future__ import annotations

import rules

from .access import has_role

SYSADMIN = "sysadmin"  # org.roles.Role.SYSADMIN: the system administrators' group


@rules.predicate
def is_system_administrator(user) -> bool:
    return has_role(user, SYSADMIN)


@rules.predicate
def is_recipient(user, notification) -> bool:
    return notification is not None and notification.recipient_id == user.pk


@rules.predicate
def may_issue_policy_versions(user) -> bool:
    """A new policy version (the Marketing Director, the Head of Finance, administrators: ROLE_PERMISSIONS)."""
    return user.has_perm("portal.add_policyversion")


rules.add_perm("portal.see_status", is_system_administrator)
rules.add_perm("portal.read_notification", is_recipient)
rules.add_perm("portal.see_policy", rules.is_authenticated)
rules.add_perm("portal.change_policy", may_issue_policy_versions)
