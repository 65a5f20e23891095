"""Thin Celery tasks of the planning app."""

from celery import shared_task


@shared_task
def report_reminders_task() -> int:
    """Daily: reports due and overdue (RPT-2); each reminder once by its key."""
    from .services import report_reminders_send

    return report_reminders_send()
