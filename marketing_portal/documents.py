"""Printed and exported documents (SPEC X-6): PDFs with a CJK font, Excel files written in constant memory."""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """Render a template (extending ``pdf/base.html``, which names the CJK font) to PDF bytes."""
    from weasyprint import HTML  # imported late: loading Pango takes a moment

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _disposition(kind: str, filename: str) -> str:
    # RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name, so Chinese file names survive every browser.
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = _disposition("inline" if inline else "attachment", filename)
    return response


# Excel (X-6, issue 12 point 10, issue 13 point 4)
# --------------------------------------------------------------------------------------------------
# A spreadsheet program runs a cell that starts with one of these as a formula (=, and +, -, @ which Excel
# turns into one; a leading tab or CR hides the same). Such a string is written as text, with the quote prefix
# Excel itself sets when someone types '=1+1, so editing the cell later does not turn it into a formula either.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
WIDTH_SAMPLE = 1000  # rows measured for the column widths (write-only mode writes the widths first)
MAX_WIDTH = 60  # a column stops growing here; longer text stays readable in the cell and in the formula bar


def _cell(value):
    """A value as openpyxl should store it: local naive datetimes, text without control characters."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal | int | float | date) or value is None:
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def text_width(text: str) -> int:
    """How many columns of Excel's default font a text takes: CJK (wide and full-width) characters count double."""
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.splitlines()), default=0)


def _shown_width(value, is_money: bool) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if is_money and isinstance(value, Decimal | int | float):
        return len(f"¥{Decimal(value):,.2f}")
    return text_width(str(value))


def write_xlsx(target, *, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence],
               money_columns: Sequence[int] = (), widths: Sequence[int] | None = None,
               total_columns: Sequence[int] | None = None) -> None:
    """Write one sheet that opens ready to work, in one pass over the rows and in constant memory.

    The header row is frozen and carries the autofilter; every column is as wide as its widest cell among the
    first ``WIDTH_SAMPLE`` rows (CJK characters count double; ``widths`` gives, per column, the most it may grow,
    default ``MAX_WIDTH``); money columns show ¥ with thousands separators, dates and times their own formats;
    below the rows a 合计 row sums ``total_columns`` (default: the money columns) with SUBTOTAL, so the sums follow
    what the autofilter shows. Strings a spreadsheet would run as a formula are written as text (formula injection).

    openpyxl's write-only mode writes the column widths before the first row, so only the first ``WIDTH_SAMPLE``
    rows are held (to measure them); every later row is written as it comes and forgotten.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    money = set(money_columns)
    totals = sorted(money if total_columns is None else set(total_columns))
    caps = list(widths or [])
    fit = [text_width(str(title)) + 4 for title in headers]  # + the autofilter's button
    rows = iter(rows)
    sample = [[_cell(value) for value in row] for row in islice(rows, WIDTH_SAMPLE)]
    for values in sample:
        for index, value in enumerate(values):
            if index >= len(fit):
                fit.append(0)
            fit[index] = max(fit[index], _shown_width(value, index in money) + 2)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for index, width in enumerate(fit):
        cap = caps[index] if index < len(caps) and caps[index] else MAX_WIDTH
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(6, min(width, max(cap, 6)))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def styled(value, index, *, font=None):
        if font is None and (value is None or (isinstance(value, str) and not is_formula_like(value))
                             or (index not in money and isinstance(value, Decimal | int | float))):
            return value  # a plain value needs no cell of its own (most of them: the cost of a big export)
        cell = WriteOnlyCell(sheet, value=value)
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        elif index in money and isinstance(value, Decimal | int | float):
            cell.number_format = MONEY_FORMAT
        elif isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        if font is not None:
            cell.font = font
        return cell

    sheet.append([styled(_cell(title), None, font=bold) for title in headers])
    count = 0
    columns = len(fit)
    for values in chain(sample, ([_cell(value) for value in row] for row in rows)):
        sheet.append([styled(value, index) for index, value in enumerate(values)])
        columns = max(columns, len(values))
        count += 1
    last_column = get_column_letter(max(columns, 1))
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    if totals and count:
        total_row = []
        for index in range(columns):
            letter = get_column_letter(index + 1)
            if index in totals:
                cell = WriteOnlyCell(sheet, value=f"=SUBTOTAL(109,{letter}2:{letter}{count + 1})")
                cell.number_format = MONEY_FORMAT if index in money else "#,##0.##"
            else:
                cell = WriteOnlyCell(sheet, value=str(_("Total")) if index == 0 else None)
            cell.font = bold
            total_row.append(cell)
        sheet.append(total_row)
    workbook.save(target)


def xlsx_response(filename: str, **kwargs) -> FileResponse:
    """Build the workbook in a temporary file and stream it to the client in chunks."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(spool, **kwargs)
    spool.seek(0)
    response = FileResponse(
        spool, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = _disposition("attachment", filename)
    return response
