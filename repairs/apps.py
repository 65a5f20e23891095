from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    """Repair tickets (SPEC REP). Not built yet: no issue has asked for it so far."""

    name = "repairs"
    verbose_name = _("Repairs")
