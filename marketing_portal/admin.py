from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Attachment, CalendarDay, Notification, NumberCounter, PolicyVersion


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["day", "kind", "name", "created_by"]
    list_filter = ["kind"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Read-only here: a change is a new version made on the policy page."""

    list_display = ["version", "created_at", "created_by", "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "subject", "created_at", "read_at", "emailed_at"]
    search_fields = ["subject", "key"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "content_type", "object_id", "slot", "version", "size", "uploaded_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    """Read-only: numbers are taken by the numbering service only; editing a counter would repeat numbers."""

    list_display = ["series", "year", "last"]
    list_filter = ["series"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
