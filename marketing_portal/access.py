"""Object-level access (SPEC X-2): one place that says which records a user may see.

Each app registers, for each of its models, a function ``user -> QuerySet`` of the records that user
may see (its ``*_visible_to`` selector). Every list, detail page, export, PDF and file download looks
records up through ``visible_to`` so a record one may not see is simply not found (404).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.http import Http404

_registry: dict[type[Model], Callable[[object], QuerySet]] = {}


def register_visibility(model: type[Model], selector: Callable[[object], QuerySet]) -> None:
    _registry[model] = selector


def visible_to(model: type[Model], user) -> QuerySet:
    """The records of ``model`` that ``user`` may see; nothing for anonymous or inactive users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return model._default_manager.none()
    try:
        selector = _registry[model]
    except KeyError:
        raise LookupError(f"no visibility rule registered for {model.__name__}") from None
    return selector(user)


def get_visible_or_404(model: type[Model], user, **lookup) -> Model:
    try:
        return visible_to(model, user).get(**lookup)
    except model.DoesNotExist:
        raise Http404 from None


def can_see(user, obj: Model) -> bool:
    return visible_to(type(obj), user).filter(pk=obj.pk).exists()


def attachments_visible_to(user) -> QuerySet:
    """Attachments whose record the user may see."""
    from .models import Attachment

    condition = Q(pk__in=[])
    for model in list(_registry):
        if model is Attachment:
            continue
        ct = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=ct, object_id__in=visible_to(model, user).values("pk"))
    return Attachment.objects.filter(condition)


def has_role(user, *roles: str) -> bool:
    """Whether the user belongs to any of the role groups (cached on the user object per request)."""
    if not getattr(user, "is_authenticated", False):
        return False
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return bool(names.intersection(roles))
