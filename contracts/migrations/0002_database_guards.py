"""Database guards on PostgreSQL (X-7, CON-6): they hold whatever code writes the rows.

* A contract that has left the draft is never deleted.
* A contract's amount cannot change once it has left the draft (a rejection returns it to draft first).
* A decided approval step is never changed again.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION contracts_contract_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.state <> 'draft' THEN
      RAISE EXCEPTION 'contract % is %; contracts are never deleted', OLD.id, OLD.state USING ERRCODE = '23514';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.state <> 'draft' AND NEW.amount IS DISTINCT FROM OLD.amount THEN
    RAISE EXCEPTION 'contract % is %; its amount cannot change without restarting the chain', OLD.id, OLD.state
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS contracts_contract_guard ON contracts_contract;
CREATE TRIGGER contracts_contract_guard BEFORE UPDATE OR DELETE ON contracts_contract
  FOR EACH ROW EXECUTE FUNCTION contracts_contract_guard();

CREATE OR REPLACE FUNCTION contracts_step_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'approval step % is decided (%); it cannot change', OLD.id, OLD.status USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS contracts_step_guard ON contracts_approvalstep;
CREATE TRIGGER contracts_step_guard BEFORE UPDATE OR DELETE ON contracts_approvalstep
  FOR EACH ROW EXECUTE FUNCTION contracts_step_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS contracts_contract_guard ON contracts_contract;
DROP FUNCTION IF EXISTS contracts_contract_guard();
DROP TRIGGER IF EXISTS contracts_step_guard ON contracts_approvalstep;
DROP FUNCTION IF EXISTS contracts_step_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
