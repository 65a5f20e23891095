"""Read-only admin views of repair tickets: every change goes through the services and the pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Equipment, LiaisonSheet, Ticket, Visit


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "unit_name", "category", "state", "department", "technician", "received_at")
    list_filter = ("state", "category", "department")
    search_fields = ("number", "unit_name", "contact_name")


@admin.register(LiaisonSheet)
class LiaisonSheetAdmin(ReadOnlyAdmin):
    list_display = ("number", "ticket", "department", "state", "issued_at")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "seq", "state", "arrived_at")


@admin.register(Equipment)
class EquipmentAdmin(ReadOnlyAdmin):
    list_display = ("model", "serial_number", "customer", "accepted_on")
    search_fields = ("model", "serial_number", "customer__name")
