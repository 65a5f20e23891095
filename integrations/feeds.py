"""Each person's private calendar feed (iCalendar): the deadlines of their "my work", with links back.

The events are the items the apps register for "my work" (``marketing_portal.registry.work_for``), so the feed
lists exactly what the person's own pages list — approval steps waiting on them, costing and review due dates,
invoice and collection deadlines, loan returns, ticket service levels … — narrowed by the same rules (X-2). An item
with a due time (a ticket's service level, in working hours) is a timed event; one with a due date an all-day
event; one waiting without a deadline (an approval step) an all-day event on the day it arrived. Each event's UID
is derived from the item's page and title, not from its date, so when a deadline moves (the calendar changed, a
fact was recorded) a subscribed calendar replaces the event instead of adding a second one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from marketing_portal.people import display_name
from marketing_portal.registry import WorkItem, work_for

TIMED_EVENT = timedelta(minutes=30)


def _absolute(url: str) -> str:
    return url if urlsplit(url).scheme else f"{settings.PORTAL_BASE_URL.rstrip('/')}{url}"


def _host() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "portal"


def event_uid(item) -> str:
    digest = hashlib.sha256(f"{item.category}|{item.url}|{item.title}".encode()).hexdigest()[:32]
    return f"{digest}@{_host()}"


def feed_calendar(user) -> Calendar:
    """The person's deadlines as an iCalendar, written in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", "-//Marketing Portal//integrations//ZH")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Marketing Portal: deadlines of %(name)s") % {"name": display_name(user)})
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        stamp = timezone.now()
        seen: set[str] = set()
        items = work_for(user)
        listed = {(i.url, i.due) for i in items}
        items += [loan for loan in _own_loans(user) if (loan.url, loan.due) not in listed]
        for item in items:
            event = _event(item, stamp)
            if event is None or event["uid"] in seen:
                continue
            seen.add(event["uid"])
            calendar.add_component(event)
        calendar.add_missing_timezones()
    return calendar


def _own_loans(user) -> list[WorkItem]:
    """Originals the person has borrowed and must return ("my work" lists a loan only once it is overdue)."""
    from contracts.choices import LoanState
    from contracts.models import Loan
    from contracts.selectors import contracts_visible_to

    loans = Loan.objects.filter(borrower=user, state=LoanState.LENT,
                                contract__in=contracts_visible_to(user)).select_related("contract")
    today = timezone.localdate()
    return [WorkItem(title=_("Return the original: %(title)s") % {"title": loan.contract.title},
                     url=loan.contract.get_absolute_url(), category=_("Contracts"), due=loan.return_due_on,
                     overdue=loan.return_due_on < today) for loan in loans]


def _event(item, stamp: datetime) -> Event | None:
    due_at = getattr(item, "due_at", None)
    day = item.due or (timezone.localdate(item.since) if isinstance(item.since, datetime) else item.since)
    if due_at is None and day is None:
        return None
    event = Event()
    event.add("uid", event_uid(item))
    event.add("dtstamp", stamp)
    waiting = item.due is None and due_at is None
    summary = item.title if not waiting else _("To do: %(title)s") % {"title": item.title}
    event.add("summary", summary)
    if due_at is not None:
        start = timezone.localtime(due_at)
        event.add("dtstart", start)
        event.add("dtend", start + TIMED_EVENT)
    else:
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    link = _absolute(item.url)
    event.add("url", link)
    lines = [str(item.category)] if item.category else []
    if waiting:
        lines.append(_("Waiting on you since %(day)s.") % {"day": day.isoformat()})
    elif item.overdue:
        lines.append(_("Overdue."))
    lines.append(link)
    event.add("description", "\n".join(lines))
    if item.category:
        event.add("categories", [str(item.category)])
    return event


def feed_bytes(user) -> bytes:
    return feed_calendar(user).to_ical()



