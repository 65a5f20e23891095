"""Importing invoices and receipts from Excel (RCV-11): read, check every row, preview, then all or nothing.

Two kinds of file are read, both ``.xlsx`` with a header row (found among the first ten rows, so a title above
the table is fine; Chinese or English column names):

* a **bank statement**: every row is a receipt — 日期 (交易日期 / 到账日期), 金额 (收入金额 / 贷方金额), 银行流水号,
  项目编号 or 合同编号, optional 付款单位 / 对方户名 and 摘要 / 备注;
* an **accounting export**: a 类型 column says 发票 or 回款 for each row; invoices need a 发票号码.

Every row is checked against the stored data *and* the rows above it (a file may invoice a project and record
its receipt): unknown project or contract number, invoice dated before acceptance, invoice beyond the project
amount, receipt larger than what is owed, duplicate invoice number or bank reference (in the file or already
stored), malformed dates and amounts. The report names the row and column in Chinese. Confirming re-reads
the stored file and checks again; the rows are then recorded in one transaction — all of them, or none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.files import SPREADSHEETS, attachment_add, latest_attachment, validate_upload
from marketing_portal.forms import FIRST_DATE, LAST_DATE, date_in_range
from marketing_portal.money import AmountError, parse_amount

from . import rules, services
from .choices import ImportKind, ImportState, RowKind
from .models import ImportBatch, Project
from .policy import ZERO
from .services._common import _require, stored_texts

MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10

# Column key -> (label shown in reports, names accepted in the header row).
COLUMNS = {
    "kind": (gettext_lazy("Type"), ["类型", "业务类型", "单据类型", "type", "kind"]),
    "project": (gettext_lazy("Project number"), ["项目编号", "项目号", "project", "project number", "projectnumber"]),
    "contract": (gettext_lazy("Contract number"), ["合同编号", "合同档案号", "档案号", "合同号", "contract",
                                                    "contract number", "archive number"]),
    "date": (gettext_lazy("Date"), ["日期", "发票日期", "开票日期", "回款日期", "到账日期", "交易日期", "收款日期",
                                    "date"]),
    "amount": (gettext_lazy("Amount"), ["金额", "发票金额", "回款金额", "收入金额", "贷方金额", "到账金额",
                                        "收款金额", "amount"]),
    "number": (gettext_lazy("Invoice number"), ["发票号码", "发票号", "invoice number", "invoice no"]),
    "reference": (gettext_lazy("Bank reference"), ["银行流水号", "流水号", "交易流水号", "交易流水", "bank reference",
                                                   "reference"]),
    "payer": (gettext_lazy("Payer"), ["付款单位", "对方户名", "付款人", "对方单位", "payer"]),
    "note": (gettext_lazy("Note"), ["备注", "摘要", "用途", "note"]),
}
INVOICE_WORDS = {"发票", "开票", "销项发票", "invoice"}
RECEIPT_WORDS = {"回款", "收款", "到账", "银行收款", "receipt", "payment"}
# Service error fields -> report columns.
FIELD_COLUMN = {"number": "number", "issued_on": "date", "received_on": "date", "amount": "amount",
                "bank_reference": "reference"}


def _norm(text) -> str:
    return str(text or "").strip().lower().replace(" ", "").replace("*", "").replace("：", "").replace(":", "")


_ALIASES = {_norm(name): key for key, (_label, names) in COLUMNS.items() for name in names}


@dataclass
class ReadResult:
    rows: list[dict]
    errors: list[dict]


def _error(errors: list, row: int | None, column: str | None, message) -> None:
    label = str(COLUMNS[column][0]) if column else ""
    errors.append({"row": row, "column": label, "message": str(message)})


def _parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number in a cell not formatted as a date
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise ValueError
    text = str(value).strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    text = text.replace(".", "-").split(" ")[0]
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError


def _parse_amount(value) -> Decimal | None:
    """An amount cell through the kernel's parser: exact (12.345 is a wrong column, not a rounding), None when empty."""
    if value is None or value == "":
        return None
    return parse_amount(value, exact=True, allow_zero=True, allow_negative=True)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column, e.g. a contract number 20260001
    return str(value).strip()


def _open(upload):
    from openpyxl import load_workbook

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for a broken file
        raise ValidationError(_("The file cannot be read as an Excel workbook (.xlsx); it may be damaged or "
                                "saved in another format.")) from None


