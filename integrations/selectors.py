"""Reads of the integration records, narrowed to what the user may see (X-2)."""

from __future__ import annotations

from django.db.models import QuerySet

from org.rules import holds

from . import rules
from .choices import DeliveryState
from .models import ApiToken, ChannelDelivery, RobotChannel, ServiceAccount


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


def robots_visible_to(user) -> QuerySet:
    """Administrators see every robot; a person the robots they may choose (their own, their unit's)."""
    if not _active(user):
        return RobotChannel.objects.none()
    if holds(user, rules.administers):
        return RobotChannel.objects.select_related("unit", "person")
    from .services import channels_for

    return channels_for(user)


def deliveries_visible_to(user) -> QuerySet:
    """Administrators see every delivery; a person those of their own notices."""
    qs = ChannelDelivery.objects.select_related("channel", "notification__recipient")
    if not _active(user):
        return qs.none()
    if holds(user, rules.administers):
        return qs
    return qs.filter(notification__recipient=user)


def failed_deliveries(user) -> QuerySet:
    return deliveries_visible_to(user).filter(state__in=[DeliveryState.FAILED, DeliveryState.SKIPPED])
