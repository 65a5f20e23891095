"""Acceptance: XXX's completion notice with the report, and Marketing's and Finance's receipts (RCV-1, RCV-2)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.deadlines import dated
from marketing_portal.files import DOCUMENTS, attachment_add
from marketing_portal.notifications import event_key, notify, notify_many, work_key
from marketing_portal.policy import current_policy

from .. import engine, rules
from ..choices import (
    ProjectStage,
)
from ..consequences import finance_people, marketing_receivers
from ..models import (
    Acceptance,
)
from ._common import ReceivablesError, _lock, _refresh_facts, _require, _today, stored_texts, track_warranty


# Acceptance (RCV-1, RCV-2)
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def acceptance_submit(*, project_id: int, by, report_date: date, notice: str, report_scan, notice_scan=None
                      ) -> Acceptance:
    """XXX submits the written completion notice with the acceptance report; the owner is told at once (RCV-2)."""
    project = _lock(project_id)
    _require(by, rules.submits_acceptance, _("Only XXX (or the Marketing office for an older paper acceptance) can "
                                          "submit the completion notice."))
    if project.stage != ProjectStage.AWAITING_ACCEPTANCE or Acceptance.objects.filter(project=project).exists():
        raise ReceivablesError(_("The acceptance of this project was already submitted."))
    errors: dict[str, list] = {}
    today = _today()
    signed_on = project.contract.signed_on
    if report_date is None:
        errors["report_date"] = [_("Enter the date of the acceptance report.")]
    elif report_date > today:
        errors["report_date"] = [_("The acceptance report cannot be dated in the future.")]
    elif signed_on and report_date < signed_on:
        errors["report_date"] = [_("The acceptance report cannot be dated before the contract was signed on "
                                   "%(day)s.") % {"day": signed_on.isoformat()}]
    if not (notice or "").strip():
        errors["notice"] = [_("Write the completion notice.")]
    if report_scan is None:
        errors["report_scan"] = [_("Upload the scan of the acceptance report.")]
    if errors:
        raise ValidationError(errors)
    acceptance = Acceptance.objects.create(project=project, report_date=report_date, notice=notice.strip(),
                                           submitted_by=by)
    try:
        attachment_add(owner=acceptance, upload=report_scan, by=by, slot="report", allowed=DOCUMENTS)
        if notice_scan is not None:
            attachment_add(owner=acceptance, upload=notice_scan, by=by, slot="notice", allowed=DOCUMENTS)
    except ValidationError as exc:
        raise ValidationError({"report_scan" if notice_scan is None else "__all__": exc.messages}) from None
    with stored_texts():
        project.accepted_on = report_date
        project.warranty_ends_on = engine.warranty_end(report_date, project.warranty_months)
        project._change_reason = _("accepted on %(day)s") % {"day": report_date.isoformat()}
        _refresh_facts(project, by=by)
        track_warranty(project)
        policy = current_policy()
        from ..policy import assess

        deadline = assess(accepted_on=report_date, invoiced_on=None, collected_on=None, as_of=max(report_date, today),
                          policy=policy).invoice_deadline
        notify(recipient=project.owner, key=event_key("rcv-accepted", project),
               subject=_("%(project)s was accepted on %(day)s: invoice by %(deadline)s") % {
                   "project": project, "day": report_date.isoformat(), "deadline": dated(deadline)},
               body=_("Under the receivables rules the project must be invoiced within %(months)s month(s) of "
                      "acceptance, i.e. by 24:00 on %(deadline)s. Every full %(step)s days later %(percent)s%% of the "
                      "commission is deducted.") % {
                   "months": policy.invoice_deadline_months, "deadline": dated(deadline),
                   "step": policy.deduction_step_days, "percent": policy.deduction_step_percent},
               url=project.get_absolute_url())
        notify_many(recipients=marketing_receivers(), key=event_key("rcv-acceptance-original", acceptance),
                    subject=_("Acceptance report of %(project)s: acknowledge the original") % {"project": project},
                    url=acceptance.get_absolute_url(), work=work_key(acceptance, "original"))
        notify_many(recipients=finance_people(), key=event_key("rcv-acceptance-copy", acceptance),
                    subject=_("Acceptance report of %(project)s: acknowledge the copy") % {"project": project},
                    url=acceptance.get_absolute_url(), work=work_key(acceptance, "copy"))
    return acceptance


@transaction.atomic
def acceptance_acknowledge(*, project_id: int, by, part: str) -> Acceptance:
    """Marketing confirms it received the original, Finance the copy (RCV-1); each once."""
    project = _lock(project_id)
    acceptance = Acceptance.objects.select_for_update().filter(project=project).first()
    if acceptance is None:
        raise ReceivablesError(_("The acceptance of this project has not been submitted yet."))
    now = timezone.now()
    if part == "original":
        _require(by, rules.receives_original, _("Only the Marketing office acknowledges the original."))
        if acceptance.original_received_at:
            raise ReceivablesError(_("The original was already acknowledged."))
        acceptance.original_received_by, acceptance.original_received_at = by, now
        with stored_texts():
            acceptance._change_reason = _("original received by Marketing")
    elif part == "copy":
        _require(by, rules.receives_copy, _("Only Finance acknowledges the copy."))
        if acceptance.copy_received_at:
            raise ReceivablesError(_("The copy was already acknowledged."))
        acceptance.copy_received_by, acceptance.copy_received_at = by, now
        with stored_texts():
            acceptance._change_reason = _("copy received by Finance")
    else:
        raise ReceivablesError(_("Unknown document."))
    acceptance.save()
    return acceptance
