"""What the receivables app adds to "my work" and to the customer page (CUS-3)."""

from __future__ import annotations

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.choices import SIGNED_STATES, Direction
from marketing_portal.policy import current_policy
from marketing_portal.registry import WorkItem
from org.rules import holds, is_xxx

from . import engine, rules, selectors
from .choices import AdjustmentState, AgreementState, ProjectStage, ProposalKind, StatementState
from .models import Acceptance, AdjustmentRequest, CompensationAgreement, Project, RetentionStatement

OWNER_TITLES = {
    ProjectStage.INVOICING: gettext_lazy("Invoice the project: %(project)s"),
    ProjectStage.COLLECTING: gettext_lazy("Collect the invoiced amount: %(project)s"),
    ProjectStage.RETENTION: gettext_lazy("Collect the retention money: %(project)s"),
}


def _since(day):
    """The home page formats ``since`` with a time of day: give it the start of the day (a date would not render)."""
    if day is None or isinstance(day, datetime):
        return day
    return timezone.make_aware(datetime.combine(day, time.min))


def open_deadline(project: Project, *, policy, today):
    """The deadline of the clock still running (invoice, collection or retention), from the rules core."""
    pa = engine.assess_project(project, as_of=today, policy=policy, statement=engine.statement_of(project))
    stages = [a.open_stage for a in (pa.main, pa.retention) if a is not None and a.open_stage is not None]
    return stages[-1].deadline if stages else None


def work_items(user) -> list[WorkItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    category = _("Receivables")
    items: list[WorkItem] = []
    mine = list(Project.objects.filter(owner=user, stage__in=list(OWNER_TITLES))
                .select_related("retention_statement").order_by("pk")[:50])
    if mine:
        policy = current_policy()
        for project in mine:
            deadline = open_deadline(project, policy=policy, today=today)
            items.append(WorkItem(title=str(OWNER_TITLES[project.stage]) % {"project": project},
                                  url=project.get_absolute_url(), category=category, since=_since(project.accepted_on),
                                  due=deadline, overdue=bool(deadline and deadline < today), due_computed=True))
    if holds(user, rules.records_money):
        for acceptance in Acceptance.objects.filter(copy_received_at__isnull=True).select_related("project"):
            items.append(WorkItem(title=_("Acknowledge the copy of the acceptance report: %(project)s") % {
                "project": acceptance.project}, url=acceptance.get_absolute_url(), category=category,
                since=acceptance.submitted_at))
        for statement in RetentionStatement.objects.filter(state=StatementState.DRAFTED).select_related("project"):
            items.append(WorkItem(title=_("Issue the retention collection statement: %(project)s") % {
                "project": statement.project_name}, url=statement.get_absolute_url(), category=category,
                since=_since(statement.drafted_on)))
        waiting = Project.objects.filter(stage=ProjectStage.INVOICING).count()
        if waiting:
            items.append(WorkItem(title=_("Invoices due: %(count)s accepted projects not fully invoiced") % {
                "count": waiting}, url=reverse("receivables:project-list") + "?stage=invoicing", category=category))
        owed = Project.objects.filter(stage__in=[ProjectStage.COLLECTING, ProjectStage.RETENTION]).count()
        if owed:
            items.append(WorkItem(title=_("Receipts to record: %(count)s projects with money outstanding") % {
                "count": owed}, url=reverse("receivables:aging"), category=category))
    if holds(user, rules.receives_original):
        for acceptance in Acceptance.objects.filter(original_received_at__isnull=True).select_related("project"):
            items.append(WorkItem(title=_("Acknowledge the original acceptance report: %(project)s") % {
                "project": acceptance.project}, url=acceptance.get_absolute_url(), category=category,
                since=acceptance.submitted_at))
        for statement in RetentionStatement.objects.filter(state=StatementState.ISSUED).select_related("project"):
            items.append(WorkItem(title=_("Pass the retention statement to the owner: %(project)s") % {
                "project": statement.project_name}, url=statement.get_absolute_url(), category=category,
                since=_since(statement.issued_on)))
    if holds(user, rules.uploads_agreements):
        for agreement in CompensationAgreement.objects.filter(state=AgreementState.REQUIRED).select_related(
                "project"):
            items.append(WorkItem(title=_("Upload the signed compensation agreement: %(project)s") % {
                "project": agreement.project}, url=agreement.get_absolute_url(), category=category,
                since=_since(agreement.required_on), overdue=True))
    if rules.acts_for_director(user):
        for proposal in selectors.pending_proposals():
            if proposal.person.user_id == user.pk:
                continue
            title = (_("Decide: collection-only duty for %(person)s") if proposal.kind == ProposalKind.IMPOSE
                     else _("Decide: lift the collection-only duty of %(person)s")) % {"person": proposal.person}
            items.append(WorkItem(title=title, url=proposal.get_absolute_url(), category=category,
                                  since=proposal.created_at))
        for adjustment in AdjustmentRequest.objects.filter(state=AdjustmentState.PENDING).exclude(
                requested_by=user).exclude(owner=user).select_related("project"):
            items.append(WorkItem(title=_("Approve the commission adjustment: %(project)s") % {
                "project": adjustment.project}, url=adjustment.project.get_absolute_url() + "#adjustments",
                category=category, since=adjustment.requested_at))
    if is_xxx(user):
        awaiting = selectors.projects_visible_to(user).filter(stage=ProjectStage.AWAITING_ACCEPTANCE).count()
        if awaiting:
            items.append(WorkItem(title=_("Projects awaiting the completion notice: %(count)s") % {
                "count": awaiting}, url=reverse("receivables:project-list") + "?stage=awaiting_acceptance",
                category=category))
    return items


def customer_panel(customer, user):
    """CUS-3: the customer's projects and what they owe, narrowed to what the user may see."""
    projects = list(selectors.with_totals(selectors.projects_visible_to(user).filter(customer=customer))
                    .select_related("owner__person").order_by("-pk")[:50])
    if not projects:
        return None
    for project in projects:
        project.outstanding = project.invoiced_total - project.received_total
    return (_("Projects and receivables"), "receivables/_customer_panel.html", {"projects": projects})


def contract_panel(contract, user):
    """On a sales contract's page: its project and what it owes, or a link to register it."""
    project = selectors.with_totals(selectors.projects_visible_to(user).filter(contract=contract)).first()
    if project is not None:
        project.outstanding = project.invoiced_total - project.received_total
        return _("Project and receivables"), "receivables/_customer_panel.html", {"projects": [project]}
    may_register = (
        contract.direction == Direction.SALES and contract.state in SIGNED_STATES
        and not Project.objects.filter(contract=contract).exists()
        and user.has_perm("receivables.register_project")
    )
    if may_register:
        return _("Project and receivables"), "receivables/_register_link.html", {"contract": contract}
    return None
