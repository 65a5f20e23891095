"""The list kernel (issue 12, point 5): one way to filter, sort, count, total, page and export every list.

A list declares a ``ListFilterSet`` (django-filter) saying which of its fields are the number, title and customer
to search, the date of the date range, the owner, the region and the state, which columns sort and which amounts
add up; the view hands it the queryset its app's selector returns — already narrowed to what the user may see
(X-2) — and calls ``list_context`` (the page) or ``filtered`` (the export). A filter only ever narrows that
queryset, and the owner and region choices are read from it, so they list only people and regions the user sees.

The query parameters, kept in the URL (and by the pager), are the same on every list:

* ``q`` — search (number, title, customer, …);   * ``date_from``, ``date_to`` — ``YYYY-MM-DD``, inclusive;
* ``owner`` — a user id;  * ``region`` — a region code (``HB``);  * ``state`` — a state value;  * ``mine=1``;
* ``sort`` — a column key, ``-key`` descending;  * ``page``.

A list may keep an older name for one of them (``aliases = {"stage": "state"}``) and add its own filters.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .forms import DATE_FORMATS, DateInput
from .people import display_name
from .queries import in_ids, union_ids

PAGE_SIZE = 25


def _related_model(model, path: str):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def search_condition(model, path: str, word: str):
    """``path__icontains=word`` as one lookup on one table, so that each field searched is found through its own
    trigram index instead of joining and reading the whole list: a field across a foreign key becomes
    ``fk_id = ANY(ARRAY(SELECT id FROM related WHERE field ILIKE …))`` (``marketing_portal.queries.in_ids``);
    across any other relation (reverse, many-to-many), ``pk`` among the ids of the records matching through it,
    so rows are not repeated."""
    first, _sep, rest = path.partition("__")
    if not rest:
        return Q(**{f"{path}__icontains": word})
    field = model._meta.get_field(first)
    if field.concrete and (field.many_to_one or field.one_to_one):
        related = field.related_model
        return in_ids(field.attname, related._default_manager.filter(search_condition(related, rest, word))
                      .values("pk"))
    return in_ids("pk", model._default_manager.filter(**{f"{path}__icontains": word}).values("pk"))


def search_ids(model, fields, word: str):
    """The ids of the records of ``model`` where any of ``fields`` contains ``word``: the UNION ALL of one lookup
    per field (``search_condition``). Each is then a single ILIKE on one column, which PostgreSQL answers from that
    column's trigram index; an OR of them (or of them and a join) it answers by reading the whole table. The form
    for whoever sees the whole list."""
    manager = model._default_manager
    return union_ids(manager.filter(search_condition(model, field, word)).values("pk") for field in fields)


def owned_ids(model, fields, user) -> QuerySet:
    """The ids of the records of ``model`` where ``user`` is any of ``fields`` (a "mine" switch): one indexed lookup
    per field, united; a many-to-many field read from its own table (its index on the other side), not through a
    join with the model's table, so that rows are not repeated either."""
    return union_ids(_ids_where(model, field, user) for field in fields)


def _ids_where(model, field: str, value) -> QuerySet:
    model_field = None if "__" in field else model._meta.get_field(field)  # (a path: a hand-off's contract__handler)
    if model_field is not None and model_field.many_to_many and not model_field.auto_created:
        through = model_field.remote_field.through
        return through._default_manager.filter(**{model_field.m2m_reverse_field_name(): value}).values(
            model_field.m2m_field_name())
    return model._default_manager.filter(**{field: value}).values("pk")


def search_matches(model, fields, word: str) -> Q:
    """The same records as ``search_ids``, as an OR of ``search_condition`` per field on ``model``'s own table —
    the form for a viewer who sees a few hundred records: PostgreSQL tests those few. ``search_ids`` would first
    collect every match of a common word (10,000 contracts for 变电站, 100 ms a statement) to keep a handful."""
    condition = Q()
    for field in fields:
        condition |= search_condition(model, field, word)
    return condition


