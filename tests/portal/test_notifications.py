"""X-5: the inbox and e-mail, each event delivered once per person."""

import pytest
from django.core import mail
from django.urls import reverse

from marketing_portal.models import Notification
from marketing_portal.notifications import event_key, notify, unread_count
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db


def test_same_event_for_the_same_record_and_person_is_delivered_once(demo, django_capture_on_commit_callbacks):
    user, director = demo.user("sales_hb"), demo.user("director")
    key = event_key("invoice_due", director.person, "2026-12-01")
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipient=user, key=key, subject="开票提醒", body="请于12月1日前开票", url="/")
        second = notify(recipient=user, key=key, subject="开票提醒", body="请于12月1日前开票", url="/")
    assert first is not None and second is None
    assert Notification.objects.filter(recipient=user, key=key).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    # The same event for another person is their own message.
    assert notify(recipient=director, key=key, subject="开票提醒") is not None


def test_inbox_shows_unread_count_and_marks_read(demo, client):
    user = demo.user("sales_hb")
    notify(recipient=user, key="t|1", subject="第一条", email=False)
    notify(recipient=user, key="t|2", subject="第二条", email=False)
    client.force_login(user)
    assert unread_count(user) == 2
    page = client.get(reverse("inbox")).content.decode()
    assert "第一条" in page and "第二条" in page
    badge = client.get(reverse("inbox-badge")).content.decode()
    assert ">2<" in badge
    note = Notification.objects.get(recipient=user, key="t|1")
    assert client.get(reverse("notification-open", args=[note.pk])).status_code == 405  # no state change by GET
    response = client.post(reverse("notification-open", args=[note.pk]))
    assert response.status_code == 302
    assert unread_count(user) == 1
    client.post(reverse("inbox-mark-read"))
    assert unread_count(user) == 0


def test_a_message_of_someone_else_is_not_found(demo, client):
    other = notify(recipient=demo.user("director"), key="t|x", subject="机密", email=False)
    client.force_login(demo.user("sales_hb"))
    assert client.post(reverse("notification-open", args=[other.pk])).status_code == 404
    assert "机密" not in client.get(reverse("inbox")).content.decode()


def test_email_is_sent_by_a_real_worker_once_even_if_the_task_runs_twice(transactional_demo, celery_worker):
    from marketing_portal.tasks import send_notification_email_task

    user = transactional_demo.user("finance")
    note = notify(recipient=user, key="worker|1", subject="回款提醒", body="测试")  # autocommit: sent on commit
    wait_for(lambda: Notification.objects.get(pk=note.pk).emailed_at is not None)
    # The broker redelivers the task (or it is queued twice): the second run sends nothing.
    again = send_notification_email_task.apply_async((note.pk,), ignore_result=False)
    assert again.get(timeout=20) is False
    assert [m.subject for m in mail.outbox].count("回款提醒") == 1
