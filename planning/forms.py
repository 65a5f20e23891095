"""Forms of the planning pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketing_portal.forms import TEXT_MAX, DateField, DateInput, capped_formset
from marketing_portal.people import display_name
from org.models import Region
from org.roles import Role

from .choices import ReportKind, TargetPeriod, TenderResult


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def people_with(*roles):
    return (get_user_model().objects.filter(is_active=True, person__positions__role__in=roles).distinct()
            .select_related("person").order_by("person__name"))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices, widget=forms.HiddenInput)
    period = forms.CharField(max_length=20, label=_("Period"), widget=forms.HiddenInput)
    work_done = forms.CharField(max_length=TEXT_MAX,
                                label=pgettext_lazy("report", "Work done"), widget=forms.Textarea(attrs={"rows": 4}))
    customers_visited = forms.CharField(max_length=TEXT_MAX, label=_("Customers visited"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    opportunities = forms.CharField(max_length=TEXT_MAX, label=_("Opportunities"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    next_plan = forms.CharField(max_length=TEXT_MAX,
                                label=_("Plan for the next period"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(max_length=TEXT_MAX, label=_("Problems and support needed"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


class PeriodPickForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    period = forms.CharField(max_length=20,
                             label=_("Period"), help_text=_("A week like 2026-W05, a month like 2026-03."))


class CommentForm(forms.Form):
    body = forms.CharField(max_length=TEXT_MAX, label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.filter(active=True), required=False,
                                    empty_label=_("Whole marketing centre"))
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    note = forms.CharField(max_length=TEXT_MAX,
                           label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TargetRowForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.filter(active=True), required=False)
    person = PersonChoiceField(label=_("Salesperson"), queryset=people_with(Role.SALESPERSON), required=False,
                               empty_label=_("(region as a whole)"))
    period = forms.ChoiceField(label=_("Period"), choices=TargetPeriod.choices, required=False)
    period_no = forms.IntegerField(label=_("Quarter or month"), required=False, min_value=0, max_value=12)
    amount = forms.CharField(max_length=30, label=_("Target (yuan)"), required=False)


TargetFormSet = capped_formset(TargetRowForm, extra=4)


class DecisionForm(forms.Form):
    comment = forms.CharField(max_length=TEXT_MAX,
                              label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TenderForm(forms.Form):
    title = forms.CharField(label=_("Tender project"), max_length=150)
    customer = forms.ModelChoiceField(label=_("Tendering party (customer)"), queryset=None)
    tender_reference = forms.CharField(label=_("Tender reference"), max_length=60, required=False)
    budget = forms.CharField(max_length=30, label=_("Budget (yuan)"))
    documents_due_on = DateField(label=_("Bid documents due"), widget=DateInput())
    opening_on = DateField(label=_("Bid opening date"), widget=DateInput())
    clerk = PersonChoiceField(label=_("Clerk preparing the documents"), required=False,
                              queryset=people_with(Role.SALES_CLERK, Role.DESIGN_CLERK))

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class TenderEditForm(forms.Form):
    budget = forms.CharField(max_length=30, label=_("Budget (yuan)"))
    quoted_amount = forms.CharField(max_length=30, label=_("Our bid price (yuan)"), required=False)
    documents_due_on = DateField(label=_("Bid documents due"), widget=DateInput())
    opening_on = DateField(label=_("Bid opening date"), widget=DateInput())


class UploadForm(forms.Form):
    upload = forms.FileField(label=_("Bid document"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=TenderResult.choices)
    result_on = DateField(label=_("Result date"), widget=DateInput())
    winning_amount = forms.CharField(max_length=30, label=_("Winning price (yuan)"), required=False,
                                     help_text=_("Our price when we won; the winner's price when known."))
    winner = forms.CharField(label=_("Winning bidder"), max_length=120, required=False)
    note = forms.CharField(max_length=TEXT_MAX,
                           label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
