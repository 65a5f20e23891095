from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The org chart: units, positions, duties, regions, staff and delegation (SPEC ORG)."""

    name = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_migrate

        from marketing_portal import access

        from . import selectors
        from .models import Delegation, Person, Region, Unit
        from .services import roles_sync

        access.register_visibility(Unit, lambda user: Unit.objects.all())
        access.register_visibility(Region, lambda user: Region.objects.all())
        access.register_visibility(Person, selectors.people_visible_to)
        access.register_visibility(Delegation, selectors.delegations_visible_to)
        access.register_visibility(get_user_model(), lambda user: get_user_model().objects.filter(is_active=True))
        post_migrate.connect(lambda sender, **kw: roles_sync(), sender=self, weak=False)
