"""What each app contributes to the shared shell: navigation entries and "my work" items.

Apps register in their ``AppConfig.ready``; the shell never imports an app directly, so the
dependencies keep pointing one way (shared services <- org <- contracts <- handoff, receivables, repairs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime


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


@dataclass(frozen=True)
class Card:
    """A key figure on the home page (besides "my work"), linking to its records."""

    label: str
    value: str
    url: str
    note: str = ""
    order: int = 100
    key: str = ""


_nav: list[NavEntry] = []
_cards: list[Callable[[object], list[Card]]] = []
_work: list[Callable[[object], list[WorkItem]]] = []


def register_nav(entry: NavEntry) -> None:
    if all(e.url_name != entry.url_name for e in _nav):
        _nav.append(entry)


def register_work(provider: Callable[[object], list[WorkItem]]) -> None:
    if provider not in _work:
        _work.append(provider)


def nav_for(user) -> list[NavEntry]:
    return [e for e in sorted(_nav, key=lambda e: e.order) if e.visible(user)]


def work_for(user) -> list[WorkItem]:
    items: list[WorkItem] = []
    for provider in _work:
        items.extend(provider(user))
    # Overdue first, then by due date, then oldest first.
    return sorted(items, key=lambda i: (not i.overdue, i.due or date.max, str(i.since or "")))


def register_card(provider: Callable[[object], list[Card]]) -> None:
    """``provider(user)`` returns the cards the user's home shows (empty for a role it has nothing for)."""
    if provider not in _cards:
        _cards.append(provider)


def cards_for(user) -> list[Card]:
    cards: list[Card] = []
    for provider in _cards:
        cards.extend(provider(user))
    return sorted(cards, key=lambda c: c.order)
