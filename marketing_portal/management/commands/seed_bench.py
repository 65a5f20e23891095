"""Build the benchmark data set: ten years of a mid-size company (issue 13), in bulk, into a database it names.

    python manage.py seed_bench --database-url postgres://postgres@127.0.0.1:5432/bench [--scale 1] [--fresh]
    python manage.py seed_bench --database bench          # a DATABASES alias instead of a URL

At scale 1: about 300 staff in 20 regions, 5,000 customers, 50,000 contracts with their approval steps and
history, 40,000 projects with their receivables (invoices, receipts, commission), 150,000 invoices and receipts,
100,000 repair tickets, sales reports, plans with targets, bids. The demo data (``seed_demo``) comes first, so
the demo logins (password ``Demo@2026``) work and hold their share of the records.

It refuses the demo database (``.env`` / the default SQLite file), the test database (``.env.test`` and its
``test_`` twin), anything but PostgreSQL, and a database that holds data it did not write (it marks its own
with a comment on the database); ``--fresh`` drops and recreates a database it marked before.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

MARK = "seed_bench"


def _env_file_url(path: Path) -> str | None:
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.strip().startswith("DATABASE_URL="):
            return line.split("=", 1)[1].strip()
    return None


def _db_key(url: str) -> tuple:
    parsed = urlparse(url)
    return (parsed.hostname or "127.0.0.1", parsed.port or 5432, parsed.path.lstrip("/"))


def forbidden_names() -> set[str]:
    """Database names seed_bench must never write: the demo's, the tests' (and pytest-django's test_ twins)."""
    names = {"postgres", "template0", "template1"}
    for env_file in (".env.test", ".env"):
        url = _env_file_url(Path(settings.BASE_DIR) / env_file)
        if url and url.startswith("postgres"):
            name = _db_key(url)[2]
            names |= {name, f"test_{name}"}
    return names


def check_target(url: str) -> None:
    """Refuse anything but a PostgreSQL database of its own (never the demo or the test database)."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise CommandError("seed_bench writes to PostgreSQL only (it bulk-loads millions of rows); "
                           f"“{url}” is not a PostgreSQL URL. The demo's SQLite database is never used.")
    name = _db_key(url)[2]
    if not name or name in forbidden_names() or name.startswith("test_") or name == "test":
        raise CommandError(f"“{name}” is the demo, test or a system database; seed_bench refuses it. "
                           "Create a database of its own, e.g. …/bench.")


def _admin(url: str):
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                           user=parsed.username or "postgres", password=parsed.password, dbname="postgres",
                           autocommit=True)


def _marked(conn, name: str) -> bool:
    row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                       [name]).fetchone()
    return bool(row and row[0] and row[0].startswith(MARK))


def prepare_database(url: str, *, fresh: bool) -> None:
    """Create the database (or, with ``fresh``, drop and recreate one seed_bench made) and mark it as ours."""
    name = _db_key(url)[2]
    with _admin(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            if not _marked(conn, name):
                raise CommandError(f"“{name}” was not made by seed_bench; --fresh drops only its own databases.")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{MARK}: being built'")


class Command(BaseCommand):
    help = "Build ten years of benchmark data (bulk inserts) into a PostgreSQL database of its own."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = a mid-size company (50,000 contracts)")
        parser.add_argument("--database-url", help="postgres://…/bench (created if missing)")
        parser.add_argument("--database", help="a DATABASES alias to write to instead of a URL")
        parser.add_argument("--fresh", action="store_true", help="drop and recreate a database seed_bench made")
        parser.add_argument("--seed", type=int, default=13, help="random seed (the same seed gives the same data)")

    def handle(self, *args, **options):
        if options["scale"] <= 0 or options["scale"] > 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if os.environ.get("SEED_BENCH_CHILD") == "1":
            return self.build(options)
        url = options["database_url"]
        if options["database"]:
            if url:
                raise CommandError("Give either --database-url or --database, not both.")
            if options["database"] not in settings.DATABASES:
                raise CommandError(f"No database alias “{options['database']}” in DATABASES.")
            s = settings.DATABASES[options["database"]]
            if "postgresql" not in s["ENGINE"]:
                raise CommandError("seed_bench writes to PostgreSQL only.")
            auth = s.get("USER") or "postgres"
            if s.get("PASSWORD"):
                auth += f":{s['PASSWORD']}"
            url = f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
        if not url:
            raise CommandError("Name the benchmark database: --database-url postgres://…/bench (or --database).")
        check_target(url)
        prepare_database(url, fresh=options["fresh"])
        # Run the build in a child process whose settings point at the benchmark database: tasks inline,
        # no e-mail, no Redis (nothing of a running portal is touched).
        env = {**os.environ, "SEED_BENCH_CHILD": "1", "DATABASE_URL": url, "CELERY_TASK_ALWAYS_EAGER": "1",
               "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "REDIS_URL": "",
               "DJANGO_SETTINGS_MODULE": "marketing_portal.settings", "DEBUG": "0",
               "SECRET_KEY": os.environ.get("SECRET_KEY") or settings.SECRET_KEY}
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "seed_bench",
                "--scale", str(options["scale"]), "--seed", str(options["seed"])]
        result = subprocess.run(argv, env=env, check=False)  # noqa: S603 - our own manage.py
        if result.returncode:
            raise CommandError("seed_bench failed (see above).")

    def build(self, options):
        settings_dict = connection.settings_dict
        url = os.environ["DATABASE_URL"]
        check_target(url)
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench writes to PostgreSQL only.")
        with _admin(url) as conn:
            if not _marked(conn, settings_dict["NAME"]):
                raise CommandError(f"“{settings_dict['NAME']}” was not made by seed_bench; refused.")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username__startswith="bench_").exists():
            raise CommandError("This database already holds a benchmark data set; rerun with --fresh.")
        self.stdout.write(f"migrated in {time.perf_counter() - started:.0f} s; demo data …")
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - discarded output
        from marketing_portal.benchdata import BenchContext

        ctx = BenchContext(scale=options["scale"], rng=random.Random(options["seed"]), today=timezone.localdate(),
                           stdout=self.stdout)
        from django.apps import apps

        for config in apps.get_app_configs():
            module_name = f"{config.name}.bench"
            if find_spec(config.name) is None or find_spec(module_name) is None:
                continue
            app_started = time.perf_counter()
            with transaction.atomic():
                import_module(module_name).run(ctx)
            self.stdout.write(f"{config.label}: {time.perf_counter() - app_started:.0f} s")
        with connection.cursor() as cursor:
            # What autovacuum would have done to ten years of rows (it is off on some servers, and a bulk load
            # outruns it): statistics for the planner and the visibility map, without which PostgreSQL fetches
            # every row an index-only scan finds from the table (the covering indexes of issue 13).
            cursor.execute("VACUUM (ANALYZE)")
        total = time.perf_counter() - started
        with _admin(url) as conn:
            conn.execute(f"COMMENT ON DATABASE \"{settings_dict['NAME']}\" IS "
                         f"'{MARK}: scale {options['scale']} seed {options['seed']} built {timezone.localdate()}'")
        self.stdout.write(f"{'table':<44}{'rows':>10}{'s':>8}")
        for table, (rows, seconds) in sorted(ctx.counts.items()):
            self.stdout.write(f"{table:<44}{rows:>10,}{seconds:>8.1f}")
        connections.close_all()
        self.stdout.write(self.style.SUCCESS(f"benchmark data set ready in {total:.0f} s "
                                             f"(scale {options['scale']}, database {settings_dict['NAME']})"))
