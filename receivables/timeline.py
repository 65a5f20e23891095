"""One timeline per project (the project page): what happened, each deduction and why, what comes next and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.money import format_yuan
from marketing_portal.people import display_name

from .choices import AgreementState, EntryKind, ProposalKind, ProposalState, StatementState
from .engine import ProjectAssessment
from .models import Project

TONES = {
    EntryKind.BASE: "primary", EntryKind.BASE_CHANGE: "info", EntryKind.DEDUCTION: "danger",
    EntryKind.FORFEITURE: "danger", EntryKind.REVERSAL: "success", EntryKind.ADJUSTMENT: "info",
    EntryKind.TRANSFER_OUT: "secondary", EntryKind.TRANSFER_IN: "secondary", EntryKind.PAYOUT: "success",
    EntryKind.CLAWBACK: "warning",
}


@dataclass
class Item:
    day: date
    title: str
    detail: str = ""
    tone: str = "secondary"
    future: bool = False
    kind: str = ""
    order: int = 0
    computed: bool = False  # a period end on the working-day calendar: marked while its year is provisional


def _local(value) -> date:
    return timezone.localdate(value) if value else None


def build_timeline(project: Project, *, pa: ProjectAssessment, today: date, invoices, receipts, entries,
                   proposals, agreements, handovers, statement, acceptance) -> tuple[list[Item], list[Item]]:
    """(past items, upcoming items), each in date order. ``entries`` etc. are already narrowed to the viewer."""
    past: list[Item] = []
    contract = project.contract
    if contract.signed_on:
        past.append(Item(contract.signed_on, _("Contract signed"), contract.title, "primary", kind="contract"))
    past.append(Item(_local(project.registered_at), _("Project registered"),
                     _("Sales owner %(owner)s") % {"owner": display_name(project.owner)},
                     kind="registered"))
    if acceptance is not None:
        past.append(Item(acceptance.report_date, _("Accepted (date of the acceptance report)"),
                         acceptance.notice[:200], "primary", kind="accepted", order=1))
        if acceptance.original_received_at:
            past.append(Item(_local(acceptance.original_received_at), _("Original received by Marketing"),
                             kind="ack", order=2))
        if acceptance.copy_received_at:
            past.append(Item(_local(acceptance.copy_received_at), _("Copy received by Finance"), kind="ack", order=2))
    main = pa.main
    if main is not None and main.invoice is not None:
        stage = main.invoice
        if stage.done_on is not None:
            late = (stage.done_on - stage.deadline).days
            detail = (_("Met: invoiced in full on %(day)s.") % {"day": stage.done_on.isoformat()} if late <= 0 else
                      _("Invoiced in full %(days)s days after the deadline.") % {"days": late})
            past.append(Item(stage.deadline, _("Invoice deadline"), detail, "success" if late <= 0 else "warning",
                             kind="deadline", order=3, computed=True))
        elif stage.deadline < today:
            past.append(Item(stage.deadline, _("Invoice deadline passed"),
                             _("Not invoiced in full yet: %(days)s days late.") % {"days": stage.days_late},
                             "danger", kind="deadline", order=3, computed=True))
    for invoice in invoices:
        past.append(Item(invoice.issued_on, _("Invoice %(number)s") % {"number": invoice.number},
                         format_yuan(invoice.amount) + (f" · {invoice.note}" if invoice.note else ""), "info",
                         kind="invoice", order=4))
    if project.invoiced_on:
        past.append(Item(project.invoiced_on, _("Invoiced in full"), format_yuan(project.amount), "success",
                         kind="invoiced", order=5))
    if main is not None and main.collection is not None:
        stage = main.collection
        if stage.done_on is not None:
            late = (stage.done_on - stage.deadline).days
            detail = (_("Met: collected on %(day)s.") % {"day": stage.done_on.isoformat()} if late <= 0 else
                      _("Collected %(days)s days after the deadline.") % {"days": late})
            past.append(Item(stage.deadline, _("Collection deadline"), detail, "success" if late <= 0 else "warning",
                             kind="deadline", order=3, computed=True))
        elif stage.deadline < today:
            past.append(Item(stage.deadline, _("Collection deadline passed"),
                             _("Not collected yet: %(days)s days late.") % {"days": stage.days_late},
                             "danger", kind="deadline", order=3, computed=True))
    for receipt in receipts:
        detail = format_yuan(receipt.amount)
        if receipt.bank_reference:
            detail += " · " + _("bank reference %(ref)s") % {"ref": receipt.bank_reference}
        past.append(Item(receipt.received_on, _("Money received"), detail, "info", kind="receipt", order=4))
    if project.collected_on:
        past.append(Item(project.collected_on, _("Collected (retention excluded)"),
                         format_yuan(project.main_target), "success", kind="collected", order=5))
    if project.warranty_ends_on and project.warranty_ends_on < today and project.retention_amount > 0:
        past.append(Item(project.warranty_ends_on, _("Warranty ended"),
                         _("Retention money %(amount)s") % {"amount": format_yuan(project.retention_amount)},
                         kind="warranty", order=3, computed=True))
    if statement is not None:
        past.append(Item(statement.drafted_on, _("Retention collection statement drafted"), "", kind="statement"))
        if statement.issued_on:
            past.append(Item(statement.issued_on, _("Retention collection statement issued by Finance"),
                             _("Receivable %(amount)s") % {"amount": format_yuan(statement.receivable_amount)},
                             "primary", kind="statement"))
        if statement.notified_at:
            past.append(Item(_local(statement.notified_at), _("Owner notified of the retention statement"),
                             kind="statement"))
    if pa.retention is not None and pa.retention.collection is not None:
        stage = pa.retention.collection
        if stage.done_on is None and stage.deadline < today:
            past.append(Item(stage.deadline, _("Retention collection deadline passed"),
                             _("Not collected yet: %(days)s days late.") % {"days": stage.days_late},
                             "danger", kind="deadline", order=3, computed=True))
    if project.retention_collected_on and project.retention_amount > 0:
        past.append(Item(project.retention_collected_on, _("Retention collected: project settled"), "", "success",
                         kind="settled", order=5))
    reversed_on = {e.reverses_id: e.entry_date for e in entries if e.reverses_id}
    for entry in entries:
        detail_bits = [entry.reason]
        if entry.pk in reversed_on:
            detail_bits.append(_("reversed on %(day)s") % {"day": reversed_on[entry.pk].isoformat()})
        if entry.percent is not None:
            detail_bits.append(_("%(percent)s%% of the commission") % {"percent": entry.percent})
        if entry.step:
            detail_bits.append(_("step %(step)s") % {"step": entry.step})
        if entry.policy_version is not None and entry.kind in (EntryKind.DEDUCTION, EntryKind.FORFEITURE):
            detail_bits.append(_("policy v%(version)s") % {"version": entry.policy_version})
        title = f"{entry.get_kind_display()} {format_yuan(entry.amount)}"
        if entry.stage:
            title = f"{entry.get_stage_display()} · {title}"
        past.append(Item(entry.entry_date, title, " · ".join(str(b) for b in detail_bits),
                         TONES.get(entry.kind, "secondary"), kind=f"entry-{entry.kind}", order=6))
    for proposal in proposals:
        if proposal.kind == ProposalKind.IMPOSE:
            title = (_("Collection-only duty imposed (mandatory)") if proposal.mandatory
                     else _("Collection-only duty proposed to the Marketing Director"))
        else:
            title = _("Lifting of collection-only duty proposed")
        detail = proposal.reason
        if proposal.state in (ProposalState.CONFIRMED, ProposalState.DECLINED) and not proposal.mandatory:
            detail += " — " + _("%(state)s: %(reason)s") % {"state": proposal.get_state_display(),
                                                           "reason": proposal.decision_reason}
        elif proposal.state == ProposalState.WITHDRAWN:
            detail += " — " + proposal.get_state_display()
        past.append(Item(proposal.cause_date or _local(proposal.created_at), title, detail, "warning",
                         kind="proposal", order=7))
    for agreement in agreements:
        past.append(Item(agreement.required_on, _("Compensation agreement required"), agreement.get_state_display(),
                         "danger" if agreement.state == AgreementState.REQUIRED else "secondary", kind="agreement",
                         order=7))
        if agreement.state == AgreementState.SIGNED:
            past.append(Item(agreement.signed_on, _("Compensation agreement signed and uploaded"), "", "success",
                             kind="agreement", order=7))
    for handover in handovers:
        past.append(Item(handover.effective_on, _("Sales owner changed"), handover.reason, kind="handover"))
    past.sort(key=lambda i: (i.day, i.order))

    upcoming: list[Item] = []
    for deadline in pa.deadlines:
        if deadline.key == "deduction":
            detail = _("From %(effect)s: %(percent)s%% of the commission is deducted.") % {
                "effect": deadline.rule_date.isoformat(), "percent": deadline.percent}
        elif deadline.key == "forfeiture":
            detail = _("From %(effect)s the commission is forfeited and collection-only duty may be imposed.") % {
                "effect": deadline.rule_date.isoformat()}
        elif deadline.key == "compensation":
            detail = _("From %(effect)s a compensation agreement is required and collection-only duty is "
                       "mandatory.") % {"effect": deadline.rule_date.isoformat()}
        else:
            detail = _("Within time until 24:00 that day.")
        upcoming.append(Item(deadline.last_day, deadline.label, detail, "warning", future=True, kind=deadline.key,
                             computed=True))
    if (statement is None and project.retention_amount > 0 and project.warranty_ends_on
            and project.warranty_ends_on >= today):
        upcoming.append(Item(project.warranty_ends_on, _("Warranty ends"),
                             _("The next day the retention collection statement is drafted for Finance (%(amount)s).")
                             % {"amount": format_yuan(project.retention_amount)}, "info", future=True,
                             kind="warranty", computed=True))
    if statement is not None and statement.state == StatementState.DRAFTED:
        upcoming.append(Item(today, _("Finance to issue the retention collection statement"),
                             _("The retention clock starts on its issue date."), "info", future=True,
                             kind="statement"))
    upcoming.sort(key=lambda i: i.day)
    open_stage = next((a.open_stage for a in (pa.retention, pa.main) if a is not None and a.open_stage), None)
    if open_stage is not None and not any(d.stage == open_stage.stage for d in pa.deadlines):
        # Every consequence has taken effect; the work itself is still to be done.
        what = {"invoice": _("Still to invoice in full"), "collection": _("Still to collect"),
                "retention": _("Still to collect the retention money")}[open_stage.stage]
        upcoming.insert(0, Item(today, what, _("All deadlines have passed (%(days)s days late): the deductions, "
                                               "forfeiture and compensation agreement above apply.") % {
                                                   "days": open_stage.days_late}, "danger", future=True,
                                kind="overdue"))
    return past, upcoming
