"""Thin Celery tasks of the receivables app: find the work, call the service (its keys make re-runs harmless)."""

from datetime import date

from celery import shared_task


@shared_task
def sweep_receivables_task(as_of: str | None = None) -> dict:
    """RCV-10: the daily sweep (beat: 00:30 Asia/Shanghai). Idempotent; catches up after downtime."""
    from .engine import sweep_receivables

    return sweep_receivables(as_of=date.fromisoformat(as_of) if as_of else None).as_dict()


@shared_task
def receivables_digest_task(today: str | None = None) -> int:
    """RCV-12: the weekly digest for managers (one per manager and ISO week)."""
    from .digest import digest_send

    return digest_send(today=date.fromisoformat(today) if today else None)
