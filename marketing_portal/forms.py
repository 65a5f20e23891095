from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .policy import FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


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
