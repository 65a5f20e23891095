"""Every write of the integrations app: tokens and service accounts, calendar feeds, robot channels and deliveries."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketing_portal.audit import audited
from marketing_portal.models import Notification
from marketing_portal.people import display_name
from org.roles import Role
from org.rules import holds

from . import robots, rules
from .choices import ChannelState, DeliveryState, NoticeKind, RobotKind, Scope
from .models import ApiToken, CalendarFeed, ChannelChoice, ChannelDelivery, RobotChannel, ServiceAccount

TOKEN_PREFIX = "mpt_"
MAX_TOKEN_DAYS = 366


class IntegrationError(ValidationError):
    """A step that may not be taken now, or not by this person."""


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_scopes(scopes) -> list[str]:
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in Scope.values]
    if not scopes:
        raise IntegrationError({"scopes": [_("Choose at least one scope.")]}, code="scopes")
    if unknown:
        raise IntegrationError({"scopes": [_("Unknown scope: %(scope)s.") % {"scope": ", ".join(unknown)}]},
                               code="scopes")
    return scopes


@audited
@transaction.atomic
def token_issue(*, user, by, name: str, scopes, days: int = 90) -> tuple[ApiToken, str]:
    """A new token acting as ``user``; returns it with the token text, which is shown once and never stored.

    A person issues tokens for themselves; administrators for service accounts (and for any person).
    """
    if user is None or not user.is_active:
        raise IntegrationError(_("This account is not active."), code="inactive")
    if user.pk != by.pk and not holds(by, rules.administers):
        raise IntegrationError(_("Only administrators issue tokens for someone else."), code="not_allowed")
    if hasattr(user, "service_account") and not holds(by, rules.administers):
        raise IntegrationError(_("Only administrators issue tokens for a service account."), code="not_allowed")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Name the token (e.g. the system or script that uses it).")]
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors["days"] = [_("A token is valid for 1 to %(max)s days.") % {"max": MAX_TOKEN_DAYS}]
    try:
        scopes = _check_scopes(scopes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise IntegrationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=raw[:12], digest=token_digest(raw),
                                    scopes=scopes, expires_at=timezone.now() + timedelta(days=days), created_by=by)
    return token, raw


@audited
@transaction.atomic
def token_revoke(*, token_id: int, by) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or not holds(by, rules.owns_token | rules.administers, token):
        raise IntegrationError(_("This token does not exist."), code="not_found")
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_authenticate(raw: str) -> ApiToken:
    """The usable token with this text; ``IntegrationError`` with code ``token_invalid`` / ``token_expired`` /
    ``token_revoked`` otherwise. Marks it used (at most once a minute, to keep the row quiet)."""
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw or "")).first()
    if token is None or not token.user.is_active:
        raise IntegrationError(_("The token is not valid."), code="token_invalid")
    if token.revoked_at is not None:
        raise IntegrationError(_("The token was revoked."), code="token_revoked")
    if token.is_expired:
        raise IntegrationError(_("The token expired on %(when)s.") % {
            "when": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")}, code="token_expired")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


ALLOWED_SERVICE_ROLES = (Role.FINANCE_REVIEWER, Role.SALES_CLERK)


@audited
@transaction.atomic
def service_account_create(*, name: str, by, roles=(), description: str = "") -> ServiceAccount:
    """An account for another system; it cannot log in, it acts only through its tokens, with the given roles."""
    if not holds(by, rules.administers):
        raise IntegrationError(_("Only administrators create service accounts."), code="not_allowed")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Enter the name of the system.")]
    elif ServiceAccount.objects.filter(name=name).exists():
        errors["name"] = [_("A service account named %(name)s exists already.") % {"name": name}]
    bad = [r for r in roles if r not in ALLOWED_SERVICE_ROLES]
    if bad:
        errors["roles"] = [_("A service account cannot hold this role: %(role)s.") % {"role": ", ".join(bad)}]
    if errors:
        raise IntegrationError(errors)
    users = get_user_model()
    base = "svc-" + (slugify(name) or secrets.token_hex(4))
    username, n = base[:140], 1
    while users.objects.filter(username=username).exists():
        n += 1
        username = f"{base[:136]}-{n}"
    user = users(username=username, first_name=name[:150], is_active=True)
    user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    return ServiceAccount.objects.create(user=user, name=name, description=(description or "").strip()[:200],
                                         created_by=by)


# Calendar feeds
# --------------------------------------------------------------------------------------------------
@audited
@transaction.atomic
def feed_regenerate(*, user, by) -> CalendarFeed:
    """A new private address for the person's calendar; the old one (if any) stops working at once."""
    if by.pk != user.pk:
        raise IntegrationError(_("Only the person makes their own calendar address."), code="not_allowed")
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    feed.token, feed.created_at = secrets.token_urlsafe(32), timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


