from django.urls import path

from . import views

app_name = "receivables"
urlpatterns = [
    path("", views.project_list_view, name="project-list"),
    path("projects.xlsx", views.project_export, name="project-export"),
    path("register/", views.project_register_view, name="project-register"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("<int:pk>/do/<slug:name>/", views.project_action, name="project-action"),
    path("aging/", views.aging_view, name="aging"),
    path("aging.xlsx", views.aging_export, name="aging-export"),
    path("ledger/", views.ledger_view, name="ledger"),
    path("ledger.xlsx", views.ledger_export, name="ledger-export"),
    path("payouts/", views.payout_view, name="payouts"),
    path("duty/", views.proposal_list, name="proposal-list"),
    path("duty/<int:pk>/decide/", views.proposal_decide, name="proposal-decide"),
    path("duty/person/<int:pk>/lift/", views.duty_lift_view, name="duty-lift"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide_view, name="adjustment-decide"),
    path("agreements/<int:pk>/upload/", views.agreement_upload_view, name="agreement-upload"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("statements/<int:pk>/do/<slug:name>/", views.statement_action, name="statement-action"),
    path("statements/<int:pk>/statement.pdf", views.statement_pdf, name="statement-pdf"),
    path("statements/<int:pk>/statement.xlsx", views.statement_xlsx, name="statement-xlsx"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/template.xlsx", views.import_template, name="import-template"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm_view, name="import-confirm"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors_export, name="import-errors"),
]
