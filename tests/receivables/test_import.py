"""RCV-11: Excel imports — every row checked, a preview, row-level errors in Chinese, all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from receivables import imports
from receivables.models import ImportBatch, Invoice, Receipt

from .conftest import xlsx_file

pytestmark = pytest.mark.django_db

ACCOUNTING = ["类型", "项目编号", "合同编号", "日期", "金额", "发票号码", "银行流水号", "付款单位", "备注"]
BANK = ["交易日期", "收入金额", "交易流水号", "项目编号", "对方户名", "摘要"]


@pytest.fixture
def accepted(rcv, on_day):
    on_day(date(2026, 3, 1))
    return rcv.project(accepted_on=date(2026, 1, 10))


def check(demo, rows, header=ACCOUNTING, kind="accounting", name="export.xlsx"):
    return imports.import_check(upload=xlsx_file(rows, name=name, header=header), kind=kind, by=demo.user("finance"))


def messages(batch):
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


def test_a_clean_accounting_export_is_previewed_then_imported_in_full(accepted, demo):
    rows = [
        ["发票", accepted.number, "", date(2026, 1, 20), 600000, "44010001", "", "", "首期"],
        ["发票", accepted.number, "", "2026-02-05", "400,000.00", "44010002", "", "", ""],
        ["回款", accepted.number, "", "2026/02/20", 950000, "", "BK-0001", "某供电公司", ""],
    ]
    batch = check(demo, rows)
    assert batch.state == "previewed" and batch.errors == [] and batch.row_count == 3
    assert not Invoice.objects.exists()  # the preview records nothing
    imports.import_confirm(batch_id=batch.pk, by=demo.user("finance"))
    batch.refresh_from_db()
    assert batch.state == "imported" and batch.imported_by == demo.user("finance")
    assert Invoice.objects.filter(import_batch=batch).count() == 2
    assert Receipt.objects.get(import_batch=batch).bank_reference == "BK-0001"
    accepted.refresh_from_db()
    assert (accepted.invoiced_on, accepted.collected_on, accepted.stage) == (date(2026, 2, 5), date(2026, 2, 20),
                                                                             "warranty")
    with pytest.raises(ValidationError) as error:
        imports.import_confirm(batch_id=batch.pk, by=demo.user("finance"))
    assert "已经导入" in error.value.messages[0]


def test_a_bank_statement_by_contract_number_under_a_title_row(accepted, demo, rcv):
    from contracts.models import Contract

    Contract.objects.filter(pk=accepted.contract_id).update(archive_number="HB-2026-0042", archive_year=2026,
                                                            archive_seq=42)
    rcv.invoice(accepted, date(2026, 1, 20))
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["中国工商银行 账户明细"])  # a title above the table
    sheet.append(["交易日期", "收入金额", "交易流水号", "合同编号", "对方户名"])
    sheet.append([date(2026, 2, 1), 500000.5, "ICBC-1", "HB-2026-0042", "某供电公司"])
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("icbc.xlsx", buffer.getvalue())
    batch = imports.import_check(upload=upload, kind="bank", by=demo.user("finance"))
    assert batch.errors == []
    imports.import_confirm(batch_id=batch.pk, by=demo.user("finance"))
    assert Receipt.objects.get().amount == Decimal("500000.50")


def test_every_bad_row_is_reported_with_row_and_column_in_chinese(accepted, demo, rcv):
    rcv.invoice(accepted, date(2026, 1, 20), amount=Decimal("300000.00"), number="44000001")
    rcv.receipt(accepted, date(2026, 1, 25), Decimal("100000.00"), reference="BK-OLD")
    rows = [
        ["发票", "XM9999-99999", "", date(2026, 2, 1), 1000, "N1", "", "", ""],  # 2: unknown project
        ["发票", accepted.number, "", date(2026, 1, 9), 1000, "N2", "", "", ""],  # 3: before acceptance
        ["回款", accepted.number, "", date(2026, 2, 1), 200000.01, "", "BK-NEW", "", ""],  # 4: more than owed
        ["回款", accepted.number, "", date(2026, 2, 1), 10, "", "BK-OLD", "", ""],  # 5: duplicate reference (stored)
        ["回款", accepted.number, "", date(2026, 2, 1), 10, "", "BK-X", "", ""],  # 6: fine
        ["回款", accepted.number, "", date(2026, 2, 2), 10, "", "BK-X", "", ""],  # 7: duplicate in the file
        ["发票", accepted.number, "", "明天", 10, "N3", "", "", ""],  # 8: not a date
        ["发票", accepted.number, "", date(2026, 2, 1), "12.345", "N4", "", "", ""],  # 9: not an amount
        ["退款", accepted.number, "", date(2026, 2, 1), 10, "", "", "", ""],  # 10: unknown type
        ["发票", accepted.number, "", date(2026, 2, 1), 10, "44000001", "", "", ""],  # 11: invoice number stored
        ["发票", "", "", date(2026, 2, 1), 10, "N5", "", "", ""],  # 12: no project named
    ]
    batch = check(demo, rows)
    assert batch.state == "rejected"
    found = messages(batch)
    assert (2, "项目编号", "项目编号“XM9999-99999”不存在。") in found
    assert (3, "日期", "开票日期 2026-01-09 早于验收日期 2026-01-10。") in found
    assert (4, "金额", "¥200,000.01 超过应收金额 ¥200,000.00（已开票 ¥300,000.00，已回款 ¥100,000.00）。") in found
    assert (5, "银行流水号", "银行流水号 BK-OLD 已经登记过。") in found
    assert not [m for m in found if m[0] == 6]
    assert (7, "银行流水号", "银行流水号 BK-X 在文件中重复出现（第 6 行和第 7 行）。") in found
    assert (8, "日期", "“明天”不是有效日期（格式如 2026-11-05）。") in found
    assert (9, "金额", "“12.345”不是有效的金额（元，最多两位小数）。") in found
    assert (10, "类型", "“退款”既不是“发票”也不是“回款”。") in found
    assert (11, "发票号码", "发票号码 44000001 已经登记过。") in found
    assert (12, "项目编号", "该行未填写项目编号或合同编号。") in found
    with pytest.raises(ValidationError):
        imports.import_confirm(batch_id=batch.pk, by=demo.user("finance"))
    assert Invoice.objects.count() == 1 and Receipt.objects.count() == 1  # nothing of the file was stored


def test_rows_made_invalid_after_the_preview_import_nothing(accepted, demo, rcv):
    rcv.invoice(accepted, date(2026, 1, 20))
    batch = check(demo, [["回款", accepted.number, "", date(2026, 2, 1), 1000, "", "BK-A", "", ""],
                         ["回款", accepted.number, "", date(2026, 2, 2), 2000, "", "BK-B", "", ""]])
    assert batch.state == "previewed"
    rcv.receipt(accepted, date(2026, 2, 3), Decimal("5"), reference="BK-B")  # someone recorded it meanwhile
    with pytest.raises(ValidationError) as error:
        imports.import_confirm(batch_id=batch.pk, by=demo.user("finance"))
    assert "预览之后" in error.value.messages[0]
    batch.refresh_from_db()
    assert batch.state == "rejected" and "BK-B" in batch.errors[0]["message"]
    assert not Receipt.objects.filter(bank_reference="BK-A").exists()


def broken_workbook():
    """A zip that looks like an .xlsx by its member names but is not a workbook."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    return SimpleUploadedFile("bank.xlsx", buffer.getvalue())


@pytest.mark.parametrize(("upload", "words"), [
    (SimpleUploadedFile("bank.xlsx", b"PK\x03\x04 not really a workbook" * 20), "文件类型"),
    (broken_workbook(), "无法作为 Excel 工作簿"),
    (SimpleUploadedFile("bank.xlsx", b"%PDF-1.4\n%%EOF\n" * 10), "文件类型"),
    (xlsx_file([[1, 2, 3]], header=["甲", "乙", "丙"]), "表头缺少"),
    (xlsx_file([], header=ACCOUNTING), "没有数据行"),
])
def test_a_malformed_file_is_refused_and_nothing_is_stored(demo, today, upload, words):
    with pytest.raises(ValidationError) as error:
        imports.import_check(upload=upload, kind="accounting", by=demo.user("finance"))
    assert words in " ".join(error.value.message_dict["file"])
    assert not ImportBatch.objects.exists()


def test_only_finance_imports(demo, today):
    with pytest.raises(ValidationError):
        imports.import_check(upload=xlsx_file([], header=ACCOUNTING), kind="accounting", by=demo.user("sales_hb"))
