"""Stored dates that follow the calendar (SPEC CAL-2: stored deadlines are recomputed whenever it changes).

An app that stores a date computed from the calendar registers the field once, in ``AppConfig.ready``::

    deadlines.register_deadline(
        Costing, "due_on", label=_("costing due date"),
        is_open=lambda qs: qs.filter(state=CostingState.OPEN),         # records whose date still matters
        notify=lambda costing: [costing.handoff.estimator],            # who is told when it moves
        on_change=None,                                                # app follow-up, in the same transaction
    )

and sets the value through ``deadline_track`` in the service that computes it (after the record is saved)::

    deadlines.deadline_track(costing, "due_on", start=received_on, days=policy.handoff_costing_days)

A due time counted in working hours (a ``DateTimeField``: the repair service levels) is tracked the same way
with ``deadline_track_hours(ticket, "response_due_at", start=received_at, hours=4, day_start=, day_end=)``;
every day from its start to its due time counts, so a change of any of them moves it.

``deadline_track`` stores the period's start and rule with the value (``TrackedDeadline``). When calendar
days are entered, changed, removed or a year is confirmed, the calendar services queue
``deadlines_recompute_task`` after the commit; it recomputes every tracked date whose period touches the
changed days — with the rule it was first computed with, so a later policy change rewrites nothing —
writes old → new into the record's history (and the tracked row's), calls the registration's
``on_change(obj, old=, new=)`` (e.g. a reversing ledger entry: the ledger stays append-only) and notifies
each person ``notify(obj)`` names, once per move (notification key). Dates produced by a rules core rather
than one period (the receivables sweep) follow through ``register_calendar_listener`` instead.

Whether a computed date still rests on an unsettled year is kept in ``TrackedDeadline.provisional``; pages
show it with ``{{ date|provisional_mark }}`` and stored texts (notices) write the date with ``dated(day)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import periods, worktime
from .models import TrackedDeadline
from .notifications import event_key, notify


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    field: str
    label: str
    is_open: Callable[[models.QuerySet], models.QuerySet] | None = None
    notify: Callable[[models.Model], Iterable] | None = None
    on_change: Callable[..., None] | None = None
    url: Callable[[models.Model], str] | None = None


_registry: dict[tuple[str, str], Registration] = {}
_listeners: list[Callable[..., object]] = []


def register_calendar_listener(listener: Callable[..., object]) -> None:
    """Call ``listener(first=, last=, reason=)`` after each recomputation; it commits its own work (the receivables
    sweep commits a chunk of projects at a time, so a recomputation over many projects holds no long lock).

    For dates that are not one period from one start but the output of a rules core (the receivables
    sweep's next check and deadline dates come from ``receivables.policy.assess``): the app's listener
    marks the records whose dates touch ``first``…``last`` for reassessment (e.g. ``next_check_on`` moved
    to ``first``), and its own sweep then reassesses them and reverses what is no longer due.
    """
    if listener not in _listeners:
        _listeners.append(listener)


def register_deadline(model, field_name: str, *, label=None, is_open=None, notify=None, on_change=None, url=None):
    """Declare that ``model.field_name`` holds a calendar-computed date that must follow the calendar."""
    model._meta.get_field(field_name)  # a misspelt field fails at start-up, not at the first recompute
    registration = Registration(
        model=model, field=field_name, label=label or model._meta.get_field(field_name).verbose_name,
        is_open=is_open, notify=notify, on_change=on_change, url=url,
    )
    _registry[(model._meta.label_lower, field_name)] = registration
    return registration


def registration_for(model, field_name: str) -> Registration:
    try:
        return _registry[(model._meta.label_lower, field_name)]
    except KeyError:
        raise LookupError(f"{model._meta.label}.{field_name} is not registered with register_deadline") from None


def deadline_track(obj: models.Model, field_name: str, *, start: date, days: int = 0, months: int = 0):
    """Compute ``field_name`` of the saved record ``obj`` as the end of the period and remember how.

    Saves the field when its value differs and returns the ``periods.PeriodEnd`` (``.end``,
    ``.provisional``). Call it inside the service's transaction whenever the period (re)starts.
    """
    registration_for(type(obj), field_name)
    if obj.pk is None:
        raise ValueError("save the record before tracking its deadline")
    detail = periods.period_end_detail(start, days=days, months=months)
    if getattr(obj, field_name) != detail.end:
        setattr(obj, field_name, detail.end)
        obj.save(update_fields=[field_name])
    TrackedDeadline.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, field=field_name,
        defaults={"start": start, "days": days, "months": months, "raw_end": detail.raw, "value": detail.end,
                  "provisional": detail.provisional},
    )
    return detail


@dataclass(frozen=True)
class HoursEnd:
    """A due time ``at`` counted in working hours, the local dates it spans and whether one lies in an unsettled
    year (the same questions ``periods.PeriodEnd`` answers for a period of days or months)."""

    at: datetime
    first: date
    last: date
    provisional: bool


def _local_date(moment: datetime) -> date:
    return moment.astimezone(worktime.SHANGHAI).date()


def _unsettled(first: date, last: date) -> bool:
    return any(not periods.year_is_settled(year) for year in range(first.year, last.year + 1))


def hours_end(start: datetime, hours, *, day_start: time, day_end: time) -> HoursEnd:
    at = worktime.add_working_hours(start, hours, day_start=day_start, day_end=day_end)
    first, last = _local_date(start), _local_date(at)
    return HoursEnd(at=at, first=first, last=last, provisional=_unsettled(first, last))


def deadline_track_hours(obj: models.Model, field_name: str, *, start: datetime, hours, day_start: time,
                         day_end: time) -> HoursEnd:
    """``deadline_track`` for a due time ``hours`` working hours after the instant ``start`` (a DateTimeField)."""
    registration_for(type(obj), field_name)
    if obj.pk is None:
        raise ValueError("save the record before tracking its deadline")
    hours = Decimal(str(hours))
    detail = hours_end(start, hours, day_start=day_start, day_end=day_end)
    if getattr(obj, field_name) != detail.at:
        setattr(obj, field_name, detail.at)
        obj.save(update_fields=[field_name])
    TrackedDeadline.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, field=field_name,
        defaults={"start": detail.first, "days": 0, "months": 0, "raw_end": detail.first, "value": detail.last,
                  "provisional": detail.provisional, "start_at": start, "hours": hours, "day_start": day_start,
                  "day_end": day_end, "value_at": detail.at},
    )
    return detail


def dated(value) -> str:
    """A computed date (or due time) as written into a stored text — a notice, a history comment —:
    ``2027-02-09``, followed by “（按暂定日历）” while a year it rests on is not settled."""
    if isinstance(value, datetime):
        text = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        day = timezone.localtime(value).date()
    else:
        text, day = value.isoformat(), value
    if periods.year_is_settled(day.year):
        return text
    return _("%(day)s (provisional calendar)") % {"day": text}


def mark_text(value) -> str:
    """“按暂定日历” for a computed date (or due time) whose year is not settled, else "": for a column of an
    Excel export beside the date, which stays a date cell."""
    if value is None:
        return ""
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    return "" if periods.year_is_settled(day.year) else _("provisional calendar")


def tracked(obj: models.Model, field_name: str) -> TrackedDeadline | None:
    return TrackedDeadline.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, field=field_name
    ).first()


@dataclass
class RecomputeResult:
    examined: int = 0
    moved: int = 0
    reflagged: int = 0
    notified: int = 0
    moves: list[tuple[str, date, date]] = field(default_factory=list)


def _open_ids(registration: Registration, ids: list[int]) -> set[int]:
    qs = registration.model._default_manager.filter(pk__in=ids)
    if registration.is_open is not None:
        qs = registration.is_open(qs)
    return set(qs.values_list("pk", flat=True))


def deadlines_recompute(*, first: date, last: date, reason: str = "") -> RecomputeResult:
    """Recompute every tracked date of an open record whose period touches ``first``…``last``.

    Each record is recomputed in its own transaction with its tracked row locked, so a re-run (a retried
    task, a second calendar change) finds nothing left to move and notifies nobody twice.
    """
    periods.invalidate_calendar_cache()  # this process (a worker) may hold the calendar from before the change
    with translation.override(settings.LANGUAGE_CODE):
        reason = reason or _("the working-day calendar changed")
        result = RecomputeResult()
        rows = TrackedDeadline.objects.filter(raw_end__lte=last, value__gte=first).order_by("pk")
        groups: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        for pk, ct_id, object_id, field_name in rows.values_list("pk", "content_type_id", "object_id", "field"):
            groups[(ct_id, field_name)].append((pk, object_id))
        for (ct_id, field_name), members in groups.items():
            model = ContentType.objects.get_for_id(ct_id).model_class()
            registration = _registry.get((model._meta.label_lower, field_name)) if model else None
            if registration is None:
                continue  # an app that stopped registering the field: its rows are left as they are
            for start in range(0, len(members), 1000):
                chunk = members[start:start + 1000]
                still_open = _open_ids(registration, [object_id for _pk, object_id in chunk])
                open_pks = [pk for pk, object_id in chunk if object_id in still_open]
                result.examined += len(open_pks)
                # Read the chunk's rules at once and lock only the rows whose answer changed (then checked again
                # under the lock): a calendar change touches many rows and moves few of them.
                flagged = []
                for row in TrackedDeadline.objects.filter(pk__in=open_pks).order_by("pk"):
                    stored, _value, raw, provisional = _answer(row)
                    old = row.value_at if row.hours is not None else row.value
                    if (stored, raw) != (old, row.raw_end):
                        _recompute_one(row.pk, registration, reason, result)
                    elif provisional != row.provisional:  # the date stands; only whether it is final changed
                        row.provisional = provisional
                        flagged.append(row)
                if flagged:
                    _reflag(flagged, reason)
                    result.reflagged += len(flagged)
        for listener in list(_listeners):
            listener(first=first, last=last, reason=reason)
    return result


@transaction.atomic
def _reflag(rows: list[TrackedDeadline], reason: str) -> None:
    """Store the new provisional flag of rows whose date stands: one UPDATE per flag value, history in bulk."""
    now = timezone.now()
    for flag in (True, False):
        pks = [row.pk for row in rows if row.provisional is flag]
        if pks:
            TrackedDeadline.objects.filter(pk__in=pks).update(provisional=flag, updated_at=now)
    for row in rows:
        row.updated_at = now
    TrackedDeadline.history.bulk_history_create(rows, update=True, default_change_reason=reason[:100])


def _answer(row: TrackedDeadline) -> tuple[date | datetime, date, date, bool]:
    """What the row's rule gives on today's calendar: (what the record stores, value, raw end, provisional)."""
    if row.hours is not None:
        detail = hours_end(row.start_at, row.hours, day_start=row.day_start, day_end=row.day_end)
        return detail.at, detail.last, detail.first, detail.provisional
    period = periods.period_end_detail(row.start, days=row.days, months=row.months)
    return period.end, period.end, period.raw, period.provisional


def _shown(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


@transaction.atomic
def _recompute_one(row_pk: int, registration: Registration, reason: str, result: RecomputeResult) -> None:
    row = TrackedDeadline.objects.select_for_update().filter(pk=row_pk).first()
    if row is None:
        return
    stored, value, raw, provisional = _answer(row)
    old = row.value_at if row.hours is not None else row.value
    if (stored, raw, provisional) == (old, row.raw_end, row.provisional):
        return
    new = stored
    obj = None
    if new != old:
        obj = registration.model._default_manager.select_for_update().filter(pk=row.object_id).first()
        if obj is None or getattr(obj, registration.field) != old:
            return  # the record was changed outside deadline_track: its owner decides, not the calendar
        setattr(obj, registration.field, new)
        obj._change_reason = (_("%(label)s moved from %(old)s to %(new)s: %(reason)s") % {
            "label": registration.label, "old": _shown(old), "new": _shown(new), "reason": reason})[:100]
        obj.save(update_fields=[registration.field])
    row.value, row.raw_end, row.provisional = value, raw, provisional
    if row.hours is not None:
        row.value_at = stored
    row._change_reason = reason[:100]
    row.save()
    if obj is None:
        result.reflagged += 1
        return
    result.moved += 1
    result.moves.append((f"{obj._meta.label_lower}:{obj.pk}.{registration.field}", old, new))
    if registration.on_change is not None:
        registration.on_change(obj, old=old, new=new)
    if registration.notify is not None:
        url = registration.url(obj) if registration.url else getattr(obj, "get_absolute_url", lambda: "")()
        for person in {u.pk: u for u in registration.notify(obj) if u is not None}.values():
            if notify(
                recipient=person,
                key=event_key("deadline-moved", obj, registration.field, old.isoformat(), new.isoformat()),
                subject=_("%(label)s of %(record)s is now %(new)s") % {
                    "label": registration.label, "record": obj, "new": dated(new)},
                body=_("The date moved from %(old)s to %(new)s because %(reason)s.") % {
                    "old": _shown(old), "new": dated(new), "reason": reason},
                url=url,
            ):
                result.notified += 1


def recompute_on_commit(*, first: date, last: date, reason: str) -> None:
    """Queue the background recomputation once the calendar change is committed."""
    from .tasks import deadlines_recompute_task

    transaction.on_commit(
        lambda: deadlines_recompute_task.delay(first=first.isoformat(), last=last.isoformat(), reason=str(reason))
    )


def years_in_use(*, since: int) -> list[int]:
    """Years from ``since`` on in which a tracked deadline falls (the banner warns about unsettled ones)."""
    return [d.year for d in TrackedDeadline.objects.filter(value__year__gte=since).dates("value", "year")]
