"""Read-only admin: reports, plans and bids change only through the services (their history says who)."""

from django.contrib import admin

from .models import PlanVersion, SalesPlan, SalesReport, Tender


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SalesReport)
class SalesReportAdmin(ReadOnly):
    list_display = ("person", "kind", "period_start", "filed_at", "is_late")
    list_filter = ("kind", "region")


@admin.register(SalesPlan)
class SalesPlanAdmin(ReadOnly):
    list_display = ("number", "title", "year", "region")


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnly):
    list_display = ("plan", "number", "state", "in_force")


@admin.register(Tender)
class TenderAdmin(ReadOnly):
    list_display = ("number", "title", "customer", "state", "opening_on")
    list_filter = ("state", "region")
