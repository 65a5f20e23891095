"""Sales weekly and monthly reports (RPT-2): the prefill from the person's own records, filed once, due dates,
comments, reminders; bad input refused with a clear message and nothing stored."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketing_portal.models import Notification
from planning import periods, services
from planning.models import ReportComment, SalesReport
from tests.planning.conftest import codes

pytestmark = pytest.mark.django_db

TEXTS = {"work_done": "拜访客户，跟进投标。", "next_plan": "完成技术标。"}


def test_prefill_counts_only_the_persons_own_records_of_the_period(demo, pln):
    # given: 张伟 (sales_hb) signs two contracts in week 24 (8–14 June), one the week before; 刘洋 one in week 24
    earlier = pln.signed(amount="200000", signed_on=date(2026, 6, 5))
    pln.signed(amount="300000", signed_on=date(2026, 6, 9))
    pln.signed(amount="150000", signed_on=date(2026, 6, 12))
    pln.signed(owner="sales_hd", amount="999000", signed_on=date(2026, 6, 10))
    project = pln.project(earlier, date(2026, 6, 5))
    pln.invoice(project, date(2026, 6, 5), "50000")     # before the week
    pln.invoice(project, date(2026, 6, 10), "100000")   # in the week
    pln.receipt(project, date(2026, 6, 11), "80000")    # in the week
    # when
    report = services.report_file(by=demo.user("sales_hb"), kind="weekly", period="2026-W24", **TEXTS)
    # then: hand-computed figures
    figures = report.figures
    assert (report.period_start, report.period_end) == (date(2026, 6, 8), date(2026, 6, 14))
    assert figures["signed"]["count"] == 2 and Decimal(figures["signed"]["amount"]) == Decimal("450000.00")
    assert [row[3] for row in figures["signed"]["rows"]] == ["300000.00", "150000.00"]
    assert Decimal(figures["invoices"]["amount"]) == Decimal("100000.00")
    assert Decimal(figures["receipts"]["amount"]) == Decimal("80000.00")
    assert report.region == demo.region("HB")
    # the snapshot stays: a later receipt in the same week does not rewrite the filed report
    pln.receipt(project, date(2026, 6, 12), "1000")
    report.refresh_from_db()
    assert Decimal(report.figures["receipts"]["amount"]) == Decimal("80000.00")


def test_due_dates_follow_the_policy_and_the_calendar(today):
    from marketing_portal.policy import current_policy

    policy = current_policy()
    # Week 24 ends on Sunday 14 June: due Monday 15 June.
    assert periods.due_on("weekly", date(2026, 6, 14), policy) == date(2026, 6, 15)
    # National Day 2026: the week ending Sunday 4 October is due on the next working day, Thursday 8 October.
    assert periods.due_on("weekly", date(2026, 10, 4), policy) == date(2026, 10, 8)
    # May 2026: 1–5 May are rest days, so the 3rd working day of June is Wednesday 3 June; September's report is due
    # after the National Day week (1–7 October) and the make-up working day 10 October (Saturday): 10 October.
    assert periods.due_on("monthly", date(2026, 5, 31), policy) == date(2026, 6, 3)
    assert periods.due_on("monthly", date(2026, 9, 30), policy) == date(2026, 10, 10)


def test_a_period_is_reported_once(demo, pln):
    user = demo.user("sales_hb")
    first = services.report_file(by=user, kind="weekly", period="2026-W24", **TEXTS)
    with pytest.raises(ValidationError) as refused:
        services.report_file(by=user, kind="weekly", period="2026-w24", work_done="改写", next_plan="改写")
    assert codes(refused.value) == {"already_filed"}
    assert "每个期间只能提交一次" in " ".join(refused.value.messages)
    first.refresh_from_db()
    assert first.work_done == TEXTS["work_done"] and SalesReport.objects.count() == 1


@pytest.mark.parametrize("kind,period", [("weekly", "2026-24"), ("weekly", "2026-W54"), ("monthly", "2026-13"),
                                         ("monthly", "六月"), ("monthly", ""), ("yearly", "2026")])
def test_malformed_periods_are_refused(demo, today, kind, period):
    with pytest.raises(ValidationError) as refused:
        services.report_file(by=demo.user("sales_hb"), kind=kind, period=period, **TEXTS)
    assert codes(refused.value) & {"bad_period", "bad_kind"}
    assert SalesReport.objects.count() == 0


def test_no_report_for_another_person_nor_for_a_period_not_begun(demo, today):
    with pytest.raises(ValidationError) as refused:
        services.report_file(by=demo.user("sales_hb"), person=demo.user("sales_hd"), kind="weekly",
                             period="2026-W24", **TEXTS)
    assert codes(refused.value) == {"not_own_report"} and "刘洋" in refused.value.messages[0]
    with pytest.raises(ValidationError) as future:
        services.report_file(by=demo.user("sales_hb"), kind="monthly", period="2026-07", **TEXTS)
    assert codes(future.value) == {"future_period"}
    with pytest.raises(ValidationError) as empty:
        services.report_file(by=demo.user("sales_hb"), kind="weekly", period="2026-W24", work_done=" ", next_plan="")
    assert set(empty.value.message_dict) == {"work_done", "next_plan"}
    assert SalesReport.objects.count() == 0


def test_a_late_report_is_marked_and_reviewers_are_told(demo, clock, django_capture_on_commit_callbacks):
    clock.set(date(2026, 6, 17))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_file(by=demo.user("sales_hb"), kind="weekly", period="2026-W24", **TEXTS)
    assert report.is_late and report.due_on == date(2026, 6, 15)
    told = set(Notification.objects.filter(key__startswith="report-filed").values_list("recipient__username",
                                                                                       flat=True))
    assert told == {"director", "rm_hb"}


def test_the_regional_manager_and_the_director_comment_others_do_not(demo, today,
                                                                    django_capture_on_commit_callbacks):
    report = services.report_file(by=demo.user("sales_hb"), kind="weekly", period="2026-W24", **TEXTS)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_comment(report_id=report.pk, by=demo.user("rm_hb"), body="抓紧回款。")
        services.report_comment(report_id=report.pk, by=demo.user("director"), body="同意下周计划。")
    for login in ("rm_hd", "sales_hd", "finance"):
        with pytest.raises(ValidationError):
            services.report_comment(report_id=report.pk, by=demo.user(login), body="越权评论")
    assert list(report.comments.values_list("author__username", flat=True)) == ["rm_hb", "director"]
    assert Notification.objects.filter(recipient=demo.user("sales_hb"), key__startswith="report-comment").count() == 2
    assert ReportComment.objects.count() == 2


def test_reminders_once_on_the_due_day_then_once_overdue_with_the_manager(demo, clock):
    # Monday 15 June: week 24 is due today; nobody filed. 张伟 files; the others are reminded once.
    clock.set(date(2026, 6, 15))
    services.report_file(by=demo.user("sales_hb"), kind="weekly", period="2026-W24", **TEXTS)
    first = services.report_reminders_send()
    assert services.report_reminders_send() == 0
    weekly = Notification.objects.filter(key__contains="|weekly|2026-W24")
    due = set(weekly.filter(key__startswith="report-due|").values_list("recipient__username", flat=True))
    assert due == {"sales_hd", "sales_hn", "sales_xb"}
    # May's monthly report (due 3 June) is overdue for all four: each of them and their regional manager, once.
    monthly = Notification.objects.filter(key__contains="|monthly|2026-05")
    assert monthly.count() == 8 and first == 3 + 8
    # Wednesday: still not filed by 刘洋 → overdue notice to him and to 钱进 (rm_hd), once.
    services.report_file(by=demo.user("sales_hn"), kind="weekly", period="2026-W24", **TEXTS)
    clock.set(date(2026, 6, 17))
    services.report_reminders_send()
    services.report_reminders_send()
    overdue = Notification.objects.filter(key__startswith="report-overdue", key__contains="|weekly|2026-W24")
    assert sorted(overdue.values_list("recipient__username", flat=True)) == ["rm_hd", "rm_xb", "sales_hd",
                                                                             "sales_xb"]


def test_my_work_lists_the_report_due_marked_while_the_calendar_year_is_provisional(demo, client, clock):
    from django.urls import reverse

    from tests.notices import marked, work_items

    # Wednesday 10 February 2027: last week's report fell due on the provisional Spring Festival days (5–8
    # February), so it was due on Tuesday 9 February, a date computed from a calendar not yet confirmed.
    clock.set(date(2027, 2, 10))
    client.force_login(demo.user("sales_hb"))
    items = work_items(client.get(reverse("home")).content.decode())
    assert "/planning/reports/new/?kind=weekly&amp;period=2027-W05" in items
    assert marked(items, "2027-02-09")
    page = client.get(reverse("planning:report-new") + "?kind=weekly&period=2027-W05").content.decode()
    assert "provisional-mark" in page


def test_reminders_write_a_due_date_of_an_unconfirmed_year_with_the_mark(demo, clock):
    # Tuesday 9 February 2027: week 5 (1–7 February) was due the day after its Sunday, 8 February — a provisional
    # Spring Festival day — so on the 9th; January's monthly report on its 3rd working day after 31 January, the 3rd
    clock.set(date(2027, 2, 9))
    services.report_reminders_send()
    [weekly] = Notification.objects.filter(recipient=demo.user("sales_hb"), key__startswith="report-due|",
                                           key__contains="|weekly|")
    assert weekly.subject == "您的周报 2027年第5周（02-01至02-07）应于2027-02-09（按暂定日历）前提交"
    [monthly] = Notification.objects.filter(recipient=demo.user("sales_hb"), key__startswith="report-overdue|",
                                            key__contains="|monthly|")
    assert "2027-02-03（按暂定日历）" in monthly.subject
