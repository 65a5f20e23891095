"""The weekly digest for managers (RCV-12): where receivables and commission stand in each manager's scope.

Sent by ``receivables_digest_task`` (beat: Mondays 08:00 Asia/Shanghai) to the Marketing Director, the Sales
Manager, the Management Manager, the Head of Finance (all projects) and each regional manager (their regions);
once per manager and ISO week (the notification key), so a repeated run sends nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketing_portal.money import format_yuan
from marketing_portal.notifications import event_key, notify
from marketing_portal.policy import current_policy
from org.roles import Role
from org.selectors import resolve

from . import selectors
from .choices import AgreementState, EntryKind, ProjectStage, StatementState
from .policy import assess


def digest_recipients() -> list:
    roles = (Role.MARKETING_DIRECTOR, Role.SALES_MANAGER, Role.MANAGEMENT_MANAGER, Role.FINANCE_HEAD,
             Role.REGIONAL_MANAGER)
    people = {}
    for role in roles:
        for user in resolve(role):
            people[user.pk] = user
    return list(people.values())


def digest_lines(user, *, today: date) -> list[str]:
    policy = current_policy()
    projects = selectors.projects_visible_to(user)
    week_ago = today - timedelta(days=7)
    lines = []
    invoicing = list(projects.filter(stage=ProjectStage.INVOICING).values_list("accepted_on", flat=True))
    late_invoicing = sum(
        1 for accepted in invoicing
        if assess(accepted_on=accepted, invoiced_on=None, collected_on=None, as_of=today,
                  policy=policy).invoice_deadline < today)
    lines.append(_("To be invoiced: %(count)s projects, %(late)s past the invoice deadline.") % {
        "count": len(invoicing), "late": late_invoicing})
    collecting = selectors.with_totals(projects.filter(stage=ProjectStage.COLLECTING))
    late_collecting, owed = 0, 0
    for project in collecting:
        owed += project.invoiced_total - project.received_total
        result = assess(accepted_on=project.accepted_on, invoiced_on=project.invoiced_on, collected_on=None,
                        as_of=today, policy=policy)
        if result.collection_deadline and result.collection_deadline < today:
            late_collecting += 1
    lines.append(_("Being collected: %(count)s projects, %(owed)s outstanding, %(late)s past the collection "
                   "deadline.") % {"count": len(collecting), "owed": format_yuan(owed), "late": late_collecting})
    entries = selectors.entries_visible_to(user).filter(
        kind__in=[EntryKind.DEDUCTION, EntryKind.FORFEITURE], entry_date__gt=week_ago, entry_date__lte=today)
    summary = entries.aggregate(total=Sum("amount"))
    lines.append(_("Deductions and forfeitures in the last 7 days: %(count)s, %(amount)s of commission.") % {
        "count": entries.count(), "amount": format_yuan(-(summary["total"] or 0))})
    lines.append(_("Proposals waiting for the Marketing Director: %(count)s; compensation agreements not yet "
                   "signed: %(agreements)s; retention statements for Finance to issue: %(statements)s.") % {
        "count": selectors.proposals_visible_to(user).filter(state="pending").count(),
        "agreements": selectors.agreements_visible_to(user).filter(state=AgreementState.REQUIRED).count(),
        "statements": selectors.statements_visible_to(user).filter(state=StatementState.DRAFTED).count()})
    return lines


def digest_send(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    year, week, _day = today.isocalendar()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in digest_recipients():
            lines = digest_lines(user, today=today)
            note = notify(recipient=user, key=event_key("rcv-digest", None, f"{year}-W{week:02d}"),
                          subject=_("Receivables weekly digest, week %(week)s of %(year)s") % {
                              "week": week, "year": year},
                          body="\n".join(lines), url=reverse("receivables:aging"))
            if note:
                sent += 1
    return sent


__all__ = ["digest_send", "digest_lines"]
