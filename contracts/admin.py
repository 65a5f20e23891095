"""Read-only admin: every change of substance goes through the services and their checks; nothing is deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApprovalStep, Contract, ContractTemplate, Customer, DueDiligence, Loan


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # business records are never hard-deleted


class ReadOnlyAdmin(NoDeleteAdmin):
    """To look at only: the records are written by the services (transitions, guards, history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(NoDeleteAdmin):
    list_display = ("name", "credit_code", "region", "industry")
    search_fields = ("name", "credit_code")
    list_filter = ("region",)


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("title", "serial_number", "archive_number", "state", "region", "handler", "amount")
    search_fields = ("title", "serial_number", "archive_number")
    list_filter = ("state", "region", "direction")


@admin.register(ApprovalStep)
class ApprovalStepAdmin(ReadOnlyAdmin):
    list_display = ("contract", "version", "kind", "status", "decided_by", "decided_at")
    list_filter = ("kind", "status")


@admin.register(DueDiligence)
class DueDiligenceAdmin(ReadOnlyAdmin):
    """Investigations are recorded with their evidence through the service (CUS-2), then never edited."""

    list_display = ("customer", "investigated_on", "valid_until", "conclusion")
    list_filter = ("conclusion",)


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    """Loans of originals move only through request → approval → lent → returned (CON-10)."""

    list_display = ("contract", "borrower", "state", "return_due_on")
    list_filter = ("state",)


admin.site.register(ContractTemplate, NoDeleteAdmin)
