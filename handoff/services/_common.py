"""What every hand-off service shares: its error, the row lock, state and actor checks, notices after the commit,
quantities and uploads."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from marketing_portal.files import DEFAULT_ALLOWED, validate_upload
from marketing_portal.notifications import notify_many
from marketing_portal.people import display_name
from org.selectors import delegates_of

from ..models import Handoff


class HandoffError(ValidationError):
    """A step that may not be taken now, or not by this person."""




def _on_behalf(by, principal) -> str:
    if principal is not None and principal.pk != by.pk:
        return _("%(by)s on behalf of %(principal)s") % {"by": display_name(by), "principal": display_name(principal)}
    return ""


def _lock(handoff_id: int) -> Handoff:
    try:
        return Handoff.objects.select_for_update(of=("self",)).select_related("contract", "line").get(
            pk=handoff_id)
    except Handoff.DoesNotExist:
        raise HandoffError(_("This hand-off does not exist.")) from None


def _require_state(handoff: Handoff, *states: str, action: str) -> None:
    if handoff.state not in states:
        raise HandoffError(
            _("“%(action)s” cannot be done now: the hand-off %(number)s is “%(state)s”. Steps cannot be skipped "
              "or repeated; reload the page to see where it stands.")
            % {"action": action, "number": handoff.number, "state": handoff.get_state_display()}
        )


def _notify(recipients, *, key: str, subject: str, body: str = "", url: str = "", work: str = "") -> None:
    """Notify the people and whoever acts for them today, once per key, after the commit (``work``: the work item
    the notice asks for, done when it closes — see ``handoff.apps``)."""
    people = [u for u in recipients if u is not None]
    everyone = people + delegates_of(people)
    transaction.on_commit(lambda: notify_many(recipients=everyone, key=key, subject=subject, body=body, url=url,
                                              work=work))


def _parse_quantity(value, *, label: str) -> Decimal:
    text = str(value).strip() if value is not None else ""
    try:
        quantity = Decimal(text)
        if not quantity.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(label)s: “%(value)s” is not a quantity; enter a number such as 2 or 1.5.")
            % {"label": label, "value": value}, code="quantity_invalid") from None
    if quantity <= 0:
        raise ValidationError(_("%(label)s must be greater than zero.") % {"label": label}, code="quantity_zero")
    if quantity >= Decimal("1e9") or quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError(_("%(label)s: at most three decimals and less than a billion.") % {"label": label},
                              code="quantity_precision")
    return quantity


def _check_uploads(uploads) -> list:
    uploads = [u for u in (uploads or ()) if u]
    for upload in uploads:
        validate_upload(upload, allowed=DEFAULT_ALLOWED)
    return uploads


# --------------------------------------------------------------------------------------------------
