"""Shared records of the portal: calendar days and years, tracked deadlines, policy versions, notifications and
attachments."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """A day entered by authorised staff that overrides the holiday package (SPEC CAL-2).

    ``kind`` says whether the day is a rest day (public holiday) or a make-up working day (调休).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (rest day)")
        WORKDAY = "workday", _("Make-up working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("e.g. National Day"))
    # Empty when the day came from the command line (``manage.py calendar_import``), which has no user.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year of the calendar and whether it was confirmed to follow the State Council's notice (CAL-2).

    Entering days is not enough: until someone with the right confirms the year (naming the notice by its
    number or link), deadlines in it are provisional and the administrators' banner stays. Changing the
    entered days of a confirmed year withdraws the confirmation.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.CharField(
        _("notice number or link"), max_length=300, blank=True, help_text=_("e.g. 国办发明电〔2025〕7号")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True) | ~models.Q(notice=""),
                name="calendar_year_confirmed_names_notice",
            )
        ]

    def __str__(self):
        return str(self.year)


class CalendarImport(models.Model):
    """One entry of a whole year's days at once (pasted notice, uploaded file or command), kept as it was given."""

    class Source(models.TextChoices):
        NOTICE = "notice", _("Pasted notice")
        FILE = "file", _("Uploaded file")
        COMMAND = "command", _("Command line")

    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    text = models.TextField(_("text as given"), blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    added = models.PositiveIntegerField(_("days added"), default=0)
    changed = models.PositiveIntegerField(_("days changed"), default=0)
    removed = models.PositiveIntegerField(_("days removed"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar import")
        verbose_name_plural = _("calendar imports")

    def __str__(self):
        return f"{self.year} {self.get_source_display()}"


class TrackedDeadline(models.Model):
    """A date stored on a business record that was computed from the calendar (``marketing_portal.deadlines``).

    The period's start and rule are kept with the value, so when the calendar changes the date is
    recomputed exactly as it was first computed (the policy in force then, not today's), and whether it
    rested on a year not yet settled is known.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=60)
    start = models.DateField(_("period starts after"))
    days = models.PositiveIntegerField(_("days"), default=0)
    months = models.PositiveIntegerField(_("months"), default=0)
    raw_end = models.DateField(_("end before rest days"))
    value = models.DateField(_("period ends on"))
    provisional = models.BooleanField(_("rests on a provisional calendar"), default=False)
    # A due time counted in working hours (repair service levels, ``worktime.add_working_hours``): the start
    # instant, the hours and the working day it was counted with, and the instant stored on the record. Then
    # ``start``/``raw_end`` hold the local date of the start and ``value`` that of the due time, so the period
    # covers every day whose working hours it counted.
    start_at = models.DateTimeField(_("period starts at"), null=True, blank=True)
    hours = models.DecimalField(_("working hours"), max_digits=9, decimal_places=2, null=True, blank=True)
    day_start = models.TimeField(_("working day starts at"), null=True, blank=True)
    day_end = models.TimeField(_("working day ends at"), null=True, blank=True)
    value_at = models.DateTimeField(_("due at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("computed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["value", "pk"]
        verbose_name = _("tracked deadline")
        verbose_name_plural = _("tracked deadlines")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "field"], name="tracked_deadline_once"),
            models.CheckConstraint(condition=models.Q(raw_end__lte=models.F("value")), name="tracked_deadline_order"),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True, start_at__isnull=True, value_at__isnull=True)
                | models.Q(hours__isnull=False, start_at__isnull=False, value_at__isnull=False,
                           day_start__isnull=False, day_end__isnull=False, days=0, months=0),
                name="tracked_deadline_hours_complete"),
        ]
        indexes = [models.Index(fields=["raw_end", "value"])]

    def __str__(self):
        return f"{self.content_type.model}#{self.object_id}.{self.field} = {self.value:%Y-%m-%d}"


class PolicyVersion(models.Model):
    """One immutable version of every number the regulation sets (see ``marketing_portal.policy``).

    A change creates a new version; computed consequences record the version they used, so a policy
    change never rewrites history.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    values = models.JSONField(_("values"), default=dict)
    reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self):
        return _("Policy v%(version)s") % {"version": self.version}

    @property
    def reason_display(self) -> str:
        """The first version was stored with an English note before stored texts followed the portal language."""
        return _("Regulation defaults") if self.reason == "regulation defaults" else self.reason


class Notification(models.Model):
    """An in-app message to one person; ``key`` makes the same event for the same record arrive once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    key = models.CharField(_("event key"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    send_email = models.BooleanField(_("send e-mail"), default=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # A "please handle" notice names the work item it asks for (``notifications.work_key``); it is done when that
    # work item closes, whoever closed it. A notice without one is for information.
    work_key = models.CharField(_("work item"), max_length=200, blank=True, db_index=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    module = models.CharField(_("module"), max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.subject

    @property
    def is_todo(self) -> bool:
        return bool(self.work_key)


def attachment_upload_to(instance, filename):
    # The storage name is generated by the files service; the user's file name is kept only as data.
    return instance.storage_name


class Attachment(models.Model):
    """A stored file belonging to a business record (SPEC X-4).

    Files are never overwritten: a new upload into the same slot of the same record is a new version of its file
    (``document``); files uploaded together are separate files of the slot, each its own ``document``.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    owner = GenericForeignKey("content_type", "object_id")
    slot = models.CharField(_("slot"), max_length=40, default="file")
    document = models.PositiveIntegerField(_("file of the slot"), default=1)
    version = models.PositiveIntegerField(_("version"), default=1)
    original_name = models.CharField(_("file name"), max_length=255)
    storage_name = models.CharField(_("storage name"), max_length=255, unique=True)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    mime_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["content_type", "object_id", "slot", "document", "-version"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "slot", "document", "version"], name="attachment_version_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "slot"])]

    def __str__(self):
        return f"{self.original_name} (v{self.version})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("attachment-download", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.mime_type in ("image/png", "image/jpeg")

    @property
    def opens_in_browser(self) -> bool:
        """PDFs and images are shown by the browser itself (served inline); other files are downloaded."""
        return self.mime_type in ("application/pdf", "image/png", "image/jpeg")


class NumberCounter(models.Model):
    """The last number taken in a series and year (archive numbers, liaison sheets, projects, tickets…).

    Written only by ``marketing_portal.numbering.next_number``, which locks the row for the transaction
    that stores the number: a rollback gives the number back, so every series is gap-free.
    """

    series = models.CharField(_("series"), max_length=40)
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        ordering = ["series", "year"]
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="number_counter_unique")]

    def __str__(self):
        return f"{self.series} {self.year}: {self.last}"


