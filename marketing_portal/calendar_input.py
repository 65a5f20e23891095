"""Reading a whole year of the calendar: the State Council's notice as pasted text, or a CSV / Excel table.

Pure functions (no database): they turn the input into ``EnteredDay`` rows, each remembering the line it
came from, or raise ``CalendarInputError`` listing every line they could not accept, in the user's
language. The notice's usual form, one festival per line::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。

Every day of a holiday range is a rest day (weekends inside it included); each date before 上班 is a
make-up working day. Weekdays written in brackets are checked against the date and "共N天" against the
range, so a notice of another year, or a typing slip, is refused rather than stored.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.translation import gettext as _

HOLIDAY, WORKDAY = "holiday", "workday"
WEEKDAYS = "一二三四五六日"
FESTIVALS = {
    "元旦": "元旦", "春节": "春节", "清明节": "清明节", "清明": "清明节", "劳动节": "劳动节", "五一": "劳动节",
    "端午节": "端午节", "端午": "端午节", "中秋节": "中秋节", "中秋": "中秋节", "国庆节": "国庆节", "国庆": "国庆节",
}
# Traditional characters and wording variants seen in reprints of the notice.
_VARIANTS = str.maketrans({"週": "周", "調": "调", "節": "节", "國": "国", "慶": "庆", "勞": "劳", "動": "动",
                           "農": "农", "曆": "历", "。": ".", "；": ";", "～": "至", "~": "至"})
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)[、.]")
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<note>[^)]*)\))?")
_DATE_TEXT = r"(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日(?:\([^)]*\))?"
_HOLIDAY_HEAD = re.compile(rf"(?P<a>{_DATE_TEXT})(?:[至\-—](?P<b>{_DATE_TEXT}))?放假(?:调休)?(?:(?P<n>\d+)天)?")
_TITLE_YEAR = re.compile(r"(\d{4})年(?:部分)?(?:节假日|元旦)")
_MAX_RANGE = 15  # no holiday of the notice runs longer (春节: 8-9 days)


@dataclass(frozen=True)
class EnteredDay:
    day: date
    kind: str  # HOLIDAY or WORKDAY
    name: str
    line: int


class CalendarInputError(ValidationError):
    """The input could not be accepted; ``messages`` name each line at fault."""


def _line_error(line: int, message: str) -> str:
    return _("Line %(line)s: %(message)s") % {"line": line, "message": message}


def _split_top(text: str, separators: str) -> list[str]:
    """Split at ``separators`` outside brackets (the brackets hold "农历腊月二十八、周日")."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p]


class _Line:
    """One line of the notice being read: the year it belongs to and the errors found on it."""

    def __init__(self, number: int, year: int):
        self.number, self.year = number, year

    def fail(self, message: str):
        raise CalendarInputError(_line_error(self.number, message))

    def date(self, text: str, *, year: int | None = None, month: int | None = None) -> date:
        match = _DATE.fullmatch(text)
        if not match or not (match["m"] or month):
            self.fail(_("cannot read the date “%(text)s”.") % {"text": text})
        try:
            day = date(int(match["y"] or year or self.year), int(match["m"] or month), int(match["d"]))
        except ValueError:
            self.fail(_("“%(text)s” is not a date.") % {"text": text})
        for note in _split_top(match["note"] or "", "、,"):
            weekday = re.fullmatch(r"周([一二三四五六日天])", note)
            if weekday and WEEKDAYS.index(weekday[1].replace("天", "日")) != day.weekday():
                self.fail(
                    _("%(day)s is a %(actual)s, but the notice says %(written)s — is this the notice of another year?")
                    % {"day": day.isoformat(), "actual": WEEKDAY_NAMES[day.weekday()], "written": note}
                )
        return day


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).translate(_VARIANTS)
    return re.sub(r"\s+", "", text).replace("星期", "周")


def _festival_names(head: str, line: _Line) -> str:
    names = [n for n in re.split(r"[、和及与]", head) if n]
    if not names or any(n not in FESTIVALS for n in names):
        line.fail(_("“%(head)s” is not a holiday of the notice.") % {"head": head})
    return "、".join(FESTIVALS[n] for n in names)


