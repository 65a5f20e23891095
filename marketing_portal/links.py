"""Links between apps that show and survive failure.

Work one app sets off in another (a signed contract opens its project) runs as a Celery task queued after the
commit, built on ``LinkTask``: retried with back-off when it fails, each failure kept in ``LinkFailure`` (shown to
administrators on the status page) until a retry succeeds. The work itself must be idempotent — a task may run
twice (a retry after a lost acknowledgement, a second signal) — so the service it calls finds what is already
done and stops.
"""

from __future__ import annotations

from contextlib import contextmanager

from celery import Task
from django.db import connection, transaction
from django.utils import timezone

from .models import LinkFailure


def link_failed(*, task: str, key: str, error: str, final: bool = False) -> LinkFailure:
    """Record one failed attempt (in its own transaction: the failed work was rolled back)."""
    now = timezone.now()
    with transaction.atomic():
        failure, created = LinkFailure.objects.select_for_update().get_or_create(
            task=task, key=key, defaults={"error": error[:4000], "last_failed_at": now})
        if not created:
            failure.attempts = failure.attempts + 1 if failure.resolved_at is None else 1
            failure.error, failure.last_failed_at, failure.resolved_at = error[:4000], now, None
            failure.gave_up = final
            failure.save()
        elif final:
            LinkFailure.objects.filter(pk=failure.pk).update(gave_up=True)
    return failure


def link_succeeded(*, task: str, key: str) -> None:
    LinkFailure.objects.filter(task=task, key=key, resolved_at__isnull=True).update(resolved_at=timezone.now())


def open_link_failures():
    return LinkFailure.objects.filter(resolved_at__isnull=True)


@contextmanager
def lock_timeout(milliseconds: int):
    """A transaction that gives up waiting for a row lock after ``milliseconds`` (PostgreSQL), so a worker behind a
    stuck lock fails and is retried later instead of hanging; elsewhere just a transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(milliseconds)}ms"])
        yield


class LinkTask(Task):
    """Base of the link tasks: retried with back-off on any error, every failure recorded, success resolves it.

    ``link_key(*args)`` names the record the task works on (default: its arguments).
    """

    abstract = True
    autoretry_for = (Exception,)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = False
    max_retries = 8
    acks_late = True

    def link_key(self, args, kwargs) -> str:
        return ":".join(str(a) for a in (*args, *kwargs.values()))

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        link_failed(task=self.name, key=self.link_key(args, kwargs), error=f"{type(exc).__name__}: {exc}")

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        link_failed(task=self.name, key=self.link_key(args, kwargs), error=f"{type(exc).__name__}: {exc}",
                    final=True)

    def on_success(self, retval, task_id, args, kwargs):
        link_succeeded(task=self.name, key=self.link_key(args, kwargs))
