"""Thin Celery tasks of the receivables app: find the work, call the service (its keys make re-runs harmless)."""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from marketing_portal.links import LinkTask, lock_timeout


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, retry_backoff_max=120, max_retries=8)
def sweep_receivables_task(as_of: str | None = None) -> dict:
    """RCV-10: the daily sweep (beat: 00:30 Asia/Shanghai). Idempotent; catches up after downtime.

    A lost database connection (PostgreSQL restarted) retries the whole sweep with back-off: chunks committed
    before stay, the cut one is rolled back and done again (tests/ops/test_faults.py).
    """
    from .engine import sweep_receivables

    return sweep_receivables(as_of=date.fromisoformat(as_of) if as_of else None).as_dict()


@shared_task
def receivables_digest_task(today: str | None = None) -> int:
    """RCV-12: the weekly digest for managers (one per manager and ISO week)."""
    from .digest import digest_send

    return digest_send(today=date.fromisoformat(today) if today else None)


@shared_task(base=LinkTask, bind=True, name="receivables.project_open")
def project_open_task(self, contract_id: int) -> int | None:
    """A sales contract was signed: open its project (queued after the contract's commit; CON → RCV).

    Idempotent — a second run finds the project and stops — and retried with back-off when it fails; each failure
    is shown to administrators on the status page until a retry succeeds (``marketing_portal.links``). A worker
    waits at most ``LINK_LOCK_TIMEOUT_MS`` for the contract's row lock, then fails and is retried.
    """
    from .services import project_open_on_signing

    with lock_timeout(settings.LINK_LOCK_TIMEOUT_MS):
        project = project_open_on_signing(contract_id=contract_id)
    return project.pk if project is not None else None
