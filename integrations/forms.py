from django import forms
from django.utils.translation import gettext_lazy as _

from org.roles import Role

from .choices import Scope
from .services import ALLOWED_SERVICE_ROLES, MAX_TOKEN_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("Which system or script uses it, e.g. 金蝶对接."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
                                       initial=[Scope.READ],
                                       help_text=_("Read: customers, contracts, projects, invoices, receipts, tickets, "
                                                   "ledger. Record money: invoices and receipts (Finance only)."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=MAX_TOKEN_DAYS, initial=90)


class ServiceAccountForm(forms.Form):
    name = forms.CharField(label=_("System name"), max_length=80)
    description = forms.CharField(label=_("Used for"), max_length=200, required=False,
                                  help_text=_("E.g. 凭证同步：每晚读取回款并登记银行流水。"))
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(r.value, r.label) for r in Role if r in ALLOWED_SERVICE_ROLES],
        help_text=_("What the system may see and do follows these roles, as for a person."))
