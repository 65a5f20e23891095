"""Calendar feeds (issue 14, point 2): a private, revocable address per person listing their own deadlines with
links back, as iCalendar that calendar apps read; stable UIDs, so a moved deadline replaces its event."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from integrations.feeds import feed_calendar
from integrations.models import CalendarFeed
from integrations.services import feed_regenerate, feed_revoke
from tests.handoff.conftest import HandoffFactory, at
from tests.notices import enter_notice

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def events(user) -> dict[str, dict]:
    """The feed parsed back: {summary: {uid, start, url, description}}."""
    calendar = Calendar.from_ical(feed_calendar(user).to_ical())
    return {str(e["summary"]): {"uid": str(e["uid"]), "start": e.decoded("dtstart"), "url": str(e["url"]),
                                "description": str(e["description"])} for e in calendar.walk("VEVENT")}


def test_the_address_is_private_regenerated_and_switched_off_by_post(client, demo):
    user = demo.user("sales_hb")
    client.force_login(user)
    page = client.get("/integrations/me/").content.decode()
    assert "生成我的日历订阅地址" in page
    assert client.get("/integrations/me/calendar/new/").status_code == 405
    client.post("/integrations/me/calendar/new/")
    first = CalendarFeed.objects.get(user=user).token
    assert len(first) >= 40
    page = client.get("/integrations/me/").content.decode()
    assert f"/integrations/calendar/{first}.ics" in page and "webcal://" in page
    client.logout()
    response = client.get(f"/integrations/calendar/{first}.ics")  # calendar apps do not log in
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "营销管理平台：张伟的截止日期"
    assert client.get("/integrations/calendar/not-a-token.ics").status_code == 404
    feed_regenerate(user=user, by=user)
    second = CalendarFeed.objects.get(user=user).token
    assert client.get(f"/integrations/calendar/{first}.ics").status_code == 404  # the old address stops working
    assert client.get(f"/integrations/calendar/{second}.ics").status_code == 200
    feed_revoke(user=user, by=user)
    assert client.get(f"/integrations/calendar/{second}.ics").status_code == 404


def test_an_inactive_persons_address_answers_404(client, demo):
    user = demo.user("sales_xb")
    feed = feed_regenerate(user=user, by=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(f"/integrations/calendar/{feed.token}.ics").status_code == 404


def test_a_costing_due_date_is_an_all_day_event_that_moves_with_the_calendar(demo, django_capture_on_commit_callbacks):
    # given a sheet received Thursday 2027-02-04: one working day on the provisional 2027 calendar → 2027-02-09
    hf = HandoffFactory(demo)
    handoff = hf.handoff(now=at(2027, 2, 4, 9))
    estimator = demo.user("xxx_estimator")
    [before] = [e for title, e in events(estimator).items() if handoff.number in title or "核算" in title]
    assert before["start"] == date(2027, 2, 9)
    assert before["url"].startswith("http") and before["url"].endswith(handoff.get_absolute_url())
    # when the 2027 notice is entered (春节 to 02-11), the same event (same UID) moves to 2027-02-12
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    [after] = [e for e in events(estimator).values() if e["uid"] == before["uid"]]
    assert after["start"] == date(2027, 2, 12)
    # and nobody without the hand-off sees it
    assert not [e for e in events(demo.user("sales_hd")).values() if e["uid"] == before["uid"]]


def test_an_approval_step_waiting_without_a_deadline_is_an_event_on_the_day_it_arrived(demo, make, clock):
    clock.set(date(2026, 6, 15))
    contract = make.submitted(by="sales_hb")
    [leader] = contract.steps.get(status="pending").assignees.all()  # the department leader (the director)
    todo = [e for title, e in events(leader).items() if title.startswith("待办：") and contract.title in title]
    assert len(todo) == 1
    assert todo[0]["start"] == date(2026, 6, 15) and "自 2026-06-15 起等待您处理" in todo[0]["description"]
    assert not [t for t in events(demo.user("sales_hd")) if contract.title in t]


def test_a_loan_return_is_on_the_borrowers_calendar(demo, make, clock):
    clock.set(date(2026, 6, 15))
    loan = make.loan(state="lent", by="sales_hb", days=3)
    [event] = [e for title, e in events(demo.user("sales_hb")).items() if title.startswith("归还合同原件")]
    assert event["start"] == date(2026, 6, 18) == loan.return_due_on
    assert event["url"].endswith(loan.contract.get_absolute_url())
    assert not [t for t in events(demo.user("sales_hd")) if t.startswith("归还合同原件")]


def test_a_ticket_service_level_is_a_timed_event_of_the_technician(demo, rep_factory):
    ticket = rep_factory.assigned(technician="tech_repair", now=datetime(2026, 6, 15, 9, 0, tzinfo=SHANGHAI))
    [event] = [e for title, e in events(demo.user("tech_repair")).items() if ticket.number in title]
    assert isinstance(event["start"], datetime)
    assert event["start"] == ticket.response_due_at
    assert event["start"] - datetime(2026, 6, 15, 9, 0, tzinfo=SHANGHAI) < timedelta(days=2)
    assert not [t for t in events(demo.user("tech_rnd")) if ticket.number in t]
