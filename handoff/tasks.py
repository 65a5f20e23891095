"""Thin Celery tasks of the hand-off app."""

from celery import shared_task


@shared_task
def handoff_deadlines_task() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): reminders on the due day, overdue alerts after it; each sent once."""
    from .services import deadlines_sweep

    return deadlines_sweep()
