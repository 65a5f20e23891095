from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list_view, name="list"),
    path("register.xlsx", views.register_export, name="register-export"),
    path("new/", views.contract_create_view, name="create"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit_view, name="edit"),
    path("<int:pk>/amend/", views.amendment_create_view, name="amend"),
    path("<int:pk>/do/<slug:name>/", views.contract_action, name="action"),
    path("<int:pk>/approval-form.pdf", views.approval_form_pdf, name="approval-pdf"),
    path("<int:pk>/archive-label.pdf", views.archive_label_pdf, name="archive-label"),
    path("customers/", views.customer_list, name="customer-list"),
    path("customers.xlsx", views.customer_export, name="customer-export"),
    path("customers/new/", views.customer_create_view, name="customer-create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer-detail"),
    path("customers/<int:pk>/edit/", views.customer_edit_view, name="customer-edit"),
    path("customers/<int:pk>/contacts/", views.customer_contact_add_view, name="contact-add"),
    path("customers/<int:pk>/contacts/<int:contact_pk>/retire/", views.customer_contact_retire_view,
         name="contact-retire"),
    path("customers/<int:pk>/due-diligence/new/", views.due_diligence_create_view, name="dd-create"),
    path("due-diligence/<int:pk>/", views.due_diligence_detail, name="dd-detail"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/<int:pk>/", views.template_detail, name="template-detail"),
]
