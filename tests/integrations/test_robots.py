"""WeCom / DingTalk robots (issue 14, point 1): the address check, DingTalk's signature, delivery once per notice
to the robots a person chose for that kind of notice, retries with back-off, vendor errors as failures shown on
the notice and to administrators, a robot that keeps failing marked failing and not used — against a real local
HTTP server that checks the payload and the signature; and once with the real Celery worker."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from integrations import services
from integrations.models import ChannelDelivery, RobotChannel
from integrations.robots import dingtalk_sign
from marketing_portal.models import Notification
from marketing_portal.notifications import notify
from tests.conftest import wait_for

from .robot_server import SECRETS

pytestmark = pytest.mark.django_db

SECRET = "SEC0123456789abcdef"


def robot(demo, server, *, kind="dingtalk", unit=None, person="sales_hb", secret="", token="dt-1", name="华北区销售群"):
    url = server.dingtalk_url(token) if kind == "dingtalk" else server.wecom_url(token)
    if secret:
        SECRETS[token] = secret
    return services.robot_create(by=demo.user("sysadmin"), kind=kind, name=name, webhook_url=url, secret=secret,
                                 unit=demo.unit(unit) if unit else None,
                                 person=None if unit else demo.user(person))


def choose(demo, who, channel, *kinds):
    user = demo.user(who)
    services.channel_choices_set(user=user, by=user, choices=[(channel.pk, k) for k in kinds])


def send(demo, who, key, capture, subject="周报将于 2026-12-04 到期"):
    with capture(execute=True):
        return notify(recipient=demo.user(who), key=key, subject=subject, body="请按时填写本周周报。",
                      url="/planning/reports/")


# --------------------------------------------------------------------------------------------------
# Addresses and the signature
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, url, says", [
    ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "https://"),
    ("wecom", "https://qyapi.weixin.qq.com.evil.cn/cgi-bin/webhook/send?key=abc", "qyapi.weixin.qq.com"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/other?key=abc", "/cgi-bin/webhook/send"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?token=abc", "key=…"),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send", "access_token=…"),
    ("dingtalk", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "oapi.dingtalk.com"),
    ("dingtalk", "https://127.0.0.1:8443/robot/send?access_token=x", "oapi.dingtalk.com"),
])
def test_a_webhook_address_that_is_not_the_vendors_is_refused_in_chinese(demo, kind, url, says):
    with pytest.raises(ValidationError) as error:
        services.robot_create(by=demo.user("sysadmin"), kind=kind, name="群", webhook_url=url,
                              person=demo.user("sales_hb"))
    [message] = error.value.message_dict["webhook_url"]
    assert says in message and "Webhook 地址" in message
    assert not RobotChannel.objects.exists()


def test_the_vendors_addresses_are_accepted_and_a_secret_must_look_like_dingtalks(demo):
    admin = demo.user("sysadmin")
    services.robot_create(by=admin, kind="wecom", name="企业微信群", unit=demo.unit("marketing"),
                          webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx")
    services.robot_create(by=admin, kind="dingtalk", name="钉钉群", person=demo.user("sales_hb"), secret=SECRET,
                          webhook_url="https://oapi.dingtalk.com/robot/send?access_token=1a2b3c")
    with pytest.raises(ValidationError) as error:
        services.robot_create(by=admin, kind="dingtalk", name="钉钉群2", person=demo.user("sales_hb"),
                              secret="abc", webhook_url="https://oapi.dingtalk.com/robot/send?access_token=9")
    assert "SEC" in error.value.message_dict["secret"][0]
    with pytest.raises(ValidationError) as error:
        services.robot_create(by=demo.user("finance_head"), kind="wecom", name="x", person=demo.user("finance"),
                              webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1")
    assert error.value.code == "not_allowed"
    assert RobotChannel.objects.count() == 2


def test_the_local_server_is_admitted_only_by_the_test_setting(demo, settings):
    assert settings.ROBOT_WEBHOOK_TEST_HOSTS == ()  # the portal's own setting admits nothing
    with pytest.raises(ValidationError):
        services.robot_create(by=demo.user("sysadmin"), kind="dingtalk", name="本地", person=demo.user("sales_hb"),
                              webhook_url="http://127.0.0.1:9/robot/send?access_token=x")


def test_the_dingtalk_signature_is_the_url_encoded_base64_hmac_of_timestamp_and_secret():
    # computed independently: base64(HMAC-SHA256(key=secret, "1764633600000\nSEC0123456789abcdef")), URL-encoded
    assert dingtalk_sign(SECRET, 1764633600000) == "CyLaG8kvGnQ9%2BvlMBbJf3bqHk%2FOqtud1PRKZ2W0DZzs%3D"


# --------------------------------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------------------------------
def test_a_notice_goes_once_to_the_signed_dingtalk_robot_chosen_for_its_kind(demo, robot_server,
                                                                           django_capture_on_commit_callbacks):
    channel = robot(demo, robot_server, secret=SECRET)
    choose(demo, "sales_hb", channel, "deadline")
    note = send(demo, "sales_hb", "report-due|weekly|2026-W49", django_capture_on_commit_callbacks)
    send(demo, "sales_hb", "report-due|weekly|2026-W49", django_capture_on_commit_callbacks)  # the same notice again
    [request] = robot_server.received
    assert request["problem"] == "" and request["path"] == "/robot/send"
    assert request["query"]["access_token"] == "dt-1" and request["query"]["timestamp"].isdigit()
    markdown = request["body"]["markdown"]
    assert markdown["title"] == "周报将于 2026-12-04 到期"
    assert markdown["text"].startswith("### 周报将于 2026-12-04 到期") and "请按时填写本周周报。" in markdown["text"]
    assert "/planning/reports/)" in markdown["text"]
    delivery = ChannelDelivery.objects.get(notification=note, channel=channel)
    assert (delivery.state, delivery.attempts) == ("sent", 1)
    # a notice of a kind not chosen goes to the inbox only
    send(demo, "sales_hb", "contract-step|contracts.contract:1|2", django_capture_on_commit_callbacks, subject="审批")
    assert len(robot_server.received) == 1


def test_a_unit_robot_on_wecom_names_the_person_the_notice_is_for(demo, robot_server,
                                                                  django_capture_on_commit_callbacks):
    unit = demo.user("sales_hb").person.unit
    channel = robot(demo, robot_server, kind="wecom", unit=unit.code, token="wx-1", name="销售部群")
    choose(demo, "sales_hb", channel, "deadline", "approval")
    send(demo, "sales_hb", "report-due|weekly|2026-W50", django_capture_on_commit_callbacks)
    [request] = robot_server.received
    content = request["body"]["markdown"]["content"]
    assert request["problem"] == "" and content.startswith("**周报将于 2026-12-04 到期**")
    assert "致：张伟" in content


def test_a_robot_open_to_someone_else_cannot_be_chosen(demo, robot_server):
    channel = robot(demo, robot_server, person="sales_hd")
    with pytest.raises(ValidationError) as error:
        choose(demo, "sales_hb", channel, "deadline")
    assert error.value.code == "not_allowed"


def test_an_error_answer_is_retried_then_failed_shown_on_the_notice_and_the_robot_marked_failing(
        demo, robot_server, settings, django_capture_on_commit_callbacks, client, mailoutbox):
    settings.ROBOT_MAX_ATTEMPTS, settings.ROBOT_FAILING_AFTER = 3, 2
    channel = robot(demo, robot_server)
    choose(demo, "sales_hb", channel, "deadline")
    robot_server.answers = ["error"] * 3 + ["http500"] * 3
    first = send(demo, "sales_hb", "report-due|a", django_capture_on_commit_callbacks)
    delivery = ChannelDelivery.objects.get(notification=first)
    assert (delivery.state, delivery.attempts) == ("failed", 3)  # the errcode answer counts as a failure
    assert "310000" in delivery.last_error
    channel.refresh_from_db()
    assert (channel.state, channel.failures_in_row) == ("active", 1)
    send(demo, "sales_hb", "report-due|b", django_capture_on_commit_callbacks)
    channel.refresh_from_db()
    assert (channel.state, channel.failures_in_row) == ("failing", 2) and "HTTP 500" in channel.last_error
    assert len(robot_server.received) == 6
    [alert] = Notification.objects.filter(key__startswith="robot-failing")
    assert alert.recipient.username == "sysadmin" and "华北区销售群" in alert.subject
    # a failing robot is not tried again: the next notice is marked not sent
    third = send(demo, "sales_hb", "report-due|c", django_capture_on_commit_callbacks)
    assert len(robot_server.received) == 6
    assert ChannelDelivery.objects.get(notification=third).state == "skipped"
    # the person sees it on the notice, the administrators on their page
    client.force_login(demo.user("sales_hb"))
    inbox = client.get("/inbox/").content.decode()
    assert "华北区销售群：发送失败" in inbox and "errcode 310000" in inbox
    client.force_login(demo.user("sysadmin"))
    page = client.get("/integrations/admin/").content.decode()
    assert "未推送成功的消息" in page and "HTTP 500" in page and "异常" in page
    # a successful test message puts it back in use
    services.robot_test(channel_id=channel.pk, by=demo.user("sysadmin"))
    channel.refresh_from_db()
    assert (channel.state, channel.failures_in_row) == ("active", 0)
    assert robot_server.received[-1]["problem"] == ""


def test_a_test_message_that_fails_says_why_and_keeps_the_robot_failing(demo, robot_server):
    channel = robot(demo, robot_server, secret=SECRET)
    SECRETS["dt-1"] = "SECsomething-else"  # the robot now expects another secret: "sign not match"
    with pytest.raises(ValidationError) as error:
        services.robot_test(channel_id=channel.pk, by=demo.user("sysadmin"))
    assert "sign not match" in error.value.messages[0]


@pytest.mark.worker
def test_the_real_worker_delivers_a_notice_after_one_failed_attempt(tmake, transactional_demo, robot_server,
                                                                    celery_worker):
    demo = transactional_demo
    channel = robot(demo, robot_server, secret=SECRET)
    choose(demo, "sales_hb", channel, "deadline")
    robot_server.answers = ["error"]
    with transaction.atomic():
        note = notify(recipient=demo.user("sales_hb"), key="report-due|worker", subject="周报将于 2026-12-04 到期",
                      body="请按时填写本周周报。", url="/planning/reports/")
    delivery = wait_for(lambda: ChannelDelivery.objects.filter(notification=note, state="sent").first(), timeout=30)
    assert delivery.attempts == 2
    assert [r["answer"] for r in robot_server.received] == ["error", "ok"]
    assert all(r["problem"] == "" for r in robot_server.received)