class ListFilterSet(django_filters.FilterSet):
    """Base of every list's filters. Subclasses set the class attributes below (``Meta.model`` as usual)."""

    search_fields: tuple[str, ...] = ()     # searched with icontains, any of them matching
    date_field: str | None = None           # the date of the range (a DateField, or ``created_at__date``)
    owner_field: str | None = None          # a path to the user who owns the record (``handler``)
    region_field: str | None = None         # a path to its region (``region``, ``contract__region``)
    state_field: str | None = None
    state_choices: tuple = ()
    mine_fields: tuple[str, ...] = ()       # "mine": the user is any of these (default: the owner)
    sorts: dict[str, tuple] = {}            # column key → (ORM field, label); a tie is broken by pk
    default_sort: tuple[str, ...] = ("-pk",)
    sums: dict[str, tuple] = {}             # total key → (ORM field, label), summed over what is filtered
    aliases: dict[str, str] = {}            # an older parameter name → the kernel's
    search_placeholder = _("Search")
    date_label = _("Date")                  # names the date of the range: 签订日期（起）/（止）

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    date_from = django_filters.DateFilter(method="filter_date_from", label=_("From"), widget=DateInput(),
                                        input_formats=DATE_FORMATS)
    date_to = django_filters.DateFilter(method="filter_date_to", label=_("To"), widget=DateInput(),
                                      input_formats=DATE_FORMATS)
    owner = django_filters.ChoiceFilter(method="filter_owner", label=_("Owner"), empty_label=_("All owners"))
    region = django_filters.ChoiceFilter(method="filter_region", label=_("Region"), empty_label=_("All regions"))
    state = django_filters.ChoiceFilter(method="filter_state", label=_("State"), empty_label=_("All states"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Mine only"), widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(method="filter_nothing", label=_("Sort"), empty_label=_("Default order"))

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        if data is not None and self.aliases:
            data = data.copy()
            for old, new in self.aliases.items():
                if old in data and new not in data:
                    data.setlist(new, data.getlist(old))
        super().__init__(data, queryset=queryset, request=request, **kwargs)
        self.user = getattr(request, "user", None)
        self.base = self.queryset  # what the user may see: choices and "mine" never leave it
        for name, needed in (("date_from", self.date_field), ("date_to", self.date_field),
                             ("owner", self.owner_field), ("region", self.region_field),
                             ("state", self.state_field), ("mine", self.owner_field or self.mine_fields),
                             ("q", self.search_fields)):
            if not needed:
                del self.filters[name]
        if "date_from" in self.filters:
            self.filters["date_from"].label = _("%(date)s from") % {"date": self.date_label}
            self.filters["date_to"].label = _("%(date)s to") % {"date": self.date_label}
        if "q" in self.filters:
            self.filters["q"].extra["widget"] = forms.TextInput(attrs={"placeholder": self.search_placeholder})
        self.filters["sort"].extra["choices"] = [
            choice for key, (_field, label) in self.sorts.items()
            for choice in ((key, f"{label} ↑"), (f"-{key}", f"{label} ↓"))]
        if "state" in self.filters:
            self.filters["state"].extra["choices"] = self.state_choices
        if "owner" in self.filters:
            self.filters["owner"].extra["choices"] = lambda: self.owner_choices
        if "region" in self.filters:
            self.filters["region"].extra["choices"] = lambda: self.region_choices

    # choices from what the user sees (one query each, only when the form is built)
    @cached_property
    def owner_choices(self) -> list[tuple[str, str]]:
        user_model = _related_model(self.base.model, self.owner_field)
        ids = self.base.order_by().values(self.owner_field)
        people = user_model.objects.filter(pk__in=ids).select_related("person")
        return sorted(((str(u.pk), display_name(u)) for u in people), key=lambda c: c[1])

    @cached_property
    def region_choices(self) -> list[tuple[str, str]]:
        region_model = _related_model(self.base.model, self.region_field)
        ids = self.base.order_by().values(self.region_field)
        return list(region_model.objects.filter(pk__in=ids).order_by("code").values_list("code", "name"))

    # the filters
    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        words = value.replace("\x00", "").split()
        for word in words:
            queryset = self.search_word(queryset, word)
        return queryset

    def search_word(self, queryset, word: str):
        """One word of the search box (every word must match): by the fields' indexes, ``search_ids``. A list whose
        viewers may see only part of it picks ``search_matches`` for them (``ContractFilter``)."""
        return queryset.filter(in_ids("pk", search_ids(queryset.model, self.search_fields, word)))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})

    def filter_owner(self, queryset, name, value):
        return queryset.filter(**{f"{self.owner_field}__pk": int(value)})

    def filter_region(self, queryset, name, value):
        return queryset.filter(**{f"{self.region_field}__code": value})

    def filter_state(self, queryset, name, value):
        return queryset.filter(**{self.state_field: value})

    def filter_mine(self, queryset, name, value):
        if not value or self.user is None:
            return queryset
        # One indexed lookup per field, unioned (an OR across a many-to-many join reads the whole table, issue 13),
        # as a subquery of ids (``owned_ids``). A plain IN (a semi-join), not ``in_ids``: beside the visible set's
        # ``= ANY(ARRAY…)`` a second array is searched element by element for every row (10,000 × 10,000 for a busy
        # technician: a second).
        return queryset.filter(pk__in=owned_ids(queryset.model, self.mine_fields or (self.owner_field,), self.user))

    # sorting, totals
    @property
    def sort_key(self) -> str:
        raw = (self.data.get("sort") or "") if self.is_bound else ""
        return raw if raw.lstrip("-") in self.sorts else ""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        key = self.sort_key
        if key:
            field = self.sorts[key.lstrip("-")][0]
            order = f"-{field}" if key.startswith("-") else field
            return queryset.order_by(order, "-pk" if key.startswith("-") else "pk")
        return queryset.order_by(*self.default_sort)

    @property
    def rows(self) -> QuerySet:
        """What is filtered, sorted: the page and the export read exactly this."""
        return self.qs

    def totals(self) -> dict:
        """``{"count": n, <sum key>: Decimal}`` of what is filtered, in one query."""
        figures = self.qs.order_by().aggregate(count=Count("pk"),
                                              **{key: Sum(field) for key, (field, _label) in self.sums.items()})
        for key in self.sums:
            figures[key] = figures[key] or Decimal("0")
        return figures

    def sum_lines(self, totals: dict) -> list[tuple[str, Decimal]]:
        return [(label, totals[key]) for key, (_field, label) in self.sums.items()]