def _holiday_sentence(sentence: str, line: _Line) -> list[date]:
    clauses = _split_top(sentence, ",")
    match = _HOLIDAY_HEAD.fullmatch(clauses[0])
    if not match:
        line.fail(_("cannot read “%(text)s”.") % {"text": clauses[0]})
    first = line.date(match["a"])
    last = line.date(match["b"], year=first.year, month=first.month) if match["b"] else first
    count = (last - first).days + 1
    if not 1 <= count <= _MAX_RANGE:
        line.fail(_("the holiday from %(first)s to %(last)s is not a valid range.")
                  % {"first": first.isoformat(), "last": last.isoformat()})
    stated = [int(match["n"])] if match["n"] else []
    for clause in clauses[1:]:
        total = re.fullmatch(r"共(\d+)天", clause)
        if total:
            stated.append(int(total[1]))
        elif clause not in {"不调休", "与周末连休", "调休"}:
            line.fail(_("cannot read “%(text)s”.") % {"text": clause})
    for n in stated:
        if n != count:
            line.fail(_("%(first)s to %(last)s is %(count)s days, but the notice says %(n)s.")
                      % {"first": first.isoformat(), "last": last.isoformat(), "count": count, "n": n})
    return [first + timedelta(days=i) for i in range(count)]


def _workday_sentence(sentence: str, line: _Line) -> list[date]:
    dates = _split_top(sentence[: -len("上班")], "、,")
    if not dates:
        line.fail(_("cannot read “%(text)s”.") % {"text": sentence})
    return [line.date(text) for text in dates]


def _has_date(text: str) -> bool:
    """A date outside brackets ("除夕（2月9日）" mentions one only in passing)."""
    return bool(re.search(r"\d{1,2}日", re.sub(r"\([^)]*\)", "", text)))


def _body(number: int, body: str, name: str, year: int) -> list[EnteredDay]:
    """The days of one festival's sentences: "…放假调休，共3天。1月4日（周日）上班。"."""
    line = _Line(number, year)
    found: list[EnteredDay] = []
    for sentence in (s for s in re.split(r"[.;]", body) if s):
        if sentence.endswith("上班"):
            found += [EnteredDay(d, WORKDAY, name, number) for d in _workday_sentence(sentence, line)]
        elif "放假" in sentence and _has_date(sentence):
            found += [EnteredDay(d, HOLIDAY, name, number) for d in _holiday_sentence(sentence, line)]
        elif sentence.startswith("鼓励") or not _has_date(sentence):
            continue  # the notice's advice ("鼓励各单位…安排职工在除夕休息"), not an arrangement
        else:
            line.fail(_("cannot read “%(text)s”.") % {"text": sentence})
    return found


def _arrangement(number: int, text: str, year: int) -> tuple[str, list[EnteredDay]]:
    line = _Line(number, year)
    head, colon, body = text.partition(":")
    if not colon or not body:
        line.fail(_("cannot read this line (expected e.g. “一、元旦：1月1日至3日放假调休，共3天。”)."))
    name = _festival_names(_ORDINAL.sub("", head), line)
    found = _body(number, body, name, year)
    if not any(d.kind == HOLIDAY for d in found):
        line.fail(_("this line names no holiday (放假)."))
    return name, found


def parse_notice(text: str, *, year: int) -> list[EnteredDay]:
    """The holidays and make-up working days of the notice for ``year``.

    Lines that are neither numbered nor start with a festival's name (preamble, advice, signature) are
    skipped — except a line with 放假/上班 and a date right after a festival's line, which continues it
    (some reprints put "1月4日（周日）上班。" on a line of its own). A festival's line that cannot be read
    is refused with its number.
    """
    days: list[EnteredDay] = []
    errors: list[str] = []
    previous = None  # the festival of the last line read, for a continuation line
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _normalise(raw)
        if not line:
            continue
        stripped = _ORDINAL.sub("", line)
        is_arrangement = bool(_ORDINAL.match(line)) or re.split(r"[:、]", stripped, maxsplit=1)[0] in FESTIVALS
        try:
            if is_arrangement:
                previous, found = _arrangement(number, line, year)
                days += found
                continue
            if previous and _has_date(line) and ("上班" in line or "放假" in line):
                days += _body(number, line, previous, year)
                continue
        except CalendarInputError as exc:
            errors += exc.messages
            continue
        previous = None
        title = _TITLE_YEAR.search(line)
        if title and int(title[1]) != year:
            errors.append(_line_error(number, _("this is the notice for %(notice)s, not for %(year)s.")
                                      % {"notice": title[1], "year": year}))
    if not days and not errors:
        errors.append(_("No holiday arrangement was found in the text (a line such as "
                        "“一、元旦：1月1日至3日放假调休，共3天。1月4日（周一）上班。”)."))
    if errors:
        raise CalendarInputError(errors)
    return check_days(days, year=year)


