from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("me/", views.my_settings, name="me"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("admin/", views.admin_page, name="admin"),
    path("admin/accounts/<int:pk>/tokens/", views.service_token_issue, name="service-token-issue"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("me/calendar/new/", views.feed_regenerate, name="feed-regenerate"),
    path("me/calendar/off/", views.feed_revoke, name="feed-revoke"),
    path("me/robots/", views.robot_choices, name="robot-choices"),
    path("admin/robots/", views.robot_create, name="robot-create"),
    path("admin/robots/<int:pk>/test/", views.robot_test, name="robot-test"),
    path("admin/robots/<int:pk>/off/", views.robot_switch_off, name="robot-off"),
]
