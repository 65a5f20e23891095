"""Authentication backends of the portal."""

from __future__ import annotations

import rules
from guardian.backends import ObjectPermissionBackend


class RecordGrantBackend(ObjectPermissionBackend):
    """django-guardian's grants to a named person on one record, asked only for the model permissions it can grant.

    A rule of the permission layer (``<app>/rules.py``, e.g. ``org.see_person``) is answered by django-rules alone:
    guardian holds no grants of it, and asking it anyway costs two queries per ``has_perm`` — per row of a list.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj)
