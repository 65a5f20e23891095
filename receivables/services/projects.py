"""Projects: opened from a signed sales contract, their commission, and changes of owner (RCV-9, CON-9)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from contracts.choices import SIGNED_STATES, Direction
from contracts.models import Contract
from marketing_portal.money import format_yuan, to_amount
from marketing_portal.notifications import event_key, notify
from marketing_portal.numbering import format_number, next_number
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from org.selectors import acting_for

from .. import engine, rules
from ..choices import (
    EntryKind,
)
from ..consequences import directors
from ..models import (
    CommissionEntry,
    OwnerHandover,
    Project,
)
from ..policy import HUNDRED, ZERO
from ._common import ReceivablesError, _amount, _lock, _require, _today, stored_texts


# Projects
# --------------------------------------------------------------------------------------------------
def project_register(*, contract_id: int, by=None, commission_base=None) -> Project:
    """Open the project of a signed sales contract (automatically on signing, or by hand for older contracts).

    Idempotent: a second call for the same contract returns the existing project (one per contract, unique).
    """
    with transaction.atomic():
        try:
            contract = Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract_id)
        except Contract.DoesNotExist:
            raise ReceivablesError(_("This contract does not exist.")) from None
        existing = Project.objects.filter(contract=contract).first()
        if existing is not None:
            return existing
        if by is not None:
            _require(by, rules.registers_projects, _("Only the Marketing office can register a project."))
        if contract.direction != Direction.SALES:
            raise ReceivablesError(_("Only a sales contract with a customer becomes a project."))
        if contract.parent_id is not None:
            raise ReceivablesError(_("A supplementary or termination agreement belongs to the project of its "
                                     "original contract; it does not open a project of its own."))
        if contract.state not in SIGNED_STATES:
            raise ReceivablesError(_("The contract is not signed (it is “%(state)s”).") % {
                "state": contract.get_state_display()})
        policy = current_policy()
        base = contract.amount if commission_base in (None, "") else _amount(commission_base, "commission_base",
                                                                            allow_zero=True)
        retention = to_amount(contract.amount * contract.retention_percent / HUNDRED)
        project = Project(
            contract=contract, name=contract.title[:150], customer=contract.customer, region=contract.region,
            owner=contract.handler, amount=contract.amount, retention_percent=contract.retention_percent,
            retention_amount=retention, warranty_months=contract.warranty_months, commission_base=base,
            commission_rate_percent=policy.commission_rate_percent, commission_policy_version=policy.version,
            registered_by=by,
        )
        with stored_texts():
            project._change_reason = _("registered from the signed contract")
            year = (contract.signed_on or _today()).year
            try:
                with transaction.atomic():
                    project.number = format_number(PROJECT_NUMBER, year=year, seq=next_number(PROJECT_SERIES, year))
                    project.save()
            except IntegrityError:  # registered at the same moment by the signal and by hand
                return Project.objects.get(contract=contract)
            CommissionEntry.objects.create(
                project=project, owner=project.owner, kind=EntryKind.BASE, key="base", entry_date=_today(),
                amount=project.commission, commission=project.commission, policy_version=policy.version, created_by=by,
                reason=_("Base commission: %(rate)s%% of %(base)s") % {
                    "rate": project.commission_rate_percent, "base": format_yuan(project.commission_base)},
            )
            notify(recipient=project.owner, key=event_key("rcv-project-registered", project),
                   subject=_("Project registered: %(project)s") % {"project": project},
                   body=_("Your commission on it: %(amount)s (%(rate)s%% of %(base)s). The invoice clock starts when "
                          "XXX submits the acceptance report.") % {
                       "amount": format_yuan(project.commission), "rate": project.commission_rate_percent,
                       "base": format_yuan(project.commission_base)},
                   url=project.get_absolute_url())
    return project


# Project numbers (XM2026-00001): one gap-free series per year of signing (marketing_portal.numbering).
PROJECT_SERIES = "project"
PROJECT_NUMBER = "XM{year}-{seq:05d}"


def project_open_on_signing(*, contract_id: int) -> Project | None:
    """The project of a contract that was just signed (the link task's work): opened once, found on a second run.

    A contract that is no longer signed when this runs (terminated again meanwhile), or that is no sales contract
    of its own, opens nothing: the link is done, not failed.
    """
    signed = Contract.objects.filter(pk=contract_id, state__in=SIGNED_STATES, direction=Direction.SALES,
                                     parent__isnull=True).exists()
    if not signed:
        return Project.objects.filter(contract_id=contract_id).first()
    return project_register(contract_id=contract_id, by=None)


@transaction.atomic
def project_commission_change(*, project_id: int, by, commission_base, rate_percent, reason: str) -> Project:
    """The Marketing Director changes the commission base or rate, with a reason (audited; RCV-9 override)."""
    project = _lock(project_id)
    principal = acting_for(by, directors())
    if principal is None:
        raise ReceivablesError(_("Only the Marketing Director can change a project's commission."))
    errors: dict[str, list] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the commission changes.")]
    base = rate = None
    try:
        base = _amount(commission_base, "commission_base", allow_zero=True)
    except ValidationError as exc:
        errors.update(exc.error_dict)  # keeps the codes
    try:
        rate = _amount(rate_percent, "rate_percent", allow_zero=True)
        if rate > HUNDRED:
            errors["rate_percent"] = [_("The rate must be between 0 and 100 %.")]
    except ValidationError as exc:
        errors.update(exc.error_dict)  # keeps the codes
    if errors:
        raise ValidationError(errors)
    if base == project.commission_base and rate == project.commission_rate_percent:
        raise ValidationError(_("Nothing was changed."))
    with stored_texts():
        old = project.commission
        posted = engine.Ledger(project.entries.all()).posted_percent()
        project.commission_base, project.commission_rate_percent = base, rate
        new = project.commission
        project._change_reason = reason.strip()[:100]
        project.save(update_fields=["commission_base", "commission_rate_percent"])
        # The change reaches the owner net of what is already deducted: deductions are shares of the commission.
        delta = to_amount((new - old) * (HUNDRED - posted) / HUNDRED)
        on_behalf = "" if principal.pk == by.pk else _(" (on behalf of %(name)s)") % {"name": display_name(principal)}
        CommissionEntry.objects.create(
            project=project, owner=project.owner, kind=EntryKind.BASE_CHANGE, entry_date=_today(), amount=delta,
            commission=new, percent=None, policy_version=current_policy().version, created_by=by,
            reason=(_("Commission %(old)s → %(new)s (%(posted)s%% already deducted): %(reason)s") % {
                "old": format_yuan(old), "new": format_yuan(new), "posted": posted, "reason": reason.strip()}
                + on_behalf)[:300],
        )
        notify(recipient=project.owner, key=event_key("rcv-commission-change", project, project.entries.count()),
               subject=_("%(project)s: your commission was changed to %(amount)s") % {
                   "project": project, "amount": format_yuan(new)},
               body=reason.strip(), url=project.get_absolute_url())
    return project


@transaction.atomic
def project_reassign(*, project_id: int, by, to_owner, reason: str, open_items: str = "") -> OwnerHandover:
    """Give the project to another sales owner with a hand-over record; the unpaid commission moves along."""
    project = _lock(project_id)
    _require(by, rules.reassigns_projects,
             _("Only the Marketing Director or the Sales Manager can reassign a project."))
    errors: dict[str, list] = {}
    if to_owner is None:
        errors["to_owner"] = [_("Choose the new sales owner.")]
    elif to_owner.pk == project.owner_id:
        errors["to_owner"] = [_("This person already owns the project.")]
    elif not to_owner.is_active:
        errors["to_owner"] = [_("This login is disabled.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the project changes hands.")]
    if errors:
        raise ValidationError(errors)
    return _hand_over(project, to_owner=to_owner, reason=reason.strip(), open_items=open_items, by=by)


@transaction.atomic
def project_follow_handler_change(*, contract_id: int, change, by) -> OwnerHandover | None:
    """CON-9 → RCV: when the contract's handler hands over (both confirmed), the project follows the handler.

    Only a project still owned by the previous handler moves; one the Director reassigned stays where it is.
    """
    project = Project.objects.filter(contract_id=contract_id).first()
    if project is None:
        return None
    project = _lock(project.pk)
    if project.owner_id != change.from_handler_id or change.to_handler_id == project.owner_id:
        return None
    with stored_texts():
        reason = _("Contract handler hand-over: %(from)s → %(to)s") % {
            "from": display_name(change.from_handler), "to": display_name(change.to_handler)}
    return _hand_over(project, to_owner=change.to_handler, reason=reason, open_items=change.open_items, by=by)


def _hand_over(project, *, to_owner, reason: str, open_items: str, by) -> OwnerHandover:
    with stored_texts():
        old_owner = project.owner
        handover = OwnerHandover.objects.create(
            project=project, from_owner=old_owner, to_owner=to_owner, effective_on=_today(), reason=reason,
            open_items=(open_items or "").strip(), created_by=by)
        balance = project.entries.filter(owner=old_owner).aggregate(s=Sum("amount"))["s"] or ZERO
        if balance > 0:
            text = _("Hand-over to %(to)s: %(reason)s") % {"to": display_name(to_owner), "reason": reason}
            CommissionEntry.objects.create(project=project, owner=old_owner, kind=EntryKind.TRANSFER_OUT,
                                           entry_date=_today(), amount=-balance, handover=handover, created_by=by,
                                           reason=text[:300])
            CommissionEntry.objects.create(project=project, owner=to_owner, kind=EntryKind.TRANSFER_IN,
                                           entry_date=_today(), amount=balance, handover=handover, created_by=by,
                                           reason=(_("Taken over from %(from)s") % {
                                               "from": display_name(old_owner)})[:300])
        project.owner = to_owner
        project._change_reason = reason[:100]
        project.save(update_fields=["owner"])
        for user in (old_owner, to_owner):
            notify(recipient=user, key=event_key("rcv-handover", handover, user.pk),
                   subject=_("%(project)s: sales owner %(from)s → %(to)s") % {
                       "project": project, "from": display_name(old_owner), "to": display_name(to_owner)},
                   body=handover.open_items, url=project.get_absolute_url())
    engine.consider_lifting([old_owner.pk])
    return handover
