from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay
from .policy import FIELDS
from .services import FIRST_YEAR, LAST_YEAR


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=60, required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(
                _("This date is outside the calendar (years %(first)s to %(last)s).")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day


class PeriodCheckForm(forms.Form):
    start = forms.DateField(label=_("Event date"), widget=DateInput())
    days = forms.IntegerField(label=_("Days"), min_value=0, max_value=3650, initial=0, required=False)
    months = forms.IntegerField(label=_("Months"), min_value=0, max_value=120, initial=0, required=False)

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not FIRST_YEAR <= start.year <= LAST_YEAR - 11:
            raise ValidationError(_("This date is outside the calendar."))
        return start


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
