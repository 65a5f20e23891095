from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """Customers and contracts: drafting, the approval chain, the numbered archive (SPEC CUS, CON)."""

    name = "contracts"
    verbose_name = _("Contracts")
