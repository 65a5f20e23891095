"""How a person is named on every page, notice, history row and document: one function, used everywhere."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist


def display_name(user) -> str:
    """A user as colleagues know them: the person's name (张伟), else the full name, else the login name."""
    if user is None:
        return ""
    try:
        person = user.person
    except (AttributeError, ObjectDoesNotExist):  # a login without a person record (e.g. a superuser)
        person = None
    if person is not None and getattr(person, "name", ""):
        return person.name
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or user.get_username()
