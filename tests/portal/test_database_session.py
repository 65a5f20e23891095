"""The portal's PostgreSQL sessions are set for short queries (issue 13): no JIT, no parallel workers."""

from django.db import connection


def _show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


def test_the_portals_sessions_plan_without_jit_or_parallel_workers(db):
    # JIT compiled a 50 ms dashboard query for 0.4–0.9 s; two parallel workers cost 8 ms of a 10 ms list count.
    assert _show("jit") == "off"
    assert _show("max_parallel_workers_per_gather") == "0"
