from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Attachment,
    CalendarDay,
    CalendarImport,
    CalendarYear,
    Notification,
    NumberCounter,
    PolicyVersion,
    TrackedDeadline,
)


class _ReadOnly:
    """Calendar records are written by the calendar services only (the page, the command): a change made
    here would skip the recomputation of stored deadlines and the year's confirmation rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["day", "kind", "name", "created_by"]
    list_filter = ["kind"]


@admin.register(CalendarYear)
class CalendarYearAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["year", "notice", "confirmed_by", "confirmed_at"]


@admin.register(CalendarImport)
class CalendarImportAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["year", "source", "file_name", "added", "changed", "removed", "created_by", "created_at"]
    list_filter = ["source", "year"]


@admin.register(TrackedDeadline)
class TrackedDeadlineAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["content_type", "object_id", "field", "start", "days", "months", "value", "provisional"]
    list_filter = ["content_type", "field", "provisional"]


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
