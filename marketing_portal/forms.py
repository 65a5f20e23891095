from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .policy import FIELDS

# Sane limits for what people type (issue 13): every form of every app uses them, a test walks the forms.
FIRST_DATE = date(1950, 1, 1)  # older than any equipment, contract or record the portal keeps
LAST_DATE = date(2099, 12, 31)  # far beyond any term; period ends counted from it stay computable
SEARCH_MAX = 100  # a search box
LINE_MAX = 500  # a one-line note
TEXT_MAX = 5000  # a comment, a description, a letter's text (about three pages of Chinese)
# The most rows one formset may carry: its own max_num (default) and never more (absolute_max, validate_max).
FORMSET_MAX = 100


# What a typed date may look like: 2026-06-15, 2026/6/15, 2026.6.15 or 2026年6月15日 (the zh-Hans input formats).
# No character classes: Chromium compiles ``pattern`` with the ``v`` flag, where an unescaped ``-`` in one is an
# error that silently drops the check.
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
DATE_PATTERN = r"\d{4}(-|/|\.|年)\d{1,2}(-|/|\.|月)\d{1,2}日?"


class DateInput(forms.DateInput):
    """A date typed as text and shown as ``2026-06-15`` (issue 12, point c).

    Not ``type="date"``: Chromium draws the native field in the browser's own locale — ``mm/dd/yyyy`` and a
    value read ``06/15/2026`` on an English phone, whatever ``lang`` the page or the input says — so a date
    would read differently on every device. A text field with the placeholder 年-月-日 and a pattern reads the
    same everywhere; the server accepts the zh-Hans formats (``-``, ``/``, ``.``, 年月日).
    """

    input_type = "text"

    def __init__(self, attrs=None, **kwargs):
        attrs = {"placeholder": _("YYYY-MM-DD"), "pattern": DATE_PATTERN, "inputmode": "text",
                 "autocomplete": "off", "maxlength": "11", "title": _("A date such as 2026-06-15"),
                 "class": "date-input", **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d", **kwargs)


class DateField(forms.DateField):
    """A date between FIRST_DATE and LAST_DATE (year 9999 or year 1 is refused); the one date field of every form.

    Without the bounds a date like 9999-01-01 is stored and every page computing a period end from it fails.
    """

    widget = DateInput
    default_error_messages = {"out_of_range": _("Enter a date between %(first)s and %(last)s.")}

    def __init__(self, *args, first: date = FIRST_DATE, last: date = LAST_DATE, **kwargs):
        self.first, self.last = first, last  # a form with a range of its own (the calendar's years) names it
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not self.first <= value <= self.last:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range",
                                  params={"first": self.first.isoformat(), "last": self.last.isoformat()})


class DateTimeField(forms.DateTimeField):
    """A moment on a day between FIRST_DATE and LAST_DATE (the date-and-time twin of ``DateField``)."""

    default_error_messages = DateField.default_error_messages

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_DATE <= value.date() <= LAST_DATE:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range",
                                  params={"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()})


def date_in_range(value) -> bool:
    """Whether a date read outside a form (a query parameter, an import) lies in the sane range."""
    return value is not None and FIRST_DATE <= value <= LAST_DATE


def capped_formset(form, *, max_num: int = FORMSET_MAX, **kwargs):
    """``formset_factory`` with a hard ceiling: a post claiming 100,000 forms is refused before any is built."""
    return forms.formset_factory(form, max_num=max_num, absolute_max=max_num, validate_max=True, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files chosen at once: ``cleaned_data`` is a list (empty when none), each file checked alone.

    ``accept`` narrows the browser's picker (``"image/*"``); ``capture`` opens a phone's camera.
    """

    def __init__(self, *args, accept: str | None = None, capture: str | None = None, **kwargs):
        attrs = {k: v for k, v in (("accept", accept), ("capture", capture)) if v}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class PolicyChangeForm(forms.Form):
    """One text field per policy value: parsing (and its messages) is the policy module's job."""

    reason = forms.CharField(label=_("Reason for the change"), max_length=300, widget=forms.TextInput())

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in FIELDS:
            value = getattr(policy, spec.key)
            initial = ", ".join(str(v) for v in value) if spec.kind == "int_list" else value
            if spec.kind == "bool":
                self.fields[spec.key] = forms.ChoiceField(
                    label=spec.label, choices=[("1", _("Yes")), ("0", _("No"))], initial="1" if value else "0",
                    help_text=spec.help_text,
                )
            else:
                self.fields[spec.key] = forms.CharField(
                    label=spec.label, initial=initial, help_text=spec.help_text, max_length=60
                )
            self.fields[spec.key].unit = spec.unit
            self.fields[spec.key].group = spec.group

    def changes(self, policy) -> dict:
        """Only the values the user actually changed."""
        changed = {}
        for spec in FIELDS:
            raw = self.cleaned_data.get(spec.key)
            try:
                if spec.parse(raw) == getattr(policy, spec.key):
                    continue
            except ValidationError:
                pass  # malformed: hand it on so the policy module reports it
            changed[spec.key] = raw
        return changed


def choices_by_name(field) -> None:
    """Draw a user choice field's options from values (the user's id, ``people.name_shown``), read when the list is
    drawn: a list of two hundred handlers otherwise loads each user and person only for a name. The queryset is
    set first; the choice made is still checked against it. Read once for the field: a ``<select>`` asks for its
    choices twice (its first option decides the ``required`` attribute), and each time was the query again."""
    from .people import name_shown

    drawn: list = []

    def choices() -> list:
        if not drawn:
            drawn.extend([("", field.empty_label), *(
                (pk, name_shown(*names)) for pk, *names in field.queryset.values_list(
                    "pk", "person__name", "first_name", "last_name", "username"))])
        return drawn

    field.choices = choices
