from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Shared services of the portal: calendar, policy, notifications, files, documents, access."""

    name = "marketing_portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import access, signals  # noqa: F401
        from .models import Attachment, Notification

        access.register_visibility(Notification, lambda user: Notification.objects.filter(recipient=user))
        access.register_visibility(Attachment, access.attachments_visible_to)
