from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Where the staff already are: the REST API for other systems, calendar feeds, WeCom / DingTalk notices.

    The last app of the chain: it reads every business app through its selectors and writes through its services;
    no app depends on it. The shell's notices reach it through ``marketing_portal.notifications`` delivery hooks.
    """

    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from marketing_portal import access
        from marketing_portal.registry import NavEntry, register_nav

        from . import selectors
        from .models import ApiToken

        access.register_visibility(ApiToken, selectors.tokens_visible_to)
        register_nav(NavEntry(label=_("Integrations"), url_name="integrations:admin", order=90,
                              visible=lambda user: user.has_perm("integrations.administer")))
