"""Audit helpers (SPEC X-3) shared by every app's services."""

import functools
from types import SimpleNamespace

from simple_history.models import HistoricalRecords


def audited(fn):
    """The history names the person acting (``by=``) even outside a web request: tasks, the demo seed, and
    services of one app called by another. Inside a request the request's user is kept."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        by = kwargs.get("by")
        context = HistoricalRecords.context
        if by is None or getattr(getattr(context, "request", None), "user", None) is not None:
            return fn(*args, **kwargs)
        context.request = SimpleNamespace(user=by)
        try:
            return fn(*args, **kwargs)
        finally:
            del context.request

    return wrapper
