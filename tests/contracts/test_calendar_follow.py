"""The objection and reply deadlines of art. 12 follow the working-day calendar (issue 9, points 4 and 5).

A deadline the 2027 notice moves is rewritten with old → new in the record's history and the handler is told once;
the daily reminders then count down to the new date (the ones sent for the old date do not stand in for them).
The contract page and my-work mark the dates “按暂定日历” until 2027 is confirmed. A loan's return date is typed
by the borrower, not computed from the calendar: it is neither tracked nor marked.
"""

from datetime import date

import pytest
from django.urls import reverse

from contracts import services
from marketing_portal import deadlines
from marketing_portal.models import Notification
from tests.notices import confirm_2027, enter_notice, marked, work_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(make, clock):
    clock.set(date(2027, 2, 10))  # the dates below are in the past: none of them is "in the future"
    return make.archived()  # signed, registered and archived: its original can be lent


def flag(contract, demo):
    # noticed Thursday 2027-02-04, an agreed period of 1 day: 除夕 02-05, provisional 春节 to 02-08 → Tuesday 02-09
    return services.non_performance_flag(contract_id=contract.pk, by=demo.user("finance"),
                                         noticed_on=date(2027, 2, 4), description="未付预付款",
                                         deadline_basis="agreed", days=1)


def receive(contract):
    return services.objection_receive(contract_id=contract.pk, by=contract.handler, received_on=date(2027, 2, 4),
                                      content="外观划伤", deadline_basis="agreed", days=1)


def moved_notes(user):
    return list(Notification.objects.filter(recipient=user, key__startswith="deadline-moved").order_by("pk"))


def test_objection_letter_deadline_follows_the_notice(contract, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = flag(contract, demo)
    assert record.objection_due_on == date(2027, 2, 9)
    assert deadlines.tracked(record, "objection_due_on").provisional is True
    # the handler's notice writes the provisional date with its mark
    assert Notification.objects.get(recipient=contract.handler, key__startswith="nonperformance").subject.endswith(
        "请于 2027-02-09（按暂定日历） 前发出书面异议")
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    record.refresh_from_db()
    assert record.objection_due_on == date(2027, 2, 12)
    assert record.history.first().history_change_reason.startswith("异议函期限由 2027-02-09 调整为 2027-02-12")
    [note] = moved_notes(contract.handler)
    assert "异议函期限已调整为 2027-02-12" in note.subject and note.url == contract.get_absolute_url()


def test_reply_deadline_follows_the_notice_and_an_answered_one_stays(
        contract, demo, django_capture_on_commit_callbacks):
    objection, answered = receive(contract), receive(contract)
    services.objection_answer(objection_id=answered.pk, by=contract.handler, replied_on=date(2027, 2, 8),
                              reply="同意更换")
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    objection.refresh_from_db()
    answered.refresh_from_db()
    assert objection.reply_due_on == date(2027, 2, 12)
    assert objection.history.first().history_change_reason.startswith("答复期限由 2027-02-09 调整为 2027-02-12")
    assert answered.reply_due_on == date(2027, 2, 9)  # answered in time: its deadline is history
    [note] = moved_notes(contract.handler)
    assert "答复期限已调整为 2027-02-12" in note.subject


def test_reminders_count_down_to_the_new_date(contract, demo, django_capture_on_commit_callbacks):
    record = flag(contract, demo)
    assert services.reminders_send(today=date(2027, 2, 9)) == 1   # due today (d0)
    assert services.reminders_send(today=date(2027, 2, 10)) == 1  # overdue
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    # the new date 02-12: one day before, on the day and once overdue, each once, although d0 and overdue were sent
    assert services.reminders_send(today=date(2027, 2, 11)) == 1
    assert services.reminders_send(today=date(2027, 2, 12)) == 1
    assert services.reminders_send(today=date(2027, 2, 12)) == 0
    assert services.reminders_send(today=date(2027, 2, 13)) == 1
    subjects = list(Notification.objects.filter(recipient=contract.handler, key__startswith="np-remind")
                    .order_by("pk").values_list("subject", flat=True))
    assert len(subjects) == 5
    assert all("2027-02-09" in s for s in subjects[:2]) and all("2027-02-12" in s for s in subjects[2:])
    assert record.pk


def test_contract_page_and_my_work_mark_provisional_deadlines_until_confirmed(
        contract, demo, login, make, django_capture_on_commit_callbacks):
    flag(contract, demo)
    receive(contract)
    loan = make.loan(contract=contract, state="lent", days=3)  # return date typed by the borrower
    page = login(contract.handler).get(contract.get_absolute_url()).content.decode()
    assert marked(page, "2027-02-09</strong>")  # the objection letter's deadline
    assert marked(page[page.index("答复期限"):], "2027-02-09</strong>")  # the reply's
    assert marked(work_items(login(contract.handler).get(reverse("home")).content.decode()), "2027-02-09")
    assert not marked(page, f"{loan.return_due_on:%Y-%m-%d}</span>")
    admin = demo.user("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(admin)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_2027(admin)
    page = login(contract.handler).get(contract.get_absolute_url()).content.decode()
    assert not marked(page, "2027-02-12</strong>")
    assert "按暂定日历" not in work_items(login(contract.handler).get(reverse("home")).content.decode())


def test_reminders_write_a_provisional_deadline_with_the_mark(contract, demo, clock):
    from contracts.services import reminders_send

    record = flag(contract, demo)  # objection letter due 2027-02-09 on the provisional calendar
    clock.set(date(2027, 2, 9))  # the due day itself
    reminders_send()
    [note] = Notification.objects.filter(recipient=contract.handler, key__startswith="np-remind")
    assert "2027-02-09（按暂定日历）" in note.subject
    assert record.objection_due_on == date(2027, 2, 9)
