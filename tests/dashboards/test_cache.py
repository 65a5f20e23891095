"""The cache of figures (``marketing_portal.figures_cache``) behind the dashboard and the managers' home cards: a
repeat view reads them from the cache, and every committed write to what they read shows at the next view — through
a service, a queryset ``update()`` and raw SQL alike (the tables' triggers) —, a regional manager never reads the
director's entry (X-2), and a new day computes them again.

A test runs in one transaction that is never committed: what a view computes from the test's own (uncommitted)
writes is stored only when that transaction commits (``transaction.on_commit``), so the views here run inside
``django_capture_on_commit_callbacks(execute=True)``, which plays the commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketing_portal import figures_cache

pytestmark = pytest.mark.django_db
D = Decimal
PAGE = reverse("dashboards:dashboard")
HOME = reverse("home")


@pytest.fixture
def view(django_capture_on_commit_callbacks):
    """``view(client, url)`` → (response, the SQL statements it ran); the test's transaction "commits" after it."""

    def _view(client, url=PAGE):
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return response, [q["sql"] for q in queries]

    return _view


def section(response, key):
    return next(s for s in response.context["sections"] if s.key == key)


def aggregates(statements) -> list[str]:
    """The statements that read the figures' tables (contracts, receivables, the ledger)."""
    return [s for s in statements if "contracts_contract" in s or "receivables_" in s]


def test_a_repeat_view_reads_the_figures_from_the_cache_and_a_service_write_shows_next(login, known, demo, view):
    p1, _p2 = known.receivables()
    client = login(demo.user("director"))
    first, cold = view(client)
    assert section(first, "aging").data["outstanding"] == D("590000.00")  # P1 ¥450,000 (retention apart), P2 ¥140,000
    again, warm = view(client)
    assert section(again, "aging").data == section(first, "aging").data
    # the hit runs none of the aggregates: only the session, the user, the roles and the version
    assert aggregates(cold) and not aggregates(warm)
    assert len(warm) < len(cold) and any("portal_figures_state" in s for s in warm)
    # when: Finance records a receipt (a service)
    known.rcv.receipt(p1, date(2026, 6, 12), D("100000.00"))
    after, statements = view(client)
    # then: the next view computes again and shows it
    assert aggregates(statements)
    assert section(after, "aging").data["outstanding"] == D("490000.00")


def test_a_queryset_update_and_raw_sql_show_at_the_next_view(login, known, demo, view):
    from receivables.models import Receipt

    p1, _p2 = known.receivables()
    client = login(demo.user("director"))
    assert section(view(client)[0], "aging").data["outstanding"] == D("590000.00")
    assert not aggregates(view(client)[1])  # cached
    # a queryset update(): no signal, no save()
    Receipt.objects.filter(project=p1).update(amount=D("400000.00"))
    assert section(view(client)[0], "aging").data["outstanding"] == D("690000.00")
    assert not aggregates(view(client)[1])
    # raw SQL: only the table's trigger sees it
    with connection.cursor() as cursor:
        cursor.execute("UPDATE receivables_receipt SET amount = %s WHERE project_id = %s", [D("300000.00"), p1.pk])
    assert section(view(client)[0], "aging").data["outstanding"] == D("790000.00")


def test_a_regional_manager_never_reads_the_directors_entry(login, known, demo, view):
    known.signed_and_targets()
    director = view(login(demo.user("director")))[0]
    assert section(director, "signed").data["actual"] == D("1000000.00")
    assert view(login(demo.user("director")))[0].context["sections"][0].data["actual"] == D("1000000.00")
    # the regional managers' first views, the director's figures cached: each computes its own region's
    for username, signed in (("rm_hb", D("500000.00")), ("rm_hd", D("500000.00")), ("rm_hn", D("0.00"))):
        response, statements = view(login(demo.user(username)))
        assert aggregates(statements), username
        assert section(response, "signed").data["actual"] == signed, username
        assert section(response, "signed").data["regions"] != section(director, "signed").data["regions"]
    # and the home cards likewise (the same entries as the dashboard's year)
    assert cards(view(login(demo.user("rm_hd")), HOME)[0])["signed"].value == "¥500,000.00"
    assert cards(view(login(demo.user("director")), HOME)[0])["signed"].value == "¥1,000,000.00"


AGING_SQL = "OVER (PARTITION BY pr.id"


def cards(response):
    return {c.key: c for c in response.context["cards"]}


