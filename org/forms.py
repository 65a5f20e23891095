from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from marketing_portal.forms import DateField, DateInput
from marketing_portal.people import display_name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        person = getattr(obj, "person", None)
        return f"{display_name(obj)}（{person.unit}）" if person else display_name(obj)


class DelegationForm(forms.Form):
    delegate = UserChoiceField(
        label=_("Delegate"),
        queryset=get_user_model().objects.filter(is_active=True, person__isnull=False).select_related(
            "person__unit").order_by("person__unit__order", "person__name"),
    )
    starts_on = DateField(label=_("From"), widget=DateInput())
    ends_on = DateField(label=_("Until (inclusive)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data
