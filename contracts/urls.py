from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list_view, name="list"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer-detail"),
    path("due-diligence/<int:pk>/", views.due_diligence_detail, name="dd-detail"),
    path("templates/<int:pk>/", views.template_detail, name="template-detail"),
]
