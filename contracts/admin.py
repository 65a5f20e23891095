"""Read-mostly admin: every change of substance goes through the services and their checks."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApprovalStep, ArchiveCounter, Contract, ContractTemplate, Customer, DueDiligence, Loan


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # business records are never hard-deleted


@admin.register(Customer)
class CustomerAdmin(NoDeleteAdmin):
    list_display = ("name", "credit_code", "region", "industry")
    search_fields = ("name", "credit_code")
    list_filter = ("region",)


@admin.register(Contract)
class ContractAdmin(NoDeleteAdmin):
    list_display = ("title", "archive_number", "state", "region", "handler", "amount")
    search_fields = ("title", "archive_number")
    list_filter = ("state", "region", "direction")

    def has_change_permission(self, request, obj=None):
        return False  # transitions only through the services


@admin.register(ApprovalStep)
class ApprovalStepAdmin(NoDeleteAdmin):
    list_display = ("contract", "version", "kind", "status", "decided_by", "decided_at")
    list_filter = ("kind", "status")

    def has_change_permission(self, request, obj=None):
        return False  # decisions are immutable


admin.site.register(ContractTemplate, NoDeleteAdmin)
admin.site.register(DueDiligence, NoDeleteAdmin)
admin.site.register(Loan, NoDeleteAdmin)
admin.site.register(ArchiveCounter)
