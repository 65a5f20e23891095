from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do; reading is always narrowed to what its person or service account may see (X-2)."""

    READ = "read", _("read")
    WRITE_MONEY = "write:money", _("record money")
