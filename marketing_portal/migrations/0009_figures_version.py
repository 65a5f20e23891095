"""The data version of the cached figures (``marketing_portal.figures_cache``), PostgreSQL only: a sequence, the
trigger function the watched tables call (a shared advisory lock held to the end of the writer's transaction, then
``nextval``) and the function a reader asks (the version, then whether a transaction holds that lock). The
triggers themselves are put on the watched tables after every migrate (``figures_cache.install_triggers``), so a
table added later gets one too."""

from django.db import migrations

from marketing_portal.figures_cache import LOCK_CLASS, LOCK_ID

FORWARD = f"""
CREATE SEQUENCE IF NOT EXISTS portal_figures_version;
CREATE OR REPLACE FUNCTION portal_figures_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({LOCK_CLASS}, {LOCK_ID});
    PERFORM nextval('portal_figures_version');
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION portal_figures_state(OUT version bigint, OUT others_writing boolean,
                                                OUT self_writing boolean) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- First the version, then the writers in flight: in this order (see figures_cache).
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO version FROM portal_figures_version;
    SELECT COALESCE(bool_or(l.pid <> pg_backend_pid()), false), COALESCE(bool_or(l.pid = pg_backend_pid()), false)
      INTO others_writing, self_writing
      FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.classid = {LOCK_CLASS} AND l.objid = {LOCK_ID} AND l.objsubid = 2
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
END $$;
"""

BACKWARD = """
DO $$ DECLARE t record; BEGIN
    FOR t IN SELECT tgname, tgrelid::regclass AS rel FROM pg_trigger WHERE tgname LIKE 'portal_figures_touch%' LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
    END LOOP;
END $$;
DROP FUNCTION IF EXISTS portal_figures_state();
DROP FUNCTION IF EXISTS portal_figures_touch();
DROP SEQUENCE IF EXISTS portal_figures_version;
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the text's % are SQL's


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):

    dependencies = [("portal", "0008_attachment_files")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
