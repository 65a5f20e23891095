"""The indexes of the visible set (migration 0004, issue 13) build on SQLite too — the demo's database."""

from __future__ import annotations

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.migrations.loader import MigrationLoader

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "OPTIONS": {}, "TIME_ZONE": None,
          "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False,
          "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {}}


def test_the_visible_set_indexes_migrate_forwards_and_back_on_sqlite(django_db_blocker):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    target = ("repairs", "0004_visible_set_indexes")
    before = loader.project_state(("repairs", "0003_visibility_indexes"))
    after = loader.project_state(target)
    migration = loader.graph.nodes[target]
    connection = DatabaseWrapper(SQLITE, alias="sqlite-check")

    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            return {name for (name,) in cursor.fetchall()}

    connections["sqlite-check"] = connection  # the operations ask the connection handler by alias
    try:
        with django_db_blocker.unblock():  # a database of its own, in memory: not the test database
            _forwards_and_back(connection, migration, before, after, indexes)
    finally:
        del connections["sqlite-check"]


def _forwards_and_back(connection, migration, before, after, indexes):
    try:
        with connection.schema_editor(atomic=False) as editor:
            editor.create_model(before.apps.get_model("repairs", "Ticket"))  # with its technicians' table
        with connection.schema_editor(atomic=False) as editor:
            migration.apply(before.clone(), editor)
        added = {"ticket_technician_cover", "ticket_customer_cover", "ticket_technicians_user_ticket"}
        assert added <= indexes()
        with connection.schema_editor(atomic=False) as editor:
            migration.unapply(after.clone(), editor)
        assert not added & indexes()
    finally:
        connection.close()
