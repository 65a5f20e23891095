"""Cached figures (issue 13): aggregates over ten years (the dashboard's sections, the managers' home cards) are
computed once and read from the cache (Redis) until the data they read changes.

The key of an entry: the figure, the viewer (user id: a regional manager never reads the director's entry, X-2),
the parameters (period, region…), today's date (figures depend on it), the active language (labels are in the
figures), and the **data versions of the areas it reads**. The watched tables are grouped into areas by app
(``AREAS``: "common" — users, groups, grants, org chart, policy, calendar —, contracts, handoff, receivables,
repairs, planning); each figure declares the areas it reads ("common" always), and a write to another area leaves
it cached (a contract approval does not invalidate the receivables aging).

* On PostgreSQL, one sequence per area ``portal_figures_area_<area>``, bumped by a statement-level trigger (AFTER
  INSERT / UPDATE / DELETE / TRUNCATE) on every table of the area (``watched_models``) — so every write counts,
  through the ORM or not: a queryset ``update()``, ``bulk_create``, raw SQL, ``COPY``. ``nextval`` takes no row
  lock: writers do not queue on a counter. The same trigger takes the area's **shared** transaction-level advisory
  lock (writers never wait for each other on it), held until the writer's transaction ends. A reader reads every
  area's version, *then* asks which areas' locks another transaction holds (one function,
  ``portal_figures_areas()``: the two reads in that order), and stores a figure only if no other transaction holds
  the lock of an area *that figure reads*. Why that is enough: a write whose bump is in the version read either
  committed before the reader's queries began (it is in the figures), or its transaction still held the lock when
  the reader looked (nothing is stored); a write bumping after the version was read moves the version, so no later
  reader asks for that entry; a write to an area the figure does not read changes nothing it computes. The
  reader's own uncommitted writes (it holds the lock itself) are stored only after its commit
  (``transaction.on_commit``: a rollback stores nothing). A wrong declaration would serve stale figures: the
  test of every section's SQL against its areas (tests/dashboards/test_cache.py) guards it.
* Everywhere (and alone on SQLite, the demo, which has no triggers): one counter in the cache for all areas (not
  per area: the demo has no write load to speak of), bumped after commit
  by the signals of the watched models (post_save / post_delete / m2m_changed) and by ``figures_changed()``,
  which writes that bypass signals call (the receivables sweep). ``forget()`` bumps it too (the benchmark's cold
  figures).

The calendar (working days: the deadlines' cut-offs) is read through the snapshot each process keeps for
``periods.CACHE_SECONDS``: a figure computed in that while after a change may rest on the days from before it, under
the new version. A calendar change therefore forgets every figure once more when every process has re-read the
calendar (``calendar_changed``: a task queued on commit, to run just after ``CACHE_SECONDS``). Anything else (a
write on SQLite that neither a signal nor ``figures_changed`` sees; the worker down when that task was due) is bounded
by the entries' lifetime, ``FIGURES_CACHE_SECONDS`` (an hour on PostgreSQL, five minutes on SQLite; 0 turns the
cache off).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import translation

log = logging.getLogger(__name__)

COUNTER_KEY = "portal:figures:counter"
CALENDAR_REFRESH_KEY = "portal:figures:calendar-refresh"  # a forget is queued after a calendar change …
CALENDAR_REFRESH_SLOT = 5  # … one for the changes of the same five seconds
SEQUENCE_PREFIX = "portal_figures_area_"  # one sequence per area: portal_figures_area_<area>
TRIGGER_PREFIX = "portal_figures_area_"  # the trigger of a table of area A: portal_figures_area_<A>[_rows]
# The advisory lock of writers to an area's tables: pg_advisory_xact_lock_shared(LOCK_CLASS << 32 | the OID of the
# area's sequence) (migration portal 0010, which writes these values out).
LOCK_CLASS = 0x504F5254  # "PORT"
LOCK_ID = 0x46494753  # portal 0009's single lock (LOCK_CLASS, LOCK_ID): its migration reads both names

# The areas of the watched tables, by app: a figure's key holds only the versions of the areas it reads
# (``cached_many``'s ``areas``; tests/dashboards/test_cache.py checks every section's SQL against its areas).
AREAS = {"auth": "common", "guardian": "common", "org": "common", "portal": "common",
         "contracts": "contracts", "handoff": "handoff", "receivables": "receivables", "repairs": "repairs",
         "planning": "planning"}
COMMON = "common"
# The shared service's tables the figures read (the calendar, the policy). Not the tracked deadlines: no figure
# reads them, and the services of every app write them (in "common" they would invalidate every figure).
WATCHED_PORTAL_MODELS = ("calendarday", "calendaryear", "policyversion")
WATCHED_APPS = tuple(AREAS)
# Tables of a watched app that no figure reads and that ordinary work writes often: a write there must not make
# every figure of the area be computed again. An accounting import's preview (Finance, several a day) stores its
# batch before anyone confirms it; what a confirmed import changes is written to the invoices and receipts.
UNWATCHED = {"receivables.importbatch"}
# auth_user changes on every login (last_login): only a change of these columns counts.
USER_COLUMNS = ("username", "first_name", "last_name", "email", "is_staff", "is_active", "is_superuser")


def lifetime() -> int:
    return getattr(settings, "FIGURES_CACHE_SECONDS", 300)


def watched_models() -> list:
    """The concrete models whose tables the figures may read (their history tables excepted: written only beside
    a watched table)."""
    from simple_history.models import HistoricalChanges

    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or issubclass(model, HistoricalChanges) or meta.label_lower in UNWATCHED:
            continue
        if meta.app_label == "portal":
            if meta.model_name in WATCHED_PORTAL_MODELS:
                out.append(model)
        elif meta.app_label in AREAS:
            out.append(model)
    return out


def area_of(model) -> str:
    return AREAS[model._meta.app_label]


# --------------------------------------------------------------------------------------------------
# The data version
# --------------------------------------------------------------------------------------------------
_migrated: dict[str, bool] = {}


def _state(using: str) -> dict[str, tuple[int, bool, bool]] | None:
    """{area: (its version, another transaction is writing to it, this one has)} — PostgreSQL (every version read
    before any lock is looked at: ``portal_figures_areas()``, migration portal 0010); {} elsewhere. None on a
    PostgreSQL database without migration portal 0010 (a data set built before it): no version, nothing cached."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        if using not in _migrated:  # once per process
            cursor.execute("SELECT to_regproc('portal_figures_areas') IS NOT NULL")
            _migrated[using] = cursor.fetchone()[0]
            if not _migrated[using]:
                log.warning("figures are not cached: migration portal 0010 is not applied to this database")
        if not _migrated[using]:
            return None
        cursor.execute("SELECT area, version, others_writing, self_writing FROM portal_figures_areas()")
        return {area: (version, others, own) for area, version, others, own in cursor.fetchall()}


