"""Thin Celery tasks of the shared services."""

from celery import shared_task
from django.core.cache import cache
from django.db import connection
from django.utils import timezone


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email_task(self, notification_id: int) -> bool:
    from .notifications import notification_send_email

    return notification_send_email(notification_id=notification_id)


@shared_task
def health_task() -> dict:
    """Periodic proof of life: the worker reaches the database and the cache; the time is kept for the admin page."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    now = timezone.now().isoformat()
    cache.set("portal:health:last", now, timeout=None)
    return {"ok": True, "at": now}


@shared_task
def figures_forget_task() -> None:
    """Forget every cached figure (queued after a calendar change, ``figures_cache.calendar_changed``)."""
    from .figures_cache import forget

    forget()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deadlines_recompute_task(self, first: str, last: str, reason: str = "") -> dict:
    """Recompute the stored deadlines touched by a calendar change (queued by the calendar services)."""
    from datetime import date

    from .deadlines import deadlines_recompute

    result = deadlines_recompute(first=date.fromisoformat(first), last=date.fromisoformat(last), reason=reason)
    return {"examined": result.examined, "moved": result.moved, "reflagged": result.reflagged,
            "notified": result.notified}
