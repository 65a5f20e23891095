from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do; reading is always narrowed to what its person or service account may see (X-2)."""

    READ = "read", _("read")
    WRITE_MONEY = "write:money", _("record money")


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")


class ChannelState(models.TextChoices):
    ACTIVE = "active", _("in use")
    FAILING = "failing", _("failing")
    OFF = "off", _("switched off")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("not sent (robot failing)")


class NoticeKind(models.TextChoices):
    """Kinds of notice a person chooses robots for (derived from the notice's key)."""

    APPROVAL = "approval", _("Approvals waiting on me")
    DEADLINE = "deadline", _("Reminders, overdue alerts, moved deadlines")
    CONTRACTS = "contracts", _("Contracts")
    HANDOFF = "handoff", _("Hand-offs to XXX")
    RECEIVABLES = "receivables", _("Receivables and commission")
    REPAIRS = "repairs", _("Repairs")
    PLANNING = "planning", _("Plans, reports, bids")
    OTHER = "other", _("Other notices")
