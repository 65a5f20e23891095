"""Issue 12 point 4 in real Chromium: contract lines as people enter them — rows added and removed in place, each
line's amount and the total as typed, the amount in capital numerals (大写) as typed, the mismatch with the contract
amount shown before submission; the JS writes the capital numerals exactly as the server does."""

from decimal import Decimal

import pytest

from marketing_portal.money import capital_yuan
from tests.browser import PHONE, chromium_page, log_in

pytestmark = pytest.mark.browser

SAMPLES = ["0.05", "0.5", "1", "10", "10.05", "101", "110", "1000.10", "1005.5", "100000", "1001000", "10010000.01",
           "120000", "123456789.12", "100000000", "100000001", "1000000000", "20000000000", "1010101", "10000001",
           "3.40", "999999999999.99", "0"]


def test_lines_total_capital_and_mismatch_as_typed(live_server, transactional_demo, artifacts):
    transactional_demo.user("sales_hb")
    expected = {raw: capital_yuan(Decimal(raw)) for raw in SAMPLES}
    with chromium_page(viewport={"width": 1280, "height": 900}) as page:
        log_in(page, live_server.url, "sales_hb")
        page.goto(f"{live_server.url}/contracts/new/")
        assert page.evaluate("(samples) => samples.map(s => window.portalCapital(s))", SAMPLES) == \
            [expected[s] for s in SAMPLES]

        page.fill("#id_amount", "120000")
        assert page.locator("#amount-capital").inner_text() == "大写：壹拾贰万元整"
        rows = page.locator("#lines-rows tr.contract-line:visible")
        assert rows.count() == 2  # the two empty lines the form starts with
        first = rows.nth(0)
        first.locator("[name$='-description']").fill("10kV箱式变电站")
        first.locator("[name$='-quantity']").fill("2")
        first.locator("[name$='-unit']").fill("台")
        first.locator("[name$='-unit_price']").fill("45000.00")
        assert first.locator(".line-amount").inner_text() == "¥90,000.00"
        assert page.locator("#lines-total").inner_text() == "¥90,000.00"
        mismatch = page.locator("#lines-mismatch")
        assert mismatch.is_visible()
        assert mismatch.inner_text() == ("订单行合计 ¥90,000.00，合同金额 ¥120,000.00，相差 ¥30,000.00。"
                                         "请在提交前修改订单行或合同金额。")

        page.click("#lines-add")
        assert rows.count() == 3
        third = rows.nth(2)
        third.locator("[name$='-description']").fill("安装调试")
        third.locator("[name$='-quantity']").fill("1.5")
        third.locator("[name$='-unit']").fill("项")
        third.locator("[name$='-unit_price']").fill("20000.01")
        assert third.locator(".line-amount").inner_text() == "¥30,000.02"  # 30,000.015 rounded half up
        assert page.locator("#lines-total").inner_text() == "¥120,000.02"
        assert "相差 ¥0.02" in mismatch.inner_text()
        page.fill("#id_amount", "120000.02")
        assert page.locator("#amount-capital").inner_text() == "大写：壹拾贰万元零贰分"
        assert not mismatch.is_visible()
        page.screenshot(path=str(artifacts / "contract-lines-desktop.png"), full_page=True)

        # remove the empty second line in place: the total is unchanged, the form keeps its DELETE box checked
        rows.nth(1).locator(".line-remove").click()
        assert rows.count() == 2
        assert page.locator("#id_lines-1-DELETE").is_checked()
        assert page.locator("#id_lines-TOTAL_FORMS").input_value() == "3"
        assert page.locator("#lines-total").inner_text() == "¥120,000.02"

    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server.url, "sales_hb")
        page.goto(f"{live_server.url}/contracts/new/")
        page.fill("#id_amount", "1000000")
        assert page.locator("#amount-capital").inner_text() == "大写：壹佰万元整"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(artifacts / "contract-lines-phone.png"), full_page=True)
        # point 6: the technical participant list holds technical staff by unit, and its search box narrows it
        page.locator("input.select-search[aria-controls='id_technical_participant']").fill("生产")
        shown = page.evaluate("() => [...document.querySelectorAll('#id_technical_participant option')]"
                              ".filter(o => !o.hidden && o.value).map(o => o.text)")
        assert sorted(shown) == sorted(["宋杰", "梁栋"])
        page.locator("input.select-search[aria-controls='id_legal_participant']").fill("曹")
        page.locator("#id_legal_participant").select_option(label="曹律")
        page.locator("#id_technical_participant").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "contract-participants-phone.png"))
