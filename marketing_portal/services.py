"""Writes of the shared services that are not in a module of their own: the calendar."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import CalendarDay
from .periods import invalidate_calendar_cache

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _check_day(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            _("%(day)s is outside the calendar (years %(first)s to %(last)s).")
            % {"day": day.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR}
        )


@transaction.atomic
def calendar_day_set(*, day: date, kind: str, name: str, by) -> CalendarDay:
    """Enter or change one day; the entered day overrides the holiday package (CAL-2)."""
    _check_day(day)
    if kind not in CalendarDay.Kind.values:
        raise ValidationError(_("Choose holiday or make-up working day."))
    entry = CalendarDay.objects.select_for_update().filter(day=day).first()
    if entry is None:
        entry = CalendarDay(day=day, created_by=by)
    entry.kind, entry.name = kind, name.strip()
    entry.save()
    transaction.on_commit(invalidate_calendar_cache)
    return entry


@transaction.atomic
def calendar_day_remove(*, day_id: int, by) -> None:
    """Remove an entered day: the package (or the weekend rule) answers for it again. History keeps it."""
    entry = CalendarDay.objects.select_for_update().filter(pk=day_id).first()
    if entry is None:
        raise ValidationError(_("This day was already removed."))
    entry._change_reason = _("removed by %(user)s") % {"user": by}
    entry.delete()
    transaction.on_commit(invalidate_calendar_cache)
