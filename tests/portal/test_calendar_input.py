"""Reading a whole year: the State Council's notice as pasted, and CSV / Excel tables (CAL-2)."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from chinese_calendar.constants import holidays as PACKAGE_HOLIDAYS
from chinese_calendar.constants import workdays as PACKAGE_WORKDAYS
from django.utils import translation

from marketing_portal.calendar_input import CalendarInputError, parse_csv, parse_notice, parse_table

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def days_of(entries, kind):
    return {e.day for e in entries if e.kind == kind}


def span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


@pytest.mark.parametrize("year", [2025, 2026])
def test_a_published_notice_yields_exactly_the_package_days(year):
    # the notices of 2025 and 2026 as published (2025: 元旦 one day, a range across months, 国庆节、中秋节 together)
    entries = parse_notice((FIXTURES / f"notice-{year}.txt").read_text(), year=year)
    assert days_of(entries, "holiday") == {d for d in PACKAGE_HOLIDAYS if d.year == year}
    assert days_of(entries, "workday") == {d for d in PACKAGE_WORKDAYS if d.year == year}


def test_a_notice_for_a_made_up_year_is_read_into_its_days():
    entries = parse_notice((FIXTURES / "notice-2031-made-up.txt").read_text(), year=2031)
    assert days_of(entries, "holiday") == (
        {date(2031, 1, 1)} | span(date(2031, 1, 22), date(2031, 1, 29)) | span(date(2031, 4, 5), date(2031, 4, 7))
        | span(date(2031, 5, 1), date(2031, 5, 5)) | span(date(2031, 6, 22), date(2031, 6, 24))
        | span(date(2031, 10, 1), date(2031, 10, 8))
    )
    # 6-28 stands on a line of its own after 端午节's line: it continues that line
    assert days_of(entries, "workday") == {
        date(2031, 1, 19), date(2031, 2, 8), date(2031, 4, 27), date(2031, 6, 28), date(2031, 9, 28),
        date(2031, 10, 11),
    }
    names = {e.day: e.name for e in entries}
    assert names[date(2031, 10, 5)] == "国庆节、中秋节" and names[date(2031, 6, 28)] == "端午节"
    assert names[date(2031, 1, 19)] == "春节"


def test_half_width_punctuation_and_traditional_characters_are_read_alike():
    text = ("二、春節:2月15日(農曆臘月二十八、週日)至23日(農曆正月初七、週一)放假調休,共9天。"
            "2月14日(週六)、2月28日(週六)上班。")
    entries = parse_notice(text, year=2026)
    assert days_of(entries, "holiday") == span(date(2026, 2, 15), date(2026, 2, 23))
    assert days_of(entries, "workday") == {date(2026, 2, 14), date(2026, 2, 28)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a festival's line that cannot be read: refused with its line number
        ("一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。\n二、春节：2月5日至2月十一日放假", "第2行"),
        ("一、元旦：1月1日（周三）放假调休，共3天。", "第1行：2031-01-01 至 2031-01-01 是 1 天，通知写的是 3 天"),
        ("三、清明：4月5日（周五）放假，共1天。", "第1行：2031-04-05 是星期六，通知写的是周五"),
        ("八、植树节：3月12日放假。", "第1行：“植树节”不是通知中的节日"),
        ("一、元旦：1月1日（周三）放假1天。1月5日上斑。", "第1行：无法识别“1月5日上斑”"),
        ("国庆节：9月27日（周六）上班。", "第1行：这一行没有放假安排"),
        ("各省、自治区、直辖市人民政府：\n鼓励错峰出行。", "没有找到放假安排"),
    ],
)
def test_a_malformed_notice_is_refused_naming_the_line(text, message):
    with pytest.raises(CalendarInputError) as refused:
        parse_notice(text, year=2031)
    assert message in " ".join(refused.value.messages)


def test_the_notice_of_another_year_is_refused():
    with pytest.raises(CalendarInputError) as refused:
        parse_notice((FIXTURES / "notice-2026.txt").read_text(), year=2027)
    messages = refused.value.messages
    assert "第1行：这是 2026 年的通知，不是 2027 年的。" in messages
    assert any(m.startswith("第4行：2027-01-01 是星期五，通知写的是周四") for m in messages)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a date outside the year being entered
        ("一、元旦：2030年12月31日（周二）至2031年1月1日（周三）放假调休，共2天。",
         "第1行：2030-12-31 不在正在录入的 2031 年内"),
        # a make-up working day on a weekday
        ("一、元旦：1月1日（周三）放假1天。1月2日（周四）上班。",
         "第1行：2031-01-02 是星期四：调休上班日只能是周六或周日"),
        # the same day twice with different kinds
        ("一、元旦：1月1日（周三）至5日（周日）放假。\n二、春节：1月4日（周六）上班。1月22日放假。",
         "第2行：2031-01-04 已在第1行录为休息日"),
    ],
)
def test_bad_days_in_a_notice_are_refused_naming_the_line(text, message):
    with pytest.raises(CalendarInputError) as refused:
        parse_notice(text, year=2031)
    assert message in " ".join(refused.value.messages)


def test_a_csv_table_is_read_and_checked_line_by_line():
    entries = parse_csv("date,kind,name\n2031-01-01,holiday,元旦\n\n2031-01-04,workday,元旦\n2031-01-01,holiday,元旦\n")
    assert [(e.day, e.kind, e.name) for e in entries] == [
        (date(2031, 1, 1), "holiday", "元旦"), (date(2031, 1, 4), "workday", "元旦")]  # the repeat is kept once


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,kind,name\n2031-01-01,holiday,元旦\n2031-01-02,vacation,元旦\n", "第3行：类型“vacation”无效"),
        ("day,type\n2031-01-01,holiday\n", "第1行：第一行须为表头 date,kind,name"),
        ("date,kind,name\n2031-02-30,holiday,x\n", "第2行：“2031-02-30”不是日期"),
        ("date,kind,name\n2031-01-03,workday,x\n", "第2行：2031-01-03 是星期五：调休上班日只能是周六或周日"),
        ("date,kind,name\n2031-01-04,workday,x\n2031-01-04,holiday,x\n", "第3行：2031-01-04 已在第2行录为调休上班日"),
        ("date,kind,name\n2032-01-01,holiday,元旦\n", "第2行：2032-01-01 不在正在录入的 2031 年内"),
    ],
)
def test_bad_rows_of_a_table_are_refused_naming_the_line(text, message):
    with pytest.raises(CalendarInputError) as refused:
        parse_csv(text, year=2031)
    assert message in " ".join(refused.value.messages)


def test_an_excel_file_and_a_gbk_csv_are_read():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "类型", "名称"])
    sheet.append([date(2031, 1, 1), "holiday", "元旦"])
    sheet.append(["2031-01-04", "workday", "元旦"])
    data = io.BytesIO()
    book.save(data)
    entries = parse_table(data.getvalue(), "2031.xlsx", year=2031)
    assert [(e.day, e.kind) for e in entries] == [(date(2031, 1, 1), "holiday"), (date(2031, 1, 4), "workday")]
    gbk = "date,kind,name\n2031-01-01,holiday,元旦\n".encode("gbk")
    assert parse_table(gbk, "2031.csv")[0].name == "元旦"
    with pytest.raises(CalendarInputError):
        parse_table(b"%PDF-1.4", "notice.pdf")
