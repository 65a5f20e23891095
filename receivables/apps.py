from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    """Projects, invoices, receipts, retention and the commission ledger (SPEC RCV)."""

    name = "receivables"
    verbose_name = _("Receivables")
