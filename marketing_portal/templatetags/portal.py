from decimal import Decimal

from django import template
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.translation import gettext

from ..money import capital_yuan, format_yuan
from ..people import display_name

register = template.Library()


@register.filter
def yuan(value):
    """``{{ amount|yuan }}`` -> ``¥1,234,567.89``."""
    return format_yuan(value)


@register.filter
def capital(value):
    """``{{ amount|capital }}`` -> ``壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分``."""
    return "" if value in (None, "") else capital_yuan(value)


@register.filter
def who(user):
    """A user as colleagues know them: the person's name, else the login name."""
    return display_name(user)


@register.simple_tag
def status_badge(label, tone="secondary"):
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, label)


class _Related:
    """The records a page of history names (by foreign key or many-to-many), read once per model for the page
    instead of once per change: the page's queries do not grow with its history."""

    def __init__(self):
        self.wanted: dict = {}
        self.loaded: dict = {}

    def want(self, model, pks) -> None:
        self.wanted.setdefault(model, set()).update(pk for pk in pks if pk not in (None, ""))

    def records(self, model) -> list:
        """The wanted records of ``model`` in the model's own order (as a filter on them would give)."""
        if model not in self.loaded:
            qs = model._default_manager.filter(pk__in=self.wanted.get(model, ()))
            if model is get_user_model():
                qs = qs.select_related("person")
            self.loaded[model] = list(qs)
        return self.loaded[model]

    def get(self, model, pk):
        if (model, "by_pk") not in self.loaded:
            self.loaded[model, "by_pk"] = {str(record.pk): record for record in self.records(model)}
        return self.loaded[model, "by_pk"].get(str(pk))


def _readable(field, value, related: _Related | None = None):
    """A stored value as people read it: choice labels, related records by name, yes/no, ¥ amounts."""
    if value is None or value == "":
        return None
    if getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.many_to_one:
        if related is None:
            related = _Related()
            related.want(field.related_model, [value])
        record = related.get(field.related_model, value)
        return who(record) if isinstance(record, get_user_model()) else (record or value)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) == 2:
        return format_yuan(value)
    return value


def _m2m_pks(field, rows) -> list:
    # simple-history gives the through rows as dicts: {"person": 1, "position": 2}.
    key = field.m2m_reverse_field_name()
    return [row[key] if isinstance(row, dict) else row for row in rows or []]


def _m2m_names(field, rows, related: _Related) -> str | None:
    pks = {str(pk) for pk in _m2m_pks(field, rows)}
    return "、".join(str(o) for o in related.records(field.related_model) if str(o.pk) in pks) or None


def _m2m_history(obj, records) -> tuple[list[str], dict]:
    """The tracked many-to-many fields of ``records`` and their rows: {(field, history_id): sorted related pks},
    one query per field for the whole history."""
    if not records:
        return [], {}
    from simple_history.utils import get_m2m_reverse_field_name

    names = [f.name for f in getattr(records[0], "_history_m2m_fields", [])]
    rows: dict = {}
    for name in names:
        reverse = get_m2m_reverse_field_name(obj._meta.get_field(name))
        through = getattr(records[0], name).model
        pairs = through.objects.filter(history_id__in=[r.history_id for r in records]).values_list(
            "history_id", f"{reverse}_id")
        for history_id, pk in pairs:
            rows.setdefault((name, history_id), []).append(pk)
    for key in rows:
        rows[key].sort()
    return names, rows


@register.inclusion_tag("includes/history.html")
def history_of(obj, limit=50, hide=""):
    """The audit trail of a record (SPEC X-3): who changed what, when, and the values before and after.

    ``hide``: comma-separated fields the viewer may not read (``{% history_of person hide="duty_status_reason" %}``);
    their changes are left out, and so is the comment of the rows that changed them (it says the same).

    In a fixed number of queries, however long the history: the rows with their authors, each tracked
    many-to-many field once, and each model the changes name once (``_Related``).
    """
    hidden = {name.strip() for name in hide.split(",") if name.strip()}
    records = list(obj.history.select_related("history_user__person")
                   .order_by("-history_date", "-history_id")[: limit + 1])
    m2m_names, m2m_rows = _m2m_history(obj, records)
    related = _Related()
    pending = []  # (record, [(field or None, change)], secret), read before any related record is looked up
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        secret = False
        if previous is not None:
            # Many-to-many fields are compared from the rows read once above (diff_against would read them for
            # every pair of records: two queries per row of the history).
            delta = record.diff_against(previous, excluded_fields=m2m_names)
            for name in m2m_names:
                old, new = m2m_rows.get((name, previous.history_id), []), m2m_rows.get((name, record.history_id), [])
                if old != new:
                    delta.changes.append(type("M2MChange", (), {"field": name, "old": old, "new": new}))
            for change in delta.changes:
                if change.field in hidden:
                    secret = True
                    continue
                try:
                    field = record.instance_type._meta.get_field(change.field)
                except FieldDoesNotExist:  # a field removed since: show the raw values
                    changes.append((None, change))
                    continue
                if field.many_to_many:
                    related.want(field.related_model, [*_m2m_pks(field, change.old), *_m2m_pks(field, change.new)])
                elif field.is_relation and field.many_to_one:
                    related.want(field.related_model, [change.old, change.new])
                changes.append((field, change))
        elif hidden and any(getattr(record, name, "") for name in hidden):
            secret = True
        pending.append((record, changes, secret))
    rows = []
    for record, changes, secret in pending:
        shown = []
        for field, change in changes:
            if field is None:
                shown.append((change.field, change.old, change.new))
            elif field.many_to_many:
                shown.append((field.verbose_name, _m2m_names(field, change.old, related),
                              _m2m_names(field, change.new, related)))
            else:
                shown.append((field.verbose_name, _readable(field, change.old, related),
                              _readable(field, change.new, related)))
        rows.append({"record": record, "changes": shown, "comment": "" if secret else record.history_change_reason})
    return {"rows": rows}


@register.inclusion_tag("includes/attachments.html", takes_context=True)
def attachments_of(context, obj, slot=None):
    from ..files import files_of

    return {"files": files_of(obj, slot), "request": context.get("request")}


@register.filter
def bs(bound_field):
    """Render a form field's widget with the Bootstrap class its kind needs (and ``is-invalid`` on errors)."""
    from django import forms

    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.filter
def when(value):
    """A date as ``2026-11-29``, a moment as ``2026-11-29 14:05`` in Beijing time."""
    from datetime import date, datetime

    from django.utils import timezone

    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else \
            value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return value or ""


@register.simple_tag
def colon() -> str:
    """The colon after a label: “：” in Chinese, “: ” in English (``{% translate "Reason" %}{% colon %}``)."""
    from django.utils.translation import pgettext

    return pgettext("after a label", ": ")


@register.simple_tag
def date_pattern() -> str:
    """The ``pattern`` of a date typed as text (``marketing_portal.forms.DateInput``), for a hand-written input."""
    from ..forms import DATE_PATTERN

    return DATE_PATTERN
