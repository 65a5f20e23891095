"""Query helpers the selectors and the list kernel share (issue 13: the visibility and the search at scale).

``in_ids(column, ids)`` is ``column IN (subquery)``, written for PostgreSQL as ``column = ANY(ARRAY(subquery))``:
the subquery runs once (an InitPlan) and the outer table is then read through the index of ``column`` — also as
one arm of an OR, which PostgreSQL combines with the other arms' indexes (a BitmapOr). ``IN (subquery)`` is
planned as a hashed SubPlan filter instead, which reads every row of the outer table. Elsewhere (SQLite, the
demo) it stays a plain ``IN``.

``union_ids(querysets)`` is the UNION ALL of querysets of ids — one indexed lookup per reason a user may see a
record — so that no OR across joins is left for the planner to fail at.

``in_list(column, ids)`` is ``column IN (ids already read)``: on PostgreSQL ``column = ANY(%s::bigint[])``, one
parameter whatever the number of ids, which the planner sizes exactly (an ``in_ids`` array is guessed at ten
rows) — for a set of ids read once per request and then used by several statements.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery


class InIds(Expression):
    """``lhs IN (subquery)``; ``lhs = ANY(ARRAY(subquery))`` on PostgreSQL (see the module's docstring)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, lhs, queryset: QuerySet):
        super().__init__(output_field=BooleanField())
        self.lhs = F(lhs) if isinstance(lhs, str) else lhs
        if isinstance(queryset, QuerySet):
            queryset = queryset.order_by()  # a model's default ordering has no use inside the array
        self.subquery = queryset if isinstance(queryset, Subquery) else Subquery(queryset)

    def get_source_expressions(self):
        return [self.lhs, self.subquery]

    def set_source_expressions(self, exprs):
        self.lhs, self.subquery = exprs

    def _compile(self, compiler):
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        sub_sql, sub_params = compiler.compile(self.subquery)
        if not sub_sql.startswith("("):
            sub_sql = f"({sub_sql})"
        return lhs_sql, sub_sql, (*lhs_params, *sub_params)

    def as_sql(self, compiler, connection):
        lhs_sql, sub_sql, params = self._compile(compiler)
        return f"{lhs_sql} IN {sub_sql}", params

    def as_postgresql(self, compiler, connection):
        lhs_sql, sub_sql, params = self._compile(compiler)
        return f"{lhs_sql} = ANY(ARRAY{sub_sql})", params


class InList(Expression):
    """``lhs IN (v1, v2, …)`` of integer ids already read; ``lhs = ANY(%s::bigint[])`` on PostgreSQL."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, lhs, values: Iterable[int]):
        super().__init__(output_field=BooleanField())
        self.lhs = F(lhs) if isinstance(lhs, str) else lhs
        self.values = list(values)

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, exprs):
        (self.lhs,) = exprs

    def as_sql(self, compiler, connection):
        if not self.values:
            return "1 = 0", ()
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        return f"{lhs_sql} IN ({', '.join(['%s'] * len(self.values))})", (*lhs_params, *self.values)

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        # The array as its text literal: psycopg's list adapter costs ~5 ms per 5,000 ids, the join 0.3.
        literal = "{" + ",".join(map(str, self.values)) + "}"
        return f"{lhs_sql} = ANY(%s::bigint[])", (*lhs_params, literal)


def in_list(lhs, values: Iterable[int]) -> InList:
    """A condition for ``filter()``: ``lhs`` is among ``values`` (ids read before, e.g. once per request)."""
    return InList(lhs, values)


def in_ids(lhs, queryset: QuerySet) -> InIds:
    """A condition for ``filter()`` (combinable with ``Q`` by ``|`` and ``&``): ``lhs`` is among the ids."""
    return InIds(lhs, queryset)


def union_ids(querysets: Iterable[QuerySet]) -> QuerySet:
    """UNION ALL of single-column querysets of ids (each unordered), as one queryset usable in ``in_ids``."""
    parts = [qs.order_by() for qs in querysets]
    if not parts:
        raise ValueError("union_ids needs at least one queryset")
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


def narrowed_ids(sources: Iterable[QuerySet], lookup: str, value) -> QuerySet:
    """``union_ids`` of ``sources`` — each a ``values()`` queryset of one column, a record's id under that table's
    own name — with each narrowed by ``<its column><lookup>=value`` (``""`` for the id itself, ``"__in"`` for a few):
    the reasons to see a record, asked for one record or a handful instead of all that a user may see."""
    return union_ids(source.filter(**{f"{source.query.values_select[0]}{lookup}": value}) for source in sources)
