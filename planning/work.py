"""What the planning app adds to "my work": steps waiting for the user, reports due, bids to prepare."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.registry import WorkItem
from org import approvals

from . import periods, rules, selectors
from .choices import ReportKind, TenderState
from .models import SalesReport


def work_items(user) -> list[WorkItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[WorkItem] = []
    for step in approvals.steps_waiting_for(rules.PLAN_CHAIN, user).select_related("plan_version__plan")[:50]:
        items.append(WorkItem(title=_("Approve the sales plan: %(plan)s") % {"plan": step.plan_version},
                              url=step.plan_version.get_absolute_url(), category=_("Plans"), since=step.opened_at))
    for step in approvals.steps_waiting_for(rules.TENDER_CHAIN, user).select_related("tender")[:50]:
        items.append(WorkItem(title=_("Review the bid documents: %(bid)s") % {"bid": step.tender},
                              url=step.tender.get_absolute_url(), category=_("Bids"), since=step.opened_at))
    if rules.prepares_bids(user) or rules.starts_bids(user):
        mine = selectors.tenders_visible_to(user).filter(state=TenderState.PREPARING)
        mine = mine.filter(clerk=user) | mine.filter(owner=user)
        for tender in mine[:50]:
            items.append(WorkItem(title=_("Prepare the bid documents: %(bid)s") % {"bid": tender},
                                  url=tender.get_absolute_url(), category=_("Bids"), due=tender.documents_due_on,
                                  overdue=tender.documents_due_on < timezone.localdate()))
    if user.has_perm("planning.file_report") and rules.org.is_salesperson(user):
        from marketing_portal.policy import current_policy

        today, policy = timezone.localdate(), current_policy()
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
