"""The organisation (SPEC ORG): who holds which position in which unit, and who acts for whom."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from marketing_portal.constraints import DateRange, PostgresExclusionConstraint

from .roles import Role


class Region(models.Model):
    """A sales region (销售区域, ORG-4); every contract, project and customer belongs to one."""

    code = models.CharField(
        _("code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", _("Use 2 to 6 capital letters, e.g. HB."))],
    )
    name = models.CharField(_("name"), max_length=40, unique=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("sales region")
        verbose_name_plural = _("sales regions")

    def __str__(self):
        return self.name


class Unit(models.Model):
    """An organisational unit (ORG-1): the parent company, its departments, or the subsidiary XXX."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SUBSIDIARY = "subsidiary", _("Subsidiary")
        DEPARTMENT = "department", _("Department")

    name = models.CharField(_("name"), max_length=60, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.CheckConstraint(condition=~Q(parent=F("pk")), name="unit_not_own_parent")]

    def __str__(self):
        return self.name


class Duty(models.Model):
    """A duty listed in the org chart (ORG-3), attached to positions."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")

    def __str__(self):
        return self.name


class Position(models.Model):
    """A position in a unit (ORG-2). Its role decides the holder's group; ``is_head`` marks the unit head."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="positions", verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=60)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_head = models.BooleanField(_("head of the unit"), default=False)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="positions",
        verbose_name=_("region"), help_text=_("For regional positions such as a regional manager."),
    )
    duties = models.ManyToManyField(Duty, blank=True, related_name="positions", verbose_name=_("duties"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(m2m_fields=[duties])

    class Meta:
        ordering = ["unit__order", "order", "title"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "title"], condition=Q(region__isnull=True), name="position_unique_in_unit"
            ),
            models.UniqueConstraint(
                fields=["unit", "title", "region"], condition=Q(region__isnull=False),
                name="regional_position_unique_in_unit",
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.region}）" if self.region_id else self.title


class Person(models.Model):
    """A member of staff (ORG-5), linked to one login; may hold several positions (管理经理 + 总监助理)."""

    class DutyStatus(models.TextChoices):
        NORMAL = "normal", _("Normal")
        COLLECTION_ONLY = "collection_only", _("Collection-only duty")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person", verbose_name=_("login")
    )
    name = models.CharField(_("name"), max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="staff", verbose_name=_("unit"))
    positions = models.ManyToManyField(Position, blank=True, related_name="holders", verbose_name=_("positions"))
    regions = models.ManyToManyField(Region, blank=True, related_name="staff", verbose_name=_("regions"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    duty_status = models.CharField(
        _("duty status"), max_length=20, choices=DutyStatus.choices, default=DutyStatus.NORMAL
    )
    duty_status_reason = models.CharField(_("reason for the duty status"), max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[positions, regions])

    class Meta:
        ordering = ["unit__order", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("staff")

    def __str__(self):
        return self.name

    @property
    def is_collection_only(self) -> bool:
        return self.duty_status == self.DutyStatus.COLLECTION_ONLY


class Delegation(models.Model):
    """The principal's approvals may be done by the delegate from ``starts_on`` to ``ends_on`` (ORG-7)."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given",
        verbose_name=_("delegating person"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received",
        verbose_name=_("delegate"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(principal=F("delegate")), name="delegation_not_to_self"),
            # Two requests at the same moment cannot both give one principal overlapping delegations (btree_gist).
            PostgresExclusionConstraint(
                name="delegation_no_overlap",
                expressions=[("principal", "="), (DateRange("starts_on", "ends_on"), "&&")],
                condition=Q(revoked_at__isnull=True),
                violation_error_message=_("There is already a delegation for part of this period; revoke it first."),
            ),
        ]

    def __str__(self):
        return f"{self.principal} → {self.delegate} ({self.starts_on}–{self.ends_on})"
