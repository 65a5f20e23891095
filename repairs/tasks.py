"""Thin Celery tasks of the repairs app."""

from celery import shared_task


@shared_task
def repair_service_levels_task() -> int:
    """Every 15 minutes (CELERY_BEAT_SCHEDULE): service-level alerts to heads, then the supervisor; each once."""
    from .services import service_levels_sweep

    return service_levels_sweep()
