"""Issue point 9: in real Chromium, a demo salesperson drafts and submits; the department leader, finance,
legal and the GM approve from their own logins; the clerk registers; Administration archives."""

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "contracts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]


def test_contract_travels_the_whole_chain_in_the_browser(live_server, tmake, transactional_demo, tmp_path):
    from django.conf import settings
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from contracts.models import Contract

    # given (ORM work outside the browser block): a customer with a valid due-diligence record
    customer = tmake.customer(region="HB", by="sales_hb", name="北京京能配电工程有限公司")
    today = timezone.localdate()
    scan = tmp_path / "签字盖章扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%signed\n%%EOF\n")
    text = tmp_path / "合同文本.pdf"
    text.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%text\n%%EOF\n")
    password = settings.PORTAL_DEMO_PASSWORD
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    title = "京能配电室改造设备合同"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)

        def session(username, width=1280):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r".*/$"))
            return context, page

        def open_contract(page):
            page.goto(f"{live_server.url}/contracts/")
            page.get_by_role("link", name=title).click()

        # the salesperson drafts and submits
        context, page = session("sales_hb")
        page.goto(f"{live_server.url}/contracts/new/")
        page.fill("#id_title", title)
        page.select_option("#id_customer", str(customer.pk))
        page.fill("#id_amount", "268000.00")
        page.fill("#id_starts_on", today.isoformat())
        page.fill("#id_ends_on", today.replace(month=12, day=31).isoformat() if today.month < 12 else
                  today.isoformat())
        page.fill("#id_non_standard_reason", "客户提供的合同文本")
        page.fill("#id_payment_terms", "预付30%，到货验收后付65%，质保金5%")
        page.screenshot(path=str(ARTIFACTS / "01-draft-form.png"), full_page=True)
        page.click("#contract-form button[type=submit]")
        expect(page.locator("h1")).to_have_text(title)
        # no blind approvals (issue 12): the draft text the approvers read is uploaded before submitting
        page.set_input_files("#id_text_file", str(text))
        page.click("#draft-text button[type=submit]")
        expect(page.locator("#draft-text-state")).to_contain_text("合同文本.pdf")
        page.click("#submit-contract")
        expect(page.locator("#contract-flags")).to_contain_text("部门领导审核")
        page.screenshot(path=str(ARTIFACTS / "02-submitted.png"), full_page=True)
        context.close()

        # each reviewer approves from their own login
        for username, shot in (("director", "03-leader"), ("finance", "04-finance"), ("legal", "05-legal"),
                               ("gm", "06-gm")):
            context, page = session(username)
            open_contract(page)
            page.fill(".decision-form textarea[name=comment]", "同意")
            page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
            page.click(".decision-form button[value=approve]")
            expect(page.locator(".alert-success")).to_contain_text("已审批同意")
            context.close()

        # the handler records the signing with the scan
        context, page = session("sales_hb")
        open_contract(page)
        expect(page.locator("#contract-flags")).to_contain_text("已批准，待签订")
        page.set_input_files("input[name=scan]", str(scan))
        page.get_by_role("button", name="登记签订").click()
        expect(page.locator("#contract-flags")).to_contain_text("已签订，待登记")
        context.close()

        # the designated marketing clerk registers
        context, page = session("clerk")
        open_contract(page)
        page.fill("input[name=notes]", "已录入合同台账")
        page.get_by_role("button", name="登记", exact=True).click()
        expect(page.locator("#contract-flags")).to_contain_text("已登记，待归档")
        context.close()

        # Administration numbers and files the original
        context, page = session("archivist")
        open_contract(page)
        page.fill("input[name=cabinet]", "A柜")
        page.fill("input[name=box]", "华北-3盒")
        page.get_by_role("button", name="编号归档").click()
        number = f"HB-{today.year}-0001"
        expect(page.locator("#archive-number")).to_have_text(number)
        page.screenshot(path=str(ARTIFACTS / "07-archived.png"), full_page=True)
        context.close()

        # the list on a phone shows the number
        context, page = session("sales_hb", width=375)
        page.goto(f"{live_server.url}/contracts/")
        expect(page.locator("#contract-list")).to_contain_text(number)
        page.screenshot(path=str(ARTIFACTS / "08-list-phone.png"), full_page=True)
        context.close()
        browser.close()

    contract = Contract.objects.get(title=title)
    assert contract.state == "archived" and contract.archive_number == number
    assert list(contract.steps.filter(kind__in=["leader", "finance", "legal", "gm"])
                .values_list("decided_by__username", flat=True).order_by("pk")) == ["director", "finance", "legal",
                                                                                   "gm"]
