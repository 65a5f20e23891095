"""On site and after (REP-6, REP-7): the repair feedback sheet with photos and the customer's signature, the
cause analysis to the department head, another visit or the escalation to the GM's Office."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from marketing_portal.audit import audited
from marketing_portal.files import attachment_add, validate_upload
from marketing_portal.people import display_name
from org.selectors import acting_for, delegates_of

from .. import selectors
from ..choices import TicketState, VisitState
from ..models import Escalation, Visit
from ..signature import decode_signature
from .common import (
    RepairError,
    clean_text,
    hours_between,
    lock_ticket,
    moment,
    on_behalf,
    require_perm,
    require_state,
    send,
)
from .intake import _technicians, open_visit

# Photos from the phone camera (checked by content, X-4); the browser sends JPEG or PNG.
PHOTOS = {"image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}}
MAX_PHOTOS = 12
# A phone's clock may run a little ahead of the server's.
CLOCK_SLACK = timedelta(minutes=10)


def _check_photos(uploads, errors: dict, key: str) -> list:
    checked = []
    for upload in uploads:
        try:
            validate_upload(upload, allowed=PHOTOS)
            checked.append(upload)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(
                _("“%(name)s” is not a photo: %(why)s") % {"name": upload.name, "why": m} for m in exc.messages)
    return checked


@audited
@transaction.atomic
def visit_report(*, by, ticket_id: int, arrived_at: datetime | None, departed_at: datetime | None, findings: str,
                 work_done: str, parts_used: str = "", solved: bool, cause_analysis: str = "", signer_name: str = "",
                 signature: str | bytes | None = None, signed_sheet=None, photos: Iterable = (),
                 now: datetime | None = None) -> Visit:
    """The technician's repair feedback sheet 维修信息反馈单 for the visit under way.

    Solved: the customer signs on the phone (``signature``: the pad's PNG data URL) or the technician
    uploads a photo of the signed paper (``signed_sheet``) → the specialist's return call (REP-8).
    Not solved: the cause analysis goes to the department head (REP-7).
    """
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    require_state(ticket, TicketState.ONSITE, action=_("reporting the visit"))
    require_perm(by, "repairs.report_ticket", ticket)
    visit = Visit.objects.select_for_update().get(ticket=ticket, state=VisitState.OPEN)
    errors: dict[str, list] = {}
    if arrived_at is None:
        errors.setdefault("arrived_at", []).append(_("Enter the time you arrived on site."))
    elif arrived_at > now + CLOCK_SLACK:
        errors.setdefault("arrived_at", []).append(_("The arrival time is in the future."))
    if departed_at is not None:
        if departed_at > now + CLOCK_SLACK:
            errors.setdefault("departed_at", []).append(_("The departure time is in the future."))
        elif arrived_at is not None and departed_at < arrived_at:
            errors.setdefault("departed_at", []).append(_("You cannot leave before you arrived."))
    findings = clean_text(findings, label=_("Findings"), errors=errors, key="findings")
    work_done = clean_text(work_done, label=_("Work done"), errors=errors, key="work_done")
    parts_used = clean_text(parts_used, label=_("Parts used"), errors=errors, key="parts_used", required=False)
    photos = _check_photos(list(photos)[: MAX_PHOTOS + 1], errors, "photos")
    if len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(_("At most %(n)s photos per visit.") % {"n": MAX_PHOTOS})
    png = None
    signer_name = (signer_name or "").strip()[:40]
    if solved:
        if signature:
            try:
                png = decode_signature(signature)
            except ValidationError as exc:
                errors.setdefault("signature", []).extend(exc.messages)
            if not signer_name:
                errors.setdefault("signer_name", []).append(_("Enter the name of the customer who signs."))
        elif signed_sheet is not None:
            _check_photos([signed_sheet], errors, "signed_sheet")
        else:
            errors.setdefault("signature", []).append(
                _("Solved: the customer signs on the screen, or upload a photo of the signed sheet."))
    else:
        cause_analysis = clean_text(cause_analysis, label=_("Cause analysis"), errors=errors, key="cause_analysis")
    if errors:
        raise RepairError(errors)
    visit.arrived_at, visit.departed_at = arrived_at, departed_at or now
    if visit.departed_at < arrived_at:
        visit.departed_at = arrived_at
    visit.findings, visit.work_done, visit.parts_used = findings, work_done, parts_used
    visit.reported_by, visit.reported_at = by, now
    visit.signer_name = signer_name
    if solved:
        visit.state = VisitState.SOLVED
    else:
        visit.state = VisitState.UNSOLVED
        visit.cause_analysis, visit.analysed_at = cause_analysis, now
    visit.save()
    for photo in photos:
        attachment_add(owner=visit, upload=photo, by=by, slot="photo", allowed=PHOTOS)
    if png is not None:
        attachment_add(owner=visit, upload=SimpleUploadedFile("signature.png", png, content_type="image/png"), by=by,
                       slot="signature", allowed={"image/png": {".png"}}, note=signer_name)
    elif solved:
        attachment_add(owner=visit, upload=signed_sheet, by=by, slot="signed_sheet", allowed=PHOTOS)
    if ticket.first_arrival_at is None:
        ticket.first_arrival_at = arrived_at
        ticket.visit_hours = hours_between(ticket.responded_at or ticket.received_at, arrived_at)
    if ticket.visit_arrival_at is None:
        ticket.visit_arrival_at = arrived_at
    url = ticket.get_absolute_url()
    if solved:
        ticket.state, ticket.resolved_at = TicketState.RESOLVED, now
        recipients, subject = selectors.specialists(), _("Solved on site, return call due: %(number)s %(unit)s")
    else:
        ticket.state = TicketState.ANALYSIS
        heads = selectors.department_heads(ticket.department)
        recipients = [*heads, *delegates_of(heads)]
        subject = _("Visit did not solve it, decide on the cause analysis: %(number)s %(unit)s")
    ticket.save()
    transaction.on_commit(lambda: send(recipients, key=f"repairs-reported|{visit.pk}",
                                       subject=subject % {"number": ticket.number, "unit": ticket.unit_name},
                                       body=visit.cause_analysis or visit.work_done, url=url))
    return visit


def _future_or_none(planned_at, now, errors):
    if planned_at is not None and planned_at <= now:
        errors.setdefault("planned_at", []).append(_("The visit time is in the past."))


@audited
@transaction.atomic
def analysis_decide(*, by, ticket_id: int, escalate: bool, solution: str = "", report: str = "",
                    technician_ids: Iterable = (), planned_at: datetime | None = None,
                    now: datetime | None = None) -> Visit | Escalation:
    """The department head on the cause analysis (REP-7): a solution → another visit; none → the GM's Office."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    require_state(ticket, TicketState.ANALYSIS, action=_("deciding on the cause analysis"))
    require_perm(by, "repairs.decide_ticket", ticket,
                 message=_("Only the head of %(department)s decides on this analysis.")
                 % {"department": ticket.get_department_display()})
    principal = acting_for(by, selectors.department_heads(ticket.department))
    last = ticket.visits.select_for_update().filter(state=VisitState.UNSOLVED).order_by("-seq").first()
    errors: dict[str, list] = {}
    if escalate:
        report = clean_text(report, label=_("Report to the GM's Office"), errors=errors, key="report")
    else:
        solution = clean_text(solution, label=_("Solution"), errors=errors, key="solution")
        _future_or_none(planned_at, now, errors)
        try:
            chosen = _technicians(technician_ids) if technician_ids else list(last.technicians.all())
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise RepairError(errors)
    last.decision = last.Decision.ESCALATE if escalate else last.Decision.REVISIT
    last.solution = "" if escalate else solution
    last.decided_by, last.decided_at = by, now
    last.decided_for = principal if principal is not None and principal.pk != by.pk else None
    last._change_reason = on_behalf(by, principal)
    last.save()
    url = ticket.get_absolute_url()
    if escalate:
        escalation = Escalation.objects.create(ticket=ticket, visit=last, raised_by=by, raised_at=now, report=report)
        ticket.state = TicketState.ESCALATED
        ticket.escalation_count += 1
        ticket.save()
        office = selectors.gm_office_heads()
        transaction.on_commit(lambda: send(
            [*office, *delegates_of(office)], key=f"repairs-escalated|{escalation.pk}",
            subject=_("Escalated to the GM's Office: %(number)s %(unit)s, allocate technical resources")
            % {"number": ticket.number, "unit": ticket.unit_name}, body=report, url=url))
        return escalation
    visit = open_visit(ticket, technicians=chosen, sheet=last.sheet, planned_at=planned_at, plan_notes=solution)
    ticket.state = TicketState.ONSITE
    ticket.save()
    transaction.on_commit(lambda: send(
        chosen, key=f"repairs-visit|{visit.pk}",
        subject=_("Visit again with the solution: %(number)s %(unit)s") % {"number": ticket.number,
                                                                           "unit": ticket.unit_name},
        body=solution, url=url))
    return visit


@audited
@transaction.atomic
def escalation_resolve(*, by, ticket_id: int, resources: str, solution: str, technician_ids: Iterable,
                       planned_at: datetime | None = None, now: datetime | None = None) -> Visit:
    """The GM's Office allocates technical resources and gives its solution → another visit (REP-7)."""
    now = moment(now)
    ticket = lock_ticket(ticket_id)
    require_state(ticket, TicketState.ESCALATED, action=_("answering the escalation"))
    require_perm(by, "repairs.resolve_ticket", ticket,
                 message=_("Only the GM's Office answers an escalation."))
    principal = acting_for(by, selectors.gm_office_heads())
    escalation = ticket.escalations.select_for_update().filter(resolved_at__isnull=True).order_by("-pk").first()
    errors: dict[str, list] = {}
    resources = clean_text(resources, label=_("Technical resources allocated"), errors=errors, key="resources")
    solution = clean_text(solution, label=_("Solution"), errors=errors, key="solution")
    _future_or_none(planned_at, now, errors)
    chosen = []
    try:
        chosen = _technicians(technician_ids)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise RepairError(errors)
    escalation.resources, escalation.solution = resources, solution
    escalation.resolved_by, escalation.resolved_at = by, now
    escalation.resolved_for = principal if principal is not None and principal.pk != by.pk else None
    escalation._change_reason = on_behalf(by, principal)
    escalation.save()
    escalation.technicians.set(chosen)
    visit = open_visit(ticket, technicians=chosen, sheet=escalation.visit.sheet, planned_at=planned_at,
                       plan_notes=solution)
    ticket.state = TicketState.ONSITE
    ticket.save()
    url = ticket.get_absolute_url()
    transaction.on_commit(lambda: send(
        [*chosen, *selectors.specialists(), *selectors.department_heads(ticket.department)],
        key=f"repairs-visit|{visit.pk}",
        subject=_("GM's Office solution for %(number)s %(unit)s: visit again") % {"number": ticket.number,
                                                                                   "unit": ticket.unit_name},
        body=_("Resources: %(resources)s\nSolution: %(solution)s\nBy %(who)s")
        % {"resources": resources, "solution": solution, "who": display_name(by)}, url=url))
    return visit


