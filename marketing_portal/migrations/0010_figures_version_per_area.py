"""The data version of the cached figures per **area** (``marketing_portal.figures_cache.AREAS``: the watched tables
grouped by app), PostgreSQL only, replacing portal 0009's single version: a write to the contracts no longer
invalidates the receivables aging.

* ``portal_figures_area_touch()``: the trigger function; its argument is the table's area. It takes the area's
  **shared** transaction-level advisory lock (key: ``LOCK_CLASS`` in the high 32 bits, the OID of the area's
  sequence in the low ones), then bumps the area's sequence ``portal_figures_area_<area>``.
* ``portal_figures_areas()``: what a reader asks, one row per area: the version, whether another transaction holds
  the area's lock, whether this one does — every version read *before* any lock is looked at (see figures_cache).
* ``portal_figures_state()`` (0009's reader) now sums the areas: a process still running the code of before this
  migration keeps a correct, if coarse, cache until it restarts.

The sequences and the triggers are put on after every migrate (``figures_cache.install_triggers``, from the areas in
the code: a new table or a new area gets its own); this migration drops 0009's triggers, trigger function and
sequence. The constants are written out here: a migration must not change when the code does."""

from django.db import migrations

LOCK_CLASS = 0x504F5254  # "PORT"; 0009's lock was (LOCK_CLASS, 0x46494753) in the two-integer form
PREFIX = "portal_figures_area_"

FORWARD = f"""
CREATE OR REPLACE FUNCTION portal_figures_area_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    seq regclass := ('{PREFIX}' || TG_ARGV[0])::regclass;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(({LOCK_CLASS}::bigint << 32) | seq::oid::bigint);
    PERFORM nextval(seq);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION portal_figures_areas(OUT area text, OUT version bigint, OUT others_writing boolean,
                                                OUT self_writing boolean) RETURNS SETOF record
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    names text[];
    seqs oid[];
    versions bigint[];
BEGIN
    -- First every version, then the writers in flight: in this order (see figures_cache).
    SELECT array_agg(substr(c.relname, {len(PREFIX) + 1})), array_agg(c.oid),
           array_agg(COALESCE(pg_sequence_last_value(c.oid), 0))
      INTO names, seqs, versions
      FROM pg_class c
     WHERE c.relkind = 'S' AND c.relname LIKE '{PREFIX.replace("_", "~_")}%' ESCAPE '~'
       AND c.relnamespace = current_schema()::regnamespace;
    RETURN QUERY
    SELECT v.area, v.version, COALESCE(bool_or(l.pid <> pg_backend_pid()), false),
           COALESCE(bool_or(l.pid = pg_backend_pid()), false)
      FROM unnest(names, seqs, versions) AS v(area, seq, version)
      LEFT JOIN pg_locks l
        ON l.locktype = 'advisory' AND l.classid = {LOCK_CLASS} AND l.objid = v.seq AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     GROUP BY v.area, v.version;
END $$;

CREATE OR REPLACE FUNCTION portal_figures_state(OUT version bigint, OUT others_writing boolean,
                                                OUT self_writing boolean) LANGUAGE sql VOLATILE AS $$
    SELECT COALESCE(sum(a.version), 0)::bigint, COALESCE(bool_or(a.others_writing), false),
           COALESCE(bool_or(a.self_writing), false)
      FROM portal_figures_areas() a
$$;

DO $$ DECLARE t record; BEGIN
    FOR t IN SELECT tgname, tgrelid::regclass AS rel FROM pg_trigger
              WHERE tgname LIKE 'portal~_figures~_touch%' ESCAPE '~'
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
    END LOOP;
END $$;
DROP FUNCTION IF EXISTS portal_figures_touch();
DROP SEQUENCE IF EXISTS portal_figures_version;
"""

# Back to 0009: its sequence and functions, and its trigger on every table that has an area's (same events, same
# condition), then the areas' triggers, functions and sequences dropped.
BACKWARD_AFTER_0009 = f"""
DO $$ DECLARE t record; BEGIN
    FOR t IN SELECT tg.oid, tg.tgname, tg.tgrelid::regclass AS rel FROM pg_trigger tg
              WHERE tg.tgname LIKE '{PREFIX.replace("_", "~_")}%' ESCAPE '~'
    LOOP
        EXECUTE regexp_replace(
            replace(pg_get_triggerdef(t.oid), 'TRIGGER ' || t.tgname || ' ',
                    CASE WHEN t.tgname LIKE '%~_rows' ESCAPE '~' THEN 'TRIGGER portal_figures_touch_rows '
                         ELSE 'TRIGGER portal_figures_touch ' END),
            'portal_figures_area_touch\\([^)]*\\)', 'portal_figures_touch()');
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
    END LOOP;
END $$;
DROP FUNCTION IF EXISTS portal_figures_areas();
DROP FUNCTION IF EXISTS portal_figures_area_touch();
DO $$ DECLARE s record; BEGIN
    FOR s IN SELECT c.oid::regclass AS seq FROM pg_class c
              WHERE c.relkind = 'S' AND c.relname LIKE '{PREFIX.replace("_", "~_")}%' ESCAPE '~'
    LOOP
        EXECUTE format('DROP SEQUENCE %s', s.seq);
    END LOOP;
END $$;
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the text's % are SQL's


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    import importlib

    before = importlib.import_module("marketing_portal.migrations.0009_figures_version")
    _run(schema_editor, "DROP FUNCTION IF EXISTS portal_figures_state();" + before.FORWARD)
    _run(schema_editor, BACKWARD_AFTER_0009)


class Migration(migrations.Migration):

    dependencies = [("portal", "0009_figures_version")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
