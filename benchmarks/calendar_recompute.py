"""Benchmark: the stored deadlines follow the calendar (issue 9) — entering a whole year recomputes them.

Fills a scratch database with repair tickets received on working days all over 2027, each with three tracked
deadlines computed on the provisional 2027 calendar (phone response 2 working hours, closure 40 working hours, a
warranty end of 12 months): ``--rows`` tracked deadlines in all (default 20,000). Then it enters a made-up 2027
notice of the usual shape (7 festivals, 5 make-up working days) the way the calendar page does, and prints:

* entering the year: the import and the recomputation it queues (tasks run inline here) — time, SQL queries,
  deadlines examined, moved and notices sent;
* the same recomputation run again (a retried task: nothing left to move) — time and queries;
* confirming the year (every row loses its provisional flag, nothing moves, nobody is told) — time and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_calendar_bench \\
        .venv/bin/python benchmarks/calendar_recompute.py [--rows 20000]

Each run starts again from the provisional calendar (the benchmark's tickets and 2027's days are rebuilt).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import environment, prepare  # noqa: E402

environment("postgres://postgres@127.0.0.1:5432/h_calendar_bench")

YEAR = 2027
# (festival, first rest day, last rest day, make-up working days) — made up: the real notice is not out yet.
ARRANGEMENT = [
    ("元旦", (1, 1), (1, 3), []),
    ("春节", (2, 5), (2, 11), [(1, 31), (2, 20)]),
    ("清明节", (4, 3), (4, 5), []),
    ("劳动节", (5, 1), (5, 5), [(4, 25), (5, 8)]),
    ("端午节", (6, 9), (6, 9), []),
    ("中秋节", (9, 15), (9, 15), []),
    ("国庆节", (10, 1), (10, 7), [(9, 26)]),
]
ORDINALS = "一二三四五六七"
WEEKDAYS = "一二三四五六日"


def notice_text() -> str:
    """The arrangement written as the State Council writes it (weekdays computed, so the parser accepts it)."""

    def day(m: int, d: int, *, month: bool = True) -> str:
        wd = WEEKDAYS[date(YEAR, m, d).weekday()]
        return f"{m}月{d}日（周{wd}）" if month else f"{d}日（周{wd}）"

    lines = []
    for i, (name, first, last, workdays) in enumerate(ARRANGEMENT):
        count = (date(YEAR, *last) - date(YEAR, *first)).days + 1
        if first == last:
            span = day(*first)
        else:
            span = f"{day(*first)}至{day(*last, month=last[0] != first[0])}"
        line = f"{ORDINALS[i]}、{name}：{span}放假{'调休' if workdays else ''}，共{count}天。"
        if workdays:
            line += "、".join(day(*w) for w in workdays) + "上班。"
        lines.append(line)
    return "\n".join(lines)


def fill(rows: int) -> int:
    """Rebuild the benchmark's tickets and their tracked deadlines on the provisional 2027 calendar."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from marketing_portal import deadlines, periods
    from marketing_portal.models import CalendarDay, CalendarImport, CalendarYear, Notification, TrackedDeadline
    from repairs.models import Ticket
    from repairs.services.common import window

    started = time.perf_counter()
    ct = ContentType.objects.get_for_model(Ticket)
    # the previous run's rows go without signals (a history row per deleted row would take minutes); the
    # benchmark's tickets have no related rows of their own
    tracked_rows = TrackedDeadline.objects.filter(content_type=ct)
    tracked_rows._raw_delete(tracked_rows.db)
    ticket_rows = Ticket.objects.filter(number__startswith="CB")
    ticket_rows._raw_delete(ticket_rows.db)
    CalendarDay.objects.filter(day__year=YEAR).delete()
    CalendarImport.objects.filter(year=YEAR).delete()
    CalendarYear.objects.filter(year=YEAR).delete()
    Notification.objects.filter(key__startswith="deadline-moved").delete()
    periods.invalidate_calendar_cache()
    assert periods.year_status(YEAR) == periods.YEAR_PROVISIONAL, periods.year_status(YEAR)
    cs = get_user_model().objects.get(username="cs")
    tz = timezone.get_current_timezone()
    hours = window()
    workdays = [d for d in (date(YEAR, 1, 1) + timedelta(days=n) for n in range(365)) if periods.is_workday(d)]
    tickets, plans = [], []
    for i in range((rows + 2) // 3):
        day = workdays[i % len(workdays)]
        received = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=9, minutes=i % 480)
        response = deadlines.hours_end(received, Decimal(2), **hours)
        close = deadlines.hours_end(received, Decimal(40), **hours)
        warranty_start = day - timedelta(days=365)
        warranty = periods.period_end_detail(warranty_start, months=12)
        plans.append(((response, 2), (close, 40), (warranty_start, warranty)))
        tickets.append(Ticket(number=f"CB{i:08d}", category="repair", state="new", unit_name="日历基准客户有限公司",
                              contact_name="王经理", contact_phone="13800000000", fault="基准故障",
                              department="repair", received_at=received, received_by=cs, warranty="in",
                              response_due_at=response.at, close_due_at=close.at, warranty_ends_on=warranty.end))
    tickets = Ticket.objects.bulk_create(tickets, batch_size=5000)
    tracked = []
    for ticket, (response_plan, close_plan, (warranty_start, warranty)) in zip(tickets, plans, strict=True):
        for field, (end, h) in (("response_due_at", response_plan), ("close_due_at", close_plan)):
            tracked.append(TrackedDeadline(
                content_type=ct, object_id=ticket.pk, field=field, start=end.first, raw_end=end.first,
                value=end.last, provisional=end.provisional, start_at=ticket.received_at, hours=Decimal(h),
                day_start=hours["day_start"], day_end=hours["day_end"], value_at=end.at))
        tracked.append(TrackedDeadline(content_type=ct, object_id=ticket.pk, field="warranty_ends_on",
                                       start=warranty_start, months=12, raw_end=warranty.raw, value=warranty.end,
                                       provisional=warranty.provisional))
    tracked = tracked[:rows]
    TrackedDeadline.objects.bulk_create(tracked, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"filled {len(tickets):,} tickets with {len(tracked):,} tracked deadlines (provisional 2027) "
          f"in {time.perf_counter() - started:.1f} s")
    return len(tracked)


