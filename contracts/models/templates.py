"""Standard and model contract texts and their versions (SPEC CON-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    ContractKind,
    Direction,
)

User = settings.AUTH_USER_MODEL


class ContractTemplate(models.Model):
    """A standard or model contract text (标准/示范文本, arts. 1-2); its texts are versioned."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=14, choices=ContractKind.choices, default=ContractKind.CONTRACT)
    direction = models.CharField(_("direction"), max_length=14, choices=Direction.choices, default=Direction.SALES)
    active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contracts:template-detail", args=[self.pk])

    def current_version(self):
        return self.versions.filter(active=True).order_by("-number").first()


class TemplateVersion(models.Model):
    """One version of a template's text (the file is an attachment in slot ``text``)."""

    template = models.ForeignKey(ContractTemplate, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name=_("template"))
    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    changes = models.TextField(_("what changed"), blank=True)
    active = models.BooleanField(_("may be used"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self):
        return f"{self.template.name} v{self.number}"
