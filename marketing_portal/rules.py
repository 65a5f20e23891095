"""Permission rules of the shared shell (django-rules): who keeps the working-day calendar, who reads a message,
who changes the policy, who sees the status page.

The people who may enter calendar days (model permission ``portal.add_calendarday``, given to the system
administrator, the Management Manager and the Head of Administration by ``org.roles``) keep the
calendar: they enter a year at once and confirm it against the State Council's notice, and they see
the banner while a year in use is not confirmed.

The shell sits left of ``org`` and cannot use its role predicates; it names the one role it needs by its group
name. Views and templates ask these rules.
"""

import rules

from .access import has_role

SYSADMIN = "sysadmin"  # org.roles.Role.SYSADMIN: the system administrators' group


@rules.predicate
def keeps_the_calendar(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("portal.add_calendarday")


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


rules.add_perm("portal.enter_calendaryear", keeps_the_calendar)
rules.add_perm("portal.confirm_calendaryear", keeps_the_calendar)
rules.add_perm("portal.see_status", is_system_administrator)
rules.add_perm("portal.see_outbox", is_system_administrator)  # e-mails the development backend kept
# The banner about years the calendar does not know yet: whoever keeps the calendar, and administrators.
rules.add_perm("portal.see_calendar_warnings", keeps_the_calendar | is_system_administrator)
rules.add_perm("portal.read_notification", is_recipient)
rules.add_perm("portal.see_policy", rules.is_authenticated)
rules.add_perm("portal.change_policy", may_issue_policy_versions)