class LinkFailure(models.Model):
    """Work one app set off in another that failed — e.g. a signed contract that could not open its project yet.

    The Celery task that carries the link records each failed attempt here (``marketing_portal.links``) and is
    retried; the row is resolved when a retry succeeds. Open rows are shown to administrators on the status page,
    so a link that keeps failing is seen, not only logged.
    """

    task = models.CharField(_("task"), max_length=120)
    key = models.CharField(_("record"), max_length=120)
    error = models.TextField(_("last error"))
    attempts = models.PositiveIntegerField(_("failed attempts"), default=1)
    gave_up = models.BooleanField(_("no more retries"), default=False)
    first_failed_at = models.DateTimeField(_("first failed at"), auto_now_add=True)
    last_failed_at = models.DateTimeField(_("last failed at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_failed_at"]
        verbose_name = _("failed link between apps")
        verbose_name_plural = _("failed links between apps")
        constraints = [models.UniqueConstraint(fields=["task", "key"], name="link_failure_once_per_record")]

    def __str__(self):
        return f"{self.task} {self.key}"


class OutboxMessage(models.Model):
    """An e-mail the development backend kept instead of sending it (``marketing_portal.mail.OutboxBackend``)."""

    sender = models.CharField(_("from"), max_length=200, blank=True)
    recipients = models.CharField(_("to"), max_length=1000)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail in the outbox")
        verbose_name_plural = _("outbox")

    def __str__(self):
        return self.subject
