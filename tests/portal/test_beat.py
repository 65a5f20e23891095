"""One source of the periodic work: CELERY_BEAT_SCHEDULE in the settings, run by celery's own scheduler
(issue 8: django-celery-beat's database schedule was a second one)."""

from django.conf import settings

from marketing_portal.celery import app


def test_the_schedule_lives_in_the_settings_only():
    assert settings.CELERY_BEAT_SCHEDULER == "celery.beat:PersistentScheduler"
    assert "django_celery_beat" not in settings.INSTALLED_APPS


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"receivables.tasks.sweep_receivables_task", "handoff.tasks.handoff_deadlines_task",
            "receivables.tasks.receivables_digest_task", "contracts.tasks.contract_reminders_task",
            "marketing_portal.tasks.health_task"} <= names
    assert names <= set(app.tasks)


def test_the_sweep_runs_at_half_past_midnight_beijing_time():
    sweep = settings.CELERY_BEAT_SCHEDULE["receivables-sweep"]["schedule"]
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert sweep.hour == {0} and sweep.minute == {30}
