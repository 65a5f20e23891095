"""Issue 12 points 7, 11, 12, 13 in real Chromium at 1280 px and 375 px: the policy page, the password pages, the
outbox and the receivables tabs fit the phone (no sideways scrolling, every tab visible) and speak Chinese."""

import pytest

from tests.browser import PHONE, chromium_page, log_in, log_out

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": PHONE}


def _fits(page, width: int) -> bool:
    wide = page.evaluate("""(w) => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)""",
                         width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
    return True


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_daily_pages_at_both_widths(live_server, transactional_demo, artifacts, device):
    from marketing_portal.models import OutboxMessage

    transactional_demo.user("finance_head")
    OutboxMessage.objects.create(recipients="finance@example.com", subject="回款提醒：华北配电项目",
                                 body="请于2026-12-31前回款。\n\nhttp://127.0.0.1:8000/receivables/")
    viewport = WIDTHS[device]
    with chromium_page(viewport=viewport) as page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.click("#forgot-password")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text() == "重设密码"
        page.screenshot(path=str(artifacts / f"password-reset-{device}.png"), full_page=True)
        assert _fits(page, viewport["width"])

        log_in(page, live_server.url, "finance_head")
        page.goto(f"{live_server.url}/policy/")
        body = page.locator("main").inner_text()
        assert "¥1,000,000.00" in body and "7、3、1 天" in body and "True" not in body
        page.screenshot(path=str(artifacts / f"policy-{device}.png"), full_page=True)
        assert _fits(page, viewport["width"])

        page.goto(f"{live_server.url}/accounts/password/")
        assert page.locator("h1").inner_text() == "修改密码"
        page.screenshot(path=str(artifacts / f"password-change-{device}.png"), full_page=True)

        page.goto(f"{live_server.url}/receivables/")
        page.screenshot(path=str(artifacts / f"receivables-tabs-{device}.png"))
        tabs = page.locator("#receivables-tabs .nav-link")
        assert tabs.count() >= 5
        for i in range(tabs.count()):  # every tab is on the screen, none hidden behind a scroll
            box = tabs.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], tabs.nth(i).inner_text()
        assert _fits(page, viewport["width"])
        log_out(page)

        log_in(page, live_server.url, "sysadmin")
        page.goto(f"{live_server.url}/outbox/")
        assert page.locator("h1").inner_text() == "发件箱"
        page.click("#outbox-list summary")
        assert "请于2026-12-31前回款" in page.locator("#outbox-list").inner_text()
        page.screenshot(path=str(artifacts / f"outbox-{device}.png"), full_page=True)
        assert _fits(page, viewport["width"])
