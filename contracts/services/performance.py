"""After signing (SPEC CON-8, arts. 11-13): milestones, the counterparty's non-performance and our objection
letters, objections received and our replies, our own inability to perform."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.deadlines import dated, deadline_track
from marketing_portal.files import DOCUMENTS, attachment_add
from marketing_portal.notifications import event_key, notify_many
from marketing_portal.periods import period_end
from marketing_portal.policy import current_policy
from org.selectors import DEPARTMENT_LEADER, resolve

from ..choices import DeadlineBasis, NonPerformanceStatus, ObjectionStatus
from ..models import InabilityReport, IncomingObjection, Milestone, NonPerformance
from .common import WorkflowError, lock_contract, require_handler_side, require_in_force, stored


@audited
@transaction.atomic
def milestone_record(*, contract_id: int, by, title: str, due_on: date | None = None, done_on: date | None = None,
                     notes: str = "") -> Milestone:
    contract = lock_contract(contract_id)
    require_in_force(contract)
    require_handler_side(contract, by)
    if not title.strip():
        raise ValidationError({"title": [_("Name the milestone.")]})
    if done_on and done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("A milestone cannot be done in the future.")]})
    return Milestone.objects.create(contract=contract, title=title.strip(), due_on=due_on, done_on=done_on,
                                    notes=notes.strip(), recorded_by=by)


@audited
@transaction.atomic
def milestone_complete(*, milestone_id: int, by, done_on: date, notes: str = "") -> Milestone:
    milestone = Milestone.objects.select_for_update().get(pk=milestone_id)
    contract = lock_contract(milestone.contract_id)
    require_handler_side(contract, by)
    if milestone.done_on:
        raise WorkflowError(_("This milestone was already recorded as done."), code="already_done")
    if done_on is None or done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("Enter the date it was done (not in the future).")]})
    milestone.done_on = done_on
    if notes.strip():
        milestone.notes = f"{milestone.notes}\n{notes.strip()}".strip()
    milestone.save()
    return milestone


def _deadline_days(basis: str, days: int | None, policy_days: int, errors: dict, field: str) -> int | None:
    """The length of the period in days: the policy's reasonable period, or the days of the law or contract."""
    if basis not in DeadlineBasis.values:
        errors.setdefault("deadline_basis", []).append(_("Choose the basis of the deadline."))
        return None
    if basis == DeadlineBasis.REASONABLE:
        return policy_days
    if not days or int(days) < 1:
        errors.setdefault(field, []).append(
            _("Enter the number of days set by law or by the contract."))
        return None
    return int(days)


