"""The whole hand-off in a real Chromium, across the four parties (HND-1…5):

Marketing issues the liaison sheet → XXX's estimator costs it (a wrong line first) → Finance suggests the amount →
XXX's negotiator records a round → Marketing decides → the construction contract is drafted; it goes through
the contract chain and, once signed, the hand-off is completed. Screenshots go to test-artifacts/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from contracts import services as cs
from handoff.choices import HandoffState
from handoff.models import Handoff
from tests.browser import DESKTOP, PHONE, chromium_page, log_in, log_out

from .conftest import HandoffFactory, pdf_upload

pytestmark = pytest.mark.browser


def test_whole_hand_off_across_the_four_parties(live_server, transactional_demo, artifacts):
    # given a signed sales contract of 张伟 (sales_hb) with an order line (ORM work before the browser)
    hf = HandoffFactory(transactional_demo)
    contract = hf.signed_contract(line_amounts=("300000.00",), title="丰台科技园10kV配电工程合同")
    line = contract.lines.get()
    today = timezone.localdate()
    base = live_server.url

    with chromium_page(viewport=DESKTOP) as page:
        page.on("dialog", lambda dialog: dialog.accept())  # the "decide?" confirmation

        # 1. Marketing (the handler) issues the technical liaison sheet
        log_in(page, base, "sales_hb")
        page.goto(f"{base}/handoff/")
        page.click("#raise-sheet")
        page.click(f"a[href='/handoff/orders/{line.pk}/new/']")
        assert page.locator("#id_scope-0-description").input_value() == line.description  # prefilled
        page.fill("#id_site", "北京市丰台区科技园10kV开闭所")
        page.fill("#id_site_contact", "甲方 李工 138-0000-1234")
        page.fill("#id_requirements", "执行GB 50150；夜间不施工；竣工资料一式四份。")
        page.fill("#id_planned_start", (today + timedelta(days=7)).isoformat())
        page.fill("#id_planned_finish", (today + timedelta(days=67)).isoformat())
        page.fill("#id_scope-0-quantity", "1")
        page.click("[data-add-row='scope']")
        page.fill("#id_scope-1-description", "高压电缆敷设")
        page.fill("#id_scope-1-specification", "YJV22-8.7/15kV 3×70")
        page.fill("#id_scope-1-quantity", "350")
        page.fill("#id_scope-1-unit", "米")
        page.screenshot(path=str(artifacts / "handoff-1-sheet-form.png"), full_page=True)
        page.click("#issue-sheet")
        page.wait_for_load_state("networkidle")
        assert "待XXX核算" in page.locator("#handoff-state").inner_text()
        number = page.locator("h1 .font-monospace").inner_text()
        page.screenshot(path=str(artifacts / "handoff-2-sheet-issued.png"), full_page=True)
        log_out(page)

        # 2. XXX's cost estimator costs it from "my work"; a negative price is refused and nothing typed is lost
        log_in(page, base, "xxx_estimator")
        page.get_by_role("link", name=f"核算技术联络单 {number}").first.click()
        assert page.locator("#sales-contract-link").count() == 0  # XXX does not open the sales contract
        page.click("#enter-costing")
        page.select_option("#id_lines-0-category", "material")
        page.fill("#id_lines-0-description", "电缆及附件")
        page.fill("#id_lines-0-quantity", "350")
        page.fill("#id_lines-0-unit", "米")
        page.fill("#id_lines-0-unit_price", "-180")
        page.select_option("#id_lines-1-category", "labour")
        page.fill("#id_lines-1-description", "安装人工")
        page.fill("#id_lines-1-quantity", "40")
        page.fill("#id_lines-1-unit", "工日")
        page.fill("#id_lines-1-unit_price", "450")
        page.click("#submit-costing")
        page.wait_for_load_state("networkidle")
        assert "核算明细第1行，单价不能为负数" in page.locator("#form-errors").inner_text()
        assert page.locator("#id_lines-1-description").input_value() == "安装人工"
        page.screenshot(path=str(artifacts / "handoff-3-costing-refused.png"), full_page=True)
        page.fill("#id_lines-0-unit_price", "180")
        assert page.locator("#costing-total").inner_text() == "¥81,000.00"  # 63,000 + 18,000, live
        page.click("#submit-costing")
        page.wait_for_load_state("networkidle")
        assert "待财务审核" in page.locator("#handoff-state").inner_text()
        log_out(page)

        # 3. Finance reviews and suggests the project amount
        log_in(page, base, "finance")
        page.get_by_role("link", name=f"审核 {number} 的工程款核算").first.click()
        page.fill("#id_suggested_amount", "86000")
        page.fill("#id_comment", "管理费按5%计，建议按此金额签订。")
        page.screenshot(path=str(artifacts / "handoff-4-finance-review.png"), full_page=True)
        page.click("#suggest")
        page.wait_for_load_state("networkidle")
        assert "协商及营销中心定价" in page.locator("#handoff-state").inner_text()
        log_out(page)

        # 4. XXX's negotiator brings the documents and a counter-proposal: the round is put on record
        log_in(page, base, "xxx_negotiator")
        page.get_by_role("link", name=f"与营销中心协商 {number}").first.click()
        page.select_option("#id_proposer", "xxx")
        page.fill("#id_amount", "92000")
        page.fill("#id_notes", "电缆价格上涨，申请上调。")
        page.click("#record-round")
        page.wait_for_load_state("networkidle")
        assert "¥92,000.00" in page.locator("#rounds").inner_text()
        log_out(page)

        # 5. Marketing decides with the main-contract amount, Finance's suggestion and the margin side by side
        log_in(page, base, "sales_hb")
        page.get_by_role("link", name=f"协商并确定 {number} 的工程款").first.click()
        comparison = page.locator("#comparison").inner_text()
        assert "¥300,000.00" in comparison and "¥86,000.00" in comparison and "¥92,000.00" in comparison
        page.fill("#id_amount", "89000")
        assert page.locator("#live-margin [data-margin]").inner_text().startswith("¥211,000.00")
        page.screenshot(path=str(artifacts / "handoff-5-decision.png"), full_page=True)
        page.click("#decide")
        page.wait_for_load_state("networkidle")
        assert "施工合同审批中" in page.locator("#handoff-state").inner_text()
        page.screenshot(path=str(artifacts / "handoff-6-construction-contract-drafted.png"), full_page=True)
        page.click("#construction-link")
        page.wait_for_load_state("networkidle")
        assert "89,000.00" in page.content()
        page.screenshot(path=str(artifacts / "handoff-7-construction-contract.png"), full_page=True)

    # then the construction contract is a prefilled draft of the contracts app …
    handoff = Handoff.objects.get(number=number)
    construction = handoff.construction_contract
    assert handoff.state == HandoffState.CONTRACTING
    assert (construction.direction, construction.customer_id, str(construction.amount)) == ("construction", None,
                                                                                            "89000.00")
    assert construction.handler == contract.handler and construction.lines.count() == 3
    # … which goes through the approval chain; when it is signed the hand-off completes
    d = transactional_demo
    cs.contract_text_add(contract_id=construction.pk, by=d.user("sales_hb"), upload=pdf_upload("施工合同文本.pdf"))
    cs.contract_submit(contract_id=construction.pk, by=d.user("sales_hb"))
    cs.contract_approve(contract_id=construction.pk, by=d.user("director"), kind="leader")
    cs.contract_approve(contract_id=construction.pk, by=d.user("finance"), kind="finance")
    construction.refresh_from_db()
    if not construction.legal_waived:
        cs.contract_approve(contract_id=construction.pk, by=d.user("legal"), kind="legal")
    cs.contract_approve(contract_id=construction.pk, by=d.user("gm"), kind="gm")
    cs.contract_sign(contract_id=construction.pk, by=d.user("sales_hb"), signed_on=today,
                     counterparty_signed_on=today, scan=pdf_upload("施工合同扫描件.pdf"))
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.COMPLETED

    with chromium_page(viewport=PHONE) as page:
        log_in(page, base, "xxx_negotiator")
        page.goto(f"{base}{handoff.get_absolute_url()}")
        assert "已完成" in page.locator("#handoff-state").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        page.screenshot(path=str(artifacts / "handoff-8-completed-phone.png"), full_page=True)
        page.goto(f"{base}/handoff/dashboard/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(artifacts / "handoff-9-dashboard-phone.png"), full_page=True)
