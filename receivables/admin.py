"""Read-only admin: projects, money and the ledger change only through the services (and the ledger never)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Acceptance,
    CommissionEntry,
    CompensationAgreement,
    DutyProposal,
    ImportBatch,
    Invoice,
    Payout,
    Project,
    Receipt,
    RetentionStatement,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # never hard-deleted; the ledger is append-only


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "owner", "region", "stage", "amount", "deduction_percent", "next_check_on")
    list_filter = ("stage", "region", "suspension")
    search_fields = ("number", "name", "customer__name")


@admin.register(CommissionEntry)
class CommissionEntryAdmin(ReadOnlyAdmin):
    list_display = ("project", "owner", "kind", "key", "revision", "entry_date", "percent", "amount")
    list_filter = ("kind", "stage")
    search_fields = ("project__number", "project__name")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "project", "issued_on", "amount")
    search_fields = ("number", "project__number")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("bank_reference", "project", "received_on", "amount")
    search_fields = ("bank_reference", "project__number")


for model in (Acceptance, RetentionStatement, DutyProposal, CompensationAgreement, Payout, ImportBatch):
    admin.site.register(model, ReadOnlyAdmin)
