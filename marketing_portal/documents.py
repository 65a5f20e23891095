"""Printed and exported documents (SPEC X-6): PDFs with a CJK font, Excel files written in constant memory."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone


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


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal | int | float | date | str) or value is None:
        return value
    return str(value)


def write_xlsx(target, *, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence],
               money_columns: Sequence[int] = (), widths: Sequence[int] | None = None) -> None:
    """Write one sheet with openpyxl's write-only mode: rows are consumed one by one, memory stays flat."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for index, width in enumerate(widths or [16] * len(headers)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    sheet.freeze_panes = "A2"
    money = set(money_columns)
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=_cell(value))
            if index in money:
                cell.number_format = '"¥"#,##0.00'
            elif isinstance(value, date | datetime):
                cell.number_format = "yyyy-mm-dd" if not isinstance(value, datetime) else "yyyy-mm-dd hh:mm"
            cells.append(cell)
        sheet.append(cells)
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
