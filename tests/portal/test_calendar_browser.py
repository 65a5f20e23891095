"""Real Chromium: a calendar keeper pastes a notice, checks the preview, saves and confirms the year (CAL-2)."""

from datetime import date
from pathlib import Path

import pytest

from tests.browser import PHONE, chromium_page, log_in

pytestmark = pytest.mark.browser
NOTICE_2031 = (Path(__file__).parent / "fixtures" / "notice-2031-made-up.txt").read_text()
WIDE = {"width": 1280, "height": 900}


def test_paste_preview_save_and_confirm_in_the_browser(live_server, transactional_demo, artifacts):
    from marketing_portal.models import CalendarDay, CalendarYear

    transactional_demo.user("mgmt_manager")
    with chromium_page(viewport=WIDE) as page:
        log_in(page, live_server.url, "mgmt_manager")
        page.goto(f"{live_server.url}/calendar/?year=2031")
        # the year no package knows shows its provisional statutory days, and the banner names it
        assert page.locator("td[data-day='2031-01-22']").get_attribute("class") == "cal-provisional"
        assert "暂按《全国年节及纪念日放假办法》" in page.locator("#year-status").inner_text()
        page.screenshot(path=str(artifacts / "calendar-2031-provisional-desktop.png"), full_page=True)
        page.fill("#id_text", NOTICE_2031)
        page.locator("#notice-form button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        summary = page.locator("#preview-summary").inner_text()
        assert "28 个休息日" in summary and "6 个调休上班日" in summary and "尚未保存" in summary
        assert page.locator("#preview-days tr[data-change='added']").count() == 34
        page.screenshot(path=str(artifacts / "calendar-2031-preview-desktop.png"), full_page=True)
        page.get_by_role("button", name="保存这些日期").click()
        page.wait_for_load_state("networkidle")
        assert "2031 年的安排已保存" in page.locator("main").inner_text()
        assert page.locator("#calendar-warning-2031").is_visible()  # entered, not confirmed: the banner stays
        assert page.locator("td[data-day='2031-01-19']").get_attribute("class") == "cal-makeup cal-entered"
        page.fill("#id_notice", "国办发明电〔2030〕9号")
        page.get_by_role("button", name="确认本年安排").click()
        page.wait_for_load_state("networkidle")
        assert "已确认与国务院办公厅通知 国办发明电〔2030〕9号 一致" in page.locator("#year-status").inner_text()
        assert page.locator("#calendar-warning-2031").count() == 0
        page.screenshot(path=str(artifacts / "calendar-2031-confirmed-desktop.png"), full_page=True)
    assert CalendarDay.objects.filter(day__year=2031).count() == 34
    assert CalendarYear.objects.get(year=2031).confirmed_at is not None
    assert CalendarDay.objects.get(day=date(2031, 6, 28)).kind == "workday"


def test_calendar_page_and_banner_on_a_phone(live_server, transactional_demo, artifacts):
    from django.utils import timezone

    from marketing_portal.context_processors import calendar_warnings

    transactional_demo.user("sysadmin")
    [(year, _message), *_rest] = calendar_warnings(today=timezone.localdate())  # 2027 from 2026-11-01 on
    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server.url, "sysadmin")
        assert page.locator(f"#calendar-warning-{year}").is_visible()
        page.screenshot(path=str(artifacts / "banner-phone.png"), full_page=False)
        page.goto(f"{live_server.url}/calendar/?year=2027&start=2026-12-31&days=1&months=0")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        result = page.locator("#period-result").inner_text()
        assert "2027-01-04" in result and "按暂定日历" in result
        page.screenshot(path=str(artifacts / "calendar-2027-phone.png"), full_page=True)
