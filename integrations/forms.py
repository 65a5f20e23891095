from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from marketing_portal.people import display_name
from org.models import Unit
from org.roles import Role

from .choices import RobotKind, Scope
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


class RobotForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RobotKind.choices)
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("E.g. the group it posts to: 华北区销售群."))
    webhook_url = forms.CharField(
        label=_("Webhook address"), max_length=400,
        help_text=_("WeCom: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; "
                    "DingTalk: https://oapi.dingtalk.com/robot/send?access_token=…"))
    secret = forms.CharField(label=_("Signing secret (DingTalk, 加签)"), max_length=120, required=False,
                             help_text=_("Only for a DingTalk robot in signed mode: the secret starting with SEC."))
    unit = forms.ModelChoiceField(label=_("For the unit"), queryset=Unit.objects.order_by("name"), required=False)
    person = forms.ModelChoiceField(label=_("Or for one person"), required=False,
                                    queryset=get_user_model().objects.filter(is_active=True, person__isnull=False)
                                    .select_related("person").order_by("person__name"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].label_from_instance = display_name
