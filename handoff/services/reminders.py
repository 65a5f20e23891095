"""HND-6: reminders on the due day and overdue alerts to the late party's head and the Marketing Director; each
notice is sent once (its key), however often the hourly sweep runs.

The key names the due date: when the working-day calendar moves a due date (``marketing_portal.deadlines``), the
reminder or alert sent for the old date does not stand in for the one the new date calls for."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.deadlines import dated
from marketing_portal.notifications import event_key, notify_many, work_key
from marketing_portal.policy import current_policy
from org.roles import Role
from org.selectors import delegates_of, resolve

from .. import selectors
from ..choices import (
    CostingState,
    HandoffState,
    Party,
)
from ..models import Costing


# HND-6: reminders before each due time, overdue alerts to the late party's head and the Marketing Director
# --------------------------------------------------------------------------------------------------
def _stage_notice(*, costing: Costing, stage: str, due_on: date, today: date, hour: int, hours: list[int]):
    """The notice due for one stage of one costing at this hour: (key, late?, subject, body) or None."""
    handoff = costing.handoff
    names = {"costing": _("XXX costing"), "review": _("Finance review")}
    values = {"number": handoff.number, "stage": names[stage], "due": dated(due_on),
              "line": handoff.line.description, "v": costing.version}
    if today == due_on:
        passed = [h for h in hours if hour >= h]
        if not passed:
            return None
        mark = max(passed)  # after a pause of the beat only the latest reminder goes out, not a burst
        return (event_key("handoff-remind", costing, stage, due_on.isoformat(), f"h{mark}"), False,
                _("Reminder: %(stage)s of %(number)s is due today (%(due)s) by 24:00") % values,
                _("Liaison sheet %(number)s, %(line)s, costing version %(v)s.") % values)
    if today > due_on:
        return (event_key("handoff-overdue", costing, stage, due_on.isoformat()), True,
                _("Overdue: %(stage)s of %(number)s was due on %(due)s") % values,
                _("Liaison sheet %(number)s, %(line)s, costing version %(v)s, is waiting for %(stage)s since the end "
                  "of %(due)s.") % values)
    return None


def _unique(users) -> list:
    return list({u.pk: u for u in users if u is not None}.values())


def deadlines_sweep(*, now: datetime | None = None) -> int:
    """Send the reminders and overdue alerts that are due at ``now``; each goes out once. Returns how many.

    Reminders go to the party that must act (and whoever acts for them today); overdue alerts also to the
    party's head and the Marketing Director. Notices already delivered are skipped before trying, so the
    hourly re-runs stay cheap however many periods are overdue (the unique key stays the backstop).
    """
    from marketing_portal.models import Notification

    now = now or timezone.now()
    local = timezone.localtime(now)
    today, hour = local.date(), local.hour
    hours = sorted(current_policy().handoff_reminder_hours)
    director = resolve(Role.MARKETING_DIRECTOR)
    parties = {}
    for party, people in ((Party.XXX, selectors.estimators()), (Party.FINANCE, selectors.finance_reviewers())):
        acting = _unique(people + delegates_of(people))
        parties[party] = (acting, _unique(acting + selectors.party_heads(party) + director))
    due = []
    for costing in (Costing.objects.filter(state=CostingState.OPEN, handoff__state=HandoffState.COSTING,
                                           due_on__lte=today).select_related("handoff__line")):
        notice = _stage_notice(costing=costing, stage="costing", due_on=costing.due_on, today=today, hour=hour,
                               hours=hours)
        if notice:
            due.append((costing, Party.XXX, notice))
    for costing in (Costing.objects.filter(state=CostingState.SUBMITTED, handoff__state=HandoffState.REVIEW,
                                           review_due_on__lte=today).select_related("handoff__line")):
        notice = _stage_notice(costing=costing, stage="review", due_on=costing.review_due_on, today=today,
                               hour=hour, hours=hours)
        if notice:
            due.append((costing, Party.FINANCE, notice))
    delivered = set()
    keys = [notice[0] for _c, _p, notice in due]
    for chunk in range(0, len(keys), 1000):
        delivered.update(Notification.objects.filter(key__in=keys[chunk:chunk + 1000])
                         .values_list("recipient_id", "key"))
    sent = 0
    for costing, party, (key, late, subject, body) in due:
        acting, alerted = parties[party]
        recipients = [u for u in (alerted if late else acting) if (u.pk, key) not in delivered]
        if recipients:
            sent += notify_many(recipients=recipients, key=key, subject=subject, body=body,
                                url=costing.handoff.get_absolute_url(),
                                work=work_key(costing, "cost" if party == Party.XXX else "review"))
    return sent
