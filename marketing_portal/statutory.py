"""The statutory rest days of 《全国年节及纪念日放假办法》 as amended in 2024 (in force from 2025), per year.

Used as **provisional** holidays for a year that neither the holiday package nor the days entered in the
app cover (SPEC CAL-2, decision of turn 2): 元旦 1 January; 春节 除夕 and 正月初一至初三 (4 days); 清明 on
the solar term; 劳动节 1–2 May; 端午 五月初五; 中秋 八月十五; 国庆 1–3 October. Lunar dates and the 清明
solar term come from ``lunar-python`` (astronomical computation, no year table of our own).

Only the statutory days themselves are returned: the State Council's yearly notice adds bridging days
and make-up working days (调休), which nobody can know in advance, so none are invented here.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

# The 2024 amendment applies from 2025; earlier years had other statutory days (3 for 春节, 1 for 劳动节).
FIRST_STATUTORY_YEAR = 2025
LAST_STATUTORY_YEAR = 2100  # the calendar's own last year (marketing_portal.services.LAST_YEAR)

NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL = (
    "new_year", "spring", "qingming", "labour", "dragon_boat", "mid_autumn", "national",
)
NAMES = {
    NEW_YEAR: _("New Year's Day"),
    SPRING: _("Spring Festival"),
    QINGMING: _("Qingming Festival"),
    LABOUR: _("Labour Day"),
    DRAGON_BOAT: _("Dragon Boat Festival"),
    MID_AUTUMN: _("Mid-Autumn Festival"),
    NATIONAL: _("National Day"),
}


def applies_to(year: int) -> bool:
    return FIRST_STATUTORY_YEAR <= year <= LAST_STATUTORY_YEAR


@functools.lru_cache(maxsize=256)
def statutory_days(year: int) -> dict[date, tuple[str, ...]]:
    """``{day: (festival key, …)}`` of the statutory rest days of ``year`` (empty before 2025).

    A day can belong to two festivals (中秋 on 10-03 in 2028): both keys are kept.
    """
    if not applies_to(year):
        return {}
    from lunar_python import Lunar  # imported late: only years no package covers need it

    def lunar(month: int, day: int) -> date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    spring = lunar(1, 1)
    qingming_solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    qingming = date(qingming_solar.getYear(), qingming_solar.getMonth(), qingming_solar.getDay())
    assert qingming.year == year  # 清明 falls on 4-6 April, always inside lunar year ``year``
    days: dict[date, list[str]] = {}
    for day, key in [
        (date(year, 1, 1), NEW_YEAR),
        *[(spring + timedelta(days=offset), SPRING) for offset in (-1, 0, 1, 2)],  # 除夕 (the eve) + 初一至初三
        (qingming, QINGMING),
        (date(year, 5, 1), LABOUR),
        (date(year, 5, 2), LABOUR),
        (lunar(5, 5), DRAGON_BOAT),
        (lunar(8, 15), MID_AUTUMN),
        *[(date(year, 10, d), NATIONAL) for d in (1, 2, 3)],
    ]:
        days.setdefault(day, []).append(key)
    return {day: tuple(keys) for day, keys in sorted(days.items())}


def day_name(keys: tuple[str, ...]) -> str:
    """The festival names of a statutory day as people read them (``国庆节、中秋节``)."""
    return "、".join(str(NAMES[k]) for k in keys)
