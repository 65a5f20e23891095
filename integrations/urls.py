from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("me/", views.my_settings, name="me"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("admin/", views.admin_page, name="admin"),
    path("admin/accounts/<int:pk>/tokens/", views.service_token_issue, name="service-token-issue"),
]
