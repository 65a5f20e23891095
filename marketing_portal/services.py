"""Writes of the shared services that are not in a module of their own: the working-day calendar (CAL-2).

Every change of the calendar — one day, a whole year pasted from the State Council's notice or uploaded,
a year confirmed — goes through here: one transaction, the year's row locked (so two imports of one year
are serialised), history kept by django-simple-history, and after the commit the calendar cache dropped
and the stored deadlines recomputed in the background (``marketing_portal.deadlines``). Changing the days
of a confirmed year withdraws its confirmation: it must be confirmed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import periods
from .audit import audited
from .calendar_input import HOLIDAY, WORKDAY, EnteredDay, check_days
from .deadlines import recompute_on_commit
from .models import CalendarDay, CalendarImport, CalendarYear
from .periods import invalidate_calendar_cache

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _check_day(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            _("%(day)s is outside the calendar (years %(first)s to %(last)s).")
            % {"day": day.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR}
        )


def _lock_year(year: int) -> CalendarYear:
    CalendarYear.objects.get_or_create(year=year)
    return CalendarYear.objects.select_for_update().get(year=year)


def _withdraw_confirmation(record: CalendarYear) -> None:
    if record.confirmed_at is not None:
        record.confirmed_at, record.confirmed_by = None, None
        record._change_reason = _("confirmation withdrawn: the days of the year changed")
        record.save()


def _stored(message, **params) -> str:
    """The reason a calendar change gives the records it moves: kept in their history and notices, so written in
    the portal's language whoever entered the change."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params


def _calendar_changed(first: date, last: date, reason: str) -> None:
    transaction.on_commit(invalidate_calendar_cache)
    recompute_on_commit(first=first, last=last, reason=reason)


def _day_changed(day: date, reason: str) -> None:
    """One day changed. In a year no package covers, the first entered day ends the provisional statutory days
    and removing the last one brings them back: then every deadline of the year may move, not only this day's."""
    if not periods.package_covers(day.year) and CalendarDay.objects.filter(day__year=day.year).count() <= 1:
        _calendar_changed(date(day.year, 1, 1), date(day.year, 12, 31), reason)
    else:
        _calendar_changed(day, day, reason)


@transaction.atomic
@audited
def calendar_day_set(*, day: date, kind: str, name: str, by) -> CalendarDay:
    """Enter or change one day; the entered day overrides the holiday package (CAL-2)."""
    _check_day(day)
    if kind not in CalendarDay.Kind.values:
        raise ValidationError(_("Choose holiday or make-up working day."))
    if kind == WORKDAY and day.weekday() < 5:
        raise ValidationError(_("A make-up working day can only be a Saturday or Sunday."))
    record = _lock_year(day.year)
    entry = CalendarDay.objects.select_for_update().filter(day=day).first()
    if entry is not None and (entry.kind, entry.name) == (kind, name.strip()):
        return entry
    if entry is None:
        entry = CalendarDay(day=day, created_by=by)
    entry.kind, entry.name = kind, name.strip()
    entry.save()
    _withdraw_confirmation(record)
    _day_changed(day, _stored(gettext_lazy("%(day)s was entered in the calendar"), day=day.isoformat()))
    return entry


@transaction.atomic
@audited
def calendar_day_remove(*, day_id: int, by) -> None:
    """Remove an entered day: the package (or the weekend rule) answers for it again. History keeps it."""
    entry = CalendarDay.objects.filter(pk=day_id).first()
    if entry is None:
        raise ValidationError(_("This day was already removed."))
    record = _lock_year(entry.day.year)
    entry = CalendarDay.objects.select_for_update().filter(pk=day_id).first()
    if entry is None:
        raise ValidationError(_("This day was already removed."))
    entry._change_reason = _("removed by %(user)s") % {"user": by}
    entry.delete()
    _withdraw_confirmation(record)
    _day_changed(entry.day, _stored(gettext_lazy("%(day)s was removed from the calendar"),
                                    day=entry.day.isoformat()))


# --- A whole year at once -----------------------------------------------------------------------------


@dataclass
class YearChanges:
    """What entering ``days`` as the whole of ``year`` would change (the preview) or changed."""

    year: int
    added: list[EnteredDay] = field(default_factory=list)
    changed: list[tuple[CalendarDay, EnteredDay]] = field(default_factory=list)
    removed: list[CalendarDay] = field(default_factory=list)
    unchanged: list[EnteredDay] = field(default_factory=list)
    fingerprint: str = ""  # of the year's entered days before the change

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)

    @property
    def table(self) -> list[tuple[date, str, str, str, CalendarDay | None]]:
        """``(day, kind, name, change, previous entry)`` for every day concerned, by date; change is
        ``added``, ``changed``, ``unchanged`` or ``removed``."""
        rows = [(d.day, d.kind, d.name, "added", None) for d in self.added]
        rows += [(new.day, new.kind, new.name, "changed", old) for old, new in self.changed]
        rows += [(d.day, d.kind, d.name, "unchanged", None) for d in self.unchanged]
        rows += [(old.day, old.kind, old.name, "removed", old) for old in self.removed]
        return sorted(rows, key=lambda row: row[0])

    @property
    def holidays(self) -> list[EnteredDay]:
        return [d for d in [*self.added, *(new for _old, new in self.changed), *self.unchanged] if d.kind == HOLIDAY]

    @property
    def workdays(self) -> list[EnteredDay]:
        return [d for d in [*self.added, *(new for _old, new in self.changed), *self.unchanged] if d.kind == WORKDAY]


