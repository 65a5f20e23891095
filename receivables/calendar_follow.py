"""Receivables follow the working-day calendar (SPEC CAL-2, issue 9).

The warranty end is one period from the acceptance and is tracked like any stored deadline
(``marketing_portal.deadlines``, registered in ``apps.py``). Everything else — the invoice, collection and retention
deadlines, the deduction steps, forfeiture and compensation marks, reminder days and the sweep's next check — comes
from the rules core ``receivables.policy.assess`` and is not stored as periods. So after every calendar change
``follow_calendar`` (a calendar listener):

1. marks every project whose clocks the changed days can touch as due for the sweep today (``next_check_on``):
   accepted by the last changed day and not settled, or settled with a deduction or forfeiture dated from the first
   changed day on (it may no longer be due);
2. runs the sweep for the projects due: each is reassessed on the new calendar; a deduction posted under the old
   calendar that is no longer due is reversed by an appended entry that names the calendar change (the ledger stays
   append-only), a deduction now due is posted, reminders are planned for the new dates (their keys name the date);
3. writes into the history of each project whose next deadline moved its old and new date, and tells its owner once.
"""

from __future__ import annotations

from datetime import date
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketing_portal.deadlines import dated
from marketing_portal.notifications import event_key, notify

from .choices import RULE_KINDS
from .ledger import reversals_because
from .models import CommissionEntry, Project
from .sweep import SweepResult, sweep_receivables

CHUNK = 1000


def _chunks(items, size=CHUNK):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def affected_projects(*, first: date, last: date):
    """Projects whose deadlines or posted deductions a change of the days ``first``…``last`` can touch."""
    posted_since = CommissionEntry.objects.filter(project=OuterRef("pk"), kind__in=RULE_KINDS, entry_date__gte=first)
    return Project.objects.filter(accepted_on__isnull=False, accepted_on__lte=last).filter(
        Q(retention_collected_on__isnull=True) | Exists(posted_since))


def follow_calendar(*, first: date, last: date, reason: str) -> SweepResult | None:
    """Reassess the projects the calendar change touches (see the module docstring); returns the sweep's result."""
    today = timezone.localdate()
    before = {pk: (day, label) for pk, day, label in affected_projects(first=first, last=last)
              .order_by().values_list("pk", "next_deadline_on", "next_deadline_label")}
    if not before:
        return None
    for chunk in _chunks(sorted(before)):
        Project.objects.filter(pk__in=chunk).filter(Q(next_check_on__isnull=True) | Q(next_check_on__gt=today)) \
            .update(next_check_on=today)
    with translation.override(settings.LANGUAGE_CODE):
        cause = _("the working-day calendar changed: %(reason)s") % {"reason": reason}
        with reversals_because(cause):
            result = sweep_receivables(as_of=today)
        _record_moves(before, reason)
    return result


def _record_moves(before: dict, reason: str) -> int:
    """History and one notice per project whose next deadline (the same one, by its label) has a new date."""
    moved = 0
    for chunk in _chunks(sorted(before)):
        with transaction.atomic():
            changed = []
            for project in Project.objects.filter(pk__in=chunk).select_related("owner"):
                old, label = before[project.pk]
                new = project.next_deadline_on
                if old is None or new is None or new == old or project.next_deadline_label != label:
                    continue  # no deadline, the same date, or another deadline is next now (one passed)
                project._change_reason = (_("Next deadline “%(what)s” moved from %(old)s to %(new)s: %(reason)s") % {
                    "what": label, "old": old.isoformat(), "new": new.isoformat(), "reason": reason})[:100]
                changed.append((project, old, new))
            if not changed:
                continue
            Project.history.bulk_history_create([p for p, _old, _new in changed], update=True)
            url_of = {p.pk: p.get_absolute_url() for p, _old, _new in changed}
            messages = [(p, old, new) for p, old, new in changed]

            def send(messages=messages, url_of=url_of):
                with translation.override(settings.LANGUAGE_CODE):
                    for project, old, new in messages:
                        notify(recipient=project.owner,
                               key=event_key("rcv-deadline-moved", project, old.isoformat(), new.isoformat()),
                               subject=_("%(project)s: %(what)s is now %(new)s") % {
                                   "project": project, "what": project.next_deadline_label, "new": dated(new)},
                               body=_("The date moved from %(old)s to %(new)s because %(reason)s.") % {
                                   "old": old.isoformat(), "new": dated(new), "reason": reason},
                               url=url_of[project.pk])

            transaction.on_commit(send)
            moved += len(changed)
    return moved
