"""Faults, done for real (issue 13, point 5): processes are killed and restarted by the test.

* a worker process killed in the middle of the receivables sweep;
* the same sweep task delivered twice;
* Redis restarted while the worker works (a private redis-server on its own port, not the shared 6379);
* PostgreSQL restarted under load (a private cluster made with initdb on its own port and data directory under
  /tmp — the machine's shared cluster is never touched).

Afterwards the commission ledger equals a clean run's (same entries, same amounts) and nothing is lost. The clean
run is the same sweep done in this process inside a transaction that is then rolled back.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 15)
SWEEP_ARGS = (AS_OF.isoformat(),)
PROJECTS = 1200  # three chunks of 500: a kill lands between committed chunks and inside one


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout=120.0, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout} s")


class RedisServer:
    """A redis-server of the test's own, persistent (appendonly, fsync always) so a restart keeps the queue."""

    def __init__(self):
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-redis-"))
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: _can_connect(self.port), 20, what="redis up")

    def stop(self, hard=False):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            self.process.wait(20)

    def restart(self):
        self.stop()
        self.start()


class PostgresCluster:
    """A private PostgreSQL cluster (initdb) on its own port and data directory, run as the postgres user."""

    def __init__(self):
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self._as_postgres(["initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])

    def _as_postgres(self, command):
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        subprocess.run(prefix + command, check=True, capture_output=True, timeout=300)

    def start(self):
        self._as_postgres(["pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                           f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"])

    def restart(self):
        # stop (fast: every session is cut) and start again with the log file, so no pipe stays held open
        self._as_postgres(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])
        self.start()

    def stop(self):
        self._as_postgres(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"])

    def url(self, name="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


def _can_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Worker:
    """``celery worker`` as its own process tree (prefork, one child), on the given broker and database."""

    def __init__(self, *, broker, database):
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketing_portal.settings", "SECRET_KEY": "faults",
                    "DEBUG": "0", "REDIS_URL": broker, "DATABASE_URL": database, "CONN_MAX_AGE": "0",
                    "CELERY_TASK_ALWAYS_EAGER": "0", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                    "MEDIA_ROOT": tempfile.mkdtemp(prefix="faults-media-")}
        self.process = None
        self.log = Path(tempfile.mkstemp(prefix="faults-worker-", suffix=".log")[1])

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "marketing_portal", "worker", "-P", "prefork", "-c", "1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO",
             "-n", f"faults{os.getpid()}@%h"],
            cwd=ROOT, env=self.env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        _wait(lambda: "ready." in self.log.read_text(errors="replace"), 120, what="worker ready")

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _send(broker, task="receivables.tasks.sweep_receivables_task", args=SWEEP_ARGS, task_id=None):
    """Queue a task on the private broker as the beat would."""
    from celery import Celery

    # Not the current app: shared tasks queued by later tests must keep the portal's own broker.
    app = Celery("faults-sender", broker=broker, set_as_current=False)
    app.conf.task_default_queue = "celery"
    try:
        with app.connection_for_write() as conn:
            app.send_task(task, args=list(args), task_id=task_id, connection=conn)
    finally:
        app.close()


def _ledger(db_url=None):
    """Entries of the commission ledger: count and total per project and rule (what a clean run must equal)."""
    from receivables.models import CommissionEntry

    if db_url is None:
        rows = (CommissionEntry.objects.values("project_id", "kind", "key", "entry_date")
                .annotate(n=Count("id"), total=Sum("amount")).order_by("project_id", "kind", "key", "entry_date"))
        return {(r["project_id"], r["kind"], r["key"], r["entry_date"]): (r["n"], r["total"]) for r in rows}
    with psycopg.connect(db_url) as conn:
        table = CommissionEntry._meta.db_table
        rows = conn.execute(f'SELECT project_id, kind, key, entry_date, COUNT(*), SUM(amount) FROM "{table}" '  # noqa: S608
                            "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4").fetchall()
        return {(p, k, key, d): (n, t) for p, k, key, d, n, t in rows}


def _clean_run():
    """The sweep as one clean run would leave the ledger, done here and rolled back."""
    from receivables.engine import sweep_receivables

    with transaction.atomic():
        result = sweep_receivables(as_of=AS_OF)
        ledger = _ledger()
        transaction.set_rollback(True)
    return result, ledger


@pytest.fixture
def receivables_due(transactional_demo):
    """Open receivables due for the sweep of AS_OF (the real clock runs: the worker processes share it)."""
    from tests.receivables.bulk import build_open_receivables

    build_open_receivables(PROJECTS, as_of=AS_OF, tag="FT")
    before = _ledger()
    result, clean = _clean_run()
    assert result.entries > 100 and clean != before  # the sweep has real work to do
    return before, clean


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop(hard=True)
    shutil.rmtree(server.dir, ignore_errors=True)


def _test_db_url():
    db = connection.settings_dict
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{db.get('USER') or 'postgres'}@{host}/{db['NAME']}"


def _entries_now(db_url):
    return sum(n for n, _ in _ledger(db_url).values())


def test_a_worker_killed_in_the_middle_of_the_sweep_loses_nothing(receivables_due, redis_server):
    before, clean = receivables_due
    start_entries = sum(n for n, _ in before.values())
    worker = Worker(broker=redis_server.url, database=_test_db_url())
    worker.start()
    try:
        _send(redis_server.url)
        # the first chunk is committed, the sweep goes on: kill the process running it, hard
        _wait(lambda: _entries_now(_test_db_url()) > start_entries, 300, interval=0.05, what="first chunk committed")
        victims = worker.children()
        assert victims
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        partial = _entries_now(_test_db_url())
        assert start_entries < partial < sum(n for n, _ in clean.values())  # killed mid-way: some chunks done
        # the task is given back (acks late, reject on worker lost) and a new pool process finishes it
        _wait(lambda: _ledger(_test_db_url()) == clean, 600, interval=1, what="ledger equal to a clean run")
        assert "WorkerLostError" in worker.log.read_text(errors="replace")  # the kill was seen, the task given back
    finally:
        worker.stop()
    assert _ledger() == clean


def test_a_sweep_delivered_twice_adds_each_entry_once(receivables_due, redis_server):
    _, clean = receivables_due
    worker = Worker(broker=redis_server.url, database=_test_db_url())
    worker.start()
    try:
        _send(redis_server.url, task_id="sweep-2026-06-15")
        _send(redis_server.url, task_id="sweep-2026-06-15")  # the same message once more (a redelivery)
        _wait(lambda: worker.log.read_text(errors="replace").count("succeeded") >= 2, 600, interval=1,
              what="both deliveries done")
    finally:
        worker.stop()
    assert _ledger() == clean


def test_redis_restarted_during_the_sweep_loses_no_task(receivables_due, redis_server):
    before, clean = receivables_due
    start_entries = sum(n for n, _ in before.values())
    worker = Worker(broker=redis_server.url, database=_test_db_url())
    worker.start()
    try:
        _send(redis_server.url)
        _wait(lambda: _entries_now(_test_db_url()) > start_entries, 300, interval=0.05, what="sweep running")
        redis_server.restart()  # the broker goes away mid-task and comes back with its append-only file
        _send(redis_server.url, task="marketing_portal.tasks.health_task", args=())  # work queued after restart
        _wait(lambda: _ledger(_test_db_url()) == clean, 600, interval=1, what="ledger equal to a clean run")
        _wait(lambda: "health_task" in worker.log.read_text(errors="replace") and
              worker.log.read_text(errors="replace").count("succeeded") >= 2, 300, interval=1,
              what="the worker consumed the task queued after the restart")
    finally:
        worker.stop()
    assert _ledger() == clean


@pytest.fixture
def private_postgres(receivables_due, tmp_path):
    """The test database copied into a private cluster (backup + restore), which the test may restart."""
    from django.core.management import call_command

    call_command("backup", str(tmp_path / "bk"))
    cluster = PostgresCluster()
    cluster.start()
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "portal"')
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketing_portal.settings", "SECRET_KEY": "faults",
           "DATABASE_URL": cluster.url("portal"), "MEDIA_ROOT": str(tmp_path / "media"), "DEBUG": "0"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "restore", str(tmp_path / "bk")], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=900)
    yield cluster, receivables_due
    cluster.stop()
    shutil.rmtree(cluster.dir, ignore_errors=True)


def test_postgresql_restarted_under_load_loses_nothing(private_postgres, redis_server):
    cluster, (before, clean) = private_postgres
    db_url = cluster.url("portal")
    start_entries = sum(n for n, _ in before.values())
    assert _ledger(db_url) == before
    worker = Worker(broker=redis_server.url, database=db_url)
    worker.start()
    try:
        _send(redis_server.url)
        _wait(lambda: _entries_now(db_url) > start_entries, 300, interval=0.05, what="sweep running")
        cluster.restart()  # every connection is cut in the middle of a chunk
        # the task retries with a fresh connection; committed chunks stay, the cut one is done again
        _wait(lambda: _ledger(db_url) == clean, 600, interval=1, what="ledger equal to a clean run")
    finally:
        worker.stop()
    assert _ledger(db_url) == clean
