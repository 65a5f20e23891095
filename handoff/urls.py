from django.urls import path

from . import views

app_name = "handoff"
urlpatterns = [
    path("", views.handoff_list_view, name="list"),
    path("register.xlsx", views.handoff_export, name="export"),
    path("orders/", views.orders_view, name="orders"),
    path("orders/<int:line_pk>/new/", views.handoff_create_view, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_export, name="dashboard-export"),
    path("<int:pk>/", views.handoff_detail, name="detail"),
    path("<int:pk>/sheet.pdf", views.sheet_pdf, name="sheet-pdf"),
    path("<int:pk>/costing/", views.costing_view, name="costing"),
    path("<int:pk>/review/", views.review_view, name="review"),
    path("<int:pk>/rounds/", views.round_view, name="round"),
    path("<int:pk>/decide/", views.decide_view, name="decide"),
    path("<int:pk>/withdraw/", views.cancel_view, name="cancel"),
    path("<int:pk>/attach/", views.attach_view, name="attach"),
]