@audited
@transaction.atomic
def non_performance_flag(*, contract_id: int, by, noticed_on: date, description: str, deadline_basis: str,
                         days: int | None = None) -> NonPerformance:
    """Art. 12: any staff member flags the counterparty's non-performance; the handler must object in time."""
    contract = lock_contract(contract_id)
    require_in_force(contract)
    errors: dict[str, list] = {}
    if noticed_on is None or noticed_on > timezone.localdate():
        errors["noticed_on"] = [_("Enter when it was noticed (not in the future).")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what was not performed.")]
    policy = current_policy()
    period = _deadline_days(deadline_basis, days, policy.objection_deadline_days, errors, "days")
    if errors:
        raise ValidationError(errors)
    record = NonPerformance.objects.create(
        contract=contract, noticed_on=noticed_on, description=description.strip(), deadline_basis=deadline_basis,
        objection_due_on=period_end(noticed_on, days=period), policy_version=policy.version, flagged_by=by,
    )
    due = deadline_track(record, "objection_due_on", start=noticed_on, days=period).end
    url = contract.get_absolute_url()
    subject = stored(gettext_lazy("Non-performance flagged on “%(title)s”: send the objection letter by %(due)s"),
                     title=contract.title, due=lazy(dated, str)(due))  # rendered in the portal's language
    transaction.on_commit(lambda: notify_many(
        recipients=[contract.handler], key=event_key("nonperformance", record), subject=subject,
        body=record.description, url=url))
    return record


@audited
@transaction.atomic
def non_performance_object(*, record_id: int, by, sent_on: date, text: str, letter=None) -> NonPerformance:
    record = NonPerformance.objects.select_for_update().get(pk=record_id)
    contract = lock_contract(record.contract_id)
    require_handler_side(contract, by)
    if record.status != NonPerformanceStatus.OPEN:
        raise WorkflowError(_("The objection letter was already recorded."), code="already_done")
    errors = {}
    if sent_on is None or sent_on > timezone.localdate() or sent_on < record.noticed_on:
        errors["sent_on"] = [_("Enter the date the letter was sent (between noticing and today).")]
    if not (text or "").strip():
        errors["text"] = [_("Enter the content of the objection letter.")]
    if errors:
        raise ValidationError(errors)
    record.status = NonPerformanceStatus.OBJECTED
    record.objection_sent_on, record.objection_text = sent_on, text.strip()
    record._change_reason = stored(gettext_lazy("objection letter sent late")) if sent_on > record.objection_due_on \
        else ""
    record.save()
    if letter is not None:
        attachment_add(owner=record, upload=letter, by=by, slot="letter", allowed=DOCUMENTS)
    return record


@audited
@transaction.atomic
def non_performance_resolve(*, record_id: int, by, resolution: str) -> NonPerformance:
    record = NonPerformance.objects.select_for_update().get(pk=record_id)
    contract = lock_contract(record.contract_id)
    require_handler_side(contract, by)
    if record.status == NonPerformanceStatus.RESOLVED:
        raise WorkflowError(_("This was already resolved."), code="already_done")
    if not (resolution or "").strip():
        raise ValidationError({"resolution": [_("Say how it was resolved.")]})
    record.status, record.resolution = NonPerformanceStatus.RESOLVED, resolution.strip()
    record.save()
    return record


@audited
@transaction.atomic
def objection_receive(*, contract_id: int, by, received_on: date, content: str, deadline_basis: str,
                      days: int | None = None, letter=None) -> IncomingObjection:
    """Art. 12: an objection from the counterparty, to be answered by the handler in time."""
    contract = lock_contract(contract_id)
    require_in_force(contract)
    require_handler_side(contract, by)
    errors: dict[str, list] = {}
    if received_on is None or received_on > timezone.localdate():
        errors["received_on"] = [_("Enter when it was received (not in the future).")]
    if not (content or "").strip():
        errors["content"] = [_("Enter what the counterparty objects to.")]
    policy = current_policy()
    period = _deadline_days(deadline_basis, days, policy.objection_reply_days, errors, "days")
    if errors:
        raise ValidationError(errors)
    record = IncomingObjection.objects.create(
        contract=contract, received_on=received_on, content=content.strip(), deadline_basis=deadline_basis,
        reply_due_on=period_end(received_on, days=period), policy_version=policy.version, recorded_by=by,
    )
    deadline_track(record, "reply_due_on", start=received_on, days=period)
    if letter is not None:
        attachment_add(owner=record, upload=letter, by=by, slot="letter", allowed=DOCUMENTS)
    return record


@audited
@transaction.atomic
def objection_answer(*, objection_id: int, by, replied_on: date, reply: str, letter=None) -> IncomingObjection:
    record = IncomingObjection.objects.select_for_update().get(pk=objection_id)
    contract = lock_contract(record.contract_id)
    require_handler_side(contract, by)
    if record.status != ObjectionStatus.OPEN:
        raise WorkflowError(_("This objection was already answered."), code="already_done")
    errors = {}
    if replied_on is None or replied_on > timezone.localdate() or replied_on < record.received_on:
        errors["replied_on"] = [_("Enter the date of the reply (between receipt and today).")]
    if not (reply or "").strip():
        errors["reply"] = [_("Enter the reply.")]
    if errors:
        raise ValidationError(errors)
    record.status, record.replied_on, record.reply = ObjectionStatus.ANSWERED, replied_on, reply.strip()
    record.save()
    if letter is not None:
        attachment_add(owner=record, upload=letter, by=by, slot="reply", allowed=DOCUMENTS)
    return record


@audited
@transaction.atomic
def inability_report(*, contract_id: int, by, occurred_on: date, description: str, remedy_plan: str,
                     counterparty_notified_on: date, notified_how: str) -> InabilityReport:
    """Art. 13: report to the department and notify the counterparty the same day, with a remedy plan."""
    contract = lock_contract(contract_id)
    require_in_force(contract)
    require_handler_side(contract, by)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    if occurred_on is None or occurred_on > today:
        errors["occurred_on"] = [_("Enter when it became known (not in the future).")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what cannot be performed.")]
    if not (remedy_plan or "").strip():
        errors["remedy_plan"] = [_("Describe the remedy planned to limit the loss.")]
    if counterparty_notified_on is None:
        errors["counterparty_notified_on"] = [_("Enter when the counterparty was notified.")]
    elif occurred_on and (counterparty_notified_on < occurred_on or counterparty_notified_on > today):
        errors["counterparty_notified_on"] = [_("The notice date must be between the day it became known and today.")]
    if not (notified_how or "").strip():
        errors["notified_how"] = [_("Say how the counterparty was notified (letter, e-mail, phone …).")]
    if errors:
        raise ValidationError(errors)
    report = InabilityReport.objects.create(
        contract=contract, occurred_on=occurred_on, description=description.strip(), remedy_plan=remedy_plan.strip(),
        counterparty_notified_on=counterparty_notified_on, notified_how=notified_how.strip(), reported_by=by,
    )
    leaders = resolve(DEPARTMENT_LEADER, of=contract.handler)
    url = contract.get_absolute_url()
    subject = stored(gettext_lazy("We cannot fully perform “%(title)s”: report and remedy plan"), title=contract.title)
    body = report.remedy_plan
    transaction.on_commit(lambda: notify_many(recipients=leaders, key=event_key("inability", report),
                                              subject=subject, body=body, url=url))
    return report
