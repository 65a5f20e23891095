from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The managers' dashboard (SPEC RPT-1) and the key-figure cards of the home pages: the rightmost app, it
    reads every other app through its selectors; nothing depends on it."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from marketing_portal.registry import NavEntry, register_card, register_nav

        from . import cards, rules  # noqa: F401  (rules registers the permissions)

        register_nav(NavEntry(label=_("Dashboard"), url_name="dashboards:dashboard", order=5,
                              visible=rules.may_use_dashboard))
        for provider in cards.PROVIDERS:
            register_card(provider)
