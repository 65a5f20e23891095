"""The made-up State Council notice for 2027 the calendar tests enter (the real one is not out yet), and the steps
around it: enter it (the stored deadlines are recomputed after the commit), confirm the year."""

from __future__ import annotations

from marketing_portal import periods
from marketing_portal.calendar_input import parse_notice
from marketing_portal.services import calendar_year_confirm, calendar_year_import

# 春节 runs 02-05…02-11 instead of the provisional statutory 02-05…08 (除夕 and 初一 to 初三); 1 January is a Friday.
NOTICE_2027 = """一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月20日（周六）上班。
"""


def enter_notice(by, text=NOTICE_2027):
    return calendar_year_import(year=2027, days=parse_notice(text, year=2027), by=by, source="notice", text=text)


def confirm_2027(by):
    calendar_year_confirm(year=2027, notice="国办发明电〔2026〕1号", by=by)
    periods.invalidate_calendar_cache()  # as the commit does in the service


def marked(page: str, text: str, *, within: int = 120) -> bool:
    """Whether the “按暂定日历” mark (its element, class ``provisional-mark``) follows ``text`` — a date as the page
    prints it — within ``within`` characters on ``page``."""
    start = page.find(text)
    if start < 0:
        raise AssertionError(f"{text!r} is not on the page")
    return "provisional-mark" in page[start:start + len(text) + within]


def work_items(page: str) -> str:
    """The “waiting on me” list of the home page (my work), without the latest messages beside it."""
    start = page.index('id="work-items"')
    return page[start:page.index("</ul>", start)]
