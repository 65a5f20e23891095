"""Pages of the integrations: a person's own settings (API tokens) and the administrators' page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.access import get_visible_or_404
from marketing_portal.web import apply_errors, require_perm, show_errors

from . import selectors, services
from .forms import ServiceAccountForm, TokenForm
from .models import ApiToken, ServiceAccount


def _issued(request, token, raw):
    messages.success(request, _("Token “%(name)s” issued. Copy it now: it is shown only once.") % {"name": token.name})
    request.session["new_token"] = raw


@login_required
def my_settings(request):
    form = TokenForm(request.POST or None, prefix="token")
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_issue(user=request.user, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _issued(request, token, raw)
            return redirect("integrations:me")
    return render(request, "integrations/me.html", {
        "form": form, "tokens": selectors.own_tokens(request.user), "new_token": request.session.pop("new_token", ""),
    })


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_visible_or_404(ApiToken, request.user, pk=pk)
    require_perm(request, "integrations.revoke_token", token)
    try:
        services.token_revoke(token_id=token.pk, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect(request.POST.get("next") or "integrations:me")


@login_required
def admin_page(request):
    require_perm(request, "integrations.administer")
    form = ServiceAccountForm(request.POST or None, prefix="account")
    if request.method == "POST" and form.is_valid():
        try:
            account = services.service_account_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Service account “%(name)s” created.") % {"name": account.name})
            return redirect("integrations:admin")
    return render(request, "integrations/admin.html", {
        "account_form": form, "accounts": selectors.service_accounts(), "token_form": TokenForm(prefix="token"),
        "tokens": selectors.tokens_visible_to(request.user).filter(revoked_at__isnull=True)[:200],
        "new_token": request.session.pop("new_token", ""),
    })


@login_required
@require_POST
def service_token_issue(request, pk):
    require_perm(request, "integrations.administer")
    account = get_object_or_404(ServiceAccount, pk=pk)
    form = TokenForm(request.POST, prefix="token")
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}：{error}" if name in form.fields else error)
        return redirect("integrations:admin")
    try:
        token, raw = services.token_issue(user=account.user, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        _issued(request, token, raw)
    return redirect("integrations:admin")
