"""Sales weekly and monthly reports (RPT-2): filing once per period, comments, reminders."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.deadlines import dated
from marketing_portal.notifications import close_work_on_commit, event_key, notify, notify_many
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from org.approvals import stored
from org.roles import Role
from org.selectors import regions_of, resolve

from .. import periods, selectors
from ..choices import ReportKind
from ..models import ReportComment, SalesReport
from .common import PlanningError, require

TEXT_FIELDS = ("work_done", "customers_visited", "opportunities", "next_plan", "problems")


def _report_region(person):
    regions = regions_of(person)
    return regions[0] if len(regions) == 1 else None


@audited
@transaction.atomic
def report_file(*, by, kind: str, period: str, work_done: str, next_plan: str, customers_visited: str = "",
                opportunities: str = "", problems: str = "", person=None) -> SalesReport:
    """File ``by``'s report for ``period`` (``2026-W05`` / ``2026-03``), once; the figures are taken now."""
    if person is not None and person.pk != by.pk:
        raise PlanningError(_("Each salesperson files their own report; you cannot file one for %(name)s.")
                            % {"name": display_name(person)}, code="not_own_report")
    require(by, "planning.file_report", message=_("Only salespeople and regional managers file sales reports."))
    start, end = periods.parse_period(kind, period)
    today = timezone.localdate()
    if start > today:
        raise PlanningError({"period": [_("This period has not begun yet; a report is filed for a period that has "
                                          "begun or ended.")]}, code="future_period")
    texts = {"work_done": work_done, "customers_visited": customers_visited, "opportunities": opportunities,
             "next_plan": next_plan, "problems": problems}
    texts = {key: (value or "").strip() for key, value in texts.items()}
    missing = {key: [_("This field is required.")] for key in ("work_done", "next_plan") if not texts[key]}
    if missing:
        raise PlanningError(missing, code="required")
    existing = SalesReport.objects.filter(person=by, kind=kind, period_start=start).first()
    if existing:
        raise _already_filed(existing)
    policy = current_policy()
    due = periods.due_on(kind, end, policy)
    report = SalesReport(person=by, region=_report_region(by), kind=kind, period_start=start, period_end=end,
                         figures=selectors.report_figures(by, start, end), due_on=due, filed_at=timezone.now(),
                         is_late=today > due, policy_version=policy.version, **texts)
    report._change_reason = stored(gettext_lazy("report filed"))
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Two submissions of the same report at once: the unique constraint keeps one.
        raise _already_filed(SalesReport.objects.get(person=by, kind=kind, period_start=start)) from None
    close_work_on_commit(report_work(by, kind, periods.code_of(kind, start)))  # the reminders about it are done
    managers = _reviewers_of(report)
    subject = stored(gettext_lazy("%(name)s filed the %(report)s"), name=display_name(by),
                     report=f"{report.get_kind_display()} {periods.label_of(kind, start)}")
    url = report.get_absolute_url()
    transaction.on_commit(lambda: notify_many(recipients=managers, key=event_key("report-filed", report),
                                              subject=subject, url=url, email=False))
    return report


def _already_filed(report: SalesReport) -> PlanningError:
    return PlanningError(
        {"period": [_("You already filed the %(kind)s for %(period)s on %(when)s; a period is reported once. Add "
                      "anything new to the next report or as a comment.") % {
            "kind": report.get_kind_display(), "period": report.period_label,
            "when": timezone.localtime(report.filed_at).strftime("%Y-%m-%d %H:%M")}]}, code="already_filed")


def _reviewers_of(report: SalesReport) -> list:
    """The regional manager(s) of the report's region and the Marketing Director."""
    people = resolve(Role.MARKETING_DIRECTOR)
    if report.region_id:
        people += [u for u in resolve(Role.REGIONAL_MANAGER, region=report.region)
                   if report.region_id in {r.pk for r in regions_of(u)}]
    return [u for u in people if u.pk != report.person_id]


