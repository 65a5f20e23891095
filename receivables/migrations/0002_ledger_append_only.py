"""The commission ledger is append-only (RCV-9, X-3): the database itself refuses to change or delete an entry,
whatever code tries. (TRUNCATE, used only to empty a test database, is not a row change and is not blocked.)"""

from django.db import migrations

TABLE = "receivables_commissionentry"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION receivables_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'commission ledger entries are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER receivables_ledger_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION receivables_ledger_append_only();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS receivables_ledger_append_only ON {TABLE};
DROP FUNCTION IF EXISTS receivables_ledger_append_only();
"""
SQLITE_UP = [
    f"""CREATE TRIGGER receivables_ledger_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'commission ledger entries are append-only (UPDATE refused)'); END;""",
    f"""CREATE TRIGGER receivables_ledger_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'commission ledger entries are append-only (DELETE refused)'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS receivables_ledger_no_update;",
               "DROP TRIGGER IF EXISTS receivables_ledger_no_delete;"]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement, params=None)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