def figures_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Say that the watched data changed (after the current transaction commits, or now outside one)."""
    transaction.on_commit(_bump, using=using)


def calendar_changed() -> None:
    """After a calendar change commits: every figure is forgotten again once each process has re-read the calendar
    (``periods.CACHE_SECONDS``), so none computed from a process's snapshot of before the change stays in the cache.
    One task for the changes of the same five seconds (a year's days are saved one by one): it runs at least
    ``CACHE_SECONDS`` after each of them."""
    from . import periods
    from .tasks import figures_forget_task

    slot = int(time.time() // CALENDAR_REFRESH_SLOT)
    if cache.add(f"{CALENDAR_REFRESH_KEY}:{slot}", 1, timeout=2 * CALENDAR_REFRESH_SLOT):
        figures_forget_task.apply_async(countdown=periods.CACHE_SECONDS + CALENDAR_REFRESH_SLOT)


def forget() -> None:
    """Every cached figure is read again (a new counter)."""
    _bump()


def _bump() -> None:
    try:
        cache.incr(COUNTER_KEY)
    except ValueError:  # not there yet (or evicted)
        _counter()


def _counter() -> int:
    """The counter; when it is missing (first use, evicted), a value no earlier entry used: the clock in ns."""
    value = cache.get(COUNTER_KEY)
    if value is None:
        cache.add(COUNTER_KEY, time.time_ns(), timeout=None)
        value = cache.get(COUNTER_KEY, 0)
    return value


def _digest(parts) -> str:
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:20]


def cached_many(name: str, user, params: tuple, compute: dict[str, Callable[[], object]], *,
                areas: dict[str, tuple[str, ...]], using: str = DEFAULT_DB_ALIAS) -> dict[str, object]:
    """``{key: compute[key]()}``, each value read from the cache when it is there for this figure ``name:key``, the
    user, ``params`` (which must include today's date when the figure depends on it), the language and the data
    version of the areas ``areas[key]`` it reads ("common" always included); what is missing is computed and
    stored — unless another transaction is writing to one of those areas (see the module's docstring)."""
    state = _state(using) if lifetime() > 0 else None
    if state is None:
        return {key: fn() for key, fn in compute.items()}
    in_atomic = connections[using].in_atomic_block
    scope = f"{user.pk}:{translation.get_language()}:{_digest(params)}:{_counter()}"
    keys, others_writing, self_writing = {}, set(), set()
    for key in compute:
        read = sorted({COMMON, *areas[key]})
        unknown = [area for area in read if area not in state and connections[using].vendor == "postgresql"]
        if unknown:  # an area without its sequence yet (no migrate since it was declared): not cached
            others_writing.add(key)
        versions = ",".join(f"{area}={state.get(area, (0,))[0]}" for area in read)
        keys[key] = f"figures:{name}:{key}:{scope}:{_digest(versions)}"
        if any(state.get(area, (0, False, False))[1] for area in read):
            others_writing.add(key)
        # our own uncommitted writes are in the figures (elsewhere than PostgreSQL: perhaps): kept only on commit
        if any(state.get(area, (0, False, False))[2] for area in read) or (not state and in_atomic):
            self_writing.add(key)
    found = cache.get_many(list(keys.values()))
    out, now, later = {}, {}, {}
    for key, fn in compute.items():
        if keys[key] in found:
            out[key] = found[keys[key]]
            continue
        out[key] = fn()
        if key in others_writing:
            continue
        (later if key in self_writing else now)[keys[key]] = out[key]
    if now:
        cache.set_many(now, lifetime())
    if later:
        transaction.on_commit(lambda: cache.set_many(later, lifetime()), using=using)
    return out


# --------------------------------------------------------------------------------------------------
# Installing the triggers (PostgreSQL), the signals (elsewhere)
# --------------------------------------------------------------------------------------------------
def install_triggers(using: str = DEFAULT_DB_ALIAS, **_kwargs) -> int:
    """Make every area's sequence and put its area's trigger on every watched table that does not have it yet
    (post_migrate: new tables and new areas included; a table whose app changed area gets the new one); returns
    how many tables were given one. The functions come from migration portal 0010."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('portal_figures_area_touch') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0  # migrating backwards past portal 0010
        for area in sorted(set(AREAS.values())):
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE_PREFIX}{area}")
        cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname LIKE %s AND c.relnamespace = current_schema()::regnamespace",
                       [TRIGGER_PREFIX.replace("_", "\\_") + "%"])
        present: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            present.setdefault(table, set()).add(name)
        existing = set(connection.introspection.table_names(cursor))
        user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
        tables = {m._meta.db_table: area_of(m) for m in watched_models()}
        added = 0
        for table, area in sorted(tables.items()):
            if table not in existing:
                continue
            trigger = f"{TRIGGER_PREFIX}{area}"
            wanted = {trigger, f"{trigger}_rows"} if table == user_table else {trigger}
            if present.get(table) == wanted:
                continue
            quoted = connection.ops.quote_name(table)
            for stale in present.get(table, ()):
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(stale)} ON {quoted}")
            call = f"portal_figures_area_touch('{area}')"
            if table == user_table:
                changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in USER_COLUMNS)
                cursor.execute(f"CREATE TRIGGER {trigger} AFTER UPDATE ON {quoted} FOR EACH ROW "
                               f"WHEN ({changed}) EXECUTE FUNCTION {call}")
                cursor.execute(f"CREATE TRIGGER {trigger}_rows AFTER INSERT OR DELETE OR TRUNCATE ON {quoted} "
                               f"FOR EACH STATEMENT EXECUTE FUNCTION {call}")
            else:
                cursor.execute(f"CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quoted} "
                               f"FOR EACH STATEMENT EXECUTE FUNCTION {call}")
            added += 1
        for table in sorted(set(present) - set(tables)):  # no longer watched (``UNWATCHED``): its trigger goes
            for stale in present[table]:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(stale)} ON {connection.ops.quote_name(table)}")
    if added:
        log.info("figures version triggers added to %s tables", added)
    return added


def _on_write(sender, **kwargs) -> None:
    if sender not in _watched:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= {"last_login"}:
        return
    figures_changed(using=kwargs.get("using") or DEFAULT_DB_ALIAS)


_watched: set = set()


def connect_signals() -> None:
    """Bump the counter after every ORM write of a watched model (SQLite; on PostgreSQL the triggers see more)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return
    _watched.update(watched_models())
    post_save.connect(_on_write, dispatch_uid="figures-post-save")
    post_delete.connect(_on_write, dispatch_uid="figures-post-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="figures-m2m")


def _on_m2m(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _on_write(sender, using=kwargs.get("using"))
