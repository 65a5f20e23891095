"""Issue 12, point c, in real Chromium with an English locale on a phone (375 px): date fields read as Chinese
dates — a text field with the placeholder 年-月-日, never the native picker's ``mm/dd/yyyy`` — and a date typed
the way Chinese staff write it (2026/3/1, 2026年3月1日) is understood. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser import PHONE, chromium_page, log_in

pytestmark = pytest.mark.browser


def test_date_fields_read_as_chinese_dates_on_an_english_phone(live_server, transactional_demo, artifacts):
    base = live_server.url
    with chromium_page(viewport=PHONE, locale="en-US") as page:
        log_in(page, base, "sales_hb")
        page.goto(f"{base}/planning/bids/new/")
        field = page.locator("#id_opening_on")
        assert field.get_attribute("type") == "text" and field.get_attribute("placeholder") == "年-月-日"
        page.screenshot(path=str(artifacts / "date-field-form-375.png"), full_page=True)
        assert "mm/dd/yyyy" not in page.inner_text("body").lower()
        # the list filter: a date typed with slashes or 年月日 narrows the list, and the pattern accepts it
        page.goto(f"{base}/handoff/")
        page.fill("#id_date_from", "2026/3/1")
        page.fill("#id_date_to", "2099年12月31日")
        assert page.evaluate("document.querySelector('#id_date_from').checkValidity()"
                             " && document.querySelector('#id_date_to').checkValidity()")
        page.fill("#id_date_to", "31/12/2099")
        assert not page.evaluate("document.querySelector('#id_date_to').checkValidity()")
        page.fill("#id_date_to", "2099-12-31")
        with page.expect_navigation():
            page.click("#list-filter button[type=submit]")
        assert "date_from=2026%2F3%2F1" in page.url
        assert not page.locator("#list-filter .invalid-feedback").count()
        page.screenshot(path=str(artifacts / "date-field-filter-375.png"), full_page=True)