@audited
@transaction.atomic
def feed_revoke(*, user, by) -> None:
    if by.pk != user.pk and not holds(by, rules.administers):
        raise IntegrationError(_("Only the person switches off their calendar address."), code="not_allowed")
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is not None and feed.token:
        feed.token, feed.created_at = None, None
        feed.save(update_fields=["token", "created_at"])


def feed_open(token: str):
    """The person whose feed this address is (marking it read), or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token or "-").first() if token else None
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    return feed.user


# Robot channels (WeCom / DingTalk)
# --------------------------------------------------------------------------------------------------
def _robot_errors(kind, name, webhook_url, secret, unit, person) -> dict:
    errors: dict[str, list] = {}
    if not (name or "").strip():
        errors["name"] = [_("Name the robot (e.g. the group it posts to).")]
    problem = robots.webhook_problem(kind, webhook_url)
    if problem:
        errors["webhook_url"] = [problem]
    if (unit is None) == (person is None):
        errors["unit"] = [_("Choose either a unit or a person for the robot.")]
    if kind == RobotKind.WECOM and secret:
        errors["secret"] = [_("WeCom robots have no signing secret; leave it empty.")]
    if secret and not secret.startswith("SEC"):
        errors["secret"] = [_("A DingTalk signing secret starts with SEC (robot settings → 加签).")]
    return errors


@audited
@transaction.atomic
def robot_create(*, by, kind: str, name: str, webhook_url: str, secret: str = "", unit=None, person=None
                 ) -> RobotChannel:
    if not holds(by, rules.administers):
        raise IntegrationError(_("Only administrators set up robots."), code="not_allowed")
    webhook_url, secret = (webhook_url or "").strip(), (secret or "").strip()
    errors = _robot_errors(kind, name, webhook_url, secret, unit, person)
    if errors:
        raise IntegrationError(errors)
    return RobotChannel.objects.create(kind=kind, name=name.strip()[:80], webhook_url=webhook_url, secret=secret,
                                       unit=unit, person=person, created_by=by)


@audited
@transaction.atomic
def robot_switch_off(*, channel_id: int, by) -> RobotChannel:
    if not holds(by, rules.administers):
        raise IntegrationError(_("Only administrators set up robots."), code="not_allowed")
    channel = RobotChannel.objects.select_for_update().get(pk=channel_id)
    channel.state = ChannelState.OFF
    channel.save(update_fields=["state"])
    return channel


def robot_test(*, channel_id: int, by) -> RobotChannel:
    """Send a test message now; on success the robot is in use again (a failing or switched-off one too)."""
    if not holds(by, rules.administers):
        raise IntegrationError(_("Only administrators set up robots."), code="not_allowed")
    channel = RobotChannel.objects.get(pk=channel_id)
    with translation.override(settings.LANGUAGE_CODE):
        payload = robots.message(channel.kind, subject=_("Test message from the Marketing Portal"),
                                 body=_("If you read this, the robot works."), link=settings.PORTAL_BASE_URL)
    outcome = robots.post(channel.kind, channel.webhook_url, channel.secret, payload)
    with transaction.atomic():
        channel = RobotChannel.objects.select_for_update().get(pk=channel_id)
        if outcome.ok:
            channel.state, channel.failures_in_row, channel.failing_since = ChannelState.ACTIVE, 0, None
            channel.last_error = ""
        else:
            channel.last_error = outcome.error[:300]
        channel._change_reason = _stored(lambda: _("test message sent") if outcome.ok else _("test message failed"))
        channel.save()
    if not outcome.ok:
        raise IntegrationError(_("The test message failed: %(why)s") % {"why": outcome.error}, code="robot_failed")
    return channel


def _stored(build):
    with translation.override(settings.LANGUAGE_CODE):
        return str(build())


def channels_for(user):
    """The robots a person may choose: their own and those of their unit (switched-off ones excluded)."""
    from org.selectors import person_of

    person = person_of(user)
    condition = Q(person=user)
    if person is not None:
        condition |= Q(unit_id=person.unit_id)
    return RobotChannel.objects.filter(condition).exclude(state=ChannelState.OFF).select_related("unit", "person")


@audited
@transaction.atomic
def channel_choices_set(*, user, by, choices) -> int:
    """The person's choices become exactly ``choices`` — pairs (channel id, notice kind) of robots open to them."""
    if by.pk != user.pk:
        raise IntegrationError(_("Only the person chooses where their notices go."), code="not_allowed")
    allowed = set(channels_for(user).values_list("pk", flat=True))
    wanted = set()
    for channel_id, kind in choices:
        if channel_id not in allowed or kind not in NoticeKind.values:
            raise IntegrationError(_("This robot is not open to you."), code="not_allowed")
        wanted.add((channel_id, kind))
    existing = set(ChannelChoice.objects.filter(user=user).values_list("channel_id", "kind"))
    for channel_id, kind in existing - wanted:
        ChannelChoice.objects.filter(user=user, channel_id=channel_id, kind=kind).delete()
    ChannelChoice.objects.bulk_create([ChannelChoice(user=user, channel_id=c, kind=k) for c, k in wanted - existing],
                                      ignore_conflicts=True)
    return len(wanted)


