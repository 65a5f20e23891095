"""What the rules core's non-money events set off, and who is told (RCV-4…8, RCV-12).

Proposals of collection-only duty and the mandatory duty, compensation agreements, the retention statement
drafted when the warranty ends, notices of new ledger entries, reminders before each deadline, and the
proposal to lift the duty once its causes are cleared. Each happens once: the records are unique per cause,
and every notice has its own key. The person's duty status itself is written by org (``person_duty_set``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.deadlines import dated
from marketing_portal.memo import memo, remembered
from marketing_portal.money import format_yuan
from marketing_portal.notifications import event_key, notify, notify_many, work_key
from org.models import Person
from org.roles import Role
from org.selectors import delegates_of, resolve
from org.services import person_duty_set

from .choices import AgreementState, EntryKind, ProposalKind, ProposalState
from .ledger import ONE_DAY, ProjectAssessment
from .models import CommissionEntry, CompensationAgreement, DutyProposal, Project, RetentionStatement
from .policy import ZERO, Kind, Suspension

if TYPE_CHECKING:
    from .sweep import SweepResult

# Who is told what is resolved from the org chart once per sweep (a sweep may notify thousands of times): the
# sweep runs in ``people_cached()``, the portal's memo (``marketing_portal.memo``; a reading request has one too).
people_cached = memo


def _cached(key: str, compute):
    return remembered(("receivables people", key), compute)


def directors() -> list:
    """The Marketing Director(s) and whoever acts for them today (ORG-7)."""

    def compute():
        people = resolve(Role.MARKETING_DIRECTOR)
        return people + [u for u in delegates_of(people) if u.pk not in {p.pk for p in people}]

    return _cached("directors", compute)


def finance_people() -> list:
    return _cached("finance", lambda: list({u.pk: u for u in resolve(Role.FINANCE_REVIEWER)
                                            + resolve(Role.FINANCE_HEAD)}.values()))


def marketing_receivers() -> list:
    """Who acts for Marketing on receivables paperwork: the Management Manager and the Sales Clerk."""
    return _cached("marketing", lambda: list({u.pk: u for u in resolve(Role.MANAGEMENT_MANAGER)
                                              + resolve(Role.SALES_CLERK)}.values()))


def management_managers() -> list:
    return _cached("management", lambda: resolve(Role.MANAGEMENT_MANAGER))


def person_of_user(user) -> Person | None:
    from org.selectors import person_of

    return person_of(user)


def _describe_cause(project: Project, event) -> str:
    return _("%(project)s: %(what)s (since %(day)s)") % {
        "project": project, "what": event.label, "day": event.rule_date.isoformat()}


def apply_consequences(project: Project, pa: ProjectAssessment, *, as_of: date, proposals: dict, agreements: dict,
                       result: SweepResult) -> None:
    """Open what the non-money events call for, once each; withdraw what a later fact made undue."""
    events = [e for e in pa.events if e.kind in (Kind.MAY_SUSPEND, Kind.SUSPENSION, Kind.COMPENSATION)]
    keys = {e.key for e in events}
    person = person_of_user(project.owner)
    url = project.get_absolute_url()
    for event in events:
        if event.kind in (Kind.MAY_SUSPEND, Kind.SUSPENSION) and person is not None:
            if event.key in proposals:
                continue
            mandatory = event.kind == Kind.SUSPENSION
            cause = _describe_cause(project, event)
            proposal = DutyProposal.objects.create(
                person=person, kind=ProposalKind.IMPOSE, mandatory=mandatory, project=project, cause_key=event.key,
                cause_date=event.rule_date, reason=cause[:300],
                state=ProposalState.CONFIRMED if mandatory else ProposalState.PENDING,
                decided_at=timezone.now() if mandatory else None,
                decision_reason=_("Mandatory under the regulation (RCV-5)") if mandatory else "",
            )
            proposals[event.key] = proposal
            result.proposals += 1
            if mandatory:
                person_duty_set(person_id=person.pk, collection_only=True, reason=cause)
                # What was still waiting for the Director is settled by the rule itself.
                for waiting in DutyProposal.objects.select_for_update().filter(person=person,
                                                                              state=ProposalState.PENDING):
                    if waiting.kind == ProposalKind.LIFT:
                        waiting.state = ProposalState.WITHDRAWN
                    else:
                        waiting.state = ProposalState.CONFIRMED
                        waiting.decided_at = timezone.now()
                        waiting.decision_reason = _("Superseded: collection-only duty became mandatory (RCV-5)")
                    waiting._change_reason = "mandatory collection-only duty"
                    waiting.save()
                    if waiting.project_id == project.pk:
                        proposals[waiting.cause_key] = waiting
                notify(recipient=project.owner, key=event_key("rcv-duty-mandatory", project, event.key),
                       subject=_("You are on collection-only duty: %(cause)s") % {"cause": cause},
                       body=_("Until the Marketing Director lifts it you can only do invoicing and collection work; "
                              "you cannot create contracts, hand-offs or bids."), url=url)
                notify_many(recipients=directors(), key=event_key("rcv-duty-mandatory", project, event.key),
                            subject=_("Collection-only duty imposed on %(person)s: %(cause)s") % {
                                "person": person, "cause": cause},
                            url=proposal.get_absolute_url())
            else:
                notify_many(recipients=directors(), key=event_key("rcv-duty-proposal", proposal),
                            subject=_("Proposal: collection-only duty for %(person)s") % {"person": person},
                            body=cause, url=proposal.get_absolute_url(), work=work_key(proposal))
        elif event.kind == Kind.COMPENSATION:
            existing = agreements.get(event.stage.value)
            if existing is not None:
                continue
            agreement = CompensationAgreement.objects.create(
                project=project, owner=project.owner, stage=event.stage.value, required_on=event.rule_date)
            agreements[event.stage.value] = agreement
            result.agreements += 1
            subject = _("%(project)s: a compensation agreement with %(person)s is required") % {
                "project": project, "person": person or project.owner}
            notify(recipient=project.owner, key=event_key("rcv-agreement", agreement), subject=subject, url=url,
                   work=work_key(agreement))
            notify_many(recipients=directors() + management_managers(),
                        key=event_key("rcv-agreement", agreement), subject=subject, url=url, work=work_key(agreement))
    # A late invoice or receipt can make a cause disappear: what is still open is withdrawn, never deleted.
    for key, proposal in proposals.items():
        if key not in keys and proposal.state == ProposalState.PENDING and (proposal.cause_date or as_of) <= as_of:
            proposal.state = ProposalState.WITHDRAWN
            proposal._change_reason = "cause no longer applies"
            proposal.save(update_fields=["state"])
    stage_keys = {e.stage.value for e in events if e.kind == Kind.COMPENSATION}
    for stage, agreement in agreements.items():
        if stage not in stage_keys and agreement.state == AgreementState.REQUIRED and agreement.required_on <= as_of:
            agreement.state = AgreementState.CANCELLED
            agreement.note = _("No longer required: the invoice or receipt recorded "
                                                            "later is dated within the period.")
            agreement.save(update_fields=["state", "note"])


def statement_due_on(project: Project) -> date | None:
    """The day the retention statement is drafted: the day after the warranty ends — once the retention is invoiced
    (the project invoiced in full) and while it is not yet received. None when there is nothing to chase."""
    if (project.retention_amount <= 0 or project.warranty_ends_on is None or project.invoiced_on is None
            or project.retention_collected_on is not None):
        return None
    return max(project.warranty_ends_on + ONE_DAY, project.invoiced_on)


def draft_statement_if_due(project: Project, statement: RetentionStatement | None, *, as_of: date,
                           result: SweepResult, received_totals: dict | None = None) -> RetentionStatement | None:
    """RCV-7: the day after the warranty ends, the retention collection statement is drafted for Finance."""
    due_on = statement_due_on(project)
    if statement is not None or due_on is None or as_of < due_on:
        return statement
    received = received_totals.get(project.pk) if received_totals is not None else None
    if received is None:
        received = sum(project.receipts.values_list("amount", flat=True), ZERO)
    statement = RetentionStatement.objects.create(
        project=project, warranty_ends_on=project.warranty_ends_on, drafted_on=due_on,
        project_name=project.name, invoicing_unit=project.customer.name, project_amount=project.amount,
        retention_amount=project.retention_amount, collected_amount=received,
        receivable_amount=project.amount - received,
    )
    result.statements += 1
    result.drafted.append(statement)
    return statement


def notify_drafted_statements(statements: list[RetentionStatement]) -> None:
    """Tell Finance about new retention statements: one by one, or in one notice when a catch-up made many."""
    if not statements:
        return
    if len(statements) <= 3:
        for statement in statements:
            project = statement.project
            notify_many(recipients=finance_people(), key=event_key("rcv-statement-drafted", statement),
                        subject=_("Retention collection statement to issue: %(project)s") % {"project": project},
                        body=_("The warranty ended on %(day)s; retention money %(amount)s.") % {
                            "day": dated(statement.warranty_ends_on),
                            "amount": format_yuan(statement.retention_amount)},
                        url=statement.get_absolute_url(), work=work_key(statement, "issue"))
        return
    ids = sorted(s.pk for s in statements)
    notify_many(recipients=finance_people(), key=event_key("rcv-statements-drafted", None, f"{ids[0]}-{ids[-1]}"),
                subject=_("%(count)s retention collection statements to issue") % {"count": len(statements)},
                body="\n".join(f"{s.project_name}：{format_yuan(s.retention_amount)}" for s in statements[:50]),
                url=reverse("receivables:statement-list") + "?state=drafted")


# --------------------------------------------------------------------------------------------------
# Notices and reminders (RCV-12)
# --------------------------------------------------------------------------------------------------
def notify_entries(project: Project, new: list[CommissionEntry], pa: ProjectAssessment) -> int:
    """One notice per project and run listing every new deduction, forfeiture or reversal: each is told once
    (its entry exists once, and the notice key names the entries)."""
    told = [e for e in new if e.kind in (EntryKind.DEDUCTION, EntryKind.FORFEITURE, EntryKind.REVERSAL)]
    if not told:
        return 0

    def texts():
        lines = []
        for e in told:
            lines.append(_("%(day)s %(what)s: %(percent)s%% of the commission, %(amount)s") % {
                "day": e.entry_date.isoformat(), "what": e.reason, "percent": e.percent,
                "amount": format_yuan(e.amount)})
        upcoming = pa.deadlines[:1]
        if upcoming:
            lines.append(_("Next: %(what)s — by %(day)s") % {"what": upcoming[0].label,
                                                             "day": upcoming[0].last_day.isoformat()})
        if len(told) == 1:
            subject = _("%(project)s: %(what)s") % {"project": project, "what": told[0].reason}
        else:
            subject = _("%(project)s: %(count)s commission entries") % {"project": project, "count": len(told)}
        return subject, "\n".join(lines)

    subject, body = texts()
    key = event_key("rcv-entries", project, ",".join(f"{e.kind}:{e.key or e.reverses_id}:{e.revision}"
                                                      for e in told))
    note = notify(recipient=project.owner, key=key, subject=subject, body=body, url=project.get_absolute_url())
    return 1 if note else 0


def reminder_plan(deadlines, *, as_of: date, days_before: list[int]):
    """(deadline, threshold) pairs to remind of today, and the next day a reminder falls due."""
    due, upcoming = [], []
    for deadline in deadlines:
        left = (deadline.last_day - as_of).days
        if left < 0:
            continue
        eligible = [n for n in days_before if n >= left]
        if eligible:
            due.append((deadline, min(eligible), left))
        upcoming.extend(deadline.last_day - timedelta(days=n) for n in days_before
                        if deadline.last_day - timedelta(days=n) > as_of)
    return due, (min(upcoming) if upcoming else None)


def send_reminders(project: Project, due) -> int:
    sent = 0
    for deadline, threshold, left in due:
        def texts(deadline=deadline, left=left):
            subject = _("%(project)s: %(what)s %(day)s (%(left)s days left)") % {
                "project": project, "what": deadline.label, "day": dated(deadline.last_day), "left": left}
            body = _("The period ends at 24:00 on %(day)s; the consequence takes effect on %(effect)s.") % {
                "day": dated(deadline.last_day), "effect": dated(deadline.rule_date)}
            return subject, body

        subject, body = texts()
        key = event_key("rcv-reminder", project, deadline.label_key, deadline.step or 0,
                        deadline.last_day.isoformat(), threshold)
        if notify(recipient=project.owner, key=key, subject=subject, body=body, url=project.get_absolute_url()):
            sent += 1
    return sent


def blocking_projects(user_id: int):
    """Projects of the owner that still call for collection-only duty: a mandatory cause, or a cause the Director
    confirmed (or has not decided yet) that still holds."""
    live_proposal = DutyProposal.objects.filter(project=OuterRef("pk"), kind=ProposalKind.IMPOSE,
                                                state__in=[ProposalState.PENDING, ProposalState.CONFIRMED])
    return Project.objects.filter(owner_id=user_id).filter(
        Q(suspension=Suspension.SUSPENDED) | Q(suspension=Suspension.MAY_SUSPEND) & Exists(live_proposal))


def consider_lifting(user_ids) -> int:
    """Propose lifting the duty of people whose receivables no longer call for it (the Director decides)."""
    proposed = 0
    people = Person.objects.select_for_update().filter(
        user_id__in=list(user_ids), duty_status=Person.DutyStatus.COLLECTION_ONLY).order_by("pk")
    for person in people:
        imposed_here = DutyProposal.objects.filter(person=person, kind=ProposalKind.IMPOSE,
                                                   state=ProposalState.CONFIRMED).exists()
        if not imposed_here or blocking_projects(person.user_id).exists():
            continue
        if DutyProposal.objects.filter(person=person, kind=ProposalKind.LIFT, state=ProposalState.PENDING).exists():
            continue
        reason = _("The receivables that put %(person)s on collection-only duty are invoiced or collected.") % {
            "person": person}
        proposal = DutyProposal.objects.create(person=person, kind=ProposalKind.LIFT, reason=reason[:300])
        notify_many(recipients=directors(), key=event_key("rcv-duty-lift", proposal),
                    subject=_("Proposal: lift the collection-only duty of %(person)s") % {"person": person},
                    body=reason, url=proposal.get_absolute_url(), work=work_key(proposal))
        proposed += 1
    return proposed
