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

``deadline_track`` stores the period's start and rule with the value (``TrackedDeadline``). When calendar
days are entered, changed, removed or a year is confirmed, the calendar services queue
``deadlines_recompute_task`` after the commit; it recomputes every tracked date whose period touches the
changed days — with the rule it was first computed with, so a later policy change rewrites nothing —
writes old → new into the record's history (and the tracked row's), calls the registration's
``on_change(obj, old=, new=)`` (e.g. a reversing ledger entry: the ledger stays append-only) and notifies
each person ``notify(obj)`` names, once per move (notification key). Dates produced by a rules core rather
than one period (the receivables sweep) follow through ``register_calendar_listener`` instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from . import periods
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
    """Call ``listener(first=, last=, reason=)`` after each recomputation, in its own transaction.

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
                for pk, object_id in chunk:
                    if object_id in still_open:
                        result.examined += 1
                        _recompute_one(pk, registration, reason, result)
        for listener in list(_listeners):
            with transaction.atomic():
                listener(first=first, last=last, reason=reason)
    return result


@transaction.atomic
def _recompute_one(row_pk: int, registration: Registration, reason: str, result: RecomputeResult) -> None:
    row = TrackedDeadline.objects.select_for_update().filter(pk=row_pk).first()
    if row is None:
        return
    detail = periods.period_end_detail(row.start, days=row.days, months=row.months)
    if (detail.end, detail.raw, detail.provisional) == (row.value, row.raw_end, row.provisional):
        return
    old, new = row.value, detail.end
    obj = None
    if new != old:
        obj = registration.model._default_manager.select_for_update().filter(pk=row.object_id).first()
        if obj is None or getattr(obj, registration.field) != old:
            return  # the record was changed outside deadline_track: its owner decides, not the calendar
        setattr(obj, registration.field, new)
        obj._change_reason = _("%(label)s moved from %(old)s to %(new)s: %(reason)s") % {
            "label": registration.label, "old": old.isoformat(), "new": new.isoformat(), "reason": reason}
        obj.save(update_fields=[registration.field])
    row.value, row.raw_end, row.provisional = new, detail.raw, detail.provisional
    row._change_reason = reason
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
                    "label": registration.label, "record": obj, "new": new.isoformat()},
                body=_("The date moved from %(old)s to %(new)s because %(reason)s.") % {
                    "old": old.isoformat(), "new": new.isoformat(), "reason": reason},
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
