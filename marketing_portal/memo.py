"""A memo of lookups that do not change while one page is read (issue 13): who holds a role, who acts for whom.

A home page asked the org chart 18 times who the estimators, the finance reviewers or XXX's negotiators are,
and ten times whom the user acts for today: each is the same answer within one request. ``remembered(key,
compute)`` answers from the memo while one is open, else computes. ``RequestMemoMiddleware`` opens one for each
GET or HEAD request only — a request that writes (POST) always reads the org chart afresh, and so does
everything outside a request (tasks, commands, the shell).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("portal_memo", default=None)


@contextmanager
def memo():
    """Remember lookups until the block ends."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    found = _memo.get()
    if found is None:
        return compute()
    if key not in found:
        found[key] = compute()
    return found[key]


def recalled(key: tuple, default=None):
    """The answer the memo holds for ``key`` without computing one: ``default`` when nothing is remembered or no
    memo is open (a caller that can answer more cheaply than ``compute`` would, unless the answer is known)."""
    found = _memo.get()
    if found is None:
        return default
    return found.get(key, default)


def remember(key: tuple, value) -> None:
    """Tell the memo an answer already known (the page found the record through the selector the rule would ask
    again); nothing while no memo is open."""
    found = _memo.get()
    if found is not None:
        found[key] = value


class RequestMemoMiddleware:
    """A memo for each request that only reads (GET, HEAD)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with memo():
            return self.get_response(request)
