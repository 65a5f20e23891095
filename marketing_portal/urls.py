from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import calendar_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    # Password reset by e-mail (Django's views in the portal's pages; the e-mail in Chinese).
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(
        template_name="registration/password_reset.html", email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt"), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="registration/password_reset_sent.html"), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="registration/password_reset_confirm.html"), name="password_reset_confirm"),
    path("accounts/password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_complete.html"), name="password_reset_complete"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("work/<slug:key>/", views.work_kind_page, name="work-kind"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox-mark-read"),
    path("inbox/<int:pk>/", views.notification_open, name="notification-open"),
    path("inbox/badge/", views.unread_badge, name="inbox-badge"),
    path("files/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/<int:pk>/delete/", calendar_views.calendar_day_delete, name="calendar-day-delete"),
    path("calendar/<int:year>/preview/", calendar_views.calendar_preview, name="calendar-preview"),
    path("calendar/<int:year>/import/", calendar_views.calendar_import, name="calendar-import"),
    path("calendar/<int:year>/confirm/", calendar_views.calendar_confirm, name="calendar-confirm"),
    path("policy/", views.policy_page, name="policy"),
    path("policy/change/", views.policy_change, name="policy-change"),
    path("policy/v<int:version>/", views.policy_version_detail, name="policy-version"),
    path("health/", views.health, name="health"),
    path("outbox/", views.outbox, name="outbox"),
    path("org/", include("org.urls")),
    path("contracts/", include("contracts.urls")),
    path("handoff/", include("handoff.urls")),
    path("receivables/", include("receivables.urls")),
    path("repairs/", include("repairs.urls")),
    path("planning/", include("planning.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("api/", include("integrations.api.urls")),
    path("integrations/", include("integrations.urls")),
    path("admin/", admin.site.urls),
]

# The portal's own error pages, in the user's language inside the shell (templates/400.html, 403, 404, 500).
handler500 = "marketing_portal.views.server_error"
