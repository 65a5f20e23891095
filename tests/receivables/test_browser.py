"""Issue 5, point 10, in a real Chromium: Finance records an invoice and a receipt on the project page; the sales
owner then sees the deduction history (and the step the late invoice cancelled) and the next deadline."""

from datetime import date

import pytest

from receivables.models import CommissionEntry, Project
from tests.browser import DESKTOP, PHONE, chromium_page, log_in, log_out

from .conftest import TODAY, Factory

pytestmark = pytest.mark.browser


def test_finance_records_invoice_and_receipt_and_the_owner_sees_deductions_and_next_deadline(
        live_server, transactional_demo, clock, artifacts):
    # given: accepted 2026-07-20, invoice deadline 2026-08-20; by 2026-11-29 three 5 % steps (09-19, 10-19, 11-18)
    clock.set(TODAY, dates_only=True)  # the browser must keep its session cookie: only the date is frozen
    project = Factory(transactional_demo).project(accepted_on=date(2026, 7, 20), owner="sales_hd")
    assert project.deduction_percent == 15
    url = f"{live_server.url}{project.get_absolute_url()}"

    with chromium_page(viewport=DESKTOP) as page:
        # when: Finance records the invoice (dated 2026-11-10, before the third step) and a first receipt
        log_in(page, live_server.url, "finance")
        page.goto(url)
        page.click("#record-invoice")
        page.fill("#invoice-form [name=number]", "44260011")
        page.fill("#invoice-form [name=issued_on]", "2026-11-10")
        page.fill("#invoice-form [name=amount]", "1000000.00")
        page.click("#invoice-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "发票已登记。" in page.inner_text("main")
        # a receipt larger than what is owed is refused, in Chinese, next to the field
        page.click("#record-receipt")
        page.fill("#receipt-form [name=received_on]", "2026-11-25")
        page.fill("#receipt-form [name=amount]", "1000000.01")
        page.fill("#receipt-form [name=bank_reference]", "ICBC20261125001")
        page.click("#receipt-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "超过应收金额 ¥1,000,000.00" in page.inner_text("#receipt-form")
        page.fill("#receipt-form [name=amount]", "400000.00")
        page.click("#receipt-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "回款已登记。" in page.inner_text("main")
        page.screenshot(path=str(artifacts / "receivables-finance-desktop.png"), full_page=True)
        log_out(page)

        # then: the owner sees the deductions, the reversed third step and the next deadline
        log_in(page, live_server.url, "sales_hd")
        page.goto(url)
        timeline = page.inner_text("#timeline")
        assert "开票逾期扣减提成（第1期）" in timeline and "开票逾期扣减提成（第2期）" in timeline
        assert "冲回" in timeline  # the third step is no longer due: the invoice is dated before it
        assert "发票 44260011" in timeline and "款项到账" in timeline
        ledger = page.inner_text("#ledger-table")
        assert ledger.count("扣减") >= 3 and "政策" in page.inner_text("#ledger")
        assert page.inner_text("#deducted-percent") == "10.00%"
        next_steps = page.inner_text("#next-steps")
        # collection within 60 days of the invoice: 2027-01-09 is a Saturday -> Monday 2027-01-11
        assert "回款期限" in next_steps and "2027-01-11" in next_steps
        page.screenshot(path=str(artifacts / "receivables-owner-desktop.png"), full_page=True)

    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server.url, "sales_hd")
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert "2027-01-11" in page.inner_text("#next-steps")
        page.screenshot(path=str(artifacts / "receivables-owner-phone.png"), full_page=True)

    project = Project.objects.get(pk=project.pk)
    assert (project.stage, project.invoiced_on, project.deduction_percent) == ("collecting", date(2026, 11, 10), 10)
    assert CommissionEntry.objects.filter(project=project, kind="reversal").count() == 1
