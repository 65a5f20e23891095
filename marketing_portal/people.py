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
    return name_shown(getattr(person, "name", "") if person is not None else "", getattr(user, "first_name", ""),
                      getattr(user, "last_name", ""), user.get_username())


def name_columns(prefix: str) -> tuple[str, ...]:
    """The columns ``name_shown`` reads, for a query of values that names users without loading them (the
    exports): ``values_list(*name_columns("handler"))``."""
    return (f"{prefix}__person__name", f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__username")


def name_shown(person_name: str | None, first_name: str, last_name: str, username: str) -> str:
    """``display_name`` from the values themselves: the person's name, else the full name (as Django's
    ``get_full_name`` builds it), else the login name."""
    return person_name or f"{first_name or ''} {last_name or ''}".strip() or username
