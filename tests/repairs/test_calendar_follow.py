"""Repair service levels and the warranty end follow the working-day calendar (issue 9, points 4 and 5).

The phone-response, on-site and closure due times are counted in working hours (08:30–17:30, 9 hours a day) on
the calendar, the warranty end is a period of months: all four are tracked. With nothing entered for 2027 the
provisional 春节 is 02-05…02-08 (除夕 to 初三); the test notice (``tests.notices``) makes it 02-05…02-11, so
every due time that crossed the festival moves three working days later, with old → new in the ticket's
history and a notice to whoever the ticket waits on. The ticket page marks the times “按暂定日历” until 2027 is
confirmed.
"""

from datetime import date

import pytest

from marketing_portal import deadlines
from marketing_portal.models import Notification
from repairs.choices import Warranty
from repairs.models import Ticket
from repairs.services import equipment_record
from tests.notices import confirm_2027, enter_notice, marked

from .conftest import at

pytestmark = pytest.mark.django_db


def moved_notes(user, ticket):
    return list(Notification.objects.filter(recipient=user, key__startswith="deadline-moved",
                                            url=ticket.get_absolute_url()).order_by("pk"))


def test_service_levels_move_with_the_notice(rep, demo, django_capture_on_commit_callbacks):
    # given a call on Thursday 2027-02-04 16:30: 1 working hour that day, then the provisional festival
    ticket = rep.ticket(now=at(2027, 2, 4, 16, 30))
    # response 2 h: 1 h on 02-04, 1 h on Tuesday 02-09 → 09:30; closure 40 h: 1 h + 02-09…02-12 (36 h) + 3 h on
    # Monday 02-15 → 11:30
    assert ticket.response_due_at == at(2027, 2, 9, 9, 30)
    assert ticket.close_due_at == at(2027, 2, 15, 11, 30)
    row = deadlines.tracked(ticket, "response_due_at")
    assert (row.start_at, row.hours, row.provisional) == (at(2027, 2, 4, 16, 30), 2, True)
    # and a second ticket, called back on 02-04 at 11:30 without a solution: on site within 16 h = 6 h on 02-04,
    # 9 h on 02-09, 1 h on 02-10 → 09:30
    visit = rep.responded(solved=False, now=at(2027, 2, 4, 11, 0))
    assert visit.visit_due_at == at(2027, 2, 10, 9, 30)
    # when the notice is entered (春节 to Thursday 02-11)
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    # then every due time is three working days later
    ticket.refresh_from_db()
    visit.refresh_from_db()
    assert ticket.response_due_at == at(2027, 2, 12, 9, 30)  # 1 h on 02-04, 1 h on Friday 02-12
    assert ticket.close_due_at == at(2027, 2, 18, 11, 30)  # 1 h + 02-12, 15, 16, 17 + 3 h on 02-18
    assert visit.visit_due_at == at(2027, 2, 15, 9, 30)  # 6 h + 9 h on 02-12 + 1 h on 02-15
    reasons = [h.history_change_reason or "" for h in ticket.history.all()]
    assert any(r.startswith("电话回应时限由 2027-02-09 09:30 调整为 2027-02-12 09:30") for r in reasons), reasons
    assert any(r.startswith("结案时限由 2027-02-15 11:30 调整为 2027-02-18 11:30") for r in reasons), reasons
    # the ticket waits on the customer-service specialist: one notice for each moved due time
    cs = demo.user("cs")
    subjects = [n.subject for n in moved_notes(cs, ticket)]
    assert len(subjects) == 2, subjects
    assert any("电话回应时限已调整为 2027-02-12 09:30（按暂定日历）" in s for s in subjects), subjects
    [visit_note] = [n for n in moved_notes(cs, visit) if "上门时限" in n.subject]
    assert "2027-02-15 09:30（按暂定日历）" in visit_note.subject
    # a second recomputation (a retried task) moves nothing and tells nobody again
    before = Notification.objects.count()
    again = deadlines.deadlines_recompute(first=date(2027, 1, 1), last=date(2027, 12, 31))
    assert again.moved == 0 and Notification.objects.count() == before


