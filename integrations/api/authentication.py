"""Bearer tokens (``Authorization: Bearer mpt_…``): hashed, scoped, revocable, expiring."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ..services import IntegrationError, token_authenticate


class TokenFailed(exceptions.AuthenticationFailed):
    def __init__(self, detail, code):
        super().__init__(detail, code)
        self.error_code = code


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in (self.keyword, b"token"):
            return None
        if len(parts) != 2:
            raise TokenFailed(_("Give one token after “Bearer”."), "token_invalid")
        try:
            token = token_authenticate(parts[1].decode("latin-1"))
        except IntegrationError as exc:
            raise TokenFailed(exc.messages[0], exc.code) from None
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": str(_("A token issued on the integrations page."))}
