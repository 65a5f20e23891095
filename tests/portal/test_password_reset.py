"""Issue 12 point 12: password change, and password reset by e-mail (Django's views in the portal's pages, in
Chinese); the demo logins still work."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_password_reset_by_email_sets_a_new_password_and_the_link_works_once(demo, client):
    user = demo.user("sales_hd")
    assert user.email
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page and "忘记密码" in page
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "请查收邮件" in client.get(response.url).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and message.subject == "营销管理平台：重设密码"
    assert "刘洋" in message.body and "sales_hd" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    confirm_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(confirm_url, {"new_password1": "Neu#Passwort-2026", "new_password2": "Neu#Passwort-2026"})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert get_user_model().objects.get(pk=user.pk).check_password("Neu#Passwort-2026")
    # the link works once
    again = client.get(link, follow=True).content.decode()
    assert 'id="invalid-link"' in again


def test_an_unknown_address_says_the_same_and_sends_nothing(demo, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_a_login_and_keeps_demo_logins(demo, client):
    assert client.get(reverse("password_change")).status_code == 302  # anonymous: to the login page
    # the demo logins still work with the demo password
    response = client.post(reverse("login"), {"username": "finance", "password": "Demo@2026"})
    assert response.status_code == 302
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page
    response = client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "x",
                                                        "new_password2": "x"})
    assert response.status_code == 200 and "旧密码" in response.content.decode()
    assert get_user_model().objects.get(username="finance").check_password("Demo@2026")  # nothing changed


def test_reset_pages_are_open_to_anonymous_visitors(client, demo):
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    bad = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert bad.status_code == 200 and 'id="invalid-link"' in bad.content.decode()
