"""In a real Chromium: a salesperson files a weekly report (prefilled with her own figures) on a phone and at the
desk, the regional manager comments, the Management Manager compiles the region's report (PDF read back); a
won bid becomes a contract draft with the documents carried over. Screenshots (1280 and 375 px) in
test-artifacts/."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import Contract
from marketing_portal.files import attachments_of
from planning import periods
from planning.models import SalesReport, Tender
from tests.browser import PHONE, chromium_page, log_in, log_out
from tests.planning.conftest import Planning

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def bpln(transactional_demo, tmake):
    return Planning(transactional_demo, tmake)


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_filing_a_weekly_report_and_compiling_it(live_server, bpln, transactional_demo, artifacts, tmp_path):
    today = timezone.localdate()
    start, end = periods.previous_period("weekly", today)
    bpln.signed(amount="368000", signed_on=start + timedelta(days=1))
    bpln.plan(rows=[("HB", None, "month", m, 500000) for m in range(1, 13)], year=today.year)
    code = periods.code_of("weekly", start)
    base = live_server.url
    with chromium_page(viewport=PHONE) as page:
        log_in(page, base, "sales_hb")
        page.goto(f"{base}/planning/reports/")
        submit(page, "#new-weekly")
        assert "¥368,000.00" in page.inner_text("#fig-signed")
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "planning-report-form-375.png"), full_page=True)
        page.fill("#id_work_done", "拜访华北电建设备部，沟通框架协议续签。")
        page.fill("#id_next_plan", "完成冀能二期投标技术标。")
        submit(page, "#file-report")
        assert "报告已提交" in page.content()
        page.set_viewport_size(WIDE)
        page.screenshot(path=str(artifacts / "planning-report-1280.png"), full_page=True)
        # The regional manager comments.
        log_out(page)
        log_in(page, base, "rm_hb")
        page.goto(f"{base}/planning/reports/")
        with page.expect_navigation():
            page.click("#report-list a")
        page.fill("#id_body", "抓紧催收回款。")
        submit(page, "#add-comment")
        assert "抓紧催收回款" in page.inner_text("#comments")
        # The Management Manager compiles the region's report: page, PDF.
        log_out(page)
        log_in(page, base, "mgmt_manager")
        page.goto(f"{base}/planning/reports/compile/?kind=weekly&period={code}&region=HB")
        assert "¥368,000.00" in page.inner_text("#total-signed")
        page.screenshot(path=str(artifacts / "planning-compile-1280.png"), full_page=True)
        with page.expect_download() as download:
            page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = ''; "
                          "document.body.appendChild(a); a.click(); }",
                          f"{base}/planning/reports/compile/pdf/?kind=weekly&period={code}&region=HB")
        pdf = tmp_path / "compile.pdf"
        download.value.save_as(pdf)
        page.goto(f"{base}/planning/plans/")
        page.screenshot(path=str(artifacts / "planning-plans-1280.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.goto(f"{base}/planning/plans/")
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "planning-plans-375.png"), full_page=True)
    assert SalesReport.objects.get(person=transactional_demo.user("sales_hb")).comments.count() == 1
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(artifacts / "planning-compile-pdf")], check=True)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "华北" in text and "周报" in text and "抓紧催收回款" in text


def test_a_won_bid_becomes_a_contract_draft(live_server, bpln, transactional_demo, artifacts):
    today = timezone.localdate()
    tender = bpln.tender(state="submitted", opening_on=today - timedelta(days=1))
    base = live_server.url
    with chromium_page(viewport=WIDE) as page:
        log_in(page, base, "sales_hb")
        page.goto(f"{base}/planning/bids/")
        page.screenshot(path=str(artifacts / "planning-bids-1280.png"), full_page=True)
        page.goto(f"{base}{tender.get_absolute_url()}")
        page.select_option("#id_result", "won")
        page.fill("#id_result_on", today.isoformat())
        submit(page, "#record-result")
        assert "请填写我方中标价格" in page.content()  # a won bid without a price
        page.select_option("#id_result", "won")
        page.fill("#id_result_on", today.isoformat())
        page.fill("#id_winning_amount", "758,000.00")
        submit(page, "#record-result")
        assert "¥758,000.00" in page.inner_text("#result")
        page.screenshot(path=str(artifacts / "planning-bid-won-1280.png"), full_page=True)
        submit(page, "#start-contract")
        assert "/contracts/" in page.url
        page.set_viewport_size(PHONE)
        page.goto(f"{base}{tender.get_absolute_url()}")
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "planning-bid-375.png"), full_page=True)
    tender = Tender.objects.get(pk=tender.pk)
    contract = Contract.objects.get(pk=tender.contract_id)
    assert (contract.amount, contract.customer_id, contract.state) == (Decimal("758000.00"), tender.customer_id,
                                                                      "draft")
    assert attachments_of(contract, "draft").count() == attachments_of(tender, "bid").count() == 1