APPROVAL_EVENTS = {"contract-step", "plan-step", "tender-review", "loan-request", "rcv-duty-proposal",
                   "rcv-adjustment"}
DEADLINE_WORDS = ("remind", "overdue", "due", "deadline", "sla", "reminder")
APP_KINDS = {"contracts": NoticeKind.CONTRACTS, "handoff": NoticeKind.HANDOFF, "receivables": NoticeKind.RECEIVABLES,
             "repairs": NoticeKind.REPAIRS, "planning": NoticeKind.PLANNING}
EVENT_PREFIXES = {"rcv-": NoticeKind.RECEIVABLES, "handoff-": NoticeKind.HANDOFF, "repairs-": NoticeKind.REPAIRS,
                  "report-": NoticeKind.PLANNING, "plan-": NoticeKind.PLANNING, "tender-": NoticeKind.PLANNING,
                  "contract-": NoticeKind.CONTRACTS, "loan-": NoticeKind.CONTRACTS}


def notice_kind(key: str) -> str:
    """The kind of a notice, read from its key (``event|app.model:pk|…``, see ``notifications.event_key``)."""
    parts = (key or "").split("|")
    event = parts[0]
    if event in APPROVAL_EVENTS:
        return NoticeKind.APPROVAL
    if any(word in event for word in DEADLINE_WORDS):
        return NoticeKind.DEADLINE
    for part in parts[1:]:
        label = part.split(".", 1)[0]
        if label in APP_KINDS and ":" in part:
            return APP_KINDS[label]
    for prefix, kind in EVENT_PREFIXES.items():
        if event.startswith(prefix):
            return kind
    return NoticeKind.OTHER


def deliveries_plan(*, notification_id: int) -> list[int]:
    """The deliveries of one notice: one row per chosen robot (unique per notice and robot), the ids to send."""
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None:
        return []
    kind = notice_kind(note.key)
    chosen = RobotChannel.objects.filter(choices__user=note.recipient, choices__kind=kind).exclude(
        state=ChannelState.OFF).distinct()
    pending = []
    for channel in chosen:
        state = DeliveryState.SKIPPED if channel.state == ChannelState.FAILING else DeliveryState.PENDING
        delivery, _created = ChannelDelivery.objects.get_or_create(
            notification=note, channel=channel,
            defaults={"state": state, "last_error": _stored(lambda: _("The robot is failing: not sent."))
                      if state == DeliveryState.SKIPPED else ""})
        if delivery.state == DeliveryState.PENDING:
            pending.append(delivery.pk)
    return pending


