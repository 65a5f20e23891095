"""Writes of the org chart: role groups, positions held, delegation."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Delegation, Person
from .roles import ROLE_PERMISSIONS, Role


def roles_sync() -> None:
    """Make one group per role with its model permissions (run after every migrate)."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


@transaction.atomic
def person_sync_groups(*, person: Person) -> None:
    """The person's role groups become exactly the roles of the positions they hold."""
    user = person.user
    roles = set(person.positions.values_list("role", flat=True))
    keep = list(user.groups.exclude(name__in=Role.values))
    user.groups.set(keep + list(Group.objects.filter(name__in=roles)))
    for cached in ("_role_names", "_portal_regions"):  # the per-request caches of access.has_role, regions_of
        if hasattr(user, cached):
            delattr(user, cached)


@transaction.atomic
def person_set_positions(*, person: Person, positions) -> Person:
    person.positions.set(positions)
    person_sync_groups(person=person)
    return person


def _overlap_message() -> str:
    return _("There is already a delegation for part of this period; revoke it first.")


@transaction.atomic
def delegation_create(*, principal, delegate, starts_on: date, ends_on: date, reason: str, by) -> Delegation:
    """Let ``delegate`` act for ``principal`` over a date range; only the principal or an admin may do so.

    Two overlapping delegations of one principal cannot both stand: checked here with the principal's rows
    locked, and on PostgreSQL by an exclusion constraint (``delegation_no_overlap``) for requests at the same
    moment.
    """
    if not by.has_perm("org.delegate_approvals", Person.objects.filter(user=principal).first()):
        raise ValidationError(_("Only the person themselves or a system administrator can delegate their approvals."))
    if delegate.pk == principal.pk:
        raise ValidationError(_("You cannot delegate to yourself."))
    if not delegate.is_active:
        raise ValidationError(_("The delegate's account is disabled."))
    if ends_on < starts_on:
        raise ValidationError(_("The end date is before the start date."))
    if ends_on < timezone.localdate():
        raise ValidationError(_("The delegation would already be over."))
    if not reason.strip():
        raise ValidationError(_("Give a reason, e.g. annual leave."))
    overlapping = Delegation.objects.select_for_update().filter(
        principal=principal, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        raise ValidationError(_overlap_message(), code="delegation_overlap")
    try:
        with transaction.atomic():
            return Delegation.objects.create(
                principal=principal, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason.strip(),
                created_by=by,
            )
    except IntegrityError:  # another request stored an overlapping one at the same moment (the constraint)
        raise ValidationError(_overlap_message(), code="delegation_overlap") from None


@transaction.atomic
def delegation_revoke(*, delegation_id: int, by) -> Delegation:
    delegation = Delegation.objects.select_for_update().get(pk=delegation_id)
    if not by.has_perm("org.revoke_delegation", delegation):
        raise ValidationError(_("Only the delegating person or a system administrator can revoke this."))
    if delegation.revoked_at is not None:
        raise ValidationError(_("This delegation was already revoked."))
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    return delegation


@transaction.atomic
def person_duty_set(*, person_id: int, collection_only: bool, reason: str, by=None) -> Person:
    """The one writer of a person's duty status (RCV-8): collection-only with its reason, or back to normal.

    Other apps decide *when* (receivables: the rules and the Marketing Director's decisions) and call this;
    the row is locked, a call that changes nothing stores nothing, and the history names ``by``.
    """
    person = Person.objects.select_for_update().get(pk=person_id)
    status = Person.DutyStatus.COLLECTION_ONLY if collection_only else Person.DutyStatus.NORMAL
    if person.duty_status == status:
        return person
    person.duty_status = status
    person.duty_status_reason = reason[:300] if collection_only else ""
    person._change_reason = reason[:100]
    if by is not None:
        person._history_user = by
    person.save(update_fields=["duty_status", "duty_status_reason"])
    return person
