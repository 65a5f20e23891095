"""The shared clock fixture (tests/conftest.py): what it freezes, in every thread."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def test_a_date_freezes_now_and_today_inside_that_beijing_day(clock):
    # when
    day = clock.set(date(2099, 2, 28))
    # then
    assert day == date(2099, 2, 28)
    assert timezone.localdate() == date.today() == date(2099, 2, 28)
    assert timezone.localtime(timezone.now()).hour == 10


def test_the_clock_advances_and_is_the_same_in_another_thread(clock):
    clock.set(datetime(2026, 12, 31, 23, 30), frozen=True)
    assert clock.advance(hours=1) == date(2027, 1, 1)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(timezone.localdate()))
    worker.start()
    worker.join()
    assert seen == [date(2027, 1, 1)]
    assert timezone.now() == datetime(2027, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_dates_only_leaves_the_wall_clock_alone(clock):
    real_year = datetime.now().year
    clock.set(date(2030, 5, 6), dates_only=True)
    assert timezone.localdate() == date(2030, 5, 6)
    assert datetime.now().year == real_year
