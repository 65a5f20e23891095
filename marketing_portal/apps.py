from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Shared services of the portal: calendar, policy, notifications, files, documents, access."""

    name = "marketing_portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import access, figures_cache, signals  # noqa: F401
        from .models import Attachment, Notification

        access.register_visibility(Notification, lambda user: Notification.objects.filter(recipient=user))
        access.register_visibility(Attachment, access.attachments_visible_to)
        # The cached figures' data version: triggers on every watched table (PostgreSQL), signals elsewhere.
        post_migrate.connect(figures_cache.install_triggers, sender=self, dispatch_uid="figures-triggers")
        figures_cache.connect_signals()
