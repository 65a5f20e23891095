"""Pages of the integrations: a person's own settings (API tokens) and the administrators' page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.access import get_visible_or_404
from marketing_portal.web import apply_errors, require_perm, show_errors

from . import selectors, services
from .choices import NoticeKind
from .forms import RobotForm, ServiceAccountForm, TokenForm
from .models import ApiToken, CalendarFeed, RobotChannel, ServiceAccount


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
    feed = CalendarFeed.objects.filter(user=request.user, token__isnull=False).first()
    feed_url = (f"{settings.PORTAL_BASE_URL.rstrip('/')}{reverse('integrations:calendar-feed', args=[feed.token])}"
                if feed else "")
    chosen = set(request.user.channel_choices.values_list("channel_id", "kind"))
    robots = [(robot, [(kind, label, (robot.pk, kind) in chosen) for kind, label in NoticeKind.choices])
              for robot in services.channels_for(request.user)]
    return render(request, "integrations/me.html", {
        "form": form, "tokens": selectors.own_tokens(request.user), "new_token": request.session.pop("new_token", ""),
        "feed": feed, "feed_url": feed_url, "webcal_url": feed_url.replace("https://", "webcal://", 1)
        .replace("http://", "webcal://", 1), "robots": robots,
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
def admin_page(request, robot_form=None):
    require_perm(request, "integrations.administer")
    posted = request.method == "POST" and robot_form is None
    form = ServiceAccountForm(request.POST if posted else None, prefix="account")
    if posted and form.is_valid():
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
        "robot_form": robot_form or RobotForm(prefix="robot"),
        "robots": selectors.robots_visible_to(request.user),
        "failures": selectors.failed_deliveries(request.user)[:50],
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


# Calendar feed
# --------------------------------------------------------------------------------------------------
def calendar_feed(request, token):
    """The private feed: no login (calendar apps cannot log in), the random address is the key; unknown → 404."""
    from django.http import Http404, HttpResponse

    from .feeds import feed_bytes

    user = services.feed_open(token)
    if user is None:
        raise Http404
    response = HttpResponse(feed_bytes(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="portal.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def feed_regenerate(request):
    services.feed_regenerate(user=request.user, by=request.user)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return redirect(reverse("integrations:me") + "#calendar")


@login_required
@require_POST
def feed_revoke(request):
    services.feed_revoke(user=request.user, by=request.user)
    messages.success(request, _("The calendar address was switched off."))
    return redirect(reverse("integrations:me") + "#calendar")


# Robots
# --------------------------------------------------------------------------------------------------
@login_required
@require_POST
def robot_choices(request):
    choices = []
    for raw in request.POST.getlist("choice"):
        channel_id, _sep, kind = raw.partition(":")
        if channel_id.isdigit():
            choices.append((int(channel_id), kind))
    try:
        services.channel_choices_set(user=request.user, by=request.user, choices=choices)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Your robot choices are saved."))
    return redirect(reverse("integrations:me") + "#robots")


@login_required
@require_POST
def robot_create(request):
    require_perm(request, "integrations.administer")
    form = RobotForm(request.POST, prefix="robot")
    if form.is_valid():
        try:
            robot = services.robot_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Robot “%(name)s” set up. Send a test message to check it.") % {
                "name": robot.name})
            return redirect(reverse("integrations:admin") + "#robots")
    return admin_page(request, robot_form=form)


@login_required
@require_POST
def robot_test(request, pk):
    require_perm(request, "integrations.administer")
    robot = get_visible_or_404(RobotChannel, request.user, pk=pk)
    try:
        services.robot_test(channel_id=robot.pk, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The test message reached “%(name)s”; the robot is in use.") % {"name": robot.name})
    return redirect(reverse("integrations:admin") + "#robots")


@login_required
@require_POST
def robot_switch_off(request, pk):
    require_perm(request, "integrations.administer")
    robot = get_visible_or_404(RobotChannel, request.user, pk=pk)
    services.robot_switch_off(channel_id=robot.pk, by=request.user)
    messages.success(request, _("Robot “%(name)s” switched off.") % {"name": robot.name})
    return redirect(reverse("integrations:admin") + "#robots")
