"""Password rules (issue 13): at least 12 characters, refused with a message in the user's language.

Django 5.2 changed the minimum-length message (``%d`` instead of ``%(min_length)d``) and its zh-Hans catalogue
still has only the old one, so the refusal came out in English; this validator says it through our catalogue.
The rules apply when a password is set through a form (change, reset, the admin site), not when logging in.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("The password is too short: it must have at least %(min_length)s characters.") % {
            "min_length": self.min_length}
