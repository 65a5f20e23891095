"""Development e-mail: every message becomes one log line and an entry on the outbox page (administrators), instead
of a full MIME dump on the console. Set ``EMAIL_BACKEND`` (or ``EMAIL_HOST``) to send real mail."""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("marketing_portal.mail")


class OutboxBackend(BaseEmailBackend):
    """Keeps each message in ``OutboxMessage`` and logs ``e-mail to …: subject``; sends nothing."""

    def send_messages(self, email_messages) -> int:
        from .models import OutboxMessage

        count = 0
        for message in email_messages or ():
            recipients = ", ".join(message.recipients())
            OutboxMessage.objects.create(
                sender=str(message.from_email or "")[:200], recipients=recipients[:1000],
                subject=str(message.subject or "")[:300], body=str(message.body or ""))
            logger.info("e-mail to %s: %s", recipients, message.subject)
            count += 1
        return count
