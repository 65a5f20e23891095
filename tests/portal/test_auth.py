"""X-2 access basics: log in / out, password change, throttling, expired sessions, POST-only changes."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "Demo@2026"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_demo_user_logs_in_and_sees_the_chinese_home_page(client, demo):
    response = client.post(reverse("login"), {"username": "sales_hb", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "您好，张伟" in page
    assert "我的待办" in page
    assert '<html lang="zh-hans">' in page


def test_wrong_password_gets_a_chinese_message(client, demo):
    response = client.post(reverse("login"), {"username": "sales_hb", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()  # Django's own zh-Hans message
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_repeated_failures(client, demo, settings):
    settings.AXES_ENABLED = True
    from axes.utils import reset

    reset()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "finance", "password": "wrong"})
    # Even the right password is refused while the lock lasts.
    response = client.post(reverse("login"), {"username": "finance", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    reset()


def test_expired_session_says_so_in_chinese(client, demo):
    client.force_login(demo.user("sales_hb"))
    client.session.flush()  # what the server does when the session expires
    client.cookies[settings.SESSION_COOKIE_NAME] = "expired-session-key"
    response = client.get(reverse("inbox"), follow=True)
    assert "会话已过期" in response.content.decode()


def test_logout_needs_post(client, demo):
    client.force_login(demo.user("sales_hb"))
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, demo):
    user = demo.user("sales_hd")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xk9#mPq2vL!z", "new_password2": "Xk9#mPq2vL!z"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Xk9#mPq2vL!z")


def test_state_changes_need_the_csrf_token(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("sales_hb"))
    assert client.post(reverse("inbox-mark-read")).status_code == 403


def test_sessions_expire_after_a_working_day_of_inactivity_and_are_not_written_on_every_page(client, demo,
                                                                                              monkeypatch):
    import time

    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert not getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False)
    client.force_login(demo.user("sales_hb"))
    key = client.session.session_key
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    client.get(reverse("home"))  # the first page of a session marks when it was seen
    first = Session.objects.get(session_key=key).expire_date

    monkeypatch.setattr(time, "time", lambda: now + settings.SESSION_REFRESH_SECONDS - 1)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
    assert Session.objects.get(session_key=key).expire_date == first  # a page read writes nothing

    # Five minutes on, the next page keeps it alive: a working day from now.
    from django.utils import timezone

    monkeypatch.setattr(time, "time", lambda: now + settings.SESSION_REFRESH_SECONDS + 1)
    client.get(reverse("home"))
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > first
    assert abs((renewed - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 60

    # Idle past its expiry: gone, the next page asks to sign in again and says why.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "expired=1" in response["Location"]


def test_english_stays_selectable(client, demo):
    client.force_login(demo.user("sales_hb"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Waiting on me" in client.get(reverse("home")).content.decode()


def test_a_browser_preferring_english_still_gets_chinese_until_the_user_chooses(client, demo):
    client.force_login(demo.user("sales_hb"))
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "我的待办" in page
