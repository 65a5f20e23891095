"""Integration records: API tokens and service accounts (more below as the channels and feeds arrive)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

User = settings.AUTH_USER_MODEL


class ServiceAccount(models.Model):
    """Another system (the accounting system 金蝶 / 用友) calling the API: a user that cannot log in.

    Its roles are the groups an administrator gives it (e.g. 财务审核员 to record money), so what it may see and do
    is decided by the same rules as for a person.
    """

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="service_account",
                                verbose_name=_("user"))
    name = models.CharField(_("system name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
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
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
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
