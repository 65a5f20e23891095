"""What the planning app adds to "my work": steps waiting for the user, reports due, bids to prepare."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.registry import WorkItem, WorkKind, items_of
from org import approvals

from . import periods, rules, selectors
from .choices import ReportKind, TenderState
from .models import SalesReport


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _plan_steps(user):
    if not _signed_in(user):
        return None
    return (approvals.steps_waiting_for(rules.PLAN_CHAIN, user).select_related("plan_version__plan")
            .order_by("opened_at", "pk"))


def _plan_step_item(step, user) -> WorkItem:
    return WorkItem(title=_("Approve the sales plan: %(plan)s") % {"plan": step.plan_version},
                    url=step.plan_version.get_absolute_url(), category=_("Plans"), since=step.opened_at)


def _bid_steps(user):
    if not _signed_in(user):
        return None
    return (approvals.steps_waiting_for(rules.TENDER_CHAIN, user).select_related("tender")
            .order_by("opened_at", "pk"))


def _bid_step_item(step, user) -> WorkItem:
    return WorkItem(title=_("Review the bid documents: %(bid)s") % {"bid": step.tender},
                    url=step.tender.get_absolute_url(), category=_("Bids"), since=step.opened_at)


def _bids_to_prepare(user):
    if not _signed_in(user) or not (rules.prepares_bids(user) or rules.starts_bids(user)):
        return None
    mine = selectors.tenders_visible_to(user).filter(state=TenderState.PREPARING)
    return (mine.filter(clerk=user) | mine.filter(owner=user)).order_by("documents_due_on", "pk")


def _bid_item(tender, user) -> WorkItem:
    return WorkItem(title=_("Prepare the bid documents: %(bid)s") % {"bid": tender}, url=tender.get_absolute_url(),
                    category=_("Bids"), due=tender.documents_due_on,
                    overdue=tender.documents_due_on < timezone.localdate())


def _reports_due(user):
    """The weekly and the monthly report of the last period, while not filed (two at most, computed here)."""
    if not _signed_in(user) or not (user.has_perm("planning.file_report") and rules.org.is_salesperson(user)):
        return None
    from marketing_portal.policy import current_policy

    today, policy = timezone.localdate(), current_policy()
    items = []
    for kind in (ReportKind.WEEKLY, ReportKind.MONTHLY):
        start, end = periods.previous_period(kind, today)
        if SalesReport.objects.filter(person=user, kind=kind, period_start=start).exists():
            continue
        due = periods.due_on(kind, end, policy)
        code = periods.code_of(kind, start)
        items.append(WorkItem(title=_("File the %(report)s for %(period)s") % {
            "report": ReportKind(kind).label, "period": periods.label_of(kind, start)},
            url=f"/planning/reports/new/?kind={kind}&period={code}", category=_("Reports"), due=due,
            overdue=due < today, due_computed=True))  # from the calendar: marked while its year is provisional
    return items


KINDS = [
    WorkKind("plan-steps", gettext_lazy("Sales plans to approve"), _plan_steps, _plan_step_item, order=50),
    WorkKind("bid-steps", gettext_lazy("Bid documents to review"), _bid_steps, _bid_step_item, order=51),
    WorkKind("bids-to-prepare", gettext_lazy("Bid documents to prepare"), _bids_to_prepare, _bid_item, order=52),
    WorkKind("reports-due", gettext_lazy("Reports to file"), _reports_due, order=53),
]


def work_items(user) -> list[WorkItem]:
    return items_of(KINDS, user)