def check_days(days: list[EnteredDay], *, year: int | None) -> list[EnteredDay]:
    """Refuse days outside ``year`` (when given), make-up working days that are not weekends, and a day
    given twice with different kinds; the same day given twice alike is kept once. Sorted by day."""
    errors: list[str] = []
    seen: dict[date, EnteredDay] = {}
    for entry in days:
        if year is not None and entry.day.year != year:
            errors.append(_line_error(entry.line, _("%(day)s is not in %(year)s, the year being entered.")
                                      % {"day": entry.day.isoformat(), "year": year}))
        elif entry.kind == WORKDAY and entry.day.weekday() < 5:
            errors.append(_line_error(entry.line, _(
                "%(day)s is a %(weekday)s: a make-up working day can only be a Saturday or Sunday."
            ) % {"day": entry.day.isoformat(), "weekday": WEEKDAY_NAMES[entry.day.weekday()]}))
        elif entry.day in seen and seen[entry.day].kind != entry.kind:
            errors.append(_line_error(entry.line, _(
                "%(day)s is already given as %(kind)s on line %(other)s."
            ) % {"day": entry.day.isoformat(), "kind": kind_label(seen[entry.day].kind),
                 "other": seen[entry.day].line}))
        else:
            seen.setdefault(entry.day, entry)
    if errors:
        raise CalendarInputError(errors)
    return sorted(seen.values(), key=lambda e: e.day)


def kind_label(kind: str) -> str:
    return _("rest day") if kind == HOLIDAY else _("make-up working day")


# --- Tables: CSV or Excel with the header date,kind,name ------------------------------------------------

_HEADERS = {"date": "date", "日期": "date", "kind": "kind", "类型": "kind", "name": "name", "名称": "name"}
_KINDS = {"holiday": HOLIDAY, "放假": HOLIDAY, "休息日": HOLIDAY, "workday": WORKDAY, "上班": WORKDAY,
          "调休上班": WORKDAY}
_TABLE_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def _rows_to_days(rows, *, year: int | None) -> list[EnteredDay]:
    rows = iter(rows)
    header = next(rows, None)
    columns = {_HEADERS.get(str(c or "").strip().lower()): i for i, c in enumerate(header or ())}
    if "date" not in columns or "kind" not in columns:
        raise CalendarInputError(_line_error(1, _("the first line must be the header date,kind,name.")))
    days, errors = [], []
    for number, row in enumerate(rows, start=2):
        cells = list(row) + [None] * 3

        def cell(key, cells=cells):
            index = columns.get(key)
            return cells[index] if index is not None else None

        raw_day, raw_kind = cell("date"), str(cell("kind") or "").strip()
        if raw_day in (None, "") and not raw_kind:
            continue  # an empty line
        if isinstance(raw_day, datetime):
            day = raw_day.date()
        elif isinstance(raw_day, date):
            day = raw_day
        else:
            match = _TABLE_DATE.fullmatch(str(raw_day or "").strip())
            try:
                day = date(int(match[1]), int(match[2]), int(match[3])) if match else None
            except ValueError:
                day = None
            if day is None:
                errors.append(_line_error(number, _("“%(text)s” is not a date (write 2027-01-01).")
                                          % {"text": raw_day or ""}))
                continue
        kind = _KINDS.get(raw_kind.lower())
        if kind is None:
            errors.append(_line_error(number, _("the kind “%(kind)s” is unknown: write holiday or workday.")
                                      % {"kind": raw_kind}))
            continue
        days.append(EnteredDay(day, kind, str(cell("name") or "").strip()[:60], number))
    if errors:
        raise CalendarInputError(errors)
    if not days:
        raise CalendarInputError(_("The file lists no days."))
    return check_days(days, year=year)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GB18030/GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarInputError(_("The file is neither UTF-8 nor GBK text."))


def parse_csv(text: str, *, year: int | None = None) -> list[EnteredDay]:
    return _rows_to_days(csv.reader(io.StringIO(text)), year=year)


def parse_table(data: bytes, file_name: str, *, year: int | None = None) -> list[EnteredDay]:
    """A CSV (UTF-8 or GBK) or Excel (.xlsx) file with the header ``date,kind,name``."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise CalendarInputError(_("The Excel file cannot be read.")) from exc
        return _rows_to_days(sheet.iter_rows(values_only=True), year=year)
    if file_name.lower().endswith(".csv"):
        return parse_csv(_decode(data), year=year)
    raise CalendarInputError(_("Upload a .csv or .xlsx file."))


def to_csv(days: list[EnteredDay]) -> str:
    """The days as the canonical CSV (what a preview carries to the save)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "kind", "name"])
    for entry in days:
        writer.writerow([entry.day.isoformat(), entry.kind, entry.name])
    return out.getvalue()