CLAIM_LEASE = timedelta(minutes=2)


def delivery_send(*, delivery_id: int, final: bool) -> str:
    """Send one delivery unless it was sent; returns ``sent``, ``done`` (nothing to do), ``retry`` or ``failed``.

    The row is claimed first (a lease, so a second worker given the same task does not send it too); the HTTP call
    runs outside any transaction; the outcome is stored after. ``final``: this is the last attempt — a failure
    then is kept as failed and counts against the robot, which after ``ROBOT_FAILING_AFTER`` such notices in a row
    is marked failing (administrators are told once) and is not used until a test message succeeds.
    """
    now = timezone.now()
    claimed = ChannelDelivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)).update(claimed_at=now)
    if not claimed:
        return "done"
    delivery = ChannelDelivery.objects.select_related("notification__recipient", "channel").get(pk=delivery_id)
    note, channel = delivery.notification, delivery.channel
    link = f"{settings.PORTAL_BASE_URL.rstrip('/')}{note.url}" if note.url else ""
    with translation.override(settings.LANGUAGE_CODE):
        to = display_name(note.recipient) if channel.unit_id else ""
        payload = robots.message(channel.kind, subject=note.subject, body=note.body, link=link, to=to)
    outcome = robots.post(channel.kind, channel.webhook_url, channel.secret, payload)
    with transaction.atomic():
        delivery = ChannelDelivery.objects.select_for_update().get(pk=delivery_id)
        channel = RobotChannel.objects.select_for_update().get(pk=channel.pk)
        delivery.attempts += 1
        delivery.claimed_at = None
        if outcome.ok:
            delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, timezone.now(), ""
            delivery.save()
            if channel.failures_in_row or channel.last_error:
                channel.failures_in_row, channel.last_error = 0, ""
                channel.save(update_fields=["failures_in_row", "last_error"])
            return "sent"
        delivery.last_error = outcome.error[:300]
        if not final:
            delivery.save()
            return "retry"
        delivery.state = DeliveryState.FAILED
        delivery.save()
        channel.failures_in_row += 1
        channel.last_error = outcome.error[:300]
        newly_failing = (channel.state == ChannelState.ACTIVE
                         and channel.failures_in_row >= settings.ROBOT_FAILING_AFTER)
        if newly_failing:
            channel.state, channel.failing_since = ChannelState.FAILING, timezone.now()
            channel._change_reason = _stored(lambda: _("marked failing after %(n)s failed notices") % {
                "n": channel.failures_in_row})
        channel.save()
        if newly_failing:
            transaction.on_commit(lambda: _report_failing(channel.pk))
    return "failed"


def _report_failing(channel_id: int) -> None:
    """Tell the administrators once that a robot is failing (the notice's key names the robot and the day)."""
    from django.contrib.auth import get_user_model

    from marketing_portal.notifications import event_key, notify_many

    channel = RobotChannel.objects.get(pk=channel_id)
    admins = get_user_model().objects.filter(is_active=True, groups__name=Role.SYSADMIN)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Robot “%(name)s” is failing and is no longer used") % {"name": channel.name}
        body = _("Its last %(n)s notices could not be delivered: %(why)s. Check the webhook address, then send a "
                 "test message on the integrations page to use it again.") % {
            "n": channel.failures_in_row, "why": channel.last_error}
    notify_many(recipients=list(admins), key=event_key("robot-failing", channel, channel.failing_since.isoformat()),
                subject=subject, body=body, url=reverse("integrations:admin") + "#robots")


def delivery_statuses_for(notification_ids) -> dict[int, list]:
    """For the inbox: each notice's robot deliveries as (label, ok, detail)."""
    out: dict[int, list] = {}
    rows = ChannelDelivery.objects.filter(notification_id__in=list(notification_ids)).select_related("channel")
    for row in rows:
        ok = row.state in (DeliveryState.SENT, DeliveryState.PENDING)
        label = _("%(robot)s: %(state)s") % {"robot": row.channel.name, "state": row.get_state_display()}
        out.setdefault(row.notification_id, []).append((label, ok, "" if ok else row.last_error))
    return out
