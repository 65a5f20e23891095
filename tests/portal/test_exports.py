"""Excel exports open ready to work (issue 12, point 10) and never carry a formula someone typed (issue 13, 4).

Real exports on PostgreSQL, read back with openpyxl: a customer named ``=HYPERLINK("http://x","y")`` and a
contract titled ``=1+1`` come back as text cells with the quote prefix, in every export they appear in; the only
formulas in a file are the 合计 row's SUBTOTALs the portal writes itself.
"""

from __future__ import annotations

import io
import pathlib
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from marketing_portal.documents import text_width, write_xlsx

HOSTILE_CUSTOMER = '=HYPERLINK("http://x","y")'
HOSTILE_TITLE = "=1+1"
TRIGGERS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", HOSTILE_CUSTOMER]


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _formulas(sheet):
    return [(c.coordinate, c.value) for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def _assert_text(sheet, value):
    value = value.replace("\r", "\n")  # XML reads a stored CR back as LF
    cells = [c for row in sheet.iter_rows() for c in row if c.value == value]
    assert cells, f"{value!r} is not in the export"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.data_type)


def test_every_formula_trigger_is_written_as_text(tmp_path):
    target = tmp_path / "t.xlsx"
    write_xlsx(target, sheet_title="t", headers=["名称"], rows=([v] for v in TRIGGERS))
    sheet = load_workbook(target).active
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(TRIGGERS))] == [
        v.replace("\r", "\n") for v in TRIGGERS]
    for value in TRIGGERS:
        _assert_text(sheet, value)
    assert _formulas(sheet) == []
    # ordinary text keeps no quote prefix; a control character openpyxl refuses is dropped, not a 500
    write_xlsx(target, sheet_title="t", headers=["名称"], rows=iter([["华北电力 A-1"], ["坏\x07字"]]))
    sheet = load_workbook(target).active
    assert (sheet["A2"].value, sheet["A2"].quotePrefix, sheet["A3"].value) == ("华北电力 A-1", False, "坏字")


@pytest.fixture
def hostile(make, demo):
    """A signed sales contract titled ``=1+1`` for a customer named ``=HYPERLINK(...)``, with its project."""
    from receivables.services import acceptance_submit, project_register
    from tests.factories import pdf_upload

    customer = make.customer(name=HOSTILE_CUSTOMER, region="HB", by="sales_hb")
    contract = make.signed(customer=customer, title=HOSTILE_TITLE, amount=Decimal("120000.00"))
    project = project_register(contract_id=contract.pk, by=None)
    acceptance_submit(project_id=project.pk, by=demo.user("xxx_head"), report_date=contract.signed_on,
                      notice="工程已全部完工，特此通知。", report_scan=pdf_upload())
    return {"customer": customer, "contract": contract, "project": project}


def test_contract_register_writes_the_title_and_the_customer_as_text(hostile, client, demo):
    client.force_login(demo.user("sales_hb"))
    sheet = _sheet(client.get(reverse("contracts:register-export")))
    _assert_text(sheet, HOSTILE_TITLE)
    _assert_text(sheet, HOSTILE_CUSTOMER)
    last = sheet.max_row
    assert sheet[f"A{last}"].value == "合计"
    assert _formulas(sheet) == [(f"H{last}", f"=SUBTOTAL(109,H2:H{last - 1})")]


@pytest.mark.parametrize("url", ["receivables:project-export", "receivables:aging-export"])
def test_receivables_exports_write_the_customer_as_text(hostile, client, demo, url):
    client.force_login(demo.user("finance"))
    for query in ("", "?by=customer") if url == "receivables:aging-export" else ("",):
        sheet = _sheet(client.get(reverse(url) + query))
        _assert_text(sheet, HOSTILE_CUSTOMER)
        assert all(value.startswith("=SUBTOTAL(109,") for _coord, value in _formulas(sheet))


def test_repair_ticket_export_writes_the_unit_as_text(hostile, client, demo):
    from repairs.services import ticket_register

    ticket_register(by=demo.user("cs"), category="repair", customer_id=hostile["customer"].pk,
                    unit_name=HOSTILE_CUSTOMER, contact_name="@王经理", contact_phone="+86 138 0000 1111",
                    fault="-10kV开关柜跳闸", site_address="北京市海淀区")
    client.force_login(demo.user("cs"))
    sheet = _sheet(client.get(reverse("repairs:export")))
    for value in (HOSTILE_CUSTOMER, "@王经理", "+86 138 0000 1111"):
        _assert_text(sheet, value)
    assert _formulas(sheet) == []


