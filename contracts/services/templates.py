"""Standard and model contract texts and their versions (SPEC CON-2)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from marketing_portal.audit import audited
from marketing_portal.files import attachment_add

from ..models import ContractTemplate, TemplateVersion
from .common import require


def _require_keeper(by) -> None:
    require(by, "contracts.manage_templates",
            message=_("Only Marketing leadership, the sales clerk or Legal can manage contract templates."))


@audited
@transaction.atomic
def template_create(*, by, code: str, name: str, kind: str, direction: str) -> ContractTemplate:
    _require_keeper(by)
    template = ContractTemplate(code=code.strip(), name=name.strip(), kind=kind, direction=direction)
    template.full_clean()
    template.save()
    return template


@audited
@transaction.atomic
def template_version_add(*, template_id: int, by, effective_from: date, changes: str, text_file) -> TemplateVersion:
    """A new version of the text; earlier versions stay usable only until they are retired."""
    _require_keeper(by)
    template = ContractTemplate.objects.select_for_update().get(pk=template_id)
    if text_file is None:
        raise ValidationError({"text_file": [_("Attach the text of this version.")]})
    last = template.versions.order_by("-number").first()
    version = TemplateVersion.objects.create(
        template=template, number=(last.number + 1) if last else 1, effective_from=effective_from,
        changes=changes.strip(), created_by=by,
    )
    attachment_add(owner=version, upload=text_file, by=by, slot="text")
    # The newest version replaces the earlier ones for new drafts.
    template.versions.exclude(pk=version.pk).filter(active=True).update(active=False)
    return version
