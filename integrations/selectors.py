"""Reads of the integration records, narrowed to what the user may see (X-2)."""

from __future__ import annotations

from django.db.models import QuerySet

from org.rules import holds

from . import rules
from .models import ApiToken, ServiceAccount


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def tokens_visible_to(user) -> QuerySet:
    """Administrators see every token; a person their own."""
    qs = ApiToken.objects.select_related("user", "created_by")
    if not _active(user):
        return qs.none()
    if holds(user, rules.administers):
        return qs
    return qs.filter(user=user)


def own_tokens(user) -> QuerySet:
    return tokens_visible_to(user).filter(user=user)


def service_accounts() -> QuerySet:
    return ServiceAccount.objects.select_related("user").prefetch_related("user__groups", "user__api_tokens")