def timed(fn):
    """Seconds, SQL statements sent and the result of ``fn()`` (statements counted by a wrapper, no log kept)."""
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return seconds, count[0], result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    prepare()
    from django.contrib.auth import get_user_model

    from marketing_portal import deadlines, periods, tasks
    from marketing_portal.calendar_input import parse_notice
    from marketing_portal.models import Notification, TrackedDeadline
    from marketing_portal.services import calendar_year_confirm, calendar_year_import

    admin = get_user_model().objects.get(username="sysadmin")
    fill(args.rows)
    text = notice_text()
    days = parse_notice(text, year=YEAR)
    print(f"notice of {YEAR}: {sum(d.kind == 'holiday' for d in days)} rest days, "
          f"{sum(d.kind == 'workday' for d in days)} make-up working days")

    results = []
    original = tasks.deadlines_recompute_task.delay

    def recording_delay(**kwargs):  # the task runs inline (CELERY_TASK_ALWAYS_EAGER); keep what it returned
        outcome = original(**kwargs)
        results.append(outcome.get())
        return outcome

    tasks.deadlines_recompute_task.delay = recording_delay
    seconds, queries, changes = timed(lambda: calendar_year_import(year=YEAR, days=days, by=admin, source="notice",
                                                                   text=text))
    [first] = results
    moved_rows = TrackedDeadline.objects.filter(content_type__model="ticket", provisional=True).count()
    print(f"enter {YEAR} ({changes.count} days) + recompute: {seconds:7.2f} s, {queries:,} queries — "
          f"{first['examined']:,} examined, {first['moved']:,} moved, {first['reflagged']:,} re-flagged, "
          f"{first['notified']:,} notices ({moved_rows:,} rows still provisional: the year is not confirmed)")
    seconds, queries, again = timed(lambda: deadlines.deadlines_recompute(first=date(YEAR, 1, 1),
                                                                          last=date(YEAR, 12, 31)))
    print(f"recompute again (a retried task):      {seconds:7.2f} s, {queries:,} queries — "
          f"{again.examined:,} examined, {again.moved} moved, {again.notified} notices")
    notices = Notification.objects.count()
    results.clear()
    seconds, queries, _record = timed(lambda: calendar_year_confirm(year=YEAR, notice="国办发明电〔2026〕X号",
                                                                    by=admin))
    [confirmed] = results
    periods.invalidate_calendar_cache()
    print(f"confirm {YEAR} + recompute:             {seconds:7.2f} s, {queries:,} queries — "
          f"{confirmed['moved']} moved, {confirmed['reflagged']:,} re-flagged, "
          f"{Notification.objects.count() - notices} notices; still provisional: "
          f"{TrackedDeadline.objects.filter(content_type__model='ticket', provisional=True).count()} "
          f"(periods reaching into {YEAR + 1}, not confirmed)")
    tasks.deadlines_recompute_task.delay = original


if __name__ == "__main__":
    main()
