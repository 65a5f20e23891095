from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoffConfig(AppConfig):
    """Hand-off of orders to the engineering subsidiary XXX (SPEC HND)."""

    name = "handoff"
    verbose_name = _("Hand-off")