def test_the_home_cards_are_cached_and_follow_a_write(login, known, demo, view):
    known.signed_and_targets()
    client = login(demo.user("director"))
    first, cold = view(client, HOME)
    assert cards(first)["signed"].value == "¥1,000,000.00"
    again, warm = view(client, HOME)
    assert cards(again)["signed"].value == "¥1,000,000.00"
    # the figures' statements (the aging one, the targets, the ledger…) are not run again; "my work" is
    assert AGING_SQL in " ".join(cold) and AGING_SQL not in " ".join(warm)
    assert len(cold) - len(warm) >= 10
    # the dashboard of this year reads the same entries
    assert not aggregates(view(client)[1])
    known.pln.signed(owner="sales_hd", amount="250000", signed_on=date(2026, 6, 1))
    assert cards(view(client, HOME)[0])["signed"].value == "¥1,250,000.00"


def test_a_new_day_computes_the_figures_again(login, known, demo, view, clock):
    known.receivables()
    client = login(demo.user("director"))
    assert section(view(client)[0], "aging").data["overdue"] == D("140000.00")
    assert not aggregates(view(client)[1])
    # P1 was invoiced in full on 20 May: its 60 days ran out in July; no write since
    clock.set(date(2026, 8, 3))
    client = login(demo.user("director"))  # the session of June has expired
    response, statements = view(client)
    assert aggregates(statements)
    assert section(response, "aging").data["overdue"] == D("590000.00")


def test_nothing_is_stored_while_another_transaction_writes(login, known, demo, view):
    known.receivables()
    client = login(demo.user("director"))
    settings = connection.settings_dict
    other = psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                            user=settings["USER"] or "postgres", dbname=settings["NAME"])
    try:
        # another transaction has written to a watched table and not committed yet (a statement of no row counts)
        other.execute("UPDATE org_region SET name = name WHERE false")
        first = view(client)[1]
        second = view(client)[1]
        assert aggregates(first) and aggregates(second)  # computed each time, never stored
        other.rollback()
        view(client)
        assert not aggregates(view(client)[1])  # stored again once no writer is in flight
    finally:
        other.close()


def test_the_version_moves_on_every_statement_and_only_with_a_watched_table(demo):
    def version():
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM portal_figures_state()")
            return cursor.fetchone()[0]

    before = version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contracts_contract SET title = title WHERE false")
        assert version() > before
        before = version()
        cursor.execute("UPDATE django_session SET expire_date = expire_date WHERE false")  # not read by figures
        assert version() == before
    # a log-in writes last_login only: not a change of the figures
    user = demo.user("director")
    user.save(update_fields=["last_login"])
    assert version() == before
    user.first_name = "明"
    user.save(update_fields=["first_name"])
    assert version() > before


def test_every_watched_table_has_the_trigger(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
                       [figures_cache.TRIGGER])
        triggered = {row[0] for row in cursor.fetchall()}
    watched = {m._meta.db_table for m in figures_cache.watched_models()}
    assert {"contracts_contract", "receivables_receipt", "receivables_commissionentry", "repairs_ticket",
            "planning_tender", "org_person", "auth_user_groups", "portal_policyversion"} <= watched
    assert watched <= triggered
    assert not any(t.startswith("contracts_historical") for t in watched)


def test_the_signals_bump_the_counter_after_commit(demo, django_capture_on_commit_callbacks):
    """SQLite (the demo) has no triggers: the watched models' signals bump the counter once the write commits."""
    from django.core.cache import cache

    from org.models import Region

    figures_cache._watched.update(figures_cache.watched_models())
    before = cache.get(figures_cache.COUNTER_KEY) or figures_cache._counter()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        figures_cache._on_write(Region, using="default")
        figures_cache._on_write(type(demo.user("director")), update_fields=["last_login"])  # a log-in: nothing
    assert cache.get(figures_cache.COUNTER_KEY) == before  # not before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.get(figures_cache.COUNTER_KEY) == before + 1


def test_the_cache_can_be_turned_off(login, known, demo, view, settings):
    settings.FIGURES_CACHE_SECONDS = 0
    known.receivables()
    client = login(demo.user("director"))
    view(client)
    assert aggregates(view(client)[1])


def test_a_database_without_the_migration_computes_the_figures_without_the_cache(login, known, demo, view,
                                                                                  monkeypatch):
    """A data set built before migration portal 0009 (no version to key on): figures computed, nothing cached."""
    monkeypatch.setitem(figures_cache._migrated, "default", False)
    known.receivables()
    client = login(demo.user("director"))
    assert section(view(client)[0], "aging").data["outstanding"] == D("590000.00")
    assert aggregates(view(client)[1])