def read_file(upload, kind: str) -> ReadResult:
    """Read and check every row; raises ``ValidationError`` only for a file that cannot be used at all."""
    workbook = _open(upload)
    try:
        sheet = workbook.worksheets[0]
        raw_rows = []
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            raw_rows.append((index, values))
            if len(raw_rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise ValidationError(_("The file has more than %(max)s rows; split it into smaller files.") % {
                    "max": MAX_ROWS})
    finally:
        workbook.close()
    header_at, columns = None, {}
    for index, values in raw_rows[:HEADER_SEARCH_ROWS]:
        found = {}
        for position, cell in enumerate(values or ()):
            key = _ALIASES.get(_norm(cell))
            if key and key not in found:
                found[key] = position
        if "date" in found and "amount" in found:
            header_at, columns = index, found
            break
    required = ["date", "amount", "reference"] if kind == ImportKind.BANK else ["kind", "date", "amount"]
    missing = [str(COLUMNS[k][0]) for k in required if k not in columns]
    if header_at is None or missing or ("project" not in columns and "contract" not in columns):
        if "project" not in columns and "contract" not in columns:
            missing.append(_("Project number or contract number"))
        raise ValidationError(_("The header row is missing these columns: %(columns)s. Download the template to "
                                "see the expected layout.") % {"columns": "、".join(missing)})
    rows = []
    errors: list[dict] = []
    for index, values in raw_rows:
        if index <= header_at or not values or all(v in (None, "") for v in values):
            continue

        def cell(key, values=values):
            position = columns.get(key)
            return values[position] if position is not None and position < len(values) else None

        row = {"row": index, "kind": RowKind.RECEIPT.value if kind == ImportKind.BANK else "",
               "project_code": _text(cell("project")), "contract_code": _text(cell("contract")),
               "date": None, "amount": None, "number": _text(cell("number")), "reference": _text(cell("reference")),
               "payer": _text(cell("payer"))[:120], "note": _text(cell("note"))[:200], "project_id": None,
               "project_name": ""}
        if kind == ImportKind.ACCOUNTING:
            word = _norm(cell("kind"))
            if word in {_norm(w) for w in INVOICE_WORDS}:
                row["kind"] = RowKind.INVOICE.value
            elif word in {_norm(w) for w in RECEIPT_WORDS}:
                row["kind"] = RowKind.RECEIPT.value
            else:
                _error(errors, index, "kind", _("“%(value)s” is neither 发票 (invoice) nor 回款 (receipt).") % {
                    "value": _text(cell("kind"))})
        try:
            row["date"] = _parse_date(cell("date"))
            if row["date"] is None:
                _error(errors, index, "date", _("The date is empty."))
            elif not date_in_range(row["date"]):
                _error(errors, index, "date", _("Enter a date between %(first)s and %(last)s.") % {
                    "first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()})
        except (ValueError, TypeError):
            _error(errors, index, "date", _("“%(value)s” is not a date (use 2026-11-05).") % {
                "value": _text(cell("date"))})
        try:
            row["amount"] = _parse_amount(cell("amount"))
            if row["amount"] is None:
                _error(errors, index, "amount", _("The amount is empty."))
            elif row["amount"] <= 0:
                _error(errors, index, "amount", _("The amount must be positive."))
        except AmountError:
            _error(errors, index, "amount", _("“%(value)s” is not an amount in yuan.") % {
                "value": _text(cell("amount"))})
        rows.append(row)
    if not rows:
        raise ValidationError(_("The file has no data rows under its header row."))
    _check_against_data(rows, errors)
    errors.sort(key=lambda e: (e["row"] or 0))
    return ReadResult(rows=rows, errors=errors)


def _find_projects(rows) -> tuple[dict, dict]:
    numbers = {r["project_code"] for r in rows if r["project_code"]}
    archives = {r["contract_code"] for r in rows if r["contract_code"] and not r["project_code"]}
    by_number = {p.number: p for p in Project.objects.filter(number__in=numbers).select_related("contract")}
    by_archive = {p.contract.archive_number: p for p in
                  Project.objects.filter(contract__archive_number__in=archives).select_related("contract")}
    return by_number, by_archive


def _check_against_data(rows: list[dict], errors: list[dict]) -> None:
    today = timezone.localdate()
    by_number, by_archive = _find_projects(rows)
    state: dict[int, dict] = {}
    seen_numbers: dict[str, int] = {}
    seen_references: dict[str, int] = {}
    for row in rows:
        index = row["row"]
        project = by_number.get(row["project_code"]) if row["project_code"] else by_archive.get(row["contract_code"])
        if project is None:
            if row["project_code"]:
                _error(errors, index, "project", _("Unknown project number “%(code)s”.") % {
                    "code": row["project_code"]})
            elif row["contract_code"]:
                _error(errors, index, "contract", _("No project belongs to contract number “%(code)s”.") % {
                    "code": row["contract_code"]})
            else:
                _error(errors, index, "project", _("The row names no project or contract number."))
            continue
        row["project_id"], row["project_name"] = project.pk, str(project)
        if row["date"] is None or row["amount"] is None or row["amount"] <= 0 or not row["kind"]:
            continue  # already reported
        if project.pk not in state:
            totals = project.invoices.aggregate(s=Sum("amount"))["s"] or ZERO
            received = project.receipts.aggregate(s=Sum("amount"))["s"] or ZERO
            first = project.invoices.order_by("issued_on").values_list("issued_on", flat=True).first()
            state[project.pk] = {"invoiced": totals, "received": received, "first": first}
        s = state[project.pk]
        if row["kind"] == RowKind.INVOICE:
            problems = services.invoice_problems(project, number=row["number"], issued_on=row["date"],
                                                 amount=row["amount"], invoiced=s["invoiced"], today=today)
            if row["number"] and row["number"] in seen_numbers:
                problems.setdefault("number", []).append(
                    _("Invoice number %(number)s appears twice in the file (rows %(first)s and %(row)s).") % {
                        "number": row["number"], "first": seen_numbers[row["number"]], "row": index})
            if not problems:
                s["invoiced"] += row["amount"]
                s["first"] = min(filter(None, [s["first"], row["date"]]))
            if row["number"]:
                seen_numbers.setdefault(row["number"], index)
        else:
            problems = {}
            if not row["reference"]:
                problems["bank_reference"] = [_("The bank reference is empty: every imported receipt needs one.")]
            problems.update(services.receipt_problems(
                project, received_on=row["date"], amount=row["amount"], bank_reference=row["reference"],
                invoiced=s["invoiced"], received=s["received"], first_invoice_on=s["first"], today=today))
            if row["reference"] and row["reference"] in seen_references:
                problems.setdefault("bank_reference", []).append(
                    _("Bank reference %(ref)s appears twice in the file (rows %(first)s and %(row)s).") % {
                        "ref": row["reference"], "first": seen_references[row["reference"]], "row": index})
            if not problems:
                s["received"] += row["amount"]
            if row["reference"]:
                seen_references.setdefault(row["reference"], index)
        for field, messages_ in problems.items():
            for message in messages_:
                _error(errors, index, FIELD_COLUMN.get(field), message)


def _serialise(rows: list[dict]) -> list[dict]:
    return [{**r, "date": r["date"].isoformat() if r["date"] else None,
             "amount": str(r["amount"]) if r["amount"] is not None else None} for r in rows]


def import_check(*, upload, kind: str, by) -> ImportBatch:
    """Check a file and keep it with its row-level report; nothing is recorded yet (the preview).

    The report is stored with the batch, so it is written in the portal's language (``stored_texts``); refusals of
    the upload itself are in the acting user's language.
    """
    _require(by, rules.records_money, _("Only Finance imports invoices and receipts."))
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose the kind of file.")]})
    if upload is None:
        raise ValidationError({"file": [_("Choose the Excel file.")]})
    try:
        validate_upload(upload, allowed=SPREADSHEETS)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    try:
        with stored_texts():
            result = read_file(upload, kind)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind, state=ImportState.REJECTED if result.errors else ImportState.PREVIEWED,
            file_name=upload.name[:255], sha256="", row_count=len(result.rows),
            rows=_serialise(result.rows), errors=result.errors, uploaded_by=by)
        stored = attachment_add(owner=batch, upload=upload, by=by, slot="file", allowed=SPREADSHEETS)
        batch.sha256 = stored.sha256
        batch.save(update_fields=["sha256"])
    return batch


class _StoredFile(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def import_confirm(*, batch_id: int, by) -> ImportBatch:
    """Record every row of a checked file in one transaction, or nothing (RCV-11)."""
    _require(by, rules.records_money, _("Only Finance imports invoices and receipts."))
    failed = None
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state == ImportState.IMPORTED:
            raise services.ReceivablesError(_("This file was already imported."))
        if batch.state != ImportState.PREVIEWED:
            raise services.ReceivablesError(_("This file has errors; correct it and upload it again."))
        stored = latest_attachment(batch, "file")
        with stored.file.open("rb") as handle:
            upload = _StoredFile(handle.read(), batch.file_name)
        with stored_texts():  # the report is stored with the batch
            try:
                result = read_file(upload, batch.kind)
            except ValidationError as exc:
                result = None
                failed = exc.messages
            if result is not None and result.errors:
                failed = [_("Since the preview, other entries made these rows invalid:")]
        if failed:
            batch.state = ImportState.REJECTED
            batch.errors = result.errors if result is not None else [{"row": None, "column": "", "message": m}
                                                                     for m in failed]
            batch.save(update_fields=["state", "errors"])
        else:
            touched = []
            for row in result.rows:
                try:
                    if row["kind"] == RowKind.INVOICE:
                        services.invoice_record(project_id=row["project_id"], by=by, number=row["number"],
                                                issued_on=row["date"], amount=row["amount"], note=row["note"],
                                                batch=batch, refresh=False)
                    else:
                        services.receipt_record(project_id=row["project_id"], by=by, received_on=row["date"],
                                                amount=row["amount"], bank_reference=row["reference"],
                                                payer=row["payer"], note=row["note"], batch=batch, refresh=False)
                except ValidationError as exc:
                    raise ValidationError(_("Row %(row)s: %(message)s — nothing was imported.") % {
                        "row": row["row"], "message": "；".join(exc.messages)}) from None
                if row["project_id"] not in touched:
                    touched.append(row["project_id"])
            for project_id in sorted(touched):
                services.project_recompute(project_id=project_id, by=by)
            batch.state = ImportState.IMPORTED
            batch.imported_by, batch.imported_at = by, timezone.now()
            batch.save(update_fields=["state", "imported_by", "imported_at"])
    if failed:
        raise ValidationError(failed)
    return batch


TEMPLATE_HEADERS = ["类型", "项目编号", "合同编号", "日期", "金额", "发票号码", "银行流水号", "付款单位", "备注"]
