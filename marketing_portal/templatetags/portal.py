from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import format_html

from ..money import capital_yuan, format_yuan

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
    if user is None:
        return ""
    try:
        return user.person.name
    except (AttributeError, ObjectDoesNotExist):  # a login without a person record (e.g. a superuser)
        return user.get_full_name() or user.get_username()


@register.simple_tag
def status_badge(label, tone="secondary"):
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, label)


@register.inclusion_tag("includes/history.html")
def history_of(obj, limit=50):
    """The audit trail of a record (SPEC X-3): who changed what, when, and the values before and after."""
    rows = []
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            try:
                delta = record.diff_against(previous)
                for change in delta.changes:
                    field = record.instance_type._meta.get_field(change.field)
                    changes.append((getattr(field, "verbose_name", change.field), change.old, change.new))
            except Exception:  # noqa: BLE001 - a diff we cannot compute is left out, the record stays
                changes = []
        rows.append({"record": record, "changes": changes})
    return {"rows": rows}


@register.inclusion_tag("includes/attachments.html", takes_context=True)
def attachments_of(context, obj, slot=None):
    from ..files import attachments_of as _attachments_of

    return {"attachments": _attachments_of(obj, slot), "request": context.get("request")}


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
