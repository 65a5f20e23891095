"""X-6 / X-1: Chinese PDFs that render, streamed Excel, amounts as users read them."""

import io
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from marketing_portal.documents import render_pdf, write_xlsx, xlsx_response
from marketing_portal.money import capital_yuan, format_yuan


@pytest.mark.parametrize(
    ("amount", "yuan", "capital"),
    [
        ("1234567.89", "¥1,234,567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("100", "¥100.00", "壹佰元整"),
        ("10005.00", "¥10,005.00", "壹万零伍元整"),
        ("0", "¥0.00", "零元整"),
        ("0.05", "¥0.05", "伍分"),
        ("-12", "-¥12.00", "负壹拾贰元整"),
    ],
)
def test_amounts(amount, yuan, capital):
    assert format_yuan(Decimal(amount)) == yuan
    assert capital_yuan(Decimal(amount)) == capital


def test_amounts_are_never_floats():
    with pytest.raises(TypeError):
        format_yuan(0.1)


def test_pdf_prints_chinese_text_with_an_embedded_cjk_font(tmp_path):
    pdf = render_pdf("pdf/sample.html", {"title": "合同审批单", "amount": Decimal("1234567.89")})
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "sample.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "合同审批单" in text
    assert "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts or "NotoSansCJK" in fonts


def test_excel_is_written_row_by_row_and_reads_back(tmp_path):
    rows = ((f"项目{i}", Decimal(i) * Decimal("1000.10")) for i in range(1, 2001))  # a generator: never a list
    target = tmp_path / "台账.xlsx"
    write_xlsx(target, sheet_title="台账", headers=["项目", "金额"], rows=rows, money_columns=[1])
    sheet = load_workbook(target, read_only=True)["台账"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("项目", "金额")
    assert values[1] == ("项目1", 1000.1)
    assert len(values) == 2002
    assert values[-1] == ("合计", "=SUBTOTAL(109,B2:B2001)")


def test_excel_response_is_streamed_with_a_chinese_file_name():
    response = xlsx_response("合同台账.xlsx", sheet_title="台账", headers=["a"], rows=iter([[1], [2]]))
    assert response.streaming
    assert "filename*=UTF-8''%E5%90%88%E5%90%8C" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.active["A3"].value == 2
