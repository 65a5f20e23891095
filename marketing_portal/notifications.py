"""Notifications (SPEC X-5): an in-app inbox and e-mail, each event delivered once per person.

``notify`` is idempotent by ``(recipient, key)``: asking twice for the same event about the same
record and person stores and e-mails one message. The e-mail goes out from a Celery task after the
transaction commits; the task marks the message sent with a conditional update, so a retried task
does not send it again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import translation

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


def notify(*, recipient, key: str, subject: str, body: str = "", url: str = "", email: bool = True):
    """Deliver a message once; returns the new ``Notification`` or ``None`` if it was delivered before."""
    if recipient is None or not recipient.is_active:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = str(subject), str(body)
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                recipient=recipient, key=key, subject=subject[:200], body=body, url=url,
                send_email=email and bool(recipient.email),
            )
    except IntegrityError:
        return None  # the unique (recipient, key) constraint: already delivered
    if note.send_email:
        from .tasks import send_notification_email_task

        transaction.on_commit(lambda: send_notification_email_task.delay(note.pk))
    for deliver in _deliveries:
        transaction.on_commit(lambda deliver=deliver: deliver(note.pk))
    return note


def notify_many(*, recipients, key: str, subject: str, body: str = "", url: str = "", email: bool = True) -> int:
    sent = 0
    for user in {u.pk: u for u in recipients if u is not None}.values():
        if notify(recipient=user, key=key, subject=subject, body=body, url=url, email=email):
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


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
