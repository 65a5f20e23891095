"""Every write of the integrations app: tokens and service accounts (channels and feeds follow)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketing_portal.audit import audited
from org.roles import Role
from org.rules import holds

from . import rules
from .choices import Scope
from .models import ApiToken, ServiceAccount

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
