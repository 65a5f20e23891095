"""The beat task runs the service-level sweep in a real Celery worker; a second run sends nothing again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketing_portal.models import Notification
from repairs.models import ServiceLevelAlert, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_service_level_task_alerts_once_through_a_real_worker(trep, celery_worker):
    from repairs.tasks import repair_service_levels_task

    ticket = trep.assigned()
    # The call came in long ago (several working days): the response level has passed, and so has the second.
    Ticket.objects.filter(pk=ticket.pk).update(response_due_at=timezone.now() - timedelta(days=7))
    assert repair_service_levels_task.apply_async(ignore_result=False).get(timeout=60) == 2
    assert repair_service_levels_task.apply_async(ignore_result=False).get(timeout=60) == 0
    assert sorted(ServiceLevelAlert.objects.filter(ticket=ticket).values_list("stage", flat=True)) == \
        ["head", "supervisor"]
    # The supervisor is both the technician's head and the supervisor: two notices with their own keys.
    assert Notification.objects.filter(recipient=trep.u("repair_supervisor"),
                                       key__startswith=f"repairs-sla|{ticket.pk}|").count() == 2


def test_the_beat_schedule_runs_the_task():
    from django.conf import settings

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "repairs.tasks.repair_service_levels_task"]
    assert len(entries) == 1 and entries[0]["schedule"] <= 3600
