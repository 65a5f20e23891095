"""What the benchmark scripts share: their environment, a scratch PostgreSQL database, timing a page."""

from __future__ import annotations

import os
import statistics
import sys
import time
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
    """Median milliseconds, SQL queries and status of a page (a streamed response is read to its end)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, len(queries), response.status_code
