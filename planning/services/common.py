"""What the planning services share: the domain error and the permission check."""

from __future__ import annotations

from org.approvals import ApprovalError

from ..rules import allowed


class PlanningError(ApprovalError):
    """A report, plan or bid action that may not be taken now, or not by this person."""


def require(user, rule: str, obj=None, *, message, code: str = "forbidden") -> None:
    """Refuse (``PlanningError`` with ``message`` in the user's language) unless ``planning.rules`` allows it."""
    if not allowed(user, rule, obj):
        raise PlanningError(message, code=code)