def year_fingerprint(year: int) -> str:
    rows = CalendarDay.objects.filter(day__year=year).order_by("day").values_list("day", "kind", "name")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def calendar_year_changes(*, year: int, days: list[EnteredDay]) -> YearChanges:
    """Compare ``days`` (the whole arrangement of ``year``) with the days entered now; stores nothing."""
    _check_day(date(year, 1, 1))
    days = check_days(days, year=year)
    current = {entry.day: entry for entry in CalendarDay.objects.filter(day__year=year)}
    changes = YearChanges(year=year, fingerprint=year_fingerprint(year))
    for entry in days:
        existing = current.pop(entry.day, None)
        if existing is None:
            changes.added.append(entry)
        elif (existing.kind, existing.name) != (entry.kind, entry.name):
            changes.changed.append((existing, entry))
        else:
            changes.unchanged.append(entry)
    changes.removed = sorted(current.values(), key=lambda e: e.day)
    return changes


@transaction.atomic
@audited
def calendar_year_import(
    *, year: int, days: list[EnteredDay], by, source: str, text: str = "", file_name: str = "",
    expected: str | None = None,
) -> YearChanges:
    """Make ``days`` the entered days of ``year`` (the official arrangement replaces what was there).

    All or nothing; entered days replace the provisional statutory days of the year. ``expected`` is the
    fingerprint shown with the preview: when the year changed meanwhile, nothing is stored. Entering the
    same days again changes (and records) nothing.
    """
    if by is not None and not by.has_perm("portal.enter_calendaryear"):
        raise PermissionDenied
    if source not in CalendarImport.Source.values:
        raise ValidationError(_("Unknown source of calendar days."))
    record = _lock_year(year)
    changes = calendar_year_changes(year=year, days=days)
    if expected is not None and expected != changes.fingerprint:
        raise ValidationError(_("The calendar of %(year)s changed since the preview; check the preview again.")
                              % {"year": year})
    if not changes.count:
        return changes
    for old in changes.removed:
        old._change_reason = _("not in the arrangement entered for %(year)s") % {"year": year}
        old.delete()
    for old, new in changes.changed:
        old.kind, old.name = new.kind, new.name
        old._change_reason = _("arrangement entered for %(year)s") % {"year": year}
        old.save()
    for new in changes.added:
        entry = CalendarDay(day=new.day, kind=new.kind, name=new.name, created_by=by)
        entry._change_reason = _("arrangement entered for %(year)s") % {"year": year}
        entry.save()
    _withdraw_confirmation(record)
    CalendarImport.objects.create(
        year=year, source=source, text=text, file_name=file_name[:255], added=len(changes.added),
        changed=len(changes.changed), removed=len(changes.removed), created_by=by,
    )
    _calendar_changed(date(year, 1, 1), date(year, 12, 31),
                      _stored(gettext_lazy("the holiday arrangement of %(year)s was entered"), year=year))
    return changes


@transaction.atomic
@audited
def calendar_year_confirm(*, year: int, notice: str, by) -> CalendarYear:
    """Record that the entered days of ``year`` follow the State Council's notice (its number or link)."""
    if not by.has_perm("portal.confirm_calendaryear"):
        raise PermissionDenied
    _check_day(date(year, 1, 1))
    notice = notice.strip()
    if not notice:
        raise ValidationError(_("Name the notice (its number or a link) that the calendar follows."))
    if periods.package_covers(year):
        raise ValidationError(_("The holiday package already covers %(year)s; there is nothing to confirm.")
                              % {"year": year})
    record = _lock_year(year)
    if not CalendarDay.objects.filter(day__year=year).exists():
        raise ValidationError(_("Enter the holidays and make-up working days of %(year)s before confirming it.")
                              % {"year": year})
    if record.confirmed_at is not None:
        raise ValidationError(_("%(year)s is already confirmed.") % {"year": year})
    record.notice, record.confirmed_by, record.confirmed_at = notice[:300], by, timezone.now()
    record._change_reason = _("confirmed against %(notice)s") % {"notice": notice}
    record.save()
    _calendar_changed(date(year, 1, 1), date(year, 12, 31),
                      _stored(gettext_lazy("the calendar of %(year)s was confirmed"), year=year))
    return record
