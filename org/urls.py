from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.chart, name="chart"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke_view, name="delegation-revoke"),
]