def test_a_closed_service_level_is_not_moved(rep, demo, django_capture_on_commit_callbacks):
    # the phone response was made on time: its due time is history and stays as it was
    ticket = rep.responded(solved=False, now=at(2027, 2, 4, 16, 0))
    assert ticket.response_due_at == at(2027, 2, 9, 9, 0)
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    ticket.refresh_from_db()
    assert ticket.response_due_at == at(2027, 2, 9, 9, 0)
    assert ticket.close_due_at == at(2027, 2, 18, 11, 0)  # the closure is still open: it moved


def test_warranty_end_follows_the_notice_and_the_scope_with_it(rep, demo, django_capture_on_commit_callbacks):
    # given equipment accepted on 2026-02-05 with 12 months' warranty: the raw end 2027-02-05 is 除夕, the
    # provisional festival runs to 02-08 → the warranty ends on Tuesday 02-09
    customer = rep.customer()
    equipment = equipment_record(by=demo.user("cs"), customer_id=customer.pk, model="KYN28A-12",
                                 serial_number="W-2026-0205", accepted_on=date(2026, 2, 5), warranty_months=12)
    # a call on Wednesday 02-10 is out of warranty on the provisional calendar
    ticket = rep.ticket(customer=customer, equipment_id=equipment.pk, now=at(2027, 2, 10, 10, 0))
    assert (ticket.warranty, ticket.warranty_ends_on) == (Warranty.EXPIRED, date(2027, 2, 9))
    assert deadlines.tracked(ticket, "warranty_ends_on").months == 12
    # when the notice makes 02-05…02-11 rest days, the warranty ends on Friday 02-12 and the call was in warranty
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    ticket.refresh_from_db()
    assert (ticket.warranty, ticket.warranty_ends_on) == (Warranty.IN, date(2027, 2, 12))
    [note] = [n for n in moved_notes(demo.user("cs"), ticket) if "质保" in n.subject]
    assert "2027-02-12（按暂定日历）" in note.subject


def test_ticket_page_and_liaison_sheet_mark_provisional_times_until_confirmed(
        rep, demo, login, django_capture_on_commit_callbacks):
    ticket = rep.ticket(now=at(2027, 2, 4, 16, 30))
    settled = rep.ticket(now=at(2026, 3, 4, 9, 0))  # 2026: the holiday package covers it
    cs = login(demo.user("cs"))
    page = cs.get(ticket.get_absolute_url()).content.decode()
    assert marked(page, "02-09 09:30") and marked(page, "02-15 11:30")
    assert "provisional-mark" not in cs.get(settled.get_absolute_url()).content.decode()
    admin = demo.user("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(admin)
    page = cs.get(ticket.get_absolute_url()).content.decode()
    assert marked(page, "02-12 09:30")  # entered but not confirmed: still provisional
    with django_capture_on_commit_callbacks(execute=True):
        confirm_2027(admin)
    page = cs.get(ticket.get_absolute_url()).content.decode()
    assert not marked(page, "02-12 09:30") and not marked(page, "02-18 11:30")
    assert Ticket.objects.get(pk=ticket.pk).response_due_at == at(2027, 2, 12, 9, 30)
    assert deadlines.tracked(ticket, "close_due_at").provisional is False


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_ticket_page_shows_the_marks_on_a_desktop_and_a_phone(live_server, trep, artifacts):
    from tests.browser import PHONE, chromium_page, log_in

    ticket = trep.ticket(now=at(2027, 2, 4, 16, 30))
    url = f"{live_server.url}{ticket.get_absolute_url()}"
    for name, viewport in (("1280", {"width": 1280, "height": 900}), ("375", PHONE)):
        with chromium_page(viewport=viewport) as page:
            log_in(page, live_server.url, "cs")
            page.goto(url)
            levels = page.locator("dd", has_text="02-09 09:30").inner_text()
            assert "02-09 09:30" in levels and levels.count("按暂定日历") == 2  # response and closure
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            page.screenshot(path=str(artifacts / f"repairs-ticket-provisional-{name}.png"), full_page=True)