def test_no_app_writes_a_workbook_of_its_own():
    """Every export goes through documents.write_xlsx, so the rules above hold for all of them."""
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for app in ("contracts", "handoff", "receivables", "repairs", "planning",
                                                      "org", "marketing_portal")
                 for p in (root / app).rglob("*.py")
                 if "Workbook(" in p.read_text() and p.name != "documents.py"]
    assert offenders == []


def test_export_opens_ready_to_work(tmp_path):
    """Frozen header, autofilter over the rows, widths that fit (CJK double), formats, a SUBTOTAL 合计 row."""
    target = tmp_path / "台账.xlsx"
    rows = [["HT-1", "国家电网华北分部", Decimal("1234567.89"), date(2026, 3, 1), datetime(2026, 3, 1, 9, 30), 2],
            ["HT-22", "ABC", Decimal("-10.00"), None, None, 3]]
    write_xlsx(target, sheet_title="台账", headers=["编号", "客户", "金额", "签订日期", "登记时间", "件数"],
               rows=iter(rows), money_columns=[2], total_columns=[2, 5])
    sheet = load_workbook(target).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"  # the header and the rows; the 合计 row stays out of sorting
    assert sheet["A1"].font.b and sheet["A4"].font.b
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    # 编号: header 2 CJK = 4 + 4 (filter button) = 8; 客户: 8 CJK = 16 + 2; 金额: "¥1,234,567.89" 13 + 2
    assert (widths["A"], widths["B"], widths["C"]) == (8, 18, 15)
    assert (widths["D"], widths["E"]) == (12, 18)  # 签订日期 header (8+4); a date and time 16 + 2
    assert sheet["C2"].number_format == '"¥"#,##0.00' and sheet["C2"].value == 1234567.89
    assert sheet["D2"].number_format == "yyyy-mm-dd" and sheet["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert [sheet.cell(row=4, column=i).value for i in range(1, 7)] == [
        "合计", None, "=SUBTOTAL(109,C2:C3)", None, None, "=SUBTOTAL(109,F2:F3)"]
    assert sheet["C4"].number_format == '"¥"#,##0.00'
    assert text_width("国家电网 A") == 10


def test_no_totals_row_without_rows_or_sums(tmp_path):
    target = tmp_path / "t.xlsx"
    write_xlsx(target, sheet_title="t", headers=["金额"], rows=iter([]), money_columns=[0])
    write_xlsx(tmp_path / "u.xlsx", sheet_title="u", headers=["项目", "值"], rows=iter([["a", "b"]]))
    assert load_workbook(target).active.max_row == 1
    assert load_workbook(tmp_path / "u.xlsx").active.max_row == 2


def test_rows_are_read_once_and_widths_come_from_the_first_thousand(tmp_path):
    """One pass: the rows are a generator read once; a long text after the first 1,000 rows does not widen
    its column (write-only mode writes the widths before the first row), but it is written whole."""
    from marketing_portal.documents import WIDTH_SAMPLE

    read = []

    def rows():
        for n in range(WIDTH_SAMPLE + 200):
            read.append(n)
            yield [f"HT-{n}", "国家电网" * 30 if n == WIDTH_SAMPLE + 100 else "短", Decimal(n)]

    target = tmp_path / "long.xlsx"
    write_xlsx(target, sheet_title="台账", headers=["编号", "客户", "金额"], rows=rows(), money_columns=[2])
    assert read == list(range(WIDTH_SAMPLE + 200))
    sheet = load_workbook(target).active
    assert sheet.column_dimensions["B"].width == 8  # 客户 header (4 + 4 for the filter button), not the long name
    assert sheet.cell(row=WIDTH_SAMPLE + 102, column=2).value == "国家电网" * 30
    assert sheet.auto_filter.ref == f"A1:C{WIDTH_SAMPLE + 201}"
    assert sheet.cell(row=WIDTH_SAMPLE + 202, column=3).value == f"=SUBTOTAL(109,C2:C{WIDTH_SAMPLE + 201})"


def test_memory_does_not_grow_with_the_rows(tmp_path):
    """Peak Python memory of 5,000 rows stays near that of 1,500 (the rows are not held)."""
    import tracemalloc

    def peak(count):
        rows = ([f"HT-{n}", "北京电力有限公司" + str(n), Decimal(n), date(2026, 1, 1)] for n in range(count))
        tracemalloc.start()
        write_xlsx(tmp_path / f"{count}.xlsx", sheet_title="t", headers=["编号", "客户", "金额", "日期"], rows=rows,
                   money_columns=[2])
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result

    small, large = peak(1500), peak(5000)
    assert large < small * 1.3, (small, large)
