"""The daily reminders task on a real Celery worker (Redis broker): reminders arrive once, a re-run adds nothing."""

from datetime import date

import pytest

from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_reminders_task_on_a_real_worker(celery_worker, tmake, transactional_demo, clock):
    from contracts import services
    from contracts.tasks import contract_reminders_task
    from marketing_portal.models import Notification

    clock.set(date(2026, 9, 20))  # the letter is noticed before "today"; the reminders name their own day
    contract = tmake.signed()
    record = services.non_performance_flag(contract_id=contract.pk, by=transactional_demo.user("finance"),
                                           noticed_on=date(2026, 9, 15), description="未付预付款",
                                           deadline_basis="reasonable")
    # the key names the due date (a date the calendar moves gets its own reminders)
    key = f"np-remind|contracts.nonperformance:{record.pk}|{record.objection_due_on.isoformat()}|d3"
    contract_reminders_task.delay("2026-09-27")
    wait_for(lambda: Notification.objects.filter(recipient=contract.handler, key=key).exists())
    # a second run of the same day (a repeated or caught-up beat) sends nothing new
    contract_reminders_task.delay("2026-09-27")
    contract_reminders_task.delay("2026-10-01")
    wait_for(lambda: Notification.objects.filter(key__startswith="np-remind", key__endswith="overdue").exists())
    assert Notification.objects.filter(key=key).count() == 1
    note = Notification.objects.get(key=key)
    assert "异议函" in note.subject
