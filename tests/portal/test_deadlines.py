"""Stored deadlines follow the calendar (CAL-2): tracked, recomputed in the background when days are entered,
changed, removed or a year confirmed; old → new in the history, one notice per move, ledger reversals.

``tests.deadline_probe`` stands in for the apps that register their dates in phase 2.
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from marketing_portal import deadlines, periods
from marketing_portal.models import CalendarDay, Notification, TrackedDeadline
from marketing_portal.services import calendar_day_remove, calendar_day_set, calendar_year_confirm
from tests.conftest import wait_for
from tests.deadline_probe.models import ProbeLedgerEntry, ProbeTask
from tests.notices import enter_notice

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = {"day_start": time(8, 30), "day_end": time(17, 30)}

@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def make_task(demo):
    def make(received: date, *, days: int = 1, done: bool = False, owner="sales_hb"):
        # as an app's service does: store the computed date, then track how it was computed
        task = ProbeTask.objects.create(title=f"任务 {received}", owner=demo.user(owner), done=done,
                                        due_on=periods.period_end(received, days=days))
        deadlines.deadline_track(task, "due_on", start=received, days=days)
        return task

    return make


def test_tracking_stores_the_rule_the_value_and_whether_it_is_provisional(make_task):
    task = make_task(date(2027, 2, 4))  # + 1 day = 除夕 (provisional rest) … 初三 → Tuesday 02-09
    task.refresh_from_db()
    row = deadlines.tracked(task, "due_on")
    assert task.due_on == date(2027, 2, 9)
    assert (row.start, row.days, row.months, row.raw_end, row.value, row.provisional) == (
        date(2027, 2, 4), 1, 0, date(2027, 2, 5), date(2027, 2, 9), True)
    settled = make_task(date(2026, 9, 30))
    assert deadlines.tracked(settled, "due_on").provisional is False
    with pytest.raises(LookupError):
        deadlines.deadline_track(CalendarDay(pk=1), "day", start=date(2027, 1, 1), days=1)  # not registered


def test_entering_the_notice_moves_open_deadlines_with_history_notice_and_reversal(
        demo, make_task, django_capture_on_commit_callbacks):
    admin = demo.user("sysadmin")
    moved = make_task(date(2027, 2, 4))
    ProbeLedgerEntry.objects.create(task=moved, kind="charge", amount=Decimal("-500.00"), note="逾期扣减")
    untouched = make_task(date(2027, 3, 3))  # due 03-04, nothing changes around it
    finished = make_task(date(2027, 2, 4), done=True)
    # when the notice is entered (the recomputation runs after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(admin)
    # then the open task's deadline moved to the first working day after the longer holiday
    moved.refresh_from_db()
    assert moved.due_on == date(2027, 2, 12)
    history = moved.history.first()
    assert history.history_change_reason.startswith("试验截止日由 2027-02-09 调整为 2027-02-12")
    assert deadlines.tracked(moved, "due_on").history.count() == 2
    # its owner is told once; the ledger got a reversing entry and the charge was not edited
    notes = Notification.objects.filter(recipient=demo.user("sales_hb"), key__startswith="deadline-moved")
    # (2027 is entered but not confirmed yet: the new date is still marked provisional in the notice)
    assert [n.subject for n in notes] == ["任务 2027-02-04的试验截止日已调整为 2027-02-12（按暂定日历）"]
    assert notes.get().url == f"/probe/{moved.pk}/"
    assert list(moved.ledger.order_by("pk").values_list("kind", "amount")) == [
        ("charge", Decimal("-500.00")), ("reversal", Decimal("500.00"))]
    # a task whose date did not move and a finished task are left as they were
    untouched.refresh_from_db()
    finished.refresh_from_db()
    assert untouched.due_on == date(2027, 3, 4) and untouched.history.count() == 1
    assert finished.due_on == date(2027, 2, 9)
    assert deadlines.tracked(untouched, "due_on").provisional is True  # entered, not yet confirmed


def test_a_second_run_moves_nothing_and_notifies_nobody(demo, make_task, django_capture_on_commit_callbacks):
    make_task(date(2027, 2, 4))
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    count = Notification.objects.count()
    again = deadlines.deadlines_recompute(first=date(2027, 1, 1), last=date(2027, 12, 31))
    assert (again.examined, again.moved, again.reflagged, again.notified) == (1, 0, 0, 0)
    assert Notification.objects.count() == count


def test_confirming_the_year_clears_the_provisional_flag_without_a_notice(
        demo, make_task, django_capture_on_commit_callbacks):
    admin = demo.user("sysadmin")
    task = make_task(date(2027, 3, 3))
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(admin)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_confirm(year=2027, notice="国办发明电〔2026〕1号", by=admin)
    row = deadlines.tracked(task, "due_on")
    assert row.provisional is False and row.value == date(2027, 3, 4)
    assert not Notification.objects.filter(key__startswith="deadline-moved").exists()


def test_removing_an_entered_day_moves_the_deadline_back(demo, make_task, django_capture_on_commit_callbacks):
    admin = demo.user("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=date(2031, 3, 4), kind="holiday", name="地方假日", by=admin)
    task = make_task(date(2031, 3, 3))
    assert ProbeTask.objects.get(pk=task.pk).due_on == date(2031, 3, 5)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_remove(day_id=CalendarDay.objects.get(day=date(2031, 3, 4)).pk, by=admin)
    assert ProbeTask.objects.get(pk=task.pk).due_on == date(2031, 3, 4)


def test_a_date_changed_outside_tracking_is_left_to_its_owner(demo, make_task, django_capture_on_commit_callbacks):
    task = make_task(date(2027, 2, 4))
    ProbeTask.objects.filter(pk=task.pk).update(due_on=date(2027, 3, 1))  # e.g. an extension granted by hand
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    assert ProbeTask.objects.get(pk=task.pk).due_on == date(2027, 3, 1)
    assert not Notification.objects.filter(key__startswith="deadline-moved").exists()


def test_the_provisional_mark_follows_the_year_until_it_is_confirmed(demo, make_task):
    template = Template("{% load calendar_marks %}[{{ d|provisional_mark }}]")
    assert "按暂定日历" in template.render(Context({"d": date(2027, 3, 4)}))
    assert template.render(Context({"d": date(2026, 3, 4)})) == "[]"
    row = deadlines.tracked(make_task(date(2027, 12, 30), days=1), "due_on")  # raw 12-31, a Friday in 2027
    assert "按暂定日历" in template.render(Context({"d": row}))
    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2027, 1, 1), kind="holiday", name="元旦", by=admin)
    calendar_year_confirm(year=2027, notice="国办发明电〔2026〕1号", by=admin)
    periods.invalidate_calendar_cache()
    assert template.render(Context({"d": date(2027, 3, 4)})) == "[]"


def test_years_in_use_come_from_the_tracked_deadlines(make_task):
    make_task(date(2029, 6, 1))
    assert 2029 in deadlines.years_in_use(since=2027)
    assert TrackedDeadline.objects.filter(value__year=2029).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_after_the_calendar_change_commits(transactional_demo, celery_worker):
    # given a tracked deadline, committed
    owner = transactional_demo.user("sales_hb")
    task = ProbeTask.objects.create(title="后台任务", owner=owner, due_on=date(2027, 2, 4))
    deadlines.deadline_track(task, "due_on", start=date(2027, 2, 4), days=1)
    # when Administration enters the notice (its own transaction; the task is queued on commit)
    with translation.override("zh-hans"):
        enter_notice(transactional_demo.user("sysadmin"))
    # then the worker moves the date and tells the owner
    wait_for(lambda: ProbeTask.objects.get(pk=task.pk).due_on == date(2027, 2, 12), timeout=30)
    wait_for(lambda: Notification.objects.filter(recipient=owner, key__startswith="deadline-moved").exists())


def test_the_first_day_entered_in_a_provisional_year_recomputes_the_whole_year(
        demo, make_task, django_capture_on_commit_callbacks):
    task = make_task(date(2027, 2, 4))  # due 02-09 because of the provisional 春节 02-05…08
    # when someone enters a single day at the other end of 2027, the provisional days of 2027 stop counting
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=date(2027, 12, 31), kind="holiday", name="地方假日", by=demo.user("sysadmin"))
    assert ProbeTask.objects.get(pk=task.pk).due_on == date(2027, 2, 5)  # Friday, a working day by weekends only


def test_calendar_listeners_hear_of_each_change(demo, make_task, django_capture_on_commit_callbacks):
    # for dates a rules core computes (the receivables sweep): the app marks its records for a re-check
    later = make_task(date(2027, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=date(2027, 6, 2), kind="holiday", name="地方假日", by=demo.user("sysadmin"))
    assert ProbeTask.objects.get(pk=later.pk).recheck_from == date(2027, 1, 1)  # the first day entered: all 2027


def track_hours(task, start: datetime, hours):
    # as the repairs services do for a service level: the due time is so many working hours after the call
    return deadlines.deadline_track_hours(task, "due_at", start=start, hours=hours, **DAY)


def test_a_due_time_in_working_hours_is_tracked_with_its_start_hours_and_working_day(make_task):
    task = make_task(date(2027, 3, 3))
    # Thursday 02-04 16:30 + 4 working hours: 1 h that day, then the provisional 春节 02-05…08 → Tuesday 11:30
    detail = track_hours(task, datetime(2027, 2, 4, 16, 30, tzinfo=SHANGHAI), 4)
    task.refresh_from_db()
    assert task.due_at == datetime(2027, 2, 9, 11, 30, tzinfo=SHANGHAI) == detail.at
    row = deadlines.tracked(task, "due_at")
    assert (row.start, row.raw_end, row.value, row.hours, row.provisional) == (
        date(2027, 2, 4), date(2027, 2, 4), date(2027, 2, 9), Decimal("4.00"), True)
    assert row.value_at == task.due_at and (row.day_start, row.day_end) == (time(8, 30), time(17, 30))


def test_entering_the_notice_moves_a_working_hours_due_time_with_history_and_notice(
        demo, make_task, django_capture_on_commit_callbacks):
    task = make_task(date(2027, 3, 3))
    track_hours(task, datetime(2027, 2, 4, 16, 30, tzinfo=SHANGHAI), 4)
    with django_capture_on_commit_callbacks(execute=True):
        enter_notice(demo.user("sysadmin"))
    task.refresh_from_db()
    assert task.due_at == datetime(2027, 2, 12, 11, 30, tzinfo=SHANGHAI)  # the notice's 春节 runs to 02-11
    assert task.history.first().history_change_reason.startswith(
        "试验响应时限由 2027-02-09 11:30 调整为 2027-02-12 11:30")
    note = Notification.objects.get(recipient=demo.user("sales_hb"), key__contains="due_at")
    assert note.subject == "任务 2027-03-03的试验响应时限已调整为 2027-02-12 11:30（按暂定日历）"


def test_a_rest_day_entered_inside_a_working_hours_period_moves_its_end(
        demo, make_task, django_capture_on_commit_callbacks):
    # Monday 2031-03-03 09:00 + 20 working hours: 8.5 h on Monday, 9 h on Tuesday, 2.5 h on Wednesday → 11:00
    task = make_task(date(2031, 3, 3))
    track_hours(task, datetime(2031, 3, 3, 9, 0, tzinfo=SHANGHAI), 20)
    assert ProbeTask.objects.get(pk=task.pk).due_at == datetime(2031, 3, 5, 11, 0, tzinfo=SHANGHAI)
    # when Tuesday (a day inside the period, not its last) becomes a rest day, the due time moves a day
    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2031, 1, 1), kind="holiday", name="元旦", by=admin)  # 2031 already has entered days
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=date(2031, 3, 4), kind="holiday", name="地方假日", by=admin)
    assert ProbeTask.objects.get(pk=task.pk).due_at == datetime(2031, 3, 6, 11, 0, tzinfo=SHANGHAI)


def test_stored_texts_write_a_provisional_date_with_its_mark(demo):
    assert deadlines.dated(date(2026, 3, 4)) == "2026-03-04"
    assert deadlines.dated(date(2027, 3, 4)) == "2027-03-04（按暂定日历）"
    assert deadlines.dated(datetime(2027, 3, 4, 1, 30, tzinfo=ZoneInfo("UTC"))) == "2027-03-04 09:30（按暂定日历）"
    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2027, 1, 1), kind="holiday", name="元旦", by=admin)
    calendar_year_confirm(year=2027, notice="国办发明电〔2026〕1号", by=admin)
    periods.invalidate_calendar_cache()
    assert deadlines.dated(date(2027, 3, 4)) == "2027-03-04"


def test_the_mark_takes_a_due_time_by_its_beijing_date():
    template = Template("{% load calendar_marks %}[{{ d|provisional_mark }}]")
    # 2026-12-31 17:00 UTC is already 1 January 2027 in Beijing
    assert "按暂定日历" in template.render(Context({"d": datetime(2026, 12, 31, 17, 0, tzinfo=ZoneInfo("UTC"))}))
    assert template.render(Context({"d": datetime(2026, 12, 31, 15, 0, tzinfo=ZoneInfo("UTC"))})) == "[]"
