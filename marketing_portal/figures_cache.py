"""Cached figures (issue 13): aggregates over ten years (the dashboard's sections, the managers' home cards) are
computed once and read from the cache (Redis) until the data they read changes.

The key of an entry: the figure, the viewer (user id: a regional manager never reads the director's entry, X-2),
the parameters (period, region…), today's date (figures depend on it), the active language (labels are in the
figures), and the **data version**:

* On PostgreSQL, the sequence ``portal_figures_version``, bumped by a statement-level trigger (AFTER INSERT /
  UPDATE / DELETE / TRUNCATE) on every table the figures may read (``watched_models``: the business apps, the
  users and their groups and grants, the policy and the calendar) — so every write counts, through the ORM or not:
  a queryset ``update()``, ``bulk_create``, raw SQL, ``COPY``. ``nextval`` takes no row lock: writers do not queue
  on a counter. The same trigger takes a **shared** transaction-level advisory lock (writers never wait for each
  other on it), held until the writer's transaction ends. A reader reads the version, *then* asks whether another
  transaction holds that lock (one function, ``portal_figures_state()``: the two reads in that order), and stores
  what it computed only if none does. Why that is enough: a write whose bump is in the version read either
  committed before the reader's queries began (it is in the figures), or its transaction still held the lock when
  the reader looked (nothing is stored); a write bumping after the version was read moves the version, so no later
  reader asks for that entry. The reader's own uncommitted writes (it holds the lock itself) are stored only after
  its commit (``transaction.on_commit``: a rollback stores nothing).
* Everywhere (and alone on SQLite, the demo, which has no triggers): a counter in the cache, bumped after commit
  by the signals of the watched models (post_save / post_delete / m2m_changed) and by ``figures_changed()``,
  which writes that bypass signals call (the receivables sweep). ``forget()`` bumps it too (the benchmark's cold
  figures).

Anything else a figure depends on (the calendar snapshot each process keeps for a while, a write on SQLite that
neither a signal nor ``figures_changed`` sees) is bounded by the entries' lifetime, ``FIGURES_CACHE_SECONDS``
(five minutes by default; 0 turns the cache off).
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
SEQUENCE = "portal_figures_version"
TRIGGER = "portal_figures_touch"
# The advisory lock of writers to the watched tables: pg_advisory_xact_lock_shared(LOCK_CLASS, LOCK_ID).
LOCK_CLASS, LOCK_ID = 0x504F5254, 0x46494753  # "PORT", "FIGS"

# The apps whose tables the figures read (through their selectors), and the shared service's tables they read.
WATCHED_APPS = ("auth", "guardian", "org", "contracts", "handoff", "receivables", "repairs", "planning")
WATCHED_PORTAL_MODELS = ("calendarday", "calendaryear", "policyversion", "trackeddeadline")
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
        if not meta.managed or meta.proxy or issubclass(model, HistoricalChanges):
            continue
        if meta.app_label in WATCHED_APPS or (meta.app_label == "portal" and meta.model_name in WATCHED_PORTAL_MODELS):
            out.append(model)
    return out


# --------------------------------------------------------------------------------------------------
# The data version
# --------------------------------------------------------------------------------------------------
_migrated: dict[str, bool] = {}


def _state(using: str) -> tuple[object, bool, bool] | None:
    """(database version, another transaction is writing, this one has written) — PostgreSQL; (None, False, True
    inside a transaction) elsewhere, where an open transaction may hold uncommitted writes. None on a PostgreSQL
    database without migration portal 0009 (a data set built before it): no version, nothing cached."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None, False, connection.in_atomic_block
    with connection.cursor() as cursor:
        if using not in _migrated:  # once per process
            cursor.execute("SELECT to_regproc('portal_figures_state') IS NOT NULL")
            _migrated[using] = cursor.fetchone()[0]
            if not _migrated[using]:
                log.warning("figures are not cached: migration portal 0009 is not applied to this database")
        if not _migrated[using]:
            return None
        cursor.execute("SELECT version, others_writing, self_writing FROM portal_figures_state()")
        return cursor.fetchone()


def figures_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Say that the watched data changed (after the current transaction commits, or now outside one)."""
    transaction.on_commit(_bump, using=using)


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
                using: str = DEFAULT_DB_ALIAS) -> dict[str, object]:
    """``{key: compute[key]()}``, each value read from the cache when it is there for this figure ``name:key``, the
    user, ``params`` (which must include today's date when the figure depends on it), the language and the data
    version; what is missing is computed and stored (see the module's docstring for when it is not stored)."""
    state = _state(using) if lifetime() > 0 else None
    if state is None:
        return {key: fn() for key, fn in compute.items()}
    version, others_writing, self_writing = state
    scope = f"{user.pk}:{translation.get_language()}:{_digest(params)}:{version}:{_counter()}"
    keys = {key: f"figures:{name}:{key}:{scope}" for key in compute}
    found = cache.get_many(list(keys.values()))
    out, missing = {}, {}
    for key, fn in compute.items():
        if keys[key] in found:
            out[key] = found[keys[key]]
        else:
            out[key] = missing[keys[key]] = fn()
    if missing and not others_writing:
        if self_writing:  # our own uncommitted writes are in the figures: kept only if they commit
            transaction.on_commit(lambda: cache.set_many(missing, lifetime()), using=using)
        else:
            cache.set_many(missing, lifetime())
    return out


# --------------------------------------------------------------------------------------------------
# Installing the triggers (PostgreSQL), the signals (elsewhere)
# --------------------------------------------------------------------------------------------------
def install_triggers(using: str = DEFAULT_DB_ALIAS, **_kwargs) -> int:
    """Put the trigger on every watched table that does not have it yet (post_migrate: new tables included);
    returns how many were added. The sequence and the functions come from migration portal 0009."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('portal_figures_touch') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0  # migrating backwards past portal 0009
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname = %s AND c.relnamespace = 'public'::regnamespace", [TRIGGER])
        present = {row[0] for row in cursor.fetchall()}
        existing = set(connection.introspection.table_names(cursor))
        user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
        added = 0
        for table in sorted({m._meta.db_table for m in watched_models()}):
            if table in present or table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            if table == user_table:
                changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in USER_COLUMNS)
                cursor.execute(f"CREATE TRIGGER {TRIGGER} AFTER UPDATE ON {quoted} FOR EACH ROW "
                               f"WHEN ({changed}) EXECUTE FUNCTION portal_figures_touch()")
                cursor.execute(f"CREATE TRIGGER {TRIGGER}_rows AFTER INSERT OR DELETE OR TRUNCATE ON {quoted} "
                               "FOR EACH STATEMENT EXECUTE FUNCTION portal_figures_touch()")
            else:
                cursor.execute(f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quoted} "
                               "FOR EACH STATEMENT EXECUTE FUNCTION portal_figures_touch()")
            added += 1
    if added:
        log.info("figures version trigger added to %s tables", added)
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
