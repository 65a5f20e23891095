"""Scopes: reading needs ``read``; recording money needs ``write:money`` (then the service's own checks)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from ..choices import Scope
from ..models import ApiToken


class HasScope(BasePermission):
    message = _("This token does not have the scope this request needs.")
    code = "scope_missing"

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        needed = getattr(view, "write_scope", Scope.READ) if request.method not in ("GET", "HEAD", "OPTIONS") \
            else Scope.READ
        return needed in token.scopes
