"""Issue 12 point 2 in real Chromium: the director's to-do notice turns 已办 and stops counting as unread once his
delegate decided the step; the inbox filters to 待办; "全部标为已读" empties the counter (desktop and phone)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import PHONE, chromium_page, log_in

pytestmark = pytest.mark.browser

DESKTOP_1280 = {"width": 1280, "height": 900}


def _badge(page) -> str:
    badge = page.locator("nav a.nav-link[href='/inbox/'] .badge")
    return badge.inner_text() if badge.count() else ""


def test_a_to_do_notice_is_done_when_the_delegate_decides_and_mark_all_read(live_server, tmake, artifacts):
    from contracts.services import contract_approve, contract_submit
    from marketing_portal.models import Notification
    from marketing_portal.notifications import notify
    from org.services import delegation_create

    director, deputy = tmake.user("director"), tmake.user("sales_manager")
    Notification.objects.filter(recipient=director).delete()
    today = timezone.localdate()
    delegation_create(principal=director, delegate=deputy, starts_on=today, ends_on=today + timedelta(days=3),
                      reason="出差", by=director)
    contract = tmake.contract(title="浏览器待办测试合同")
    contract_submit(contract_id=contract.pk, by=contract.handler)  # autocommit: the notices are stored now
    notify(recipient=director, key="browser|info", subject="华北区合同已归档（知会）", url="/contracts/", email=False)
    step = contract.steps.get(status="pending")

    with chromium_page(viewport=DESKTOP_1280) as page:
        log_in(page, live_server.url, "director")
        assert _badge(page) == "2"
        page.goto(f"{live_server.url}/inbox/")
        page.click("#kind-todo")
        page.wait_for_load_state("networkidle")
        items = page.locator("#inbox-list [data-notice]")
        assert items.count() == 1 and "浏览器待办测试合同" in items.first.inner_text()
        assert items.first.locator(".notice-todo").inner_text() == "待办"
        page.screenshot(path=str(artifacts / "inbox-todo-desktop.png"), full_page=True)

    contract_approve(contract_id=contract.pk, by=deputy, kind=step.kind, comment="同意（代批）")

    with chromium_page(viewport=DESKTOP_1280) as page:
        log_in(page, live_server.url, "director")
        assert _badge(page) == "1"  # only the notice for information is still unread
        page.goto(f"{live_server.url}/inbox/?kind=todo")
        item = page.locator("#inbox-list [data-notice]").first
        assert item.locator(".notice-done").inner_text() == "已办"
        page.goto(f"{live_server.url}/inbox/")
        page.click("#mark-all-read")
        page.wait_for_load_state("networkidle")
        assert _badge(page) == ""
        page.screenshot(path=str(artifacts / "inbox-all-desktop.png"), full_page=True)

    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server.url, "director")
        page.goto(f"{live_server.url}/inbox/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(artifacts / "inbox-phone.png"), full_page=True)
