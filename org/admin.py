from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
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

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser:
            readonly.append("positions")  # one's own positions carry one's roles: never raised by oneself
        return readonly

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        person_sync_groups(person=form.instance)  # the login's role groups follow the positions held


@admin.register(Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    list_display = ["principal", "delegate", "starts_on", "ends_on", "revoked_at"]


# Rights a login carries beyond its roles; only a superuser sets them. Roles (groups) follow the positions held.
RIGHTS_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(DjangoUserAdmin):
    """Logins for the system administrator (names, e-mail, active, password), never rights (issue 13).

    Django's own page lets anyone with ``auth.change_user`` tick "superuser" or add permissions, so the system
    administrator could make themselves superuser and read commissions. Here those fields are read-only for anyone
    but a superuser, and a superuser's account is not theirs to change at all.
    """

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in RIGHTS_FIELDS if f not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
