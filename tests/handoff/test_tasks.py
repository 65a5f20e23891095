"""HND-6 with a real Celery worker: the beat's task sends each alert once, however often it runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from marketing_portal.models import Notification
from tests.conftest import wait_for

from .conftest import HandoffFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_beat_schedules_the_hourly_sweep():
    from marketing_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["handoff-deadlines"]
    assert entry["task"] == "handoff.tasks.handoff_deadlines_task" and entry["schedule"] == 3600.0
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_worker_sends_overdue_alerts_once(celery_worker, transactional_demo):
    from handoff.tasks import handoff_deadlines_task

    hf = HandoffFactory(transactional_demo)
    # a sheet received ten days ago is long overdue
    handoff = hf.handoff(now=timezone.now() - timedelta(days=10))
    mail.outbox.clear()
    handoff_deadlines_task.delay()
    d = transactional_demo
    recipients = {d.user(n).pk for n in ("xxx_estimator", "xxx_head", "director")}
    wait_for(lambda: set(Notification.objects.filter(key__startswith="handoff-overdue")
                         .values_list("recipient_id", flat=True)) == recipients)
    overdue_mails = lambda: [m for m in mail.outbox if handoff.number in m.subject and "逾期" in m.subject]  # noqa: E731
    wait_for(lambda: len(overdue_mails()) == 3)
    # the next hourly runs add nothing; the health task queued behind them tells when they have run
    from django.core.cache import cache

    from marketing_portal.tasks import health_task

    cache.delete("portal:health:last")
    handoff_deadlines_task.delay()
    handoff_deadlines_task.delay()
    health_task.delay()
    wait_for(lambda: cache.get("portal:health:last"))
    assert Notification.objects.filter(key__startswith="handoff-overdue").count() == 3
    assert len(overdue_mails()) == 3
