"""What the receivables app adds to "my work" and to the customer page (CUS-3)."""

from __future__ import annotations

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.choices import SIGNED_STATES, Direction
from marketing_portal.policy import current_policy
from marketing_portal.registry import WorkItem, WorkKind, items_of
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


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _owned(user):
    if not _signed_in(user):
        return None
    return (Project.objects.filter(owner=user, stage__in=list(OWNER_TITLES))
            .select_related("retention_statement").order_by("accepted_on", "pk"))


def _owned_item(project, user, policy) -> WorkItem:
    # The deadline comes from the rules core (pure), project by project: only for the rows shown.
    today = timezone.localdate()
    deadline = open_deadline(project, policy=policy, today=today)
    return WorkItem(title=str(OWNER_TITLES[project.stage]) % {"project": project}, url=project.get_absolute_url(),
                    category=_("Receivables"), since=_since(project.accepted_on), due=deadline,
                    overdue=bool(deadline and deadline < today), due_computed=True)


def _when(predicate, rows):
    """The rows when the user holds ``predicate`` (a duty), else not their work (None)."""
    def source(user):
        return rows() if _signed_in(user) and holds(user, predicate) else None

    return source


def _copies_item(acceptance, user) -> WorkItem:
    return WorkItem(title=_("Acknowledge the copy of the acceptance report: %(project)s") % {
        "project": acceptance.project}, url=acceptance.get_absolute_url(), category=_("Receivables"),
        since=acceptance.submitted_at)


def _drafted_item(statement, user) -> WorkItem:
    return WorkItem(title=_("Issue the retention collection statement: %(project)s") % {
        "project": statement.project_name}, url=statement.get_absolute_url(), category=_("Receivables"),
        since=_since(statement.drafted_on))


def _totals(user):
    """Finance's two reminders, each one line with a count (the lists they link to show the projects)."""
    if not _signed_in(user) or not holds(user, rules.records_money):
        return None
    items = []
    waiting = Project.objects.filter(stage=ProjectStage.INVOICING).count()
    if waiting:
        items.append(WorkItem(title=_("Invoices due: %(count)s accepted projects not fully invoiced") % {
            "count": waiting}, url=reverse("receivables:project-list") + "?stage=invoicing",
            category=_("Receivables")))
    owed = Project.objects.filter(stage__in=[ProjectStage.COLLECTING, ProjectStage.RETENTION]).count()
    if owed:
        items.append(WorkItem(title=_("Receipts to record: %(count)s projects with money outstanding") % {
            "count": owed}, url=reverse("receivables:aging"), category=_("Receivables")))
    return items


def _originals_item(acceptance, user) -> WorkItem:
    return WorkItem(title=_("Acknowledge the original acceptance report: %(project)s") % {
        "project": acceptance.project}, url=acceptance.get_absolute_url(), category=_("Receivables"),
        since=acceptance.submitted_at)


def _issued_item(statement, user) -> WorkItem:
    return WorkItem(title=_("Pass the retention statement to the owner: %(project)s") % {
        "project": statement.project_name}, url=statement.get_absolute_url(), category=_("Receivables"),
        since=_since(statement.issued_on))


def _agreement_item(agreement, user) -> WorkItem:
    return WorkItem(title=_("Upload the signed compensation agreement: %(project)s") % {
        "project": agreement.project}, url=agreement.get_absolute_url(), category=_("Receivables"),
        since=_since(agreement.required_on), overdue=True)


def _proposals(user):
    if not _signed_in(user) or not rules.acts_for_director(user):
        return None
    return selectors.pending_proposals().exclude(person__user=user)


def _proposal_item(proposal, user) -> WorkItem:
    title = (_("Decide: collection-only duty for %(person)s") if proposal.kind == ProposalKind.IMPOSE
             else _("Decide: lift the collection-only duty of %(person)s")) % {"person": proposal.person}
    return WorkItem(title=title, url=proposal.get_absolute_url(), category=_("Receivables"), since=proposal.created_at)


def _adjustments(user):
    if not _signed_in(user) or not rules.acts_for_director(user):
        return None
    return (AdjustmentRequest.objects.filter(state=AdjustmentState.PENDING).exclude(requested_by=user)
            .exclude(owner=user).select_related("project").order_by("requested_at", "pk"))


def _adjustment_item(adjustment, user) -> WorkItem:
    return WorkItem(title=_("Approve the commission adjustment: %(project)s") % {
        "project": adjustment.project}, url=adjustment.project.get_absolute_url() + "#adjustments",
        category=_("Receivables"), since=adjustment.requested_at)


def _awaiting(user):
    if not _signed_in(user) or not is_xxx(user):
        return None
    awaiting = selectors.projects_visible_to(user).filter(stage=ProjectStage.AWAITING_ACCEPTANCE).count()
    if not awaiting:
        return []
    return [WorkItem(title=_("Projects awaiting the completion notice: %(count)s") % {"count": awaiting},
                     url=reverse("receivables:project-list") + "?stage=awaiting_acceptance", category=_("Receivables"))]


KINDS = [
    WorkKind("projects-owned", gettext_lazy("My projects to invoice and collect"), _owned, _owned_item, order=30,
             prepare=lambda user: current_policy()),
    WorkKind("acceptance-copies", gettext_lazy("Acceptance report copies to acknowledge"), _when(
        rules.records_money, lambda: Acceptance.objects.filter(copy_received_at__isnull=True)
        .select_related("project").order_by("submitted_at", "pk")), _copies_item, order=31),
    WorkKind("statements-drafted", gettext_lazy("Retention statements to issue"), _when(
        rules.records_money, lambda: RetentionStatement.objects.filter(state=StatementState.DRAFTED)
        .select_related("project").order_by("drafted_on", "pk")), _drafted_item, order=32),
    WorkKind("receivables-totals", gettext_lazy("Invoices and receipts to record"), _totals, order=33),
    WorkKind("acceptance-originals", gettext_lazy("Original acceptance reports to acknowledge"), _when(
        rules.receives_original, lambda: Acceptance.objects.filter(original_received_at__isnull=True)
        .select_related("project").order_by("submitted_at", "pk")), _originals_item, order=34),
    WorkKind("statements-issued", gettext_lazy("Retention statements to pass on"), _when(
        rules.receives_original, lambda: RetentionStatement.objects.filter(state=StatementState.ISSUED)
        .select_related("project").order_by("issued_on", "pk")), _issued_item, order=35),
    WorkKind("agreements", gettext_lazy("Compensation agreements to upload"), _when(
        rules.uploads_agreements, lambda: CompensationAgreement.objects.filter(state=AgreementState.REQUIRED)
        .select_related("project").order_by("required_on", "pk")), _agreement_item, order=36),
    WorkKind("duty-proposals", gettext_lazy("Collection-only duty proposals to decide"), _proposals, _proposal_item,
             order=37),
    WorkKind("adjustments", gettext_lazy("Commission adjustments to approve"), _adjustments, _adjustment_item,
             order=38),
    WorkKind("awaiting-acceptance", gettext_lazy("Projects awaiting the completion notice"), _awaiting, order=39),
]


def work_items(user) -> list[WorkItem]:
    return items_of(KINDS, user)


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
    project = (selectors.with_totals(selectors.projects_of_contract_visible_to(user, contract))
               .select_related("owner__person").first())
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
