"""A signed contract opens its project through a link task on a real Celery worker: a failure is retried and shown
to administrators, the retry opens the project, and running the task again opens nothing more."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from marketing_portal.links import open_link_failures
from marketing_portal.models import LinkFailure, NumberCounter
from marketing_portal.numbering import seed_counter
from receivables.models import Project
from receivables.services.projects import PROJECT_SERIES
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _hold_counter(year: int, locked: threading.Event, release: threading.Event) -> None:
    """Another transaction holds the year's project-number counter (a long import, a stuck request)."""
    try:
        with transaction.atomic():
            NumberCounter.objects.select_for_update().get(series=PROJECT_SERIES, year=year)
            locked.set()
            release.wait(60)
    finally:
        connections.close_all()


def test_a_failed_opening_is_shown_then_retried_and_opens_exactly_one_project(celery_worker, tmake, settings,
                                                                               client):
    from receivables.tasks import project_open_task

    settings.LINK_LOCK_TIMEOUT_MS = 200  # the worker gives up on the lock quickly, then retries after 1 s, 2 s…
    year = timezone.localdate().year
    seed_counter(PROJECT_SERIES, year, 0)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_counter, args=(year, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        # when: the contract is signed while the counter is held
        contract = tmake.signed(by="sales_hb")
        # then: the signing went through, the opening failed, and the failure is on the status page
        failure = wait_for(lambda: open_link_failures().filter(key=str(contract.pk)).first())
        assert failure.task == "receivables.project_open" and "lock" in failure.error.lower()
        assert not Project.objects.filter(contract=contract).exists()
        client.force_login(tmake.user("sysadmin"))
        page = client.get(reverse("health")).content.decode()
        assert "receivables.project_open" in page and 'id="link-failures"' in page
    finally:
        release.set()
        holder.join(30)
    # the retry opens the project and resolves the failure
    project = wait_for(lambda: Project.objects.filter(contract=contract).first(), timeout=30)
    wait_for(lambda: not open_link_failures().filter(key=str(contract.pk)).exists(), timeout=10)
    assert LinkFailure.objects.get(key=str(contract.pk)).resolved_at is not None
    assert project.number == f"XM{year}-00001"

    # when: the task runs again (a second signal, a redelivered message)
    assert project_open_task.apply_async(args=[contract.pk], ignore_result=False).get(timeout=30) == project.pk
    # then: still exactly one project, and no number was spent
    assert Project.objects.filter(contract=contract).count() == 1
    assert NumberCounter.objects.get(series=PROJECT_SERIES, year=year).last == 1
