"""The integration pages: four access cases, tokens issued and revoked by their person, service accounts by
administrators only; state changes POST only."""

from __future__ import annotations

import pytest

from integrations.models import ApiToken, ServiceAccount

pytestmark = pytest.mark.django_db


def test_my_settings_page_needs_a_login_and_shows_only_ones_own_tokens(client, demo, api):
    assert client.get("/integrations/me/").status_code == 302
    api("sales_hd")
    client.force_login(demo.user("sales_hb"))
    page = client.get("/integrations/me/").content.decode()
    assert "我的集成设置" in page and "暂无令牌" in page


def test_a_person_issues_a_token_sees_it_once_and_revokes_it(client, demo):
    client.force_login(demo.user("sales_hb"))
    response = client.post("/integrations/me/", {"token-name": "周报脚本", "token-scopes": ["read"],
                                                 "token-days": "30"}, follow=True)
    token = ApiToken.objects.get(user__username="sales_hb", name="周报脚本")
    page = response.content.decode()
    assert "只显示这一次" in page and f'{token.prefix}' in page
    assert "只显示这一次" not in client.get("/integrations/me/").content.decode()  # once
    assert client.get(f"/integrations/tokens/{token.pk}/revoke/").status_code == 405
    client.post(f"/integrations/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by.username == "sales_hb"


def test_bad_token_input_is_shown_on_the_form_and_nothing_is_stored(client, demo):
    client.force_login(demo.user("sales_hb"))
    page = client.post("/integrations/me/", {"token-name": "", "token-days": "999"}).content.decode()
    assert "366" in page  # the days field names its limit
    assert not ApiToken.objects.filter(user__username="sales_hb").exists()


def test_someone_elses_token_cannot_be_revoked(client, demo, api):
    other = api("sales_hd").token
    client.force_login(demo.user("sales_hb"))
    assert client.post(f"/integrations/tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_administrators_page_is_for_administrators_only(client, demo):
    assert client.get("/integrations/admin/").status_code == 302
    client.force_login(demo.user("finance_head"))
    assert client.get("/integrations/admin/").status_code == 404
    assert client.post("/integrations/admin/", {"account-name": "金蝶"}).status_code == 404
    assert not ServiceAccount.objects.exists()
    client.force_login(demo.user("sysadmin"))
    assert client.get("/integrations/admin/").status_code == 200


def test_an_administrator_creates_a_service_account_and_issues_its_token(client, demo):
    client.force_login(demo.user("sysadmin"))
    client.post("/integrations/admin/", {"account-name": "金蝶云星空", "account-roles": ["finance_reviewer"]})
    account = ServiceAccount.objects.get(name="金蝶云星空")
    assert list(account.user.groups.values_list("name", flat=True)) == ["finance_reviewer"]
    page = client.post(f"/integrations/admin/accounts/{account.pk}/tokens/",
                       {"token-name": "凭证同步", "token-scopes": ["read", "write:money"], "token-days": "365"},
                       follow=True).content.decode()
    token = ApiToken.objects.get(user=account.user)
    assert token.scopes == ["read", "write:money"] and "只显示这一次" in page
    again = client.post("/integrations/admin/", {"account-name": "金蝶云星空"}).content.decode()
    assert "已存在" in again and ServiceAccount.objects.count() == 1
    client.force_login(demo.user("finance_head"))
    assert client.post(f"/integrations/admin/accounts/{account.pk}/tokens/",
                       {"token-name": "x", "token-scopes": ["read"], "token-days": "1"}).status_code == 404
    assert ApiToken.objects.filter(user=account.user).count() == 1


def test_a_person_chooses_robots_per_kind_of_notice_on_their_page(client, demo, settings):
    from integrations.models import ChannelChoice
    from integrations.services import robot_create

    admin = demo.user("sysadmin")
    unit = demo.user("sales_hb").person.unit
    robot = robot_create(by=admin, kind="wecom", name="销售部群", unit=unit,
                         webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1")
    other = robot_create(by=admin, kind="dingtalk", name="财务群", person=demo.user("finance"),
                         webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t1")
    client.force_login(demo.user("sales_hb"))
    page = client.get("/integrations/me/").content.decode()
    assert "销售部群" in page and "财务群" not in page and "待我审批" in page
    client.post("/integrations/me/robots/", {"choice": [f"{robot.pk}:approval", f"{robot.pk}:deadline"]})
    assert set(ChannelChoice.objects.filter(user__username="sales_hb").values_list("kind", flat=True)) == {
        "approval", "deadline"}
    response = client.post("/integrations/me/robots/", {"choice": [f"{other.pk}:approval"]}, follow=True)
    assert "您不能选用该机器人" in response.content.decode()
    assert ChannelChoice.objects.filter(user__username="sales_hb").count() == 2  # nothing changed
    assert client.get("/integrations/me/robots/").status_code == 405


def test_an_administrator_sets_up_a_robot_and_a_bad_address_is_shown_on_the_form(client, demo):
    from integrations.models import RobotChannel

    client.force_login(demo.user("finance_head"))
    assert client.post("/integrations/admin/robots/", {"robot-kind": "wecom"}).status_code == 404
    client.force_login(demo.user("sysadmin"))
    page = client.post("/integrations/admin/robots/", {
        "robot-kind": "dingtalk", "robot-name": "华北区销售群", "robot-person": demo.user("sales_hb").pk,
        "robot-webhook_url": "http://oapi.dingtalk.com/robot/send?access_token=abc"}).content.decode()
    assert "Webhook 地址必须以 https:// 开头" in page and not RobotChannel.objects.exists()
    client.post("/integrations/admin/robots/", {
        "robot-kind": "dingtalk", "robot-name": "华北区销售群", "robot-person": demo.user("sales_hb").pk,
        "robot-secret": "SECabc", "robot-webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc"})
    robot = RobotChannel.objects.get()
    assert (robot.kind, robot.secret, robot.person.username) == ("dingtalk", "SECabc", "sales_hb")
    assert client.get(f"/integrations/admin/robots/{robot.pk}/test/").status_code == 405
    client.post(f"/integrations/admin/robots/{robot.pk}/off/")
    robot.refresh_from_db()
    assert robot.state == "off"
