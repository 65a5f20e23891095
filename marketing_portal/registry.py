"""What each app contributes to the shared shell: navigation entries, "my work" kinds and home cards.

Apps register in their ``AppConfig.ready``; the shell never imports an app directly, so the
dependencies keep pointing one way (shared services <- org <- contracts <- handoff, receivables, repairs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.query import ModelIterable


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int = 100
    visible: Callable[[object], bool] = field(default=lambda user: True)
    icon: str = ""


@dataclass(frozen=True)
class WorkItem:
    """Something waiting on the user: what, where to act, since when and by when."""

    title: str
    url: str
    category: str = ""
    since: datetime | date | None = None
    due: date | None = None
    overdue: bool = False
    # The due date was computed from the working-day calendar: the page marks it while its year is provisional.
    due_computed: bool = False
    # A due instant (a ticket's service level, in working hours): calendar feeds show it as a timed event.
    due_at: datetime | None = None


@dataclass(frozen=True)
class Card:
    """A key figure on the home page (besides "my work"), linking to its records."""

    label: str
    value: str
    url: str
    note: str = ""
    order: int = 100
    key: str = ""


@dataclass(frozen=True)
class WorkKind:
    """One kind of work an app puts on people's home page ("my work"), read lazily so that the home does not grow
    with the items waiting: it asks each kind for its count and its first ``HOME_ITEMS``, and the kind's own page
    (``work-kind``) lists all of them, paginated.

    ``rows(user)`` answers ``None`` when the kind is not the user's work at all (the role has no such duty: the
    kind's page is a 404), otherwise the rows waiting on the user — a queryset in the order to show them (the home
    reads a slice and its total in one query: ``first_and_count``), or, for work computed in Python that stays
    small, a list.
    ``item(row, user)`` makes the ``WorkItem`` of one row (default: the rows are ``WorkItem`` already) without
    reading the database (what it needs comes with the rows: ``select_related`` / ``prefetch_related``); what every
    row needs alike comes from ``prepare(user)``, read once per list and passed as ``item(row, user, prepared)``.
    """

    key: str
    label: str
    rows: Callable[[object], object]
    item: Callable[..., WorkItem] | None = None
    order: int = 100
    prepare: Callable[[object], object] | None = None

    def items(self, rows, user) -> list[WorkItem]:
        if self.item is None:
            return list(rows)
        if self.prepare is None:
            return [self.item(row, user) for row in rows]
        rows = list(rows)
        prepared = self.prepare(user) if rows else None
        return [self.item(row, user, prepared) for row in rows]


@dataclass
class WorkGroup:
    """What the home shows of one kind: its true count and its first items."""

    kind: WorkKind
    count: int
    items: list[WorkItem]

    @property
    def more(self) -> bool:
        return self.count > len(self.items)


HOME_ITEMS = 5  # items of each kind the home shows; the kind's page lists the rest

_nav: list[NavEntry] = []
_cards: list[Callable[[object], list[Card]]] = []
_work: list[WorkKind] = []


def register_nav(entry: NavEntry) -> None:
    if all(e.url_name != entry.url_name for e in _nav):
        _nav.append(entry)


def register_work(*kinds: WorkKind) -> None:
    for kind in kinds:
        if all(k.key != kind.key for k in _work):
            _work.append(kind)


def nav_for(user) -> list[NavEntry]:
    return [e for e in sorted(_nav, key=lambda e: e.order) if e.visible(user)]


def first_and_count(rows, first: int) -> tuple[list, int]:
    """The first ``first`` rows of a kind and how many there are in all. A plain queryset of models answers both in
    one statement: the LIMIT with the count beside it as an uncorrelated scalar subquery, which PostgreSQL computes
    once, without the ``select_related`` joins (a window ``COUNT(*) OVER ()`` would join every waiting row first:
    the director's 1,056 pending duty proposals 9 ms instead of 1). A DISTINCT or combined queryset counts, then
    slices (two queries); a list is sliced."""
    if not isinstance(rows, QuerySet):
        return list(rows[:first]), len(rows)
    if rows.query.distinct or rows.query.combinator or rows._iterable_class is not ModelIterable:
        count = rows.count()
        return (list(rows[:first]) if count else []), count
    total = (rows.order_by().annotate(work_one=Value(1, output_field=IntegerField())).values("work_one")
             .annotate(work_count=Count("*")).values("work_count"))
    page = list(rows.annotate(work_total=Subquery(total, output_field=IntegerField()))[:first])
    return page, ((page[0].work_total or 0) if page else 0)


def work_kinds() -> list[WorkKind]:
    return sorted(_work, key=lambda k: k.order)


def work_kind(key: str) -> WorkKind | None:
    return next((k for k in _work if k.key == key), None)


def work_groups(user, *, first: int = HOME_ITEMS) -> list[WorkGroup]:
    """The home's "my work": per kind with work waiting, its count and its first items (a count and a LIMIT)."""
    groups = []
    for kind in work_kinds():
        rows = kind.rows(user)
        if rows is None:
            continue
        page, count = first_and_count(rows, first)
        if count:
            groups.append(WorkGroup(kind=kind, count=count, items=kind.items(page, user)))
    return groups


def work_for(user) -> list[WorkItem]:
    """Every item of every kind waiting on ``user`` (the calendar feed); the home reads ``work_groups`` instead."""
    items = items_of(work_kinds(), user)
    # Overdue first, then by due date, then oldest first.
    return sorted(items, key=lambda i: (not i.overdue, i.due or date.max, str(i.since or "")))


def items_of(kinds, user) -> list[WorkItem]:
    """Every item of some kinds (an app's ``work_items(user)``, for its tests and callers)."""
    items: list[WorkItem] = []
    for kind in kinds:
        rows = kind.rows(user)
        if rows is not None:
            items.extend(kind.items(rows, user))
    return items


def register_card(provider: Callable[[object], list[Card]]) -> None:
    """``provider(user)`` returns the cards the user's home shows (empty for a role it has nothing for)."""
    if provider not in _cards:
        _cards.append(provider)


def cards_for(user) -> list[Card]:
    cards: list[Card] = []
    for provider in _cards:
        cards.extend(provider(user))
    return sorted(cards, key=lambda c: c.order)
