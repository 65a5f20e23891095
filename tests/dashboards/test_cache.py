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
    assert len(warm) < len(cold) and any("portal_figures_areas" in s for s in warm)
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


def test_a_salespersons_cards_are_cached_and_follow_a_write(login, known, demo, view):
    """A salesperson's home: signed this month, open receivables and deductions read from the cache on a repeat view,
    and a contract signed this month shows at the next."""
    from django.utils import timezone

    known.receivables()
    client = login(demo.user("sales_hb"))
    first, cold = view(client, HOME)
    before = cards(first)["signed-month"].value
    again, warm = view(client, HOME)
    assert cards(again)["signed-month"].value == before
    assert {"signed-month", "receivables", "deductions"} <= set(cards(again))
    assert AGING_SQL in " ".join(cold) and AGING_SQL not in " ".join(warm)
    assert not any("planning_target" in s for s in warm)
    known.pln.signed(owner="sales_hb", amount="250000", signed_on=timezone.localdate())
    after = cards(view(client, HOME)[0])["signed-month"].value

    def yuan(text):
        return D(text.replace("¥", "").replace(",", ""))

    assert yuan(after) == yuan(before) + D("250000")


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


@pytest.fixture
def computed(monkeypatch):
    """The sections computed (not read from the cache) since the last call: ``computed()`` → set of keys."""
    from dashboards import figures

    seen: set[str] = set()
    for key, builder in list(figures.BUILDERS.items()):
        def spy(*args, _key=key, _builder=builder):
            seen.add(_key)
            return _builder(*args)
        monkeypatch.setitem(figures.BUILDERS, key, spy)

    def _computed() -> set[str]:
        out = set(seen)
        seen.clear()
        return out

    return _computed


def other_connection():
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                           user=settings["USER"] or "postgres", dbname=settings["NAME"])


# The director's sections reading contracts tables (figures.areas_for: who sees every ticket counts the repair
# tickets without the contracts; a regional manager's repair figures would read them — he has no such section).
CONTRACT_SECTIONS = {"pipeline", "signed", "handoff"}


def test_a_contract_approval_recomputes_the_contract_sections_only(login, known, demo, make, view, computed):
    from contracts.choices import ContractState

    known.receivables()
    known.signed_and_targets()
    draft = make.advance(make.contract(by="sales_hb", amount=D("80000.00")), to=ContractState.LEADER_REVIEW)
    client = login(demo.user("director"))
    first = view(client)[0]
    every = {s.key for s in first.context["sections"]}
    assert {"aging", "deductions", "tenders", "repairs"} | CONTRACT_SECTIONS <= every
    assert computed() == every
    view(client)
    assert computed() == set()  # all cached
    before = {r["state"]: r["count"] for r in section(first, "pipeline").rows_data}
    # when: the department leader approves the contract (the service: contracts tables only)
    make.advance(draft, to=ContractState.JOINT_REVIEW)
    response, statements = view(client)
    # then: the sections reading the contracts are computed and show it, the receivables aging is not
    assert computed() == CONTRACT_SECTIONS
    after = {r["state"]: r["count"] for r in section(response, "pipeline").rows_data}
    assert after[ContractState.JOINT_REVIEW] == before.get(ContractState.JOINT_REVIEW, 0) + 1
    assert after.get(ContractState.LEADER_REVIEW, 0) == before[ContractState.LEADER_REVIEW] - 1
    assert AGING_SQL not in " ".join(statements)
    assert section(response, "aging").data == section(first, "aging").data
    # a queryset update() of the contracts likewise
    from contracts.models import Contract

    Contract.objects.filter(pk=draft.pk).update(title="配电柜维保（修订）")
    view(client)
    assert computed() == CONTRACT_SECTIONS


def test_a_receivables_write_recomputes_the_aging_and_leaves_the_pipeline_cached(login, known, demo, view,
                                                                                    computed):
    p1, _p2 = known.receivables()
    client = login(demo.user("director"))
    view(client)
    view(client)
    computed()
    known.rcv.receipt(p1, date(2026, 6, 12), D("100000.00"))
    response = view(client)[0]
    assert computed() == {"aging", "deductions"}  # the receivables sections
    assert section(response, "aging").data["outstanding"] == D("490000.00")


def test_an_uncommitted_contract_write_does_not_stop_the_aging_being_stored(login, known, demo, view, computed):
    known.receivables()
    client = login(demo.user("director"))
    view(client)  # the first request's own writes (the policy's first version) committed
    computed()
    other = other_connection()
    try:
        # another transaction has written to the contracts and not committed yet
        other.execute("UPDATE contracts_contract SET title = title WHERE false")
        view(client)
        view(client)
        # the sections reading the contracts are computed each time (never stored), the others were read from
        # the cache (stored at the first view)
        assert computed() == CONTRACT_SECTIONS
        other.execute("UPDATE receivables_receipt SET amount = amount WHERE false")  # now the receivables too
        view(client)
        view(client)
        assert computed() == CONTRACT_SECTIONS | {"aging", "deductions"}
        other.rollback()
    finally:
        other.close()
    view(client)
    computed()
    view(client)
    assert computed() == set()  # stored again once no writer is in flight


def _tables_read(statements: list[str], tables: set[str]) -> set[str]:
    import re

    text = " ".join(statements)
    return {t for t in tables if re.search(rf"\b{re.escape(t)}\b", text)}


