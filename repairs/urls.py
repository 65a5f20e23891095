from django.urls import path

from . import exports, views

app_name = "repairs"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("tickets.xlsx", exports.ticket_export, name="export"),
    path("new/", views.ticket_create, name="create"),
    path("relay/<int:customer_pk>/", views.ticket_relay, name="relay"),
    path("customers/<int:customer_pk>/equipment/new/", views.equipment_create, name="equipment-create"),
    path("metrics/", exports.metrics_page, name="metrics"),
    path("metrics.xlsx", exports.metrics_export, name="metrics-export"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/report/", views.report_form, name="report"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/return-call/", views.return_call, name="return-call"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("sheets/<int:pk>/accept/", views.sheet_accept, name="sheet-accept"),
    path("sheets/<int:pk>/sheet.pdf", exports.sheet_pdf, name="sheet-pdf"),
    path("visits/<int:pk>/feedback.pdf", exports.visit_pdf, name="visit-pdf"),
]
