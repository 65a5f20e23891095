"""Trigram indexes for the contract list's search (issue 13): a fragment of a title, contract number, archive
number or customer name is found through GIN indexes instead of reading every contract.

The indexed expression is ``UPPER(column::text)``, which is what Django's ``icontains`` compares on PostgreSQL.
PostgreSQL only (pg_trgm); on SQLite (``make run``) nothing happens and the search reads the table as before.
"""

from django.db import migrations

INDEXES = [
    ("contract_title_trgm", "contracts_contract", "title"),
    ("contract_serial_trgm", "contracts_contract", "serial_number"),
    ("contract_archive_trgm", "contracts_contract", "archive_number"),
    ("customer_name_trgm", "contracts_customer", "name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((upper({column}::text)) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contracts", "0008_draft_text_and_copies")]

    operations = [migrations.RunPython(forwards, backwards)]