@audited
@transaction.atomic
def report_comment(*, report_id: int, by, body: str) -> ReportComment:
    """A comment of the regional manager or the director; the author is told once."""
    report = SalesReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None or not selectors.reports_visible_to(by).filter(pk=report_id).exists():
        raise PlanningError(_("This report does not exist."), code="no_such_report")
    require(by, "planning.comment_report", report,
            message=_("Only the regional manager, the Marketing Director, the Sales Manager and the Management "
                      "Manager comment on reports."))
    body = (body or "").strip()
    if not body:
        raise PlanningError({"body": [_("Write the comment first.")]}, code="required")
    comment = ReportComment.objects.create(report=report, author=by, body=body)
    subject = stored(gettext_lazy("%(name)s commented on your %(report)s"), name=display_name(by),
                     report=str(report))
    url = report.get_absolute_url()
    transaction.on_commit(lambda: notify(recipient=report.person, key=event_key("report-comment", comment),
                                         subject=subject, body=body, url=url))
    return comment


def reporters():
    """Who files reports: active salespeople (the regional managers report through their own sales work)."""
    from django.contrib.auth import get_user_model

    return (get_user_model().objects.filter(is_active=True, person__positions__role=Role.SALESPERSON)
            .distinct().order_by("pk"))


def report_work(person, kind: str, code: str) -> str:
    """The work item "file the report of ``person`` for the period ``code``": its reminders are done once filed."""
    return event_key("sales-report", person, kind, code)


def report_reminders_send(*, today=None) -> int:
    """Remind each salesperson once on the due day of a report not yet filed, and once when it is overdue
    (then their regional manager too). Idempotent by key: running it again sends nothing more."""
    today = today or timezone.localdate()
    policy = current_policy()
    sent = 0
    for kind in (ReportKind.WEEKLY, ReportKind.MONTHLY):
        start, end = periods.previous_period(kind, today)
        due = periods.due_on(kind, end, policy)
        if today < due - timedelta(days=1):
            continue
        filed = set(SalesReport.objects.filter(kind=kind, period_start=start).values_list("person_id", flat=True))
        label = f"{ReportKind(kind).label} {periods.label_of(kind, start)}"
        code = periods.code_of(kind, start)
        with translation.override(settings.LANGUAGE_CODE):
            due_text = dated(due)  # computed from the calendar: “（按暂定日历）” while its year is unsettled
        for person in reporters().exclude(pk__in=filed):
            if today <= due:
                subject = stored(gettext_lazy("Your %(report)s is due on %(due)s"), report=label, due=due_text)
                sent += bool(notify(recipient=person, key=event_key("report-due", person, kind, code),
                                    subject=subject, url=f"/planning/reports/new/?kind={kind}&period={code}",
                                    work=report_work(person, kind, code)))
            else:
                subject = stored(gettext_lazy("Your %(report)s was due on %(due)s and is not filed"), report=label,
                                 due=due_text)
                sent += bool(notify(recipient=person, key=event_key("report-overdue", person, kind, code),
                                    subject=subject, url=f"/planning/reports/new/?kind={kind}&period={code}",
                                    work=report_work(person, kind, code)))
                region_ids = [r.pk for r in regions_of(person)]
                managers = resolve(Role.REGIONAL_MANAGER)
                managers = [m for m in managers if {r.pk for r in regions_of(m)} & set(region_ids)]
                note = stored(gettext_lazy("%(name)s has not filed the %(report)s (due %(due)s)"),
                              name=display_name(person), report=label, due=due_text)
                sent += notify_many(recipients=managers, key=event_key("report-overdue-manager", person, kind, code),
                                    subject=note, url="/planning/reports/", work=report_work(person, kind, code))
    return sent


def missing_reporters(kind: str, start, *, region=None):
    """Salespeople (of ``region``) without a report for the period starting ``start`` (for the compilation)."""
    people = reporters().exclude(sales_reports__kind=kind, sales_reports__period_start=start)
    if region is not None:
        people = people.filter(Q(person__regions=region) | Q(person__positions__region=region)).distinct()
    return people
