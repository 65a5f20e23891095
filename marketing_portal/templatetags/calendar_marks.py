"""``{% load calendar_marks %}`` — the provisional-calendar marker beside a computed date (CAL-2).

``{{ costing.due_on|provisional_mark }}`` renders “按暂定日历” while the date's year is not settled (neither
the holiday package nor a confirmed notice covers it) and nothing once it is. No query per date: the years'
states come from the calendar snapshot ``periods`` caches, so a list may mark every row. It also takes a
due time (a datetime: its Beijing date), a ``periods.PeriodEnd`` or a ``TrackedDeadline``, and then looks at
every year the period examined (a period whose raw end falls on 31 December of an unsettled year and moves
into January is marked too).
"""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from .. import periods

register = template.Library()


def _years(value) -> range:
    if isinstance(value, periods.PeriodEnd):
        return range(value.raw.year, value.end.year + 1)
    if hasattr(value, "raw_end") and hasattr(value, "value"):  # a TrackedDeadline
        return range(value.raw_end.year, value.value.year + 1)
    if isinstance(value, datetime):  # a due time (repair service levels): its year in Beijing time
        year = timezone.localtime(value).year if timezone.is_aware(value) else value.year
        return range(year, year + 1)
    if isinstance(value, date):
        return range(value.year, value.year + 1)
    return range(0)


@register.filter
def is_provisional(value) -> bool:
    """Whether a computed date still rests on a year whose calendar is not settled."""
    return any(not periods.year_is_settled(year) for year in _years(value))


@register.filter
def provisional_mark(value):
    if not is_provisional(value):
        return ""
    return format_html(
        '<span class="badge rounded-pill text-bg-warning provisional-mark" title="{}">{}</span>',
        gettext("The holiday arrangement of this year is not confirmed yet; the date may still move."),
        gettext("provisional calendar"),
    )


@register.filter
def dated(value):
    """A computed date as plain text for print (PDF): ``2027-02-09（按暂定日历）`` while its year is unsettled."""
    from ..deadlines import dated as dated_text

    return dated_text(value) if isinstance(value, date) else ""
