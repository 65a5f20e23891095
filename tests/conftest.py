"""Shared fixtures: the real PostgreSQL and Redis of this machine, the demo org, users by role."""

from __future__ import annotations

import fcntl
import os
import socket
import sys
from urllib.parse import urlparse

import pytest

from tests.factories import make, tmake  # noqa: F401  (the shared factories, as fixtures in every test directory)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest_configure(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        url = f"postgres://{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}"
        if not _reachable(url, 5432):
            pytest.exit(
                f"PostgreSQL is not reachable at {url}. Start it (pg_ctlcluster --skip-systemctl-redirect "
                "$(ls /etc/postgresql) main start) or set DATABASE_URL to a reachable server.",
                returncode=3,
            )
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url and not _reachable(redis_url, 6379):
        pytest.exit(f"Redis is not reachable at {redis_url}. Start it or set REDIS_URL.", returncode=3)
    _one_run_per_database(config, database, redis_url)


def _one_run_per_database(config, database, redis_url: str) -> None:
    """Two runs on one test database break each other (a transactional test empties the tables the other's
    tests stand on): a second run on the same database and Redis number waits for the first to end.
    xdist workers run under their controller's lock on databases of their own."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    name = "".join(c if c.isalnum() else "_" for c in f"{database.get('NAME')}-{redis_url}")
    handle = open(f"/tmp/portal-tests-{name}.lock", "w")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"waiting for the other test run on database {database.get('NAME')} to end…", file=sys.stderr)
        fcntl.flock(handle, fcntl.LOCK_EX)
    config._portal_run_lock = handle


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server", "transactional_demo"} & set(getattr(item, "fixturenames", ()))
        or (marker and marker.kwargs.get("transaction"))
    )


def pytest_collection_modifyitems(config, items):
    # Transactional tests (real worker, browser, concurrency) empty the database when they end; running them
    # last keeps the demo org seeded once for all the others.
    items.sort(key=_is_transactional)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the demo organisation once into the test database; tests roll back on top of it."""
    from org import seed

    with django_db_blocker.unblock():
        seed.run()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Entered calendar days are cached per process; each test starts and ends with a clean cache."""
    from marketing_portal.periods import invalidate_calendar_cache

    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


@pytest.fixture(autouse=True)
def _test_media(settings, tmp_path_factory):
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture(autouse=True)
def _portal_language():
    """Each test starts in the portal's language: a request of an English user activates English in the thread,
    and services called directly afterwards would otherwise speak English (they follow the active language)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_lockouts(settings):
    """Login throttling has its own test; elsewhere it must not lock out the test client's many logins."""
    settings.AXES_ENABLED = False


class Demo:
    """The demo organisation of ``org.seed``: ``demo.user("sales_hb")``, ``demo.region("HB")``."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from org import seed

        if not get_user_model().objects.filter(username="director").exists():
            seed.run()

    def user(self, username: str):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.select_related("person").get(username=username)

    def region(self, code: str):
        from org.models import Region

        return Region.objects.get(code=code)

    def unit(self, code: str):
        from org.models import Unit

        return Unit.objects.get(code=code)


@pytest.fixture
def demo(db):
    return Demo()


@pytest.fixture
def transactional_demo(transactional_db):
    return Demo()


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) consuming the real Redis broker, for integration tests."""
    from celery.contrib.testing.worker import start_worker

    from marketing_portal.celery import app

    app.conf.task_always_eager = False
    with app.connection_for_write() as connection:
        app.amqp.queues.select(None)
        connection.default_channel.queue_purge(app.conf.task_default_queue)  # stale messages of earlier runs
    try:
        with start_worker(app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll until ``predicate()`` is truthy (work done by a worker or a browser); fail after ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def artifacts():
    """Directory for screenshots and files a test leaves for people to look at."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


# --------------------------------------------------------------------------------------------------
# The clock, frozen where dates matter
# --------------------------------------------------------------------------------------------------
CLOCK_START = (2026, 6, 15, 10, 0)  # a working Monday, 10:00 Beijing time


class Clock:
    """The portal's clock in a test (time-machine): ``clock.set(date(2026, 3, 1))`` or ``clock.set(datetime)``.

    * A date means 10:00 Beijing time on that day (safely inside the day whatever a service adds); a naive
      datetime is Beijing time; an aware one is taken as it is.
    * The clock ticks on from there (``tick=True``), so records made one after the other keep their order;
      ``frozen=True`` stops it (for tests comparing exact instants).
    * ``clock.advance(days=, hours=, minutes=)`` moves it forward; ``clock.now`` / ``clock.today`` read it.
    * ``dates_only=True`` freezes only ``timezone.localdate()`` and leaves the wall clock alone: for live-server
      and browser tests, where a session cookie dated in the past would be thrown away by the browser.

    ``timezone.now()``, ``timezone.localdate()``, ``date.today()`` and ``time.time()`` all follow it (in every
    thread of the test process, so a worker thread and two racing threads see the same day).
    """

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self._traveller = None
        self._coordinates = None

    @staticmethod
    def _instant(when):
        from datetime import date, datetime, time
        from zoneinfo import ZoneInfo

        shanghai = ZoneInfo("Asia/Shanghai")
        if isinstance(when, datetime):
            return when if when.tzinfo is not None else when.replace(tzinfo=shanghai)
        if isinstance(when, date):
            return datetime.combine(when, time(10, 0), tzinfo=shanghai)
        raise TypeError(f"clock.set() takes a date or a datetime, not {when!r}")

    def set(self, when, *, frozen: bool = False, dates_only: bool = False):
        """Put the clock at ``when``; returns the date (for ``today = clock.set(...)``)."""
        from zoneinfo import ZoneInfo

        instant = self._instant(when)
        if dates_only:
            self.stop()
            day = instant.astimezone(ZoneInfo("Asia/Shanghai")).date()
            self._freeze_localdate(day)
            return day
        import time_machine

        self.stop()
        self._traveller = time_machine.travel(instant, tick=not frozen)
        self._coordinates = self._traveller.start()
        return self.today

    def _freeze_localdate(self, day):
        from django.utils import timezone

        real = timezone.localdate.__wrapped__ if hasattr(timezone.localdate, "__wrapped__") else timezone.localdate

        def localdate(value=None, timezone=None):
            if value is None:
                return day
            return real(value, timezone)

        localdate.__wrapped__ = real
        self._monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    def advance(self, *, days: int = 0, hours: int = 0, minutes: int = 0):
        from datetime import timedelta

        if self._coordinates is None:
            raise RuntimeError("clock.advance() needs clock.set() first")
        self._coordinates.shift(timedelta(days=days, hours=hours, minutes=minutes))
        return self.today

    @property
    def now(self):
        from django.utils import timezone

        return timezone.now()

    @property
    def today(self):
        from django.utils import timezone

        return timezone.localdate()

    def stop(self):
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = self._coordinates = None


@pytest.fixture
def clock(monkeypatch):
    """The frozen clock (see ``Clock``), set to ``CLOCK_START`` until the test moves it."""
    from datetime import datetime

    controller = Clock(monkeypatch)
    controller.set(datetime(*CLOCK_START))
    yield controller
    controller.stop()
