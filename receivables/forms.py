"""Forms of the receivables pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from marketing_portal.forms import SEARCH_MAX, TEXT_MAX, DateField, DateInput, choices_by_name
from marketing_portal.people import display_name

from .choices import ImportKind, ProjectStage


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def sales_owners():
    from org.roles import Role

    return (get_user_model().objects.filter(is_active=True, person__isnull=False, groups__name__in=[
        Role.SALESPERSON, Role.REGIONAL_MANAGER, Role.SALES_MANAGER]).select_related("person").distinct()
        .order_by("username"))


class ProjectFilterForm(forms.Form):
    q = forms.CharField(max_length=SEARCH_MAX, label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Project, number, customer")}))
    stage = forms.ChoiceField(label=_("Stage"), required=False,
                              choices=[("", _("All stages")), ("open", _("All open receivables")),
                                       *ProjectStage.choices])
    region = forms.ChoiceField(label=_("Region"), required=False)
    attention = forms.ChoiceField(label=_("Attention"), required=False, choices=[
        ("", _("Everything")), ("deducted", _("With deductions")), ("suspension", _("Collection-only duty"))])
    # Opened from a home card: the next deadline falls in these days.
    due_from = DateField(label=_("Next deadline from"), required=False, widget=forms.HiddenInput)
    due_to = DateField(label=_("Next deadline to"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from org.models import Region

        self.fields["region"].choices = [("", _("All regions"))] + [
            (r.code, r.name) for r in Region.objects.filter(active=True)]


class AgingFilterForm(ProjectFilterForm):
    by = forms.ChoiceField(label=_("By"), required=False, choices=[
        ("project", _("Project")), ("owner", _("Sales owner")), ("region", _("Region")), ("customer", _("Customer"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["stage"]
        del self.fields["attention"]


class RegisterForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Signed sales contract"), queryset=None)
    commission_base = forms.DecimalField(label=_("Commission base (yuan)"), max_digits=14, decimal_places=2,
                                         min_value=0, required=False,
                                         help_text=_("Leave empty to use the contract amount."))

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = lambda c: f"{c.archive_number or '—'} {c.title}（{c.customer}）"


class AcceptanceForm(forms.Form):
    report_date = DateField(label=_("Date of the acceptance report"), widget=DateInput())
    notice = forms.CharField(max_length=TEXT_MAX,
                             label=_("Completion notice"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The written notice that the works are complete."))
    report_scan = forms.FileField(label=_("Acceptance report (scan, PDF or image)"))
    notice_scan = forms.FileField(label=_("Signed completion notice (scan, optional)"), required=False)


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    issued_on = DateField(label=_("Invoice date"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0.01)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReceiptForm(forms.Form):
    received_on = DateField(label=_("Received on"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0.01)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60, required=False)
    payer = forms.CharField(label=_("Payer"), max_length=120, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CommissionForm(forms.Form):
    commission_base = forms.DecimalField(label=_("Commission base (yuan)"), max_digits=14, decimal_places=2,
                                         min_value=0)
    rate_percent = forms.DecimalField(label=_("Commission rate (%)"), max_digits=5, decimal_places=2, min_value=0,
                                      max_value=100)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput())


class ReassignForm(forms.Form):
    to_owner = UserChoiceField(label=_("New sales owner"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    open_items = forms.CharField(max_length=TEXT_MAX, label=_("Open items handed over"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_owner"].queryset = sales_owners()
        choices_by_name(self.fields["to_owner"])


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan, negative to take away)"), max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AdjustmentDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment (required when rejecting)"), max_length=300, required=False)


class AgreementUploadForm(forms.Form):
    signed_on = DateField(label=_("Signed on"), widget=DateInput())
    scan = forms.FileField(label=_("Signed agreement (scan)"))


class StatementIssueForm(forms.Form):
    issued_on = DateField(label=_("Issue date"), widget=DateInput())


class PayoutForm(forms.Form):
    owner = UserChoiceField(label=_("Sales owner"), queryset=None)
    paid_on = DateField(label=_("Paid on"), widget=DateInput())
    reference = forms.CharField(label=_("Payment reference"), max_length=60, required=False)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else sales_owners()


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of file"), choices=ImportKind.choices)
    file = forms.FileField(label=_("Excel file (.xlsx)"))

