"""Thin tasks: a notice's robot deliveries, each sent and retried with back-off until its last attempt."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def notice_robots_task(notification_id: int) -> int:
    """Queued on commit for each new notice: one delivery row per chosen robot, each sent by its own task."""
    ids = services.deliveries_plan(notification_id=notification_id)
    for delivery_id in ids:
        delivery_send_task.delay(delivery_id, 1)
    return len(ids)


@shared_task(acks_late=True)
def delivery_send_task(delivery_id: int, attempt: int = 1) -> str:
    final = attempt >= settings.ROBOT_MAX_ATTEMPTS
    result = services.delivery_send(delivery_id=delivery_id, final=final)
    if result == "retry":
        countdown = settings.ROBOT_RETRY_SECONDS * 2 ** (attempt - 1)  # 30 s, 1 min, 2 min, 4 min …
        delivery_send_task.apply_async((delivery_id, attempt + 1), countdown=countdown)
    return result


def queue_notice(notification_id: int) -> None:
    """The hook ``marketing_portal.notifications`` calls after a notice is committed."""
    notice_robots_task.delay(notification_id)
