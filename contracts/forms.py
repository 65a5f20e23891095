"""Forms of the contracts pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketing_portal.files import DOCUMENTS, accepted_help
from marketing_portal.forms import (
    LINE_MAX,
    TEXT_MAX,
    DateField,
    DateInput,
    MultipleFileField,
    capped_formset,
    choices_by_name,
)
from marketing_portal.people import display_name

from . import selectors
from .choices import (
    DUE_DILIGENCE_POINTS,
    Conclusion,
    ContractKind,
    DeadlineBasis,
    Direction,
    DisputeStatus,
    DraftedBy,
    Rating,
    Relation,
)
from .models import Customer, TemplateVersion


def _region_field():
    from org.models import Region

    return forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.filter(active=True))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def _by_unit(users) -> list:
    """Choices grouped by the person's unit (``<optgroup>``), in the org chart's order."""
    groups: dict[str, list] = {}
    for user in users:
        unit = getattr(getattr(user, "person", None), "unit", None)
        groups.setdefault(unit.name if unit else _("Other"), []).append((user.pk, display_name(user)))
    return list(groups.items())


def _searchable() -> dict:
    """A search box above the list (static/js/select_search.js)."""
    return {"data-searchable": "1", "data-search-placeholder": _("Type a name to filter")}


def _active_users():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, person__isnull=False).select_related("person") \
        .order_by("person__unit__order", "username")


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Full legal name"), max_length=120)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30,
                                  help_text=_("18 characters; the last one is a check digit."))
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    notes = forms.CharField(max_length=TEXT_MAX,
                            label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = _region_field()


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Contact name"), max_length=40)
    position = forms.CharField(label=_("Position"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)


class DueDiligenceForm(forms.Form):
    investigated_on = DateField(label=_("Investigated on"), widget=DateInput())
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices)
    summary = forms.CharField(max_length=TEXT_MAX,
                              label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label=_("Evidence (licence, credit report, site photos …)"), required=False,
                                 help_text=accepted_help(several=True))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in DUE_DILIGENCE_POINTS:
            self.fields[f"{name}_rating"] = forms.ChoiceField(label=label, choices=Rating.choices)
            self.fields[name] = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 2}))

    def point_fields(self):
        return [(label, self[f"{name}_rating"], self[name]) for name, label in DUE_DILIGENCE_POINTS]

    def findings(self):
        data = self.cleaned_data
        return {key: data.get(key) for name, _label in DUE_DILIGENCE_POINTS for key in (name, f"{name}_rating")}


class ContractForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(), required=False,
                                      help_text=_("Sales contracts only; a construction sub-contract is with XXX."))
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False,
                                    help_text=_("Defaults to the customer's region."))
    handler = UserChoiceField(label=_("Handler"), queryset=None, required=False,
                              help_text=_("The on-site salesperson responsible (art. 7); defaults to you."))
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2)
    starts_on = DateField(label=_("Term starts"), widget=DateInput())
    ends_on = DateField(label=_("Term ends"), widget=DateInput())
    template_version = forms.ModelChoiceField(
        label=_("Standard template"), required=False,
        queryset=TemplateVersion.objects.filter(active=True, template__active=True).select_related("template"),
        help_text=_("Art. 1: use the standard or model text where there is one."))
    non_standard_reason = forms.CharField(label=_("Reason for a non-standard text"), max_length=300, required=False)
    drafted_by = forms.ChoiceField(label=_("Drafted by"), choices=DraftedBy.choices)
    is_foreign = forms.BooleanField(label=_("Foreign-related (涉外)"), required=False)
    legal_participant = UserChoiceField(label=_("Legal participant"), queryset=None, required=False,
                                        help_text=_("Required for a major or foreign-related contract (art. 7)."))
    technical_participant = UserChoiceField(label=_("Technical participant"), queryset=None, required=False,
                                            help_text=_("Required for a major or foreign-related contract (art. 7)."))
    payment_terms = forms.CharField(max_length=TEXT_MAX, label=_("Payment terms"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    cc = UserMultipleChoiceField(label=_("Copy to"), queryset=None, required=False,
                                 help_text=_("Told of the submission and of the final decision, besides the "
                                             "region's manager."))
    retention_percent = forms.DecimalField(label=_("Retention money (%)"), max_digits=5, decimal_places=2,
                                           required=False)
    warranty_months = forms.IntegerField(label=_("Warranty period (months)"), required=False, min_value=0)
    notes = forms.CharField(max_length=TEXT_MAX,
                            label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from org.models import Region

        self.fields["customer"].queryset = selectors.customers_visible_to(user).select_related("region")
        self.fields["region"].queryset = Region.objects.filter(active=True)
        self.fields["handler"].queryset = selectors.eligible_handlers()
        for part in ("legal_participant", "technical_participant"):
            # Only the staff who can take the part (legal staff for 法务, technical staff for 技术), by unit.
            field = self.fields[part]
            field.queryset = selectors.participants_for(part)
            field.choices = [("", "---------"), *_by_unit(field.queryset)]
            field.widget.attrs.update(_searchable())
        self.fields["cc"].queryset = _active_users()
        self.fields["cc"].choices = _by_unit(_active_users().select_related("person__unit"))
        self.fields["cc"].widget.attrs.update(_searchable())

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("handler") is None:
            data.pop("handler")
        return data


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    specification = forms.CharField(label=_("Specification"), max_length=200, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=3, min_value=0)
    unit = forms.CharField(label=_("Unit"), max_length=12)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=2, min_value=0)


LineFormSet = capped_formset(LineForm, extra=2, can_delete=True)


def lines_of(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("description")]


class DecisionForm(forms.Form):
    comment = forms.CharField(max_length=TEXT_MAX,
                              label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    signed_on = DateField(label=_("We signed on"), widget=DateInput())
    counterparty_signed_on = DateField(label=_("Counterparty signed on"), widget=DateInput())
    scan = forms.FileField(label=_("Scan of the signed and stamped contract"), help_text=accepted_help(DOCUMENTS))


class RegisterForm(forms.Form):
    notes = forms.CharField(label=_("Registration notes"), max_length=200, required=False)


class ArchiveForm(forms.Form):
    cabinet = forms.CharField(label=_("Cabinet"), max_length=40)
    box = forms.CharField(label=_("Box or folder"), max_length=40)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DraftFileForm(forms.Form):
    file = forms.FileField(label=_("Related document"), help_text=accepted_help())


class DraftTextForm(forms.Form):
    file = forms.FileField(label=_("Draft text"),
                           help_text=accepted_help(lead=_("The contract text the approvers read; a PDF opens in the "
                                                          "browser. ")))


class RecallForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class AmendmentForm(forms.Form):
    relation = forms.ChoiceField(label=_("Kind of agreement"), choices=Relation.choices)
    title = forms.CharField(label=_("Title"), max_length=150)
    reason = forms.CharField(max_length=TEXT_MAX,
                             label=_("What changes and why"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2,
                                help_text=_("For a supplementary agreement, its amount; for a termination "
                                            "agreement, the settlement amount (may be 0)."))
    starts_on = DateField(label=_("Term starts"), widget=DateInput())
    ends_on = DateField(label=_("Term ends"), widget=DateInput())


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_on = DateField(label=_("Planned date"), widget=DateInput(), required=False)
    done_on = DateField(label=_("Done on"), widget=DateInput(), required=False)
    notes = forms.CharField(max_length=LINE_MAX, label=_("Notes"), required=False)


class MilestoneDoneForm(forms.Form):
    done_on = DateField(label=_("Done on"), widget=DateInput())


class NonPerformanceForm(forms.Form):
    noticed_on = DateField(label=_("Noticed on"), widget=DateInput())
    description = forms.CharField(max_length=TEXT_MAX, label=_("What the counterparty did not perform"),
                                  widget=forms.Textarea(attrs={"rows": 2}))
    deadline_basis = forms.ChoiceField(label=_("Deadline for our objection"), choices=DeadlineBasis.choices,
                                       initial=DeadlineBasis.REASONABLE)
    days = forms.IntegerField(label=_("Days (statutory or agreed period)"), required=False, min_value=1,
                              max_value=3650)


class ObjectionSentForm(forms.Form):
    sent_on = DateField(label=_("Letter sent on"), widget=DateInput())
    text = forms.CharField(max_length=TEXT_MAX,
                           label=_("Content of the objection letter"), widget=forms.Textarea(attrs={"rows": 2}))
    letter = forms.FileField(label=_("Copy of the letter"), required=False)


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), max_length=500)


class ObjectionReceivedForm(forms.Form):
    received_on = DateField(label=_("Received on"), widget=DateInput())
    content = forms.CharField(max_length=TEXT_MAX,
                              label=_("What the counterparty objects to"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline_basis = forms.ChoiceField(label=_("Deadline for our reply"), choices=DeadlineBasis.choices,
                                       initial=DeadlineBasis.REASONABLE)
    days = forms.IntegerField(label=_("Days (statutory or agreed period)"), required=False, min_value=1,
                              max_value=3650)
    letter = forms.FileField(label=_("The objection letter"), required=False)


class ObjectionAnswerForm(forms.Form):
    replied_on = DateField(label=_("Replied on"), widget=DateInput())
    reply = forms.CharField(max_length=TEXT_MAX, label=_("Reply"), widget=forms.Textarea(attrs={"rows": 2}))
    letter = forms.FileField(label=_("Copy of the reply"), required=False)


class InabilityForm(forms.Form):
    occurred_on = DateField(label=_("Became known on"), widget=DateInput())
    description = forms.CharField(max_length=TEXT_MAX,
                                  label=_("What we cannot perform"), widget=forms.Textarea(attrs={"rows": 2}))
    remedy_plan = forms.CharField(max_length=TEXT_MAX, label=_("Remedy plan"), widget=forms.Textarea(attrs={"rows": 2}))
    counterparty_notified_on = DateField(label=_("Counterparty notified on"), widget=DateInput())
    notified_how = forms.CharField(label=_("How the counterparty was notified"), max_length=120)


class HandoverForm(forms.Form):
    to_handler = UserChoiceField(label=_("New handler"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    open_items = forms.CharField(max_length=TEXT_MAX,
                                 label=_("Open items handed over"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_handler"].queryset = selectors.eligible_handlers()
        choices_by_name(self.fields["to_handler"])


class LoanForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    return_due_on = DateField(label=_("Return by"), widget=DateInput())


class LoanDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)


class DisputeForm(forms.Form):
    opened_on = DateField(label=_("Arose on"), widget=DateInput())
    subject = forms.CharField(label=_("Subject"), max_length=150)
    description = forms.CharField(max_length=TEXT_MAX, label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    our_position = forms.CharField(max_length=TEXT_MAX,
                                   label=_("Our position and lawful rights to protect"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class DisputeUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DisputeStatus.choices)
    note = forms.CharField(max_length=TEXT_MAX,
                           label=_("Negotiation note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(max_length=TEXT_MAX,
                              label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    closed_on = DateField(label=_("Closed on"), widget=DateInput(), required=False)


class TemplateForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)


class TemplateVersionForm(forms.Form):
    effective_from = DateField(label=_("In force from"), widget=DateInput())
    changes = forms.CharField(max_length=TEXT_MAX,
                              label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text_file = forms.FileField(label=_("Text of this version"), help_text=accepted_help())