class _CountedPaginator(Paginator):
    """A paginator told the count (from the totals query) instead of asking the database again."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count


def filtered(request, filterset_class: type[ListFilterSet], queryset: QuerySet, **options) -> ListFilterSet:
    """The list's filters bound to the request's query string (an export calls this and reads ``.rows``);
    ``options`` are the list's own keyword arguments for its filter set (``TicketFilter``'s ``visible``)."""
    return filterset_class(request.GET, queryset=queryset, request=request, **options)  # bound: default order


def list_context(request, filterset_class: type[ListFilterSet], queryset: QuerySet, *,
                 page_size: int = PAGE_SIZE, **options) -> dict:
    """What a list template needs: ``filter``, ``page`` (of what is filtered), ``totals`` and ``query``
    (the query string without the page, for the export link and the sort headers)."""
    fs = filtered(request, filterset_class, queryset, **options)
    totals = fs.totals()
    page = _CountedPaginator(fs.rows, page_size, count=totals["count"]).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    form = fs.form
    form.order_fields([*(fs._meta.fields or ()), "sort"])
    for field in form.fields.values():
        field.widget.attrs.setdefault("aria-label", str(field.label))
    return {"filter": fs, "filter_form": form, "page": page, "totals": totals, "sums": fs.sum_lines(totals),
            "query": query.urlencode()}
