"""The one numbering service: gap-free numbers per series and year, and the patterns that print them.

Every numbered record of the portal takes its number here — archive numbers per region (CON-7),
technical liaison sheets, projects, repair tickets, bids… A series is a short key such as
``"archive:<region id>"`` or ``"liaison"``; the counter row of (series, year) is locked by the
transaction that stores the number, so two people numbering at once get consecutive numbers and a
rollback leaves no gap. Numbers are integers; the printed form comes from a pattern such as
``"{region}-{year}-{seq:04d}"``.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .models import NumberCounter


def next_number(series: str, year: int) -> int:
    """Take the next number of ``series`` in ``year`` (1, 2, 3…). Must run inside the storing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that stores the number")
    # ON CONFLICT DO NOTHING: the first of two concurrent callers creates the row, the second waits on it.
    NumberCounter.objects.bulk_create([NumberCounter(series=series, year=year, last=0)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(series=series, year=year)
    NumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return counter.last + 1


def last_number(series: str, year: int) -> int:
    """The last number taken (0 when none), for display; never use it to make a number."""
    return NumberCounter.objects.filter(series=series, year=year).values_list("last", flat=True).first() or 0


def seed_counter(series: str, year: int, last: int) -> None:
    """Start a series above numbers already issued (data migrations and imports only)."""
    counter, _created = NumberCounter.objects.get_or_create(series=series, year=year)
    if counter.last < last:
        NumberCounter.objects.filter(pk=counter.pk).update(last=last)


def pattern_fields(pattern: str) -> set[str]:
    """The placeholders of a pattern: ``"{region}-{year}-{seq:04d}"`` -> ``{"region", "year", "seq"}``."""
    try:
        return {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise ValidationError(_("The numbering pattern is malformed: %(error)s") % {"error": exc},
                              code="pattern_malformed") from None


def _braces(names) -> str:
    return "、".join("{" + name + "}" for name in names)


def check_pattern(pattern: str, *, allowed: set[str], required: set[str]) -> str:
    """Refuse a pattern that cannot number every record uniquely; return it when it is good.

    ``allowed``: the placeholders the series fills in; ``required``: those without which two records
    could print the same number (``seq`` always, ``region`` for per-region series).
    """
    fields = pattern_fields(pattern)
    unknown = sorted(fields - allowed)
    if unknown or "" in fields:
        raise ValidationError(
            _("The numbering pattern uses unknown placeholders: %(names)s. Allowed: %(allowed)s.")
            % {"names": _braces(unknown) or "{}",
               "allowed": _braces(sorted(allowed))},
            code="pattern_unknown")
    missing = sorted(required - fields)
    if missing:
        raise ValidationError(
            _("The numbering pattern must contain %(names)s, or two records could get the same number.")
            % {"names": _braces(missing)}, code="pattern_incomplete")
    try:
        format_number(pattern, **{name: (1 if name in ("seq", "year") else "X") for name in allowed})
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(_("The numbering pattern is malformed: %(error)s") % {"error": exc},
                              code="pattern_malformed") from None
    return pattern


def format_number(pattern: str, **parts) -> str:
    """Print a number: ``format_number("{region}-{year}-{seq:04d}", region="HB", year=2026, seq=7)``."""
    return pattern.format(**parts)


def seed_counters_from_numbers(counter_model, *, series: str, numbers, regex: str) -> dict[int, int]:
    """For data migrations that move a series onto this service: start each year's counter above the highest
    number already issued. ``regex`` has two groups, the year and the sequence (``r"^JL-(\\d{4})-(\\d+)$"``);
    ``counter_model`` is the migration's historical ``NumberCounter``. Returns {year: highest}."""
    import re

    pattern = re.compile(regex)
    highest: dict[int, int] = {}
    for number in numbers:
        match = pattern.match(number or "")
        if match:
            year, seq = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), seq)
    for year, last in highest.items():
        counter, _created = counter_model.objects.get_or_create(series=series, year=year, defaults={"last": 0})
        if counter.last < last:
            counter_model.objects.filter(pk=counter.pk).update(last=last)
    return highest