@pytest.mark.parametrize("username", ["director", "gm", "rm_hb", "sales_hb"])
def test_each_sections_areas_cover_every_table_its_sql_reads(known, demo, username):
    """A section declaring too few areas would be served stale after a write to a table it reads: every table named
    in its statements (the calendar snapshot and the policy read afresh) must be in one of its declared areas."""
    from django.contrib.auth import get_user_model

    from dashboards import figures, periods
    from marketing_portal import periods as calendar

    known.receivables()
    known.signed_and_targets()
    known.tenders()
    known.deductions()
    area = {m._meta.db_table: figures_cache.area_of(m) for m in figures_cache.watched_models()}
    tables = set(connection.introspection.table_names())
    today, period = date(2026, 6, 15), periods.year_period(2026)
    assert set(figures.AREAS) == set(figures.BUILDERS)
    for key in figures.BUILDERS:
        user = get_user_model().objects.get(username=username)  # nothing remembered from the previous section
        calendar._cache.update(loaded_at=None, snapshot=None)
        with CaptureQueriesContext(connection) as queries:
            figures.compute(key, user, period, "", today)
        read = _tables_read([q["sql"] for q in queries], tables)
        assert read, key
        declared = {figures_cache.COMMON, *figures.areas_for(user)[key]}
        outside = {t: area.get(t, "not watched") for t in read if area.get(t) not in declared}
        assert not outside, f"{key} reads {outside}, declares {sorted(declared)}"


def versions() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT area, version FROM portal_figures_areas()")
        return dict(cursor.fetchall())


def test_a_statement_moves_the_version_of_its_tables_area_only(demo):
    before = versions()
    assert set(before) == set(figures_cache.AREAS.values())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contracts_contract SET title = title WHERE false")
        after = versions()
        assert after["contracts"] > before["contracts"]
        assert {a: v for a, v in after.items() if a != "contracts"} == {
            a: v for a, v in before.items() if a != "contracts"}
        before = after
        cursor.execute("UPDATE receivables_receipt SET amount = amount WHERE false")
        after = versions()
        assert after["receivables"] > before["receivables"] and after["contracts"] == before["contracts"]
        before = after
        cursor.execute("UPDATE django_session SET expire_date = expire_date WHERE false")  # not read by figures
        assert versions() == before
        # an accounting import's preview stores its batch only (figures_cache.UNWATCHED): nothing to recompute
        cursor.execute("UPDATE receivables_importbatch SET errors = errors WHERE false")
        assert versions() == before
        # portal 0009's reader (processes started before 0010): the sum of the areas
        cursor.execute("SELECT version FROM portal_figures_state()")
        assert cursor.fetchone()[0] == sum(before.values())
    # a log-in writes last_login only: not a change of the figures
    user = demo.user("director")
    user.save(update_fields=["last_login"])
    assert versions() == before
    user.first_name = "明"
    user.save(update_fields=["first_name"])
    assert versions()["common"] > before["common"]


def test_every_watched_table_has_its_areas_trigger(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname LIKE 'portal_figures%'")
        triggers = {}
        for table, name in cursor.fetchall():
            triggers.setdefault(table, set()).add(name)
    watched = {m._meta.db_table: figures_cache.area_of(m) for m in figures_cache.watched_models()}
    assert {"contracts_contract", "receivables_receipt", "receivables_commissionentry", "repairs_ticket",
            "planning_tender", "org_person", "auth_user_groups", "portal_policyversion"} <= set(watched)
    assert watched["receivables_receipt"] == "receivables" and watched["org_person"] == "common"
    for table, area in watched.items():
        assert f"portal_figures_area_{area}" in triggers.get(table, ()), table
    assert set(triggers) == set(watched)  # none elsewhere, and portal 0009's are gone
    assert not any(name.startswith("portal_figures_touch") for names in triggers.values() for name in names)
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


def test_a_calendar_change_forgets_the_figures_again_once_every_process_has_read_the_new_days(
        demo, clock, django_capture_on_commit_callbacks):
    """Each process keeps its calendar snapshot up to ``periods.CACHE_SECONDS``: a figure another process computes in
    that while after a change rests on the days from before it, under the new version. So a calendar change queues a
    second forget of every figure (run at once here: the tests' tasks run inline), one for the changes of the same
    five seconds (a year's days are saved one by one)."""
    import time
    from datetime import datetime, timedelta

    from django.core.cache import cache

    from marketing_portal import services
    from marketing_portal.models import CalendarDay

    admin = demo.user("director")
    start = datetime(2026, 12, 3, 10, 0, 1)
    clock.set(start, frozen=True)
    slot = int(time.time() // figures_cache.CALENDAR_REFRESH_SLOT)
    cache.delete_many([f"{figures_cache.CALENDAR_REFRESH_KEY}:{n}" for n in (slot, slot + 1)])  # an earlier run's

    def enter(day):
        before = figures_cache._counter()
        with django_capture_on_commit_callbacks(execute=True):
            services.calendar_day_set(day=day, kind=CalendarDay.Kind.HOLIDAY, name="测试假日", by=admin)
        return cache.get(figures_cache.COUNTER_KEY) - before

    # (on PostgreSQL the write itself moves its area's sequence, not this counter: what moves it is the forget)
    assert enter(date(2027, 5, 6)) == 1
    assert enter(date(2027, 5, 7)) == 0  # the same five seconds: that forget covers this change too
    clock.set(start + timedelta(seconds=figures_cache.CALENDAR_REFRESH_SLOT), frozen=True)
    assert enter(date(2027, 5, 10)) == 1
