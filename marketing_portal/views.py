"""Pages of the shared shell: home ("my work"), inbox, policy, downloads, login, health (calendar: calendar_views)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .files import attachment_for_download
from .forms import PolicyChangeForm
from .links import open_link_failures
from .models import Notification, PolicyVersion
from .notifications import (
    INFO,
    TODO,
    delivery_statuses,
    inbox_for,
    inbox_modules,
    notification_mark_read,
    unread_count,
)
from .policy import FIELDS, current_policy, policy_update
from .registry import cards_for, work_groups, work_kind
from .web import apply_errors, is_safe_url, require_perm, safe_next


class LoginView(auth_views.LoginView):
    """Django's login, plus a clear word when the user was sent here because their session expired."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        if request.GET.get("expired"):  # set by ExpiredSessionMiddleware
            messages.warning(request, _("Your session has expired. Please log in again."))
        return super().get(request, *args, **kwargs)


@login_required
def home(request):
    """Cards, "my work" (per kind its count and first items: the page does not grow with the items waiting)
    and the latest messages."""
    groups = work_groups(request.user)
    recent = Notification.objects.filter(recipient=request.user)[:5]
    return render(request, "portal/home.html", {"work_groups": groups, "work_total": sum(g.count for g in groups),
                                                "recent_notifications": recent, "cards": cards_for(request.user)})


WORK_PAGE_SIZE = 25


