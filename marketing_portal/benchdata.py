"""What every app's ``bench.py`` uses to write the benchmark data set (``manage.py seed_bench``, issue 13).

Each app may have a module ``<app>.bench`` with ``run(ctx: BenchContext)``; ``seed_bench`` calls them in
INSTALLED_APPS order (the dependency order), after the demo data, so an app reads what the apps to its left
wrote from the database and never imports anything to its right. Rows are written in bulk (``bulk``: multi-row
INSERTs of ``BATCH`` rows), the way the services would have stored them, with the history rows the
services' saves would have left (``history``), dated over ten years.
"""

from __future__ import annotations

import json
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .figures_cache import figures_changed

BATCH = 5000

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红波宁健文斌琳晨浩宇欣怡子涵雨轩博俊凯亮"
    "峰林海燕雪梅春晓东志国庆"
)


@dataclass
class BenchContext:
    """Shared by the apps' ``run``: the scale, one seeded random source, the ten years, progress output."""

    scale: float
    rng: random.Random
    today: date
    stdout: object = None
    counts: dict = field(default_factory=dict)

    @property
    def first_day(self) -> date:
        return self.today.replace(year=self.today.year - 10)

    def n(self, full: int, minimum: int = 1) -> int:
        """How many rows a figure given for scale 1 makes at this scale."""
        return max(minimum, round(full * self.scale))

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def day_in_ten_years(self, growth: float = 0.12) -> date:
        """A day of the last ten years, later years more likely (the company grows ``growth`` a year)."""
        span = (self.today - self.first_day).days
        # Inverse of an exponential density on [0, 1]: u -> log(1 + u (e^(g·10) − 1)) / (g·10).
        import math

        k = growth * 10
        u = self.rng.random()
        x = math.log1p(u * (math.exp(k) - 1)) / k
        return self.first_day + timedelta(days=min(span - 1, int(x * span)))

    def moment(self, day: date, start_hour: int = 8, end_hour: int = 18) -> datetime:
        """An aware datetime in working hours (Beijing time) on ``day``."""
        return datetime(day.year, day.month, day.day, self.rng.randint(start_hour, end_hour - 1),
                        self.rng.randint(0, 59), self.rng.randint(0, 59), tzinfo=timezone.get_current_timezone())

    def person_name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def mobile(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}"

    def pick(self, weighted: dict):
        """One key of ``{value: weight}``."""
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]


def bulk(ctx: BenchContext | None, model, objs: list, *, label: str | None = None) -> list:
    """Write ``objs`` with PostgreSQL's COPY (primary keys taken from the table's sequence first and set on the
    objects, so later rows can point at them); counted per table. Values are what the ORM would write
    (``get_db_prep_save``); defaults and ``auto_now`` fields are filled as a save would."""
    from django.db import connection

    started = time.perf_counter()
    if objs:
        meta = model._meta
        fields = [f for f in meta.concrete_fields]
        pk = meta.pk
        need = [o for o in objs if getattr(o, pk.attname) is None]
        if need and isinstance(pk, models.fields.AutoFieldMixin):
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [meta.db_table, pk.column, len(need)])
                for obj, (value,) in zip(need, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, value)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
                relations = [f for f in fields if f.is_relation]
                # Plain values go to COPY as they are (psycopg writes str, int, bool, Decimal, date, aware
                # datetimes); JSON is written as its text; auto_now fields are filled as a save would.
                plan = [(f.attname, isinstance(f, models.JSONField),
                         getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False), f) for f in fields]
                for obj in objs:
                    for f in relations:  # a parent given as an object, saved after this one was built
                        if getattr(obj, f.attname) is None and f.is_cached(obj):
                            parent = f.get_cached_value(obj)
                            if parent is not None:
                                setattr(obj, f.attname, parent.pk)
                    row = []
                    for attname, is_json, auto, f in plan:
                        value = f.pre_save(obj, add=True) if auto else getattr(obj, attname)
                        if is_json and value is not None:
                            value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
                        row.append(value)
                    copy.write_row(row)
        for obj in objs:
            obj._state.adding = False
            obj._state.db = "default"
        # COPY sends no signal: the cached figures are told after the commit (the tables' triggers count it too).
        figures_changed()
    if ctx is not None:
        key = label or model._meta.db_table
        rows, seconds = ctx.counts.get(key, (0, 0.0))
        ctx.counts[key] = (rows + len(objs), seconds + time.perf_counter() - started)
    return objs


_HISTORY_MODELS: dict = {}


def _history_model(model):
    if model not in _HISTORY_MODELS:
        hmodel = model.history.model  # the descriptor builds a manager on every access: once per model
        names = {f.attname for f in hmodel._meta.fields}
        _HISTORY_MODELS[model] = (hmodel, [f.attname for f in model._meta.concrete_fields if f.attname in names])
    return _HISTORY_MODELS[model]


def history(obj, *, when: datetime, by=None, kind: str = "+", reason: str = "", **changes):
    """The history row (django-simple-history) a service's save of ``obj`` would have left, with ``changes``."""
    hmodel, attnames = _history_model(obj.__class__)
    values = {name: getattr(obj, name) for name in attnames}
    values.update(changes)
    return hmodel(**values, history_date=when, history_type=kind, history_change_reason=reason or None,
                  history_user_id=getattr(by, "pk", by))


@contextmanager
def stored_dates(*models):
    """Within: ``auto_now`` / ``auto_now_add`` fields keep the dates set on the objects (ten years of them)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Numbers:
    """Numbers of a series taken in bulk: ``take(year)`` gives the next one after what the counter (and every
    number taken before) holds; ``save()`` moves the counters on, so numbers issued later by the services
    (``marketing_portal.numbering.next_number``) follow the benchmark's without a clash."""

    def __init__(self, series: str):
        from .models import NumberCounter

        self.series = series
        self.last = dict(NumberCounter.objects.filter(series=series).values_list("year", "last"))

    def take(self, year: int) -> int:
        self.last[year] = self.last.get(year, 0) + 1
        return self.last[year]

    def save(self) -> None:
        from .models import NumberCounter

        for year, last in self.last.items():
            NumberCounter.objects.update_or_create(series=self.series, year=year, defaults={"last": last})
