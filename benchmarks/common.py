"""What the benchmark scripts share: their environment, a scratch PostgreSQL database, timing a page."""

from __future__ import annotations

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def environment(default_database: str) -> None:
    """Settings for a benchmark run: its own database (never the test or demo one), tasks inline."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_portal.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DATABASE_URL", default_database)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def production_environment() -> None:
    """Settings of a benchmark that reads an existing data set as production would: DEBUG off, tasks inline, no
    e-mail, the Django test client's host allowed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_portal.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("SECURE_COOKIES", "0")


def _admin(url: str):
    """An autocommit connection to the ``postgres`` database of the server ``url`` points at."""
    import psycopg

    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5432
    return psycopg.connect(f"postgresql://{parsed.username or 'postgres'}@{host}:{port}/postgres", autocommit=True)


def database_url(server: str, name: str) -> str:
    """The URL of the database ``name`` on the server of ``server``."""
    parsed = urlparse(server)
    return f"postgres://{parsed.username or 'postgres'}@{parsed.hostname or '127.0.0.1'}:{parsed.port or 5432}/{name}"


def ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database if it does not exist yet."""
    name = urlparse(url).path.lstrip("/")
    with _admin(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def recreate_database(server: str, name: str) -> str:
    """A new empty scratch database ``name`` on ``server`` (dropped first if it exists); its URL."""
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(server, name)


def drop_database(server: str, name: str) -> None:
    """Drop the scratch database ``name`` (Django's connections to it are closed first)."""
    from django.db import connections

    connections.close_all()
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def prepare() -> None:
    """Create the database of ``DATABASE_URL`` if needed, start Django, migrate and seed the demo organisation —
    the start of every benchmark that builds its own data."""
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from org import seed

    call_command("migrate", verbosity=0)
    seed.run()


def measure(client, url: str, repeat: int = 5) -> tuple[float, int, int]:
    """Median milliseconds, SQL queries and status of a page (``page_figures`` in short)."""
    queries, p50, _p95, _floor, status = page_figures(client, url, repeat)
    return p50, queries, status


class SqlClock:
    """Counts the statements of a request and the time the database took for them (execute + rows)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


@contextmanager
def sql_clock():
    from django.db import connection

    clock = SqlClock()
    with connection.execute_wrapper(clock):
        yield clock


def drain(response) -> None:
    """Read a streamed response (an export) to its end."""
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def page_figures(client, url: str, repeat: int, *, cold: bool = False, **headers):
    """(queries, p50 ms, p95 ms, SQL floor p50 ms, status) of ``repeat`` requests after one warm-up.

    The warm-up also fills the cache of figures (``marketing_portal.figures_cache``: the dashboard, the managers'
    home cards), so the requests measured read them from it (warm); ``cold=True`` forgets them before each request
    (outside the time measured), so each computes its figures as a first view does."""
    drain(client.get(url, **headers))
    times, floors, counts, status = [], [], [], None
    for _ in range(repeat):
        if cold:
            from marketing_portal.figures_cache import forget

            forget()
        with sql_clock() as clock:
            started = time.perf_counter()
            response = client.get(url, **headers)
            drain(response)
            times.append(time.perf_counter() - started)
        floors.append(clock.seconds)
        counts.append(clock.count)
        status = response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return max(counts), statistics.median(times) * 1000, p95 * 1000, statistics.median(floors) * 1000, status