@login_required
def work_kind_page(request, key):
    """Every item of one kind of "my work", paginated: only a kind that is the user's work (else 404)."""
    kind = work_kind(key)
    rows = kind.rows(request.user) if kind is not None else None
    if rows is None:
        raise Http404
    page = Paginator(rows, WORK_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = kind.items(page.object_list, request.user)
    return render(request, "portal/work_kind.html", {"kind": kind, "page": page})


def _inbox_filters(data) -> dict:
    kind = data.get("kind", "")
    return {"module": data.get("module", "")[:40], "kind": kind if kind in (TODO, INFO) else "",
            "unread": bool(data.get("unread"))}


@login_required
def inbox(request):
    filters = _inbox_filters(request.GET)
    page = Paginator(inbox_for(request.user, **filters), 25).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    statuses = delivery_statuses(page.object_list)  # robots the notices also went to (integrations)
    for note in page.object_list:
        note.deliveries = statuses.get(note.pk, [])
    query = {k: v for k, v in (("module", filters["module"]), ("kind", filters["kind"]),
                                ("unread", "1" if filters["unread"] else "")) if v}
    return render(request, "portal/inbox.html", {
        "page": page, "filters": filters, "only_unread": filters["unread"], "modules": inbox_modules(request.user),
        "query": query, "TODO": TODO, "INFO": INFO})


@login_required
@require_POST
def inbox_mark_read(request):
    """One message, or all messages the inbox shows with its filters (module, to-do / for information)."""
    raw = request.POST.get("notification")
    if raw and raw.isdigit():
        notification_mark_read(user=request.user, notification_id=int(raw))
    else:
        filters = _inbox_filters(request.POST)
        notification_mark_read(user=request.user, notifications=inbox_for(request.user, **filters))
    return redirect(safe_next(request, "inbox"))


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one message read and follow its link (a POST: reading changes the message's state)."""
    from django.shortcuts import get_object_or_404

    note = get_object_or_404(Notification, pk=pk)
    require_perm(request, "portal.read_notification", note)  # another person's message: 404
    notification_mark_read(user=request.user, notification_id=note.pk)
    return redirect(note.url if note.url and is_safe_url(request, note.url) else "inbox")


@login_required
def unread_badge(request):
    return render(request, "portal/_unread_badge.html", {"unread_count": unread_count(request.user)})


@login_required
def attachment_download(request, pk):
    """A stored file, permission-checked (X-2): PDFs and images open in the browser (inline), ``?download=1`` or any
    other type downloads."""
    attachment = attachment_for_download(user=request.user, attachment_id=pk)
    inline = attachment.opens_in_browser and not request.GET.get("download")
    return FileResponse(
        attachment.file.open("rb"), as_attachment=not inline, filename=attachment.original_name,
        content_type=attachment.mime_type,
    )


@login_required
def policy_page(request):
    policy = current_policy()
    groups: dict[str, list] = {}
    for spec, value in policy.as_list():
        groups.setdefault(str(spec.group), []).append((spec, spec.display(value)))
    versions = PolicyVersion.objects.select_related("created_by")[:20]
    return render(request, "portal/policy.html", {"policy": policy, "groups": groups, "versions": versions})


@login_required
@permission_required("portal.add_policyversion", raise_exception=True)
def policy_change(request):
    policy = current_policy()
    form = PolicyChangeForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            new = policy_update(changes=form.changes(policy), by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Policy version %(v)s is now in force.") % {"v": new.version})
            return redirect("policy")
    grouped: dict[str, list] = {}
    for spec in FIELDS:
        grouped.setdefault(str(spec.group), []).append(form[spec.key])
    return render(request, "portal/policy_change.html", {"form": form, "grouped": grouped, "policy": policy})


@login_required
def policy_version_detail(request, version):
    from django.shortcuts import get_object_or_404

    record = get_object_or_404(PolicyVersion, version=version)
    previous = PolicyVersion.objects.filter(version__lt=version).order_by("-version").first()
    rows = []
    for spec in FIELDS:
        value = record.values.get(spec.key, spec.dump(spec.default))
        before = previous.values.get(spec.key, spec.dump(spec.default)) if previous else None
        rows.append((spec, spec.display(value), spec.display(before) if previous else None,
                     previous is not None and value != before))
    return render(request, "portal/policy_version.html", {"record": record, "rows": rows, "previous": previous})


@login_required
def health(request):
    """Whether the database, the cache, the background worker and the links between apps are alive (administrators)."""
    require_perm(request, "portal.see_status")
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks[_("Database")] = (True, connection.vendor)
    except Exception as exc:  # noqa: BLE001 - shown to the administrator as it is
        checks[_("Database")] = (False, str(exc))
    try:
        cache.set("portal:health:probe", 1, 10)
        checks[_("Cache")] = (cache.get("portal:health:probe") == 1, cache.__class__.__name__)
    except Exception as exc:  # noqa: BLE001
        checks[_("Cache")] = (False, str(exc))
    last = cache.get("portal:health:last")
    if last:
        ran_at = timezone.datetime.fromisoformat(last)
        checks[_("Background worker")] = (
            timezone.now() - ran_at < timedelta(minutes=15),
            _("last heartbeat %(when)s") % {"when": timezone.localtime(ran_at).strftime("%Y-%m-%d %H:%M:%S")})
    else:
        checks[_("Background worker")] = (False, _("no health task has run yet"))
    failures = list(open_link_failures()[:100])
    checks[_("Links between apps")] = (not failures, _("%(count)s links between apps failed and wait for a retry") % {
        "count": len(failures)} if failures else _("every link between apps went through"))
    return render(request, "portal/health.html", {"checks": checks, "failures": failures})


def server_error(request):
    """The 500 page inside the portal's shell; if even that cannot be drawn (database down), a bare Chinese page."""
    from django.http import HttpResponseServerError
    from django.template import loader

    try:
        return HttpResponseServerError(loader.render_to_string("500.html", request=request))
    except Exception:  # noqa: BLE001 - the shell itself failed: fall back to a page needing nothing
        return HttpResponseServerError(
            "<!doctype html><html lang='zh-hans'><meta charset='utf-8'><title>服务器出错</title>"
            "<h1>服务器出错</h1><p>服务器出现错误，请稍后重试，或联系系统管理员。</p></html>")


def csrf_failure(request, reason=""):
    """An expired or missing form token: the portal's 403 page (Django's own is in English)."""
    from django.http import HttpResponseForbidden
    from django.template import loader

    return HttpResponseForbidden(loader.render_to_string("403.html", request=request))


@login_required
def outbox(request):
    """The e-mails the development backend kept instead of sending them (administrators)."""
    require_perm(request, "portal.see_outbox")
    from .models import OutboxMessage

    page = Paginator(OutboxMessage.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "portal/outbox.html", {"page": page})
