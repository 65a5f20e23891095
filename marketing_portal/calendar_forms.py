"""Forms of the working-day calendar page: one day, a whole year (notice or file), confirmation, the calculator."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .forms import DateField, DateInput
from .models import CalendarDay
from .services import FIRST_YEAR, LAST_YEAR

NOTICE_EXAMPLE = "一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。1月4日（周一）上班。"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a year is a few dozen rows; anything bigger is the wrong file


class CalendarDayForm(forms.Form):
    day = DateField(label=_("Date"), widget=DateInput(), first=date(FIRST_YEAR, 1, 1), last=date(LAST_YEAR, 12, 31),
                    error_messages={"out_of_range": _("This date is outside the calendar.")})
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


class NoticeForm(forms.Form):
    """The State Council's notice, pasted as it is published."""

    text = forms.CharField(
        label=_("Text of the notice"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": NOTICE_EXAMPLE}),
        help_text=_("Paste the notice of the General Office of the State Council as published; "
                    "you will see the days it yields before anything is saved."),
    )


class TableUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("Header date,kind,name; kind is holiday or workday (a make-up working day on a weekend)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large for a calendar (at most 2 MB)."))
        return upload


class ImportForm(forms.Form):
    """What a preview carries to the save: the days as canonical CSV, where they came from, and the
    fingerprint of the year when the preview was made."""

    payload = forms.CharField(widget=forms.HiddenInput, max_length=20000)
    source = forms.ChoiceField(choices=[("notice", "notice"), ("file", "file")], widget=forms.HiddenInput)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=32)
    text = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20000)
    file_name = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)


class ConfirmYearForm(forms.Form):
    notice = forms.CharField(
        label=_("Notice number or link"), max_length=300,
        help_text=_("e.g. 国办发明电〔2026〕7号, or the link to the notice on the government's website"),
    )


class PeriodCheckForm(forms.Form):
    start = DateField(label=_("Event date"), widget=DateInput(), first=date(FIRST_YEAR, 1, 1),
                      last=date(LAST_YEAR - 11, 12, 31),
                      error_messages={"out_of_range": _("This date is outside the calendar.")})
    days = forms.IntegerField(label=_("Days"), min_value=0, max_value=3650, initial=0, required=False)
    months = forms.IntegerField(label=_("Months"), min_value=0, max_value=120, initial=0, required=False)

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not FIRST_YEAR <= start.year <= LAST_YEAR - 11:
            raise ValidationError(_("This date is outside the calendar."))
        return start
