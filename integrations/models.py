"""Integration records: API tokens and service accounts, calendar feeds, robot channels and their deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import ChannelState, DeliveryState, NoticeKind, RobotKind

User = settings.AUTH_USER_MODEL


class ServiceAccount(models.Model):
    """Another system (the accounting system 金蝶 / 用友) calling the API: a user that cannot log in.

    Its roles are the groups an administrator gives it (e.g. 财务审核员 to record money), so what it may see and do
    is decided by the same rules as for a person.
    """

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="service_account",
                                verbose_name=_("user"))
    name = models.CharField(_("system name"), max_length=80, unique=True)
    description = models.CharField(_("used for"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def role_labels(self) -> list[str]:
        from org.roles import Role

        return [str(Role(g.name).label) if g.name in Role.values else g.name for g in self.user.groups.all()]


class ApiToken(models.Model):
    """A bearer token for the REST API, of a person or a service account, with scopes and an expiry.

    Only the SHA-256 digest of the token is stored (``digest``, unique); the token itself is shown once when it is
    issued. ``prefix`` (its first characters) names it on pages. A revoked or expired token authenticates nobody.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("acts as"))
    name = models.CharField(_("token name"), max_length=80)
    prefix = models.CharField(_("token starts with"), max_length=16)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("token issued by"))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("revoked by"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_labels(self) -> list[str]:
        from .choices import Scope

        return [str(Scope(s).label) if s in Scope.values else s for s in self.scopes]

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class CalendarFeed(models.Model):
    """A person's private calendar address (``/integrations/calendar/<token>.ics``): whoever has the address reads
    that person's deadlines, so it is random, can be regenerated (the old address stops working) or switched off."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("person"))
    token = models.CharField(_("address token"), max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("address made at"), null=True, blank=True)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_read_at"])

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


class RobotChannel(models.Model):
    """A WeCom group robot or a DingTalk custom robot, for a unit (its people) or one person (SPEC X-5).

    Administrators enter the webhook address (https, the vendor's host and path) and, for DingTalk's signed mode,
    the secret. A channel whose deliveries keep failing is marked failing: it is not used until an administrator
    sends a successful test message again.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=RobotKind.choices)
    name = models.CharField(_("name"), max_length=80)
    webhook_url = models.CharField(_("webhook address"), max_length=400)
    secret = models.CharField(_("signing secret"), max_length=120, blank=True)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="robots",
                             verbose_name=_("unit"))
    person = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="robots",
                               verbose_name=_("person"))
    state = models.CharField(_("state"), max_length=10, choices=ChannelState.choices, default=ChannelState.ACTIVE)
    failures_in_row = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("robot channel")
        verbose_name_plural = _("robot channels")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=True, person__isnull=False)
                                   | Q(unit__isnull=False, person__isnull=True),
                                   name="robot_channel_unit_xor_person"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class ChannelChoice(models.Model):
    """A person's choice: notices of this kind also go to this robot."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="channel_choices", verbose_name=_("person"))
    channel = models.ForeignKey(RobotChannel, on_delete=models.CASCADE, related_name="choices",
                                verbose_name=_("robot"))
    kind = models.CharField(_("kind of notice"), max_length=14, choices=NoticeKind.choices)

    class Meta:
        verbose_name = _("channel choice")
        verbose_name_plural = _("channel choices")
        constraints = [models.UniqueConstraint(fields=["user", "channel", "kind"], name="channel_choice_once")]

    def __str__(self):
        return f"{self.user} · {self.channel} · {self.kind}"


class ChannelDelivery(models.Model):
    """One notice delivered to one robot: at most one row per notice and channel (the notice's own idempotency),
    so a repeated task sends nothing twice. Failed attempts are counted; after the last one it stays failed."""

    notification = models.ForeignKey("portal.Notification", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("notice"))
    channel = models.ForeignKey(RobotChannel, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("robot"))
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("robot delivery")
        verbose_name_plural = _("robot deliveries")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="channel_delivery_once")]

    def __str__(self):
        return f"{self.notification_id} → {self.channel_id}"
