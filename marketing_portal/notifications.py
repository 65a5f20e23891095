"""Notifications (SPEC X-5): an in-app inbox and e-mail, each event delivered once per person.

``notify`` is idempotent by ``(recipient, key)``: asking twice for the same event about the same
record and person stores and e-mails one message. The e-mail goes out from a Celery task after the
transaction commits; the task marks the message sent with a conditional update, so a retried task
does not send it again.

A "please handle" notice (待办) carries the key of the work item it asks for — ``work=work_key(step)`` or
``work=work_key(costing, "review")`` — and is done (已办, no longer unread) as soon as that work item closes, by
whoever closes it: the person, a delegate, or because the step was withdrawn or cancelled. The approval kernel
closes its steps' notices itself (``org.approvals.close_step``); other records say once, in their app's
``ready()``, when a work item on them is open (``register_work_item(Model, stage, is_open=…)``) and their
notices close when a save makes it false. A notice without a work item is for information (知会).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from .models import Notification

# Further ways a notice reaches its person (the integrations app's WeCom / DingTalk robots), registered in an app's
# ``ready()``: each is called with the new notification's id after the transaction commits (once per notice: a notice
# asked for twice is stored once). ``_statuses``: what a channel says about delivered notices, for the inbox.
_deliveries: list = []
_statuses: list = []


def register_delivery(fn) -> None:
    """``fn(notification_id)`` runs on commit for each new notice (it queues its own task)."""
    if fn not in _deliveries:
        _deliveries.append(fn)


def register_delivery_status(fn) -> None:
    """``fn(notification_ids) -> {id: [(label, ok: bool, detail)]}``, shown beside each notice in the inbox."""
    if fn not in _statuses:
        _statuses.append(fn)


def delivery_statuses(notes) -> dict[int, list]:
    ids = [n.pk for n in notes]
    out: dict[int, list] = {}
    for fn in _statuses:
        for pk, rows in fn(ids).items():
            out.setdefault(pk, []).extend(rows)
    return out


def event_key(event: str, target: Model | None = None, *parts: object) -> str:
    """A stable key: event name, the record it concerns, and any further distinguishing parts."""
    bits = [event]
    if target is not None:
        bits.append(f"{target._meta.label_lower}:{target.pk}")
    bits.extend(str(p) for p in parts)
    return "|".join(bits)[:200]


def work_key(target: Model, stage: str = "") -> str:
    """The key of a work item: a record (a step, a costing…) and, where one record carries several pieces of work
    one after the other, the stage (``"cost"``, ``"review"``)."""
    key = f"{target._meta.label_lower}:{target.pk}"
    return f"{key}|{stage}" if stage else key


def module_of(url: str) -> str:
    """The module a notice belongs to: the URL namespace of its link (``contracts``, ``handoff``…), else ``portal``."""
    if not url:
        return "portal"
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return "portal"
    return (match.namespace.split(":")[0] if match.namespace else "") or "portal"


def notify(*, recipient, key: str, subject: str, body: str = "", url: str = "", email: bool = True,
           work: str = ""):
    """Deliver a message once; returns the new ``Notification`` or ``None`` if it was delivered before.

    ``work`` (``work_key(...)``) makes it a "please handle" notice, done when that work item closes."""
    if recipient is None or not recipient.is_active:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = str(subject), str(body)
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                recipient=recipient, key=key, subject=subject[:200], body=body, url=url,
                send_email=email and bool(recipient.email), work_key=work[:200], module=module_of(url),
            )
    except IntegrityError:
        return None  # the unique (recipient, key) constraint: already delivered
    if note.send_email:
        from .tasks import send_notification_email_task

        transaction.on_commit(lambda: send_notification_email_task.delay(note.pk))
    for deliver in _deliveries:
        transaction.on_commit(lambda deliver=deliver: deliver(note.pk))
    return note


def notify_many(*, recipients, key: str, subject: str, body: str = "", url: str = "", email: bool = True,
                work: str = "") -> int:
    sent = 0
    for user in {u.pk: u for u in recipients if u is not None}.values():
        if notify(recipient=user, key=key, subject=subject, body=body, url=url, email=email, work=work):
            sent += 1
    return sent


def notification_send_email(*, notification_id: int) -> bool:
    """Send the e-mail of one notification unless it was sent already; True when sent now."""
    from django.core.mail import send_mail
    from django.utils import timezone

    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or not note.send_email or note.emailed_at is not None:
        return False
    # Claim the message first: of two workers racing on a re-delivered task only one updates the row.
    claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    link = f"{settings.PORTAL_BASE_URL.rstrip('/')}{note.url}" if note.url else ""
    try:
        send_mail(note.subject, "\n\n".join(p for p in (note.body, link) if p), None, [note.recipient.email])
    except Exception:
        Notification.objects.filter(pk=note.pk).update(emailed_at=None)  # let the retry try again
        raise
    return True


def notification_mark_read(*, user, notification_id: int | None = None, notifications=None) -> int:
    """Mark one message, the messages of ``notifications`` (a queryset of the user's own), or all of them read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    if notifications is not None:
        qs = qs.filter(pk__in=notifications.values("pk"))
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --------------------------------------------------------------------------------------------------
# Work items: a "please handle" notice is done when the work it asks for closes
# --------------------------------------------------------------------------------------------------
def close_work(key: str, *, now=None) -> int:
    """The work item ``key`` is closed: every notice asking for it is done and no longer unread, for everyone it
    went to (the person, their delegates). Returns how many notices closed; a second call closes nothing."""
    if not key:
        return 0
    now = now or timezone.now()
    return (Notification.objects.filter(work_key=key, done_at__isnull=True)
            .update(done_at=now, read_at=Coalesce("read_at", Value(now))))


def close_work_on_commit(key: str) -> None:
    """``close_work`` after the commit (after the notices queued earlier in the same transaction were stored)."""
    transaction.on_commit(lambda: close_work(key))


@dataclass(frozen=True)
class _WorkItem:
    stage: str
    is_open: Callable[[Model], bool]


_work_items: dict[type, list[_WorkItem]] = {}


def register_work_item(model: type[Model], stage: str = "", *, is_open: Callable[[Model], bool]) -> None:
    """Say when a work item on ``model`` is open (``is_open(record)``): once a save makes it false, the notices
    asking for ``work_key(record, stage)`` are done. Call it in the app's ``ready()``."""
    items = _work_items.setdefault(model, [])
    if all(item.stage != stage for item in items):
        items.append(_WorkItem(stage=stage, is_open=is_open))
    post_save.connect(_close_finished_work, sender=model, dispatch_uid=f"work-item:{model._meta.label_lower}")


_staged: dict[type, Callable[[Model], str]] = {}


def register_work_stages(model: type[Model], *, current: Callable[[Model], str]) -> None:
    """For a record whose work follows its state (a repair ticket: whoever it waits on in each state): a notice
    asking for ``work_key(record, stage)`` is done once a save leaves the record in another stage than ``stage``
    (``current(record)``) — one query per save, whatever the number of stages."""
    _staged[model] = current
    post_save.connect(_close_finished_work, sender=model, dispatch_uid=f"work-item:{model._meta.label_lower}")


def _close_other_stages(record: Model, stage: str, now=None) -> int:
    now = now or timezone.now()
    return (Notification.objects.filter(work_key__startswith=f"{work_key(record)}|", done_at__isnull=True)
            .exclude(work_key=work_key(record, stage))
            .update(done_at=now, read_at=Coalesce("read_at", Value(now))))


def _close_finished_work(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for item in _work_items.get(sender, []):
        if not item.is_open(instance):
            close_work_on_commit(work_key(instance, item.stage))
    if sender in _staged:
        stage = _staged[sender](instance)
        transaction.on_commit(lambda: _close_other_stages(instance, stage))


# --------------------------------------------------------------------------------------------------
# The inbox
# --------------------------------------------------------------------------------------------------
TODO, INFO = "todo", "info"


def module_label(module: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_app_config(module).verbose_name)
    except LookupError:
        return module


def inbox_for(user, *, module: str = "", kind: str = "", unread: bool = False):
    """The user's own notices, filtered: by module, by to-do (待办) / for information (知会), only unread."""
    qs = Notification.objects.filter(recipient=user)
    if module:
        qs = qs.filter(module=module)
    if kind == TODO:
        qs = qs.exclude(work_key="")
    elif kind == INFO:
        qs = qs.filter(work_key="")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def inbox_modules(user) -> list[tuple[str, str, int]]:
    """(module, its name, unread notices) for every module the user has notices from, in the order of the name."""
    from django.db.models import Count, Q

    rows = (Notification.objects.filter(recipient=user).values("module")
            .annotate(unread=Count("pk", filter=Q(read_at__isnull=True))).order_by())
    return sorted(((r["module"] or "portal", module_label(r["module"] or "portal"), r["unread"]) for r in rows),
                  key=lambda row: row[1])
