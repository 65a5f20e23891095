"""Read-only admin views of hand-offs: every change goes through the services and the pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Costing, Decision, Handoff, NegotiationRound


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyAdmin):
    list_display = ("number", "contract", "line", "state", "issued_at")
    list_filter = ("state",)
    search_fields = ("number", "contract__title", "party_a")


@admin.register(Costing)
class CostingAdmin(ReadOnlyAdmin):
    list_display = ("handoff", "version", "state", "due_on", "total", "review_due_on", "suggested_amount")
    list_filter = ("state",)


@admin.register(NegotiationRound)
class NegotiationRoundAdmin(ReadOnlyAdmin):
    list_display = ("handoff", "number", "proposer", "amount", "held_on")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("handoff", "state", "amount", "main_amount", "suggested_amount", "decided_at")
