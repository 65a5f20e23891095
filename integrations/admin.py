from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, ChannelDelivery, RobotChannel, ServiceAccount


@admin.register(ServiceAccount)
class ServiceAccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "user", "created_at"]
    readonly_fields = ["user", "created_by", "created_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    list_display = ["name", "user", "prefix", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["user", "prefix", "digest", "scopes", "created_by", "created_at", "last_used_at"]


@admin.register(RobotChannel)
class RobotChannelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "unit", "person", "state", "failures_in_row"]
    list_filter = ["kind", "state"]


@admin.register(ChannelDelivery)
class ChannelDeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    readonly_fields = ["notification", "channel", "state", "attempts", "claimed_at", "last_error", "sent_at"]
