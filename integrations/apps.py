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
        from marketing_portal.notifications import register_delivery, register_delivery_status
        from marketing_portal.registry import NavEntry, register_nav

        from . import selectors, services, tasks
        from .models import ApiToken, ChannelDelivery, RobotChannel

        access.register_visibility(ApiToken, selectors.tokens_visible_to)
        access.register_visibility(RobotChannel, selectors.robots_visible_to)
        access.register_visibility(ChannelDelivery, selectors.deliveries_visible_to)
        register_delivery(tasks.queue_notice)
        register_delivery_status(services.delivery_statuses_for)
        register_nav(NavEntry(label=_("Integrations"), url_name="integrations:admin", order=90,
                              visible=lambda user: user.has_perm("integrations.administer")))
