from django.urls import path

from .views import plans, reports, tenders

app_name = "planning"

urlpatterns = [
    path("reports/", reports.report_list, name="reports"),
    path("reports/export/", reports.report_export, name="report-export"),
    path("reports/new/", reports.report_new, name="report-new"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/comment/", reports.report_comment, name="report-comment"),
    path("reports/compile/", reports.report_compile, name="report-compile"),
    path("reports/compile/pdf/", reports.report_compile_pdf, name="report-compile-pdf"),
    path("reports/compile/xlsx/", reports.report_compile_xlsx, name="report-compile-xlsx"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/export/", plans.plan_export, name="plan-export"),
    path("plans/new/", plans.plan_new, name="plan-new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/targets/", plans.plan_targets, name="plan-targets"),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/revise/", plans.plan_revise, name="plan-revise"),
    path("plans/steps/<int:step_id>/decide/", plans.plan_decide, name="plan-decide"),
    path("bids/", tenders.tender_list, name="tenders"),
    path("bids/export/", tenders.tender_export, name="tender-export"),
    path("bids/new/", tenders.tender_new, name="tender-new"),
    path("bids/<int:pk>/", tenders.tender_detail, name="tender"),
    path("bids/<int:pk>/edit/", tenders.tender_edit, name="tender-edit"),
    path("bids/<int:pk>/upload/", tenders.tender_upload, name="tender-upload"),
    path("bids/<int:pk>/review/", tenders.tender_to_review, name="tender-to-review"),
    path("bids/<int:pk>/review/<int:step_id>/", tenders.tender_review, name="tender-review"),
    path("bids/<int:pk>/submit/", tenders.tender_submit, name="tender-submit"),
    path("bids/<int:pk>/result/", tenders.tender_result, name="tender-result"),
    path("bids/<int:pk>/cancel/", tenders.tender_cancel, name="tender-cancel"),
    path("bids/<int:pk>/contract/", tenders.tender_start_contract, name="tender-contract"),
]
