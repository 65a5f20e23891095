"""Forms of the repair pages. They parse what was typed; the services decide what is allowed and say why."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketing_portal.forms import DateInput, MultipleFileField

from .choices import Category, Department, TicketState


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def when_field(label, required=False):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(),
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])



class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Ticket number, unit, fault, serial number")}))
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), ("open", _("Open")), *TicketState.choices])
    category = forms.ChoiceField(label=_("Service category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    department = forms.ChoiceField(label=_("Department"), required=False,
                                   choices=[("", _("All departments")), *Department.choices])


class TicketForm(forms.Form):
    """The specialist's intake (REP-1/2): what the flow chart asks to record."""

    category = forms.ChoiceField(label=_("Service category"), choices=Category.choices)
    customer = forms.IntegerField(label=_("Customer"), required=False, widget=forms.Select)
    contract = forms.IntegerField(label=_("Contract"), required=False, widget=forms.Select)
    equipment = forms.IntegerField(label=_("Equipment"), required=False, widget=forms.Select)
    unit_name = forms.CharField(label=_("Unit's full name"), max_length=120, required=False)
    contact_name = forms.CharField(label=_("Responsible person"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    site_address = forms.CharField(label=_("Site address"), max_length=200, required=False)
    fault = forms.CharField(label=_("Specific fault"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, customers=(), contracts=(), equipment=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].widget.choices = [("", _("— not in the customer archive —")), *customers]
        self.fields["contract"].widget.choices = [("", _("— unknown —")), *contracts]
        self.fields["equipment"].widget.choices = [("", _("— unknown —")), *equipment]


class RelayForm(forms.Form):
    """销售人员维修告知: a salesperson passes the customer's call on."""

    category = forms.ChoiceField(label=_("Service category"), choices=Category.choices)
    contact_name = forms.CharField(label=_("Responsible person"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    site_address = forms.CharField(label=_("Site address"), max_length=200, required=False)
    fault = forms.CharField(label=_("Specific fault"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class EquipmentForm(forms.Form):
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=60, required=False)
    contract = forms.IntegerField(label=_("Contract"), required=False, widget=forms.Select)
    site = forms.CharField(label=_("Site address"), max_length=200, required=False)
    installed_on = forms.DateField(label=_("Installed on"), required=False, widget=DateInput())
    accepted_on = forms.DateField(label=_("Accepted on"), required=False, widget=DateInput(),
                                  help_text=_("Leave empty to use the acceptance of the contract's project."))
    warranty_months = forms.IntegerField(label=_("Warranty period (months)"), required=False, min_value=0,
                                         max_value=240, help_text=_("Leave empty to use the contract's."))
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].widget.choices = [("", _("— unknown —")), *contracts]


class ScheduleForm(forms.Form):
    onsite_at = when_field(_("Agreed on-site time"))
    department = forms.ChoiceField(label=_("Send the liaison sheet to"), choices=Department.choices)
    department_reason = forms.CharField(label=_("Why this department"), max_length=200, required=False,
                                        help_text=_("Only when it differs from the warranty scope."))
    instructions = forms.CharField(label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    """The repair feedback sheet 维修信息反馈单 on the technician's phone."""

    arrived_at = when_field(_("Arrived at"))
    departed_at = when_field(_("Left at"))
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    work_done = forms.CharField(label=_("Work done"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    parts_used = forms.CharField(label=_("Parts used"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label=_("Photos"), accept="image/*", capture="environment")
    solved = forms.ChoiceField(label=_("Result"), widget=forms.RadioSelect,
                               choices=[("yes", _("Solved")), ("no", _("Not solved"))])
    cause_analysis = forms.CharField(label=_("Cause analysis"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    signer_name = forms.CharField(label=_("Customer's name"), max_length=40, required=False)
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    signed_sheet = forms.FileField(label=_("Or a photo of the signed paper sheet"), required=False,
                                   widget=forms.ClearableFileInput(attrs={"accept": "image/*",
                                                                          "capture": "environment"}))
