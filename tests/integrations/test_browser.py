"""The integration pages in real Chromium, on a desktop (1280 px) and a phone (375 px): Chinese, no sideways
scrolling; a token issued in the browser is shown once."""

import pytest

from tests.browser import PHONE, chromium_page, log_in

pytestmark = pytest.mark.browser
DESKTOP_1280 = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport, tag", [(DESKTOP_1280, "1280"), (PHONE, "375")])
def test_my_settings_and_the_administrators_page_on_desktop_and_phone(live_server, transactional_demo, artifacts,
                                                                      viewport, tag):
    from integrations.services import robot_create, service_account_create

    admin = transactional_demo.user("sysadmin")
    service_account_create(name="金蝶云星空", by=admin, roles=["finance_reviewer"])
    finance = transactional_demo.user("finance")
    robot_create(by=admin, kind="dingtalk", name="财务中心钉钉群", unit=finance.person.unit, secret="SECabc",
                 webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t1")
    robot_create(by=admin, kind="wecom", name="冯倩个人提醒", person=finance,
                 webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1")
    with chromium_page(viewport=viewport) as page:
        log_in(page, live_server.url, "finance")
        page.goto(f"{live_server.url}/integrations/me/")
        page.click("#calendar button:has-text('生成我的日历订阅地址')")
        page.wait_for_load_state("networkidle")
        assert "/integrations/calendar/" in page.input_value("#feed-url")
        page.check("#robots input[value$=':deadline'] >> nth=0")
        page.click("#robots button:has-text('保存')")
        page.wait_for_load_state("networkidle")
        assert page.locator("#robots input[value$=':deadline'] >> nth=0").is_checked()
        page.fill("#id_token-name", "金蝶对接脚本")
        page.check("input[name=token-scopes][value='write:money']")
        page.click("#api-tokens button[type=submit]:has-text('签发令牌')")
        page.wait_for_load_state("networkidle")
        assert page.locator("#new-token code").inner_text().startswith("mpt_")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(artifacts / f"integrations-me-{tag}.png"), full_page=True)
        page.reload()
        assert page.locator("#new-token").count() == 0

        page.context.clear_cookies()
        log_in(page, live_server.url, "sysadmin")
        page.goto(f"{live_server.url}/integrations/admin/")
        assert "服务账号" in page.content() and "金蝶云星空" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(artifacts / f"integrations-admin-{tag}.png"), full_page=True)
