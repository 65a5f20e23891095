"""The commission ledger (RCV-9), its export, and payouts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal.documents import xlsx_response
from marketing_portal.people import display_name
from marketing_portal.web import apply_errors, require_perm

from .. import forms, selectors, services
from ..choices import RULE_KINDS, EntryKind

PAGE_SIZE = 25


# Commission ledger (RCV-9) and payouts
# --------------------------------------------------------------------------------------------------
def _ledger_query(request):
    user = request.user
    visible = selectors.entries_visible_to(user)
    owners = get_user_model().objects.filter(pk__in=visible.values("owner_id")).select_related("person")
    form = forms.LedgerFilterForm(request.GET or None, owners=owners)
    qs = visible.select_related("project", "owner__person", "created_by__person")
    if form.is_valid():
        data = form.cleaned_data
        if data["owner"]:
            qs = qs.filter(owner=data["owner"])
        if data["kind"] == "rules":
            qs = qs.filter(kind__in=RULE_KINDS)
        elif data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["date_from"]:
            qs = qs.filter(entry_date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(entry_date__lte=data["date_to"])
    if request.GET.get("project", "").isdigit():
        qs = qs.filter(project_id=int(request.GET["project"]))
    return form, qs


@login_required
def ledger_view(request):
    require_perm(request, "receivables.see_commission")
    form, qs = _ledger_query(request)
    page = Paginator(qs.order_by("-entry_date", "-pk"), 50).get_page(request.GET.get("page"))
    balances = selectors.ledger_balances(qs)
    deductions = qs.filter(kind__in=[EntryKind.DEDUCTION, EntryKind.FORFEITURE]).aggregate(s=Sum("amount"))["s"]
    return render(request, "receivables/ledger.html", {
        "filter_form": form, "page": page, "balances": balances, "deductions": deductions or 0,
        "total": sum((b["balance"] for b in balances), 0), "tab": "ledger"})


@login_required
def ledger_export(request):
    require_perm(request, "receivables.see_commission")
    _form, qs = _ledger_query(request)

    def rows():
        for e in qs.order_by("entry_date", "pk").iterator(chunk_size=2000):
            yield [e.entry_date, e.project.number, e.project.name, display_name(e.owner), e.get_kind_display(),
                   e.get_stage_display() if e.stage else "", e.step, e.percent, e.amount, e.policy_version, e.reason,
                   timezone.localtime(e.created_at)]

    headers = [_("Date"), _("Project number"), _("Project"), _("Sales owner"), _("Kind"), _("Stage"), _("Step"),
               _("Share of the commission (%)"), _("Amount (yuan)"), _("Policy version"), _("Reason"),
               _("Posted at")]
    return xlsx_response(_("Commission ledger %(day)s.xlsx") % {"day": timezone.localdate().isoformat()},
                         sheet_title=_("Commission ledger"), headers=headers, rows=rows(), money_columns=[8],
                         widths=[12, 14, 30, 10, 14, 10, 6, 10, 14, 8, 50, 18])


@login_required
def payout_view(request):
    user = request.user
    require_perm(request, "receivables.see_payouts")
    owner_ids = (selectors.entries_visible_to(user).order_by().values("owner_id").annotate(s=Sum("amount"))
                 .exclude(s=0).values_list("owner_id", flat=True))
    owners = get_user_model().objects.filter(pk__in=list(owner_ids)).select_related("person").order_by("username")
    summary = []
    for owner in owners:
        rows = services.payable_for(owner)
        summary.append({"owner": owner, "payable": sum((r["balance"] for r in rows if r["payable"]), 0),
                        "recover": sum((-r["balance"] for r in rows if r["recover"]), 0),
                        "pending": sum((r["balance"] for r in rows if r["balance"] > 0 and not r["payable"]), 0)})
    form = forms.PayoutForm(request.POST or None, owners=owners, initial={"paid_on": timezone.localdate()})
    if request.method == "POST":
        require_perm(request, "receivables.pay_commission")
        if form.is_valid():
            try:
                payout = services.commission_payout(owner=form.cleaned_data["owner"], by=user,
                                                    paid_on=form.cleaned_data["paid_on"],
                                                    reference=form.cleaned_data["reference"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Payout of %(net)s recorded.") % {"net": payout.net})
                return redirect("receivables:payouts")
    payouts = selectors.payouts_visible_to(user).select_related("owner__person", "created_by__person")[:50]
    return render(request, "receivables/payouts.html", {
        "summary": summary, "form": form, "payouts": payouts, "tab": "payouts"})


# --------------------------------------------------------------------------------------------------
