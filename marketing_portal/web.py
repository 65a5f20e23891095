"""Small view helpers every app uses to show a service's refusal to the user (in their language)."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's errors on the form fields they name (the rest on the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            form.add_error(key if key in form.fields else None, [m for err in errors for m in err.messages])
    else:
        form.add_error(None, exc.messages)


def field_errors(exc: ValidationError, key: str) -> list[str]:
    """The messages a service's refusal gives for one field (e.g. the rows of a formset), none otherwise."""
    if hasattr(exc, "error_dict"):
        return [m for e in exc.error_dict.get(key, []) for m in e.messages]
    return []


def show_errors(request, exc: ValidationError) -> None:
    """A refusal of an action without a form of its own: each message at the top of the next page."""
    for message in exc.messages:
        messages.error(request, message)


def form_errors(request, form) -> None:
    """An invalid small form posted from a page that cannot redisplay it: its errors as messages, labelled."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def require_perm(request, perm: str, obj=None) -> None:
    """A page or action the user may not use answers 404, like a record they may not see (X-2)."""
    from django.http import Http404

    if not request.user.has_perm(perm, obj):
        raise Http404


def safe_next(request, default: str) -> str:
    """The ``next`` a form posted (or a stored link), if it stays on this site; else ``default`` (no open redirect)."""
    from django.shortcuts import resolve_url

    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target and is_safe_url(request, target) else resolve_url(default)


def is_safe_url(request, target: str) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    return url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
