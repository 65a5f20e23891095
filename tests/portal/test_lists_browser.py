"""Issue 12, point 5 in real Chromium: filter the contract list, sort it by a column, export what is filtered and
read the file back; every list built on the kernel looked at at 1280 px and 375 px (screenshots)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.browser import chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_sort_and_export_the_contract_list(live_server, tmake, transactional_demo, artifacts):
    # given (ORM work outside the browser): three contracts of 张伟 in HB, one of 刘洋 in HD
    given = [("华北变电站设备合同", "100000.00", "sales_hb"), ("华北配电房改造合同", "250000.50", "sales_hb"),
             ("华北箱变采购合同", "40000.00", "sales_hb"), ("华东开关柜合同", "300000.00", "sales_hd")]
    for title, amount, by in given:
        tmake.signed(by=by, title=title, amount=Decimal(amount), on=date(2026, 3, 2), signed_on=date(2026, 3, 2))
    out = artifacts / "lists"
    out.mkdir(exist_ok=True)

    with chromium_page(viewport={"width": 1280, "height": 900}) as page:
        log_in(page, live_server.url, "director")
        page.goto(f"{live_server.url}/contracts/")
        assert page.locator("#list-count").inner_text().strip() == "共 4 条"
        # filter by region HB with the form: the URL keeps the filter
        page.select_option("#id_region", "HB")
        page.fill("#id_date_from", "2026-03-01")
        page.click("#list-filter button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "region=HB" in page.url and "date_from=2026-03-01" in page.url
        assert page.locator("#list-count").inner_text().strip() == "共 3 条"
        assert "¥390,000.50" in page.locator("#list-summary").inner_text()
        # sort by amount (the column header), then descending
        page.click("#contract-list th a[data-sort=amount]")
        page.wait_for_load_state("networkidle")
        page.click("#contract-list th a[data-sort=amount]")
        page.wait_for_load_state("networkidle")
        assert "sort=-amount" in page.url and "region=HB" in page.url
        titles = page.locator("#contract-list tbody tr td:first-child a").all_inner_texts()
        assert titles == ["华北配电房改造合同", "华北变电站设备合同", "华北箱变采购合同"]
        page.screenshot(path=str(out / "contracts-filtered-1280.png"), full_page=True)
        # export exactly what is filtered, in that order
        with page.expect_download() as download:
            page.click("#list-export")
        content = download.value.path().read_bytes()
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:-1]] == ["华北配电房改造合同", "华北变电站设备合同", "华北箱变采购合同"]
    assert rows[-1][0] == "合计" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sum(Decimal(str(r[7])) for r in rows[1:-1]) == Decimal("390000.50")

    with chromium_page(viewport={"width": 375, "height": 812}) as phone:
        log_in(phone, live_server.url, "director")
        phone.goto(f"{live_server.url}/contracts/?region=HB&sort=-amount")
        assert phone.locator("#id_sort").is_visible()  # on a phone the column headers are hidden: a sort menu
        assert phone.locator("#id_sort").input_value() == "-amount"
        phone.screenshot(path=str(out / "contracts-filtered-375.png"), full_page=True)


LISTS = [
    ("director", "/contracts/customers/", "customers"),
    ("director", "/handoff/", "handoffs"),
    ("finance", "/receivables/", "projects"),
    ("finance", "/receivables/aging/", "aging"),
    ("director", "/receivables/ledger/", "ledger"),
    ("cs", "/repairs/", "tickets"),
    ("mgmt_manager", "/planning/bids/", "bids"),
]


def test_every_list_at_1280_and_375(live_server, tmake, transactional_demo, artifacts):
    from receivables.services import acceptance_submit, invoice_record, project_register
    from repairs.services import ticket_register
    from tests.factories import pdf_upload

    # a few records in every list (ORM work before the browser starts)
    demo = transactional_demo
    contract = tmake.signed(by="sales_hb", title="国网北京电力公司10kV配电设备采购合同", amount=Decimal("1280000.00"),
                            participants=True, on=date(2026, 3, 2), signed_on=date(2026, 3, 2))
    project = project_register(contract_id=contract.pk, by=None)
    acceptance_submit(project_id=project.pk, by=demo.user("xxx_head"), report_date=date(2026, 3, 20),
                      notice="工程已全部完工，特此通知。", report_scan=pdf_upload())
    invoice_record(project_id=project.pk, by=demo.user("finance"), number="INV-LIST-1", issued_on=date(2026, 4, 1),
                   amount=Decimal("1280000.00"))
    ticket_register(by=demo.user("cs"), category="repair", customer_id=contract.customer_id,
                    unit_name=contract.customer.name, contact_name="王经理", contact_phone="13800001111",
                    fault="10kV开关柜合闸后跳闸", site_address="北京市海淀区学院路1号")
    out = artifacts / "lists"
    out.mkdir(exist_ok=True)
    for width, height in ((1280, 900), (375, 812)):
        with chromium_page(viewport={"width": width, "height": height}) as page:
            who = None
            for username, path, name in LISTS:
                if username != who:
                    page.context.clear_cookies()
                    log_in(page, live_server.url, username)
                    who = username
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, path
                if name != "aging":
                    assert page.locator("#list-filter").is_visible() and page.locator("#list-count").is_visible()
                    # nothing wider than the screen
                    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (name, width)
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
