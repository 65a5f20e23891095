"""Issue 12 point 13: in development an e-mail is one log line and an entry on the outbox page (administrators),
not a MIME dump on the console."""

import logging

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from marketing_portal.models import OutboxMessage

pytestmark = pytest.mark.django_db


@override_settings(EMAIL_BACKEND="marketing_portal.mail.OutboxBackend")
def test_an_email_becomes_one_log_line_and_an_outbox_entry(caplog, capsys):
    with caplog.at_level(logging.INFO, logger="marketing_portal.mail"):
        sent = mail.send_mail("合同待审批", "请审批合同“配电设备采购”。\n\nhttp://127.0.0.1:8000/contracts/1/", None,
                              ["director@example.com"])
    assert sent == 1
    kept = OutboxMessage.objects.get()
    assert (kept.recipients, kept.subject) == ("director@example.com", "合同待审批")
    assert "配电设备采购" in kept.body
    lines = [r.getMessage() for r in caplog.records if r.name == "marketing_portal.mail"]
    assert lines == ["e-mail to director@example.com: 合同待审批"]
    out = capsys.readouterr()
    assert "Content-Type" not in out.out + out.err  # no MIME dump


def test_outbox_page_access(demo, client):
    OutboxMessage.objects.create(recipients="finance@example.com", subject="回款提醒", body="请于12月1日前回款")
    url = reverse("outbox")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(demo.user("director"))
    assert client.get(url).status_code == 404  # not an administrator
    client.force_login(demo.user("sysadmin"))
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "回款提醒" in page and "请于12月1日前回款" in page
