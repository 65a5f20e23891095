"""What every receivables service shares: its error, who acts, the project row lock, amounts, and bringing the
project's dates and clocks up to date before the transaction commits."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketing_portal.deadlines import deadline_track
from marketing_portal.money import AmountError, parse_amount
from org.rules import holds

from .. import engine
from ..models import Project


class ReceivablesError(ValidationError):
    """A step that may not be taken now, or not by this person."""


@contextmanager
def stored_texts():
    """Texts kept in records — history comments, ledger reasons, notices — are written in the portal's language
    whoever acts (X-1); a service builds them inside this block. Its refusals stay in the acting user's language."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _today() -> date:
    return timezone.localdate()


def _require(by, predicate, message) -> None:
    """Refuse unless ``by`` holds the role predicate of ``receivables.rules`` (as ``has_perm`` would answer)."""
    if not holds(by, predicate):
        raise ReceivablesError(message, code="not_allowed")


def _lock(project_id: int) -> Project:
    try:
        return Project.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=project_id)
    except Project.DoesNotExist:
        raise ReceivablesError(_("This project does not exist.")) from None


def _amount(raw, field: str, *, allow_negative: bool = False, allow_zero: bool = False) -> Decimal:
    """An amount typed into ``field`` (the kernel's parser); a refusal names the field and keeps the parser's code."""
    try:
        return parse_amount(raw, allow_zero=allow_zero, allow_negative=allow_negative)
    except AmountError as exc:
        raise ValidationError({field: exc.error_list}) from None


def _refresh_facts(project: Project, *, by=None) -> None:
    """Recompute the project's dates and stage from its records, then bring its clocks and ledger up to date."""
    facts = engine.derive_facts(project)
    for name, value in facts.items():
        setattr(project, name, value)
    warranty_starts = project.accepted_on is not None and project.warranty_ends_on is None
    if warranty_starts:
        project.warranty_ends_on = engine.warranty_end(project.accepted_on, project.warranty_months)
    project.stage = engine.derive_stage(project, engine.statement_of(project))
    project.next_check_on = _today()
    project.save()
    if warranty_starts:
        track_warranty(project)
    engine.project_refresh(project, by=by)


def track_warranty(project: Project) -> None:
    """The warranty end follows the working-day calendar (``marketing_portal.deadlines``) until its statement."""
    deadline_track(project, "warranty_ends_on", start=project.accepted_on, months=project.warranty_months)
