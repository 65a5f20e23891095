"""The hand-off's two periods follow the working-day calendar (issue 9, points 4 and 5).

XXX's costing due date and Finance's review due date are tracked: entering the 2027 notice moves them (old → new
in the costing's history, one notice to the party whose deadline it is); the hourly reminders and overdue alerts
then go by the new date, and one already sent for the old date does not stand in for the new one. Until 2027 is
confirmed the pages write “按暂定日历” beside those dates.
"""

from datetime import date

import pytest
from django.urls import reverse

from handoff.models import Costing
from handoff.services import deadlines_sweep
from marketing_portal import deadlines
from marketing_portal.models import Notification
from tests.notices import confirm_2027, enter_notice, work_items

from .conftest import at

pytestmark = pytest.mark.django_db


def costing_of(handoff) -> Costing:
    return handoff.costings.order_by("-version").first()


def notes_to(user, prefix):
    return list(Notification.objects.filter(recipient=user, key__startswith=prefix).order_by("pk"))


def test_costing_due_date_follows_the_notice(hf, demo, django_capture_on_commit_callbacks):
    # given a sheet received on Thursday 2027-02-04: 1 day → 除夕 02-05, provisional 春节 to 02-08 → Tuesday 02-09
    handoff = hf.handoff(now=at(2027, 2, 4, 9))
    costing = costing_of(handoff)
    row = deadlines.tracked(costing, "due_on")
    assert costing.due_on == date(2027, 2, 9)
    assert (row.start, row.days, row.provisional) == (date(2027, 2, 4), 1, True)
    # when Administration enters the notice (春节 to 02-11)
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    # then the due date is the first working day after it, the history says why, XXX's estimator is told once
    costing.refresh_from_db()
    assert costing.due_on == date(2027, 2, 12)
    assert costing.history.first().history_change_reason.startswith("核算截止日由 2027-02-09 调整为 2027-02-12")
    [note] = notes_to(demo.user("xxx_estimator"), "deadline-moved")
    assert note.subject == f"{handoff.number} 第1版核算的核算截止日已调整为 2027-02-12（按暂定日历）"
    assert note.url == costing.get_absolute_url()
    assert not notes_to(demo.user("finance"), "deadline-moved")  # not Finance's deadline


def test_review_due_date_follows_the_notice(hf, demo, django_capture_on_commit_callbacks):
    handoff = hf.costed(now=at(2027, 2, 4, 11), handoff=hf.handoff(now=at(2027, 2, 4, 9)))
    costing = costing_of(handoff)
    assert costing.review_due_on == date(2027, 2, 9)
    assert deadlines.tracked(costing, "review_due_on").provisional is True
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    costing.refresh_from_db()
    assert costing.review_due_on == date(2027, 2, 12)
    assert costing.history.first().history_change_reason.startswith("审核截止日由 2027-02-09 调整为 2027-02-12")
    for name in ("finance", "finance_head"):
        [note] = notes_to(demo.user(name), "deadline-moved")
        assert "审核截止日已调整为 2027-02-12" in note.subject
    # the costing period was over (submitted): XXX's due date was not recomputed and nobody at XXX is told
    assert costing.due_on == date(2027, 2, 9)
    assert not notes_to(demo.user("xxx_estimator"), "deadline-moved")


def test_reminders_and_alerts_go_by_the_new_date_even_after_one_for_the_old_date(
        hf, demo, django_capture_on_commit_callbacks):
    handoff = hf.handoff(now=at(2027, 2, 4, 9))  # due 02-09 on the provisional calendar
    estimator, head = demo.user("xxx_estimator"), demo.user("xxx_head")
    # the due-day reminder and, the day after, the overdue alert go out for 02-09
    assert deadlines_sweep(now=at(2027, 2, 9, 9, 5)) == 1
    assert deadlines_sweep(now=at(2027, 2, 10, 0, 5)) == 3
    assert len(notes_to(head, "handoff-overdue")) == 1
    # when the notice moves the due date to 02-12
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    # then the costing is no longer overdue on 02-10 and 02-11: nothing more goes out
    assert deadlines_sweep(now=at(2027, 2, 11, 16, 5)) == 0
    # on the new due day XXX is reminded again, for 02-12
    assert deadlines_sweep(now=at(2027, 2, 12, 9, 5)) == 1
    reminders = notes_to(estimator, "handoff-remind")
    assert len(reminders) == 2 and "2027-02-12（按暂定日历）" in reminders[-1].subject
    # and once 02-12 has ended without a costing, the late party's head hears of it again, for the new date
    assert deadlines_sweep(now=at(2027, 2, 13, 0, 5)) == 3
    alerts = notes_to(head, "handoff-overdue")
    assert len(alerts) == 2 and "2027-02-12" in alerts[-1].subject
    assert deadlines_sweep(now=at(2027, 2, 13, 1, 5)) == 0  # each still once
    assert handoff.number in alerts[-1].subject


def test_pages_mark_provisional_due_dates_until_the_year_is_confirmed(
        hf, demo, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the notices go out after the commit
        handoff = hf.costed(now=at(2027, 2, 4, 11), handoff=hf.handoff(now=at(2027, 2, 4, 9)))
    settled = hf.handoff(now=at(2026, 3, 4, 9))  # 2026: the holiday package covers it
    finance = login(demo.user("finance"))
    detail = finance.get(handoff.get_absolute_url()).content.decode()
    listing = finance.get(reverse("handoff:list")).content.decode()
    home = finance.get(reverse("home")).content.decode()
    for page in (detail, listing, work_items(home)):
        assert "按暂定日历" in page
    assert "按暂定日历" not in finance.get(settled.get_absolute_url()).content.decode()
    # the notice to Finance writes the date with its mark too
    assert Notification.objects.filter(recipient=demo.user("finance"), key__startswith="handoff-costing",
                                       subject__contains="2027-02-09（按暂定日历）").exists()
    # once 2027 is entered and confirmed the mark is gone everywhere
    admin = demo.user("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(admin)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_2027(admin)
    assert deadlines.tracked(costing_of(handoff), "review_due_on").provisional is False
    for url in (handoff.get_absolute_url(), reverse("handoff:list")):
        assert "按暂定日历" not in finance.get(url).content.decode(), url
    # (the notices keep their text as sent: they said the date rested on the provisional calendar then)
    assert "按暂定日历" not in work_items(finance.get(reverse("home")).content.decode())


def test_the_register_export_says_which_due_dates_rest_on_the_provisional_calendar(hf, demo, login):
    from io import BytesIO

    from openpyxl import load_workbook

    provisional = hf.handoff(now=at(2027, 2, 4, 9))  # costing due 2027-02-09 on the provisional calendar
    settled = hf.handoff(now=at(2026, 3, 4, 9))  # 2026: the holiday package covers it
    response = login(demo.user("finance")).get(reverse("handoff:export"))
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    header = rows[0]
    due = header.index("核算截止")
    assert header[due + 1] == "日历依据"  # the column beside the date, which stays a date cell
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[provisional.number][due].date() == date(2027, 2, 9)
    assert by_number[provisional.number][due + 1] == "按暂定日历"
    assert by_number[settled.number][due + 1] in ("", None)
