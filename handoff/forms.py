"""Forms of the hand-off pages. They parse what was typed; the services decide what is allowed.

Numbers are taken as text and checked by the services, which name the line and the value that is wrong
("成本明细第 2 行，单价不能为负数") — the form then shows everything the user typed again.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketing_portal.forms import DateInput, MultipleFileField

from .choices import CostCategory, HandoffState, Party


class HandoffFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Sheet number, contract, Party A, site")}))
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), *HandoffState.choices])
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from org.models import Region

        self.fields["region"].choices = [("", _("All regions")),
                                         *Region.objects.filter(active=True).values_list("code", "name")]


class SheetForm(forms.Form):
    """Party A's requirements (HND-1)."""

    site = forms.CharField(label=_("Site"), max_length=200, required=False)
    site_contact = forms.CharField(label=_("Site contact and phone"), max_length=100, required=False)
    requirements = forms.CharField(
        label=_("Party A's specific requirements"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Technical requirements, standards, acceptance criteria, anything Party A asked for."))
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DateInput())
    planned_finish = forms.DateField(label=_("Planned completion"), required=False, widget=DateInput())
    schedule_notes = forms.CharField(label=_("Schedule notes"), max_length=300, required=False)
    attachments = MultipleFileField(label=_("Attachments"), help_text=_("Drawings, Party A's technical documents "
                                                                        "(PDF, JPEG, PNG, Word, Excel)."))

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ScopeItemForm(forms.Form):
    description = forms.CharField(label=_("Scope item"), max_length=200, required=False)
    specification = forms.CharField(label=_("Specification"), max_length=200, required=False)
    quantity = forms.CharField(label=_("Quantity"), max_length=30, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=12, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)


ScopeFormSet = forms.formset_factory(ScopeItemForm, extra=0, min_num=1, max_num=100, absolute_max=100)


class CostLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Cost head"), choices=[("", "—"), *CostCategory.choices], required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.CharField(label=_("Quantity"), max_length=30, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=12, required=False)
    unit_price = forms.CharField(label=_("Unit price (yuan)"), max_length=30, required=False)


CostLineFormSet = forms.formset_factory(CostLineForm, extra=0, min_num=1, max_num=200, absolute_max=200)


def rows_of(formset) -> list[dict]:
    """The rows of a formset as typed (its forms are all optional fields: the service judges them)."""
    return [f.cleaned_data for f in formset.forms if getattr(f, "cleaned_data", None)]


class CostingForm(forms.Form):
    notes = forms.CharField(label=_("Costing notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Assumptions, exclusions, validity of the prices."))
    attachments = MultipleFileField(label=_("Costing documents"), help_text=_("The detailed estimate (Excel or PDF)."))


class ReviewForm(forms.Form):
    suggested_amount = forms.CharField(label=_("Suggested project amount (yuan)"), max_length=30, required=False)
    comment = forms.CharField(label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Required when returning the costing: say what XXX must revise."))


class RoundForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), required=False, widget=DateInput())
    proposer = forms.ChoiceField(label=_("Proposed by"), choices=[(Party.XXX, Party.XXX.label),
                                                                  (Party.MARKETING, Party.MARKETING.label)])
    amount = forms.CharField(label=_("Proposed amount (yuan)"), max_length=30, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attachments = MultipleFileField(label=_("Documents"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()


class DecisionForm(forms.Form):
    amount = forms.CharField(label=_("Decided construction amount (yuan)"), max_length=30, required=False)
    notes = forms.CharField(label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=300, required=False)


class AttachForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class DashboardForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from org.models import Region

        self.fields["region"].choices = [("", _("All regions")),
                                         *Region.objects.filter(active=True).values_list("code", "name")]
