from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Delegation, Duty, Person, Position, Region, Unit
from .services import person_sync_groups


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "active"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "parent", "order"]


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "unit", "role", "is_head", "region"]
    list_filter = ["unit", "role"]
    filter_horizontal = ["duties"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "duty_status"]
    list_filter = ["unit", "duty_status"]
    filter_horizontal = ["positions", "regions"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        person_sync_groups(person=form.instance)  # the login's role groups follow the positions held


@admin.register(Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    list_display = ["principal", "delegate", "starts_on", "ends_on", "revoked_at"]
