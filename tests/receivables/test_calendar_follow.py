"""Receivables follow the working-day calendar (issue 9, points 4 and 5).

On the provisional 2027 calendar 春节 rests 02-05…08; the (made-up) notice makes it 02-05…11. A project accepted on
2027-01-05 must invoice within a month: by 02-09 provisionally, by 02-12 under the notice, and every full 30 days
later 5 % of the commission is deducted (step 1 on 03-11, respectively 03-14).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from marketing_portal import deadlines
from marketing_portal.models import CalendarDay, Notification
from marketing_portal.services import calendar_day_remove
from receivables.engine import sweep_receivables
from receivables.models import CommissionEntry
from tests.notices import confirm_2027, enter_notice, marked, work_items

pytestmark = pytest.mark.django_db

ACCEPTED = date(2027, 1, 5)


def rule_rows(project):
    return list(CommissionEntry.objects.filter(project=project).exclude(kind="base").order_by("pk")
                .values_list("kind", "entry_date", "percent", "amount"))


def totals(project):
    project.refresh_from_db()
    entries = CommissionEntry.objects.filter(project=project)
    return project.deduction_percent, sum((e.amount for e in entries), Decimal("0"))


def new_notice(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))


def test_a_deduction_no_longer_due_is_reversed_and_totals_equal_a_clean_run(
        rcv, on_day, demo, django_capture_on_commit_callbacks):
    on_day(ACCEPTED)
    project = rcv.project(accepted_on=ACCEPTED, signed_on=date(2026, 11, 2))
    # the nightly sweep on 03-12: 31 days after the provisional deadline 02-09 → step 1 (5 %) posted for 03-11
    on_day(date(2027, 3, 12))
    sweep_receivables()
    [(kind, day, percent, amount)] = rule_rows(project)
    assert (kind, day, percent) == ("deduction", date(2027, 3, 11), Decimal("5.00")) and amount < 0
    # when the notice is entered the same day, the deadline is 02-12: only 28 days late, nothing is due yet
    new_notice(demo, django_capture_on_commit_callbacks)
    rows = rule_rows(project)
    assert len(rows) == 2 and rows[0] == (kind, day, percent, amount)  # the deduction itself is never edited
    assert rows[1] == ("reversal", date(2027, 3, 12), Decimal("-5.00"), -amount)
    reversal = CommissionEntry.objects.get(project=project, kind="reversal")
    assert reversal.reverses.kind == "deduction" and "工作日历调整" in reversal.reason
    # the owner is told of the reversal once
    assert Notification.objects.filter(recipient=project.owner, key__startswith="rcv-entries",
                                       subject__contains="冲回").count() == 1
    # totals equal those of a clean run under the new calendar: the same project accepted the same day
    on_day(ACCEPTED)
    clean = rcv.project(accepted_on=ACCEPTED, signed_on=date(2026, 11, 2))
    on_day(date(2027, 3, 12))
    sweep_receivables()
    assert rule_rows(clean) == []
    assert totals(project) == totals(clean) and totals(project)[0] == Decimal("0.00")
    # and the step is posted again when it falls due under the new calendar (30 days after 02-12)
    on_day(date(2027, 3, 14))
    sweep_receivables()
    assert [r[:3] for r in rule_rows(project)][-1] == ("deduction", date(2027, 3, 14), Decimal("5.00"))
    assert totals(project) == totals(clean)


def test_a_deduction_newly_due_after_days_are_removed_is_posted(
        rcv, on_day, demo, django_capture_on_commit_callbacks):
    on_day(ACCEPTED)
    project = rcv.project(accepted_on=ACCEPTED, signed_on=date(2026, 11, 2))
    new_notice(demo, django_capture_on_commit_callbacks)  # deadline 02-12
    on_day(date(2027, 3, 12))
    sweep_receivables()
    assert rule_rows(project) == []
    # Administration takes 02-09…02-11 out again: the deadline is 02-09 and step 1 was due on 03-11
    admin = demo.user("sysadmin")
    for day in (date(2027, 2, 9), date(2027, 2, 10), date(2027, 2, 11)):
        with django_capture_on_commit_callbacks(execute=True):
            calendar_day_remove(day_id=CalendarDay.objects.get(day=day).pk, by=admin)
    assert [r[:3] for r in rule_rows(project)] == [("deduction", date(2027, 3, 11), Decimal("5.00"))]
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("5.00")


def test_the_next_deadline_moves_with_history_notice_and_reminders_for_the_new_date(
        rcv, on_day, demo, django_capture_on_commit_callbacks):
    on_day(ACCEPTED)
    project = rcv.project(accepted_on=ACCEPTED, signed_on=date(2026, 11, 2))
    # 7 days before the provisional invoice deadline 02-09 the owner is reminded
    on_day(date(2027, 2, 2))
    sweep_receivables()
    reminders = Notification.objects.filter(recipient=project.owner, key__startswith="rcv-reminder")
    assert [r.subject.count("2027-02-09") for r in reminders] == [1]
    project.refresh_from_db()
    assert project.next_deadline_on == date(2027, 2, 9)
    # the notice, entered on 02-03, moves it to 02-12: the history says so and the owner is told once
    on_day(date(2027, 2, 3))
    new_notice(demo, django_capture_on_commit_callbacks)
    project.refresh_from_db()
    assert project.next_deadline_on == date(2027, 2, 12)
    reason = project.history.first().history_change_reason
    assert reason.startswith("下一期限“") and "由 2027-02-09 调整为 2027-02-12" in reason
    [moved] = Notification.objects.filter(recipient=project.owner, key__startswith="rcv-deadline-moved")
    assert moved.subject.endswith("已调整为 2027-02-12（按暂定日历）")
    # the sweep reminds again 7 days before the new date (the reminder for the old date does not stand in for it)
    assert project.next_check_on == date(2027, 2, 5)
    on_day(date(2027, 2, 5))
    sweep_receivables()
    assert [r.subject.count("2027-02-12") for r in reminders.order_by("pk")][1:] == [1]
    # a calendar change that moves nothing writes no history and tells nobody
    history = project.history.count()
    with django_capture_on_commit_callbacks(execute=True):
        confirm_2027(demo.user("sysadmin"))
    assert project.history.count() == history
    assert Notification.objects.filter(key__startswith="rcv-deadline-moved").count() == 1


def test_the_warranty_end_follows_the_notice(rcv, on_day, demo, django_capture_on_commit_callbacks):
    # accepted 2026-02-05 with 12 months of warranty: 2027-02-05 is 除夕 → provisionally 02-09
    on_day(date(2026, 2, 5))
    project = rcv.project(accepted_on=date(2026, 2, 5), signed_on=date(2025, 12, 1))
    assert project.warranty_ends_on == date(2027, 2, 9)
    row = deadlines.tracked(project, "warranty_ends_on")
    assert (row.start, row.months, row.provisional) == (date(2026, 2, 5), 12, True)
    on_day(date(2027, 1, 20))
    new_notice(demo, django_capture_on_commit_callbacks)
    project.refresh_from_db()
    assert project.warranty_ends_on == date(2027, 2, 12)
    assert project.history.filter(
        history_change_reason__startswith="质保期满日由 2027-02-09 调整为 2027-02-12").exists()
    [note] = Notification.objects.filter(recipient=project.owner, key__startswith="deadline-moved")
    assert "质保期满日已调整为 2027-02-12" in note.subject and note.url == project.get_absolute_url()


def test_pages_mark_provisional_deadlines_until_the_year_is_confirmed(
        rcv, on_day, demo, login, django_capture_on_commit_callbacks):
    on_day(ACCEPTED)
    project = rcv.project(accepted_on=ACCEPTED, signed_on=date(2026, 11, 2))
    on_day(date(2027, 2, 15))  # the provisional invoice deadline 02-09 has passed
    sweep_receivables()
    project.refresh_from_db()
    owner = login(project.owner)

    def sections():
        detail = owner.get(project.get_absolute_url()).content.decode()
        return {"next": detail[detail.index('id="next-steps"'):detail.index('id="timeline"')],
                "timeline": detail[detail.index('id="timeline"'):],
                "summary": detail[detail.index('id="summary"'):],
                "list": owner.get(reverse("receivables:project-list")).content.decode(),
                "home": work_items(owner.get(reverse("home")).content.decode())}

    page = sections()
    nxt = f"{project.next_deadline_on:%Y-%m-%d}"
    # the deadlines ahead, the passed deadline on the timeline, the warranty end, the list's next deadline, my work
    assert marked(page["next"], nxt)
    assert marked(page["timeline"], "2027-02-09</span>")
    assert marked(page["summary"], "2028-01-05")  # warranty 12 months from 2027-01-05
    assert marked(page["list"], f"{nxt}</span>")
    assert marked(page["home"], "2027-02-09")  # the invoice deadline itself, overdue
    # facts are not computed deadlines: the acceptance on the timeline carries no mark
    assert not marked(page["timeline"], "2027-01-05</span>")
    admin = demo.user("sysadmin")
    new_notice(demo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_2027(admin)
    project.refresh_from_db()
    nxt = f"{project.next_deadline_on:%Y-%m-%d}"
    page = sections()
    assert not marked(page["next"], nxt)
    assert not marked(page["timeline"], "2027-02-12</span>")  # the deadline as the notice made it
    assert not marked(page["list"], f"{nxt}</span>") and not marked(page["home"], "2027-02-12")
    assert marked(page["summary"], "2028-01-05")  # 2028 is not confirmed yet


def test_reminders_and_the_export_write_provisional_deadlines_with_the_mark(rcv, on_day, demo, login):
    from io import BytesIO

    from openpyxl import load_workbook

    on_day(ACCEPTED)
    project = rcv.project(accepted_on=ACCEPTED, signed_on=date(2026, 11, 2))
    on_day(date(2027, 2, 2))  # 7 days before the provisional invoice deadline 02-09
    sweep_receivables()
    [reminder] = Notification.objects.filter(recipient=project.owner, key__startswith="rcv-reminder")
    assert "2027-02-09（按暂定日历）" in reminder.subject
    assert "2027-02-09（按暂定日历）" in reminder.body
    response = login(demo.user("finance")).get(reverse("receivables:project-export"))
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    header = rows[0]
    [row] = [r for r in rows[1:] if r[0] == project.number]
    assert row[header.index("日历依据")] == "按暂定日历"
    assert row[header.index("日历依据") - 1].date() == date(2027, 2, 9)  # the next deadline stays a date cell
