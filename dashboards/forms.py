from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from . import periods
from .selectors import regions

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (an ``<input type="month">``)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-03."), code="month")
        return int(match.group(1)), int(match.group(2))


class DashboardFilterForm(forms.Form):
    """Period (month, quarter, year, custom run of months) and region, kept in the URL."""

    period = forms.ChoiceField(label=_("Period"), required=False, choices=[
        ("year", _("Year")), ("quarter", _("Quarter")), ("month", _("Month")), ("custom", _("Custom"))])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), required=False, coerce=int, empty_value=None, choices=[
        ("1", _("Q1")), ("2", _("Q2")), ("3", _("Q3")), ("4", _("Q4"))])
    month = forms.TypedChoiceField(label=_("Month"), required=False, coerce=int, empty_value=None,
                                   choices=[(str(m), _("Month %(month)s") % {"month": m}) for m in range(1, 13)])
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["region"].choices = [("", _("All regions")), *regions()]
        self.fields["period"].initial = "year"
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = str((today.month + 2) // 3)
        self.fields["month"].initial = str(today.month)

    def clean(self):
        data = super().clean()
        kind = data.get("period") or "year"
        year = data.get("year") or self.today.year
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start and "start" not in self.errors:
                self.add_error("start", _("Choose the first month of the custom period."))
            if not end and "end" not in self.errors:
                self.add_error("end", _("Choose the last month of the custom period."))
            if start and end:
                if end < start:
                    self.add_error("end", _("The last month is before the first month."))
                elif (end[0] - start[0]) * 12 + end[1] - start[1] + 1 > periods.MAX_MONTHS:
                    self.add_error("end", _("A custom period covers at most %(n)s months.") % {"n": periods.MAX_MONTHS})
            if not self.errors:
                data["the_period"] = periods.custom_period(start, end)
        elif kind == "quarter":
            data["the_period"] = periods.quarter_period(year, data.get("quarter") or (self.today.month + 2) // 3)
        elif kind == "month":
            data["the_period"] = periods.month_period(year, data.get("month") or self.today.month)
        else:
            data["the_period"] = periods.year_period(year)
        return data

    def chosen_period(self) -> periods.Period:
        """The chosen period; the current year when nothing valid was chosen (the errors are shown)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["the_period"]
        return periods.year_period(self.today.year)

    def chosen_region(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("region") or ""
        return ""
