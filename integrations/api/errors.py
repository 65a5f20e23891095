"""Every API error is a JSON body with a ``code``: ``{"code": …, "detail": …, "errors": {field: [{message, code}]}}``.

Refusals of our services (a Django ``ValidationError``) come out the same way, as 400 (403 for ``not_allowed``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _field_errors(detail) -> dict:
    out = {}
    if isinstance(detail, dict):
        for field, errors in detail.items():
            errors = errors if isinstance(errors, list) else [errors]
            out[field] = [{"message": str(e), "code": getattr(e, "code", None) or "invalid"} for e in errors]
    elif isinstance(detail, list):
        out["non_field_errors"] = [{"message": str(e), "code": getattr(e, "code", None) or "invalid"}
                                   for e in detail]
    return out


def django_errors(exc: DjangoValidationError) -> tuple[int, dict]:
    if hasattr(exc, "error_dict"):
        errors = {field: [{"message": m, "code": e.code or "invalid"} for e in errs for m in e.messages]
                  for field, errs in exc.error_dict.items()}
        codes = [e["code"] for errs in errors.values() for e in errs]
    else:
        errors = {"non_field_errors": [{"message": m, "code": e.code or "invalid"}
                                       for e in exc.error_list for m in e.messages]}
        codes = [e["code"] for e in errors["non_field_errors"]]
    if "not_allowed" in codes:
        return status.HTTP_403_FORBIDDEN, {"code": "not_allowed", "detail": errors and next(
            iter(errors.values()))[0]["message"], "errors": errors}
    return status.HTTP_400_BAD_REQUEST, {"code": "rejected", "detail": _("The request was refused."),
                                         "errors": errors}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        code, body = django_errors(exc)
        return Response(body, status=code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "detail": _("The request data is not valid."),
                         "errors": _field_errors(exc.detail)}
    else:
        code = getattr(exc, "error_code", None) or (exc.get_codes() if isinstance(exc.get_codes(), str)
                                                    else exc.default_code)
        response.data = {"code": code, "detail": str(exc.detail)}
    return response
