"""What the planning services share: the domain error and the permission check."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from org.approvals import ApprovalError

from ..rules import allowed


class PlanningError(ApprovalError):
    """A report, plan or bid action that may not be taken now, or not by this person.

    ``PlanningError({"field": [message]}, code="…")`` keeps the code on each field's message (Django drops it for
    a dict) and on the error itself, so callers and tests can tell refusals apart whatever the language."""

    def __init__(self, message, code=None, params=None):
        if isinstance(message, dict) and code:
            message = {key: [ValidationError(m, code=code) if isinstance(m, str) else m
                             for m in (value if isinstance(value, list | tuple) else [value])]
                       for key, value in message.items()}
        super().__init__(message, code, params)
        if code:
            self.code = code


def require(user, rule: str, obj=None, *, message, code: str = "forbidden") -> None:
    """Refuse (``PlanningError`` with ``message`` in the user's language) unless ``planning.rules`` allows it."""
    if not allowed(user, rule, obj):
        raise PlanningError(message, code=code)
