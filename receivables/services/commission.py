"""Commission adjustments (approved by the Marketing Director) and payouts by Finance (RCV-9)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.money import format_yuan
from marketing_portal.notifications import event_key, notify, notify_many, work_key
from marketing_portal.people import display_name
from org.selectors import acting_for

from .. import rules
from ..choices import (
    AdjustmentState,
    EntryKind,
)
from ..consequences import directors
from ..models import (
    AdjustmentRequest,
    CommissionEntry,
    Payout,
    Project,
)
from ..policy import ZERO
from ._common import ReceivablesError, _amount, _lock, _require, _today, stored_texts


# Commission: adjustments and payouts (RCV-9)
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def adjustment_request(*, project_id: int, by, amount, reason: str) -> AdjustmentRequest:
    project = _lock(project_id)
    _require(by, rules.requests_adjustments, _("Only Marketing leadership or Finance can request an adjustment."))
    errors: dict[str, list] = {}
    value = None
    try:
        value = _amount(amount, "amount", allow_negative=True)
    except ValidationError as exc:
        errors.update(exc.error_dict)  # keeps the codes
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the commission should be adjusted.")]
    if errors:
        raise ValidationError(errors)
    with stored_texts():
        adjustment = AdjustmentRequest.objects.create(project=project, owner=project.owner, amount=value,
                                                      reason=reason.strip()[:300], requested_by=by)
        notify_many(recipients=directors(), key=event_key("rcv-adjustment", adjustment),
                    subject=_("Commission adjustment to approve: %(project)s %(amount)s") % {
                        "project": project, "amount": format_yuan(value)},
                    body=adjustment.reason, url=project.get_absolute_url(), work=work_key(adjustment))
    return adjustment


@transaction.atomic
def adjustment_decide(*, adjustment_id: int, by, approve: bool, comment: str = "") -> AdjustmentRequest:
    adjustment = AdjustmentRequest.objects.select_for_update().get(pk=adjustment_id)
    project = _lock(adjustment.project_id)
    principal = acting_for(by, directors())
    if principal is None:
        raise ReceivablesError(_("Only the Marketing Director approves commission adjustments."))
    if adjustment.requested_by_id in (by.pk, principal.pk) or adjustment.owner_id in (by.pk, principal.pk):
        raise ReceivablesError(_("No one approves an adjustment they requested or that concerns themselves."))
    if adjustment.state != AdjustmentState.PENDING:
        raise ReceivablesError(_("This adjustment was already decided."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("Say why the adjustment is rejected.")]})
    with stored_texts():
        adjustment.state = AdjustmentState.APPROVED if approve else AdjustmentState.REJECTED
        adjustment.decided_by, adjustment.decided_for, adjustment.decided_at = by, principal, timezone.now()
        adjustment.decision_comment = comment[:300]
        adjustment.save()
        if approve:
            CommissionEntry.objects.create(
                project=project, owner=adjustment.owner, kind=EntryKind.ADJUSTMENT, entry_date=_today(),
                amount=adjustment.amount, adjustment=adjustment, created_by=by,
                reason=(_("Approved by %(who)s: %(reason)s") % {
                    "who": display_name(principal), "reason": adjustment.reason})[:300])
            notify(recipient=adjustment.owner, key=event_key("rcv-adjustment-approved", adjustment),
                   subject=_("%(project)s: commission adjusted by %(amount)s") % {
                       "project": project, "amount": format_yuan(adjustment.amount)},
                   body=adjustment.reason, url=project.get_absolute_url())
    return adjustment


def payable_for(owner) -> list[dict]:
    """Per project, the owner's commission balance and whether it can be paid now.

    Commission is paid once the project is collected (RCV-6, retention excluded); a negative balance (a deduction
    that arrived after a payout) is recovered from the next payout (claw-back).
    """
    rows = (CommissionEntry.objects.filter(owner=owner).values("project_id")
            .annotate(balance=Sum("amount")).order_by("project_id"))
    balances = {r["project_id"]: r["balance"] for r in rows if r["balance"] != 0}
    projects = Project.objects.in_bulk(list(balances))
    result = []
    for pid, balance in balances.items():
        project = projects[pid]
        result.append({"project": project, "balance": balance,
                       "payable": balance > 0 and project.collected_on is not None,
                       "recover": balance < 0})
    return result


@transaction.atomic
def commission_payout(*, owner, by, paid_on: date, reference: str = "") -> Payout:
    """Finance pays an owner everything payable, less what must be recovered (claw-backs). Serialised per owner."""
    _require(by, rules.records_money, _("Only Finance records commission payouts."))
    if paid_on is None or paid_on > _today():
        raise ValidationError({"paid_on": [_("Enter a payment date that is not in the future.")]})
    project_ids = list(CommissionEntry.objects.filter(owner=owner).values_list("project_id", flat=True).distinct())
    # Lock the owner's projects (in pk order, like the sweep) so no deduction lands between the sums and the entries.
    list(Project.objects.select_for_update(of=("self",)).filter(pk__in=project_ids).order_by("pk"))
    rows = payable_for(owner)
    gross = sum((r["balance"] for r in rows if r["payable"]), ZERO)
    owed_back = sum((-r["balance"] for r in rows if r["recover"]), ZERO)
    recovered = min(gross, owed_back)
    net = gross - recovered
    if net <= 0:
        raise ReceivablesError(_("Nothing can be paid to %(who)s now (payable %(gross)s, to recover %(back)s).") % {
            "who": display_name(owner), "gross": format_yuan(gross), "back": format_yuan(owed_back)})
    with stored_texts():
        payout = Payout.objects.create(owner=owner, paid_on=paid_on, gross=gross, recovered=recovered, net=net,
                                       reference=(reference or "").strip()[:60], created_by=by)
        for row in rows:
            if row["payable"]:
                CommissionEntry.objects.create(project=row["project"], owner=owner, kind=EntryKind.PAYOUT,
                                               entry_date=paid_on, amount=-row["balance"], payout=payout, created_by=by,
                                               reason=(_("Paid out %(ref)s") % {"ref": payout.reference}).strip())
        left = recovered
        for row in sorted((r for r in rows if r["recover"]), key=lambda r: r["project"].pk):
            if left <= 0:
                break
            take = min(left, -row["balance"])
            CommissionEntry.objects.create(project=row["project"], owner=owner, kind=EntryKind.CLAWBACK,
                                           entry_date=paid_on, amount=take, payout=payout, created_by=by,
                                           reason=_("Recovered from the payout of %(day)s") % {
                                               "day": paid_on.isoformat()})
            left -= take
        notify(recipient=owner, key=event_key("rcv-payout", payout),
               subject=_("Commission paid: %(net)s") % {"net": format_yuan(net)},
               body=_("Commission %(gross)s, recovered %(back)s (deductions after an earlier payout).") % {
                   "gross": format_yuan(gross), "back": format_yuan(recovered)}, url="")
    return payout


