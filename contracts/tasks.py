"""Thin Celery tasks of the contracts app."""

from datetime import date

from celery import shared_task


@shared_task
def contract_reminders_task(as_of: str | None = None) -> int:
    """Daily: objection letters and replies coming due or overdue, overdue loans of originals (CON-8, CON-10).

    Each reminder has its own notification key, so a repeated or caught-up run sends nothing twice.
    """
    from .services import reminders_send

    return reminders_send(today=date.fromisoformat(as_of) if as_of else None)  # notices in the portal language
