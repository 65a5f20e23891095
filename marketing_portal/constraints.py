"""Database constraints that only PostgreSQL can enforce, declared on the model so they are part of its
invariants, and skipped on SQLite (``make run``), where the service's own check is what stands."""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField
from django.db import connections
from django.db.models import Func, Value


class DateRange(Func):
    """``daterange(start, end, '[]')``: both days included, as the portal's date ranges are."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start, end, bounds: str = "[]", **extra):
        super().__init__(start, end, Value(bounds), **extra)


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint (e.g. "no two overlapping ranges per person") on PostgreSQL; nothing elsewhere."""

    @staticmethod
    def _postgres(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)
