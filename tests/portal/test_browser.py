"""A real Chromium logs in as a demo user, sees the Chinese home page and the org chart (desktop and phone)."""

import pytest

from tests.browser import DESKTOP, PHONE, chromium_page, log_in

pytestmark = pytest.mark.browser


def test_demo_user_sees_chinese_home_and_org_chart(live_server, transactional_demo, artifacts):
    transactional_demo.user("sales_hb")  # the demo org exists (ORM work before the browser starts)
    with chromium_page(viewport=DESKTOP) as page:
        log_in(page, live_server.url, "sales_hb")
        assert page.locator("h1").inner_text() == "您好，张伟"
        assert page.locator("text=我的待办").first.is_visible()
        page.screenshot(path=str(artifacts / "home-desktop.png"), full_page=True)

        page.goto(f"{live_server.url}/org/")
        assert page.locator("#unit-marketing h3").inner_text().startswith("营销中心")
        assert page.locator("#unit-marketing").get_by_text("林静").count() == 2  # 管理经理 and 总监助理
        page.screenshot(path=str(artifacts / "org-chart-desktop.png"), full_page=True)


def test_phone_layout_keeps_the_menu_and_the_inbox_reachable(live_server, transactional_demo, artifacts):
    transactional_demo.user("tech_repair")
    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server.url, "tech_repair")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        page.click("button.navbar-toggler")
        page.get_by_role("button", name="组织", exact=True).click()
        page.get_by_role("link", name="组织架构").click()
        page.wait_for_load_state("networkidle")
        assert "组织架构" in page.title()
        page.screenshot(path=str(artifacts / "org-chart-phone.png"), full_page=True)
