"""The hand-off register and its export, the orders waiting for a sheet, and raising a sheet (HND-1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import ContractLine
from contracts.selectors import contracts_visible_to
from marketing_portal import lists
from marketing_portal.deadlines import dated, mark_text
from marketing_portal.documents import xlsx_response
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors, field_errors, require_perm
from org.rules import collection_only_reason

from .. import forms, selectors, services
from ..choices import CostingState, HandoffState
from ..filters import HandoffFilter

PAGE_SIZE = 25



# The register and its export
# --------------------------------------------------------------------------------------------------
def _filtered(request):
    """The register's filters (the list kernel) on the hand-offs the user may see."""
    return lists.filtered(request, HandoffFilter, selectors.handoff_list(request.user))


@login_required
def handoff_list_view(request):
    require_perm(request, "handoff.use_handoffs")
    context = lists.list_context(request, HandoffFilter, selectors.handoff_list(request.user), page_size=PAGE_SIZE)
    page = context["page"]
    today = timezone.localdate()
    rows = []
    for handoff in page:
        costing = selectors.current_costing(handoff)
        due, overdue = None, False
        if costing is not None and handoff.state == HandoffState.COSTING:
            due = costing.due_on
        elif costing is not None and handoff.state == HandoffState.REVIEW:
            due = costing.review_due_on
        if due is not None:
            overdue = due < today
        rows.append({"handoff": handoff, "costing": costing, "due": due, "overdue": overdue})
    return render(request, "handoff/list.html", {**context, "rows": rows})


@login_required
def handoff_export(request):
    """The hand-off register as an Excel file, built row by row and streamed (only what the user may see)."""
    require_perm(request, "handoff.use_handoffs")
    qs = _filtered(request).rows
    # Party A's price only for those who may see the sales contract (XXX may not, X-2).
    sales_seen = set(contracts_visible_to(request.user).filter(pk__in=qs.values("contract_id"))
                     .values_list("pk", flat=True))

    def rows():
        for h in qs.iterator(chunk_size=500):
            costings = sorted(h.costings.all(), key=lambda c: c.version)
            last = costings[-1] if costings else None
            accepted = next((c for c in reversed(costings) if c.state == CostingState.ACCEPTED), None)
            yield [
                h.number, h.get_state_display(), h.contract.title, h.party_a, h.contract.region.name,
                h.line.description, h.line.amount if h.contract_id in sales_seen else None, h.site,
                timezone.localtime(h.issued_at),
                len(costings), last.due_on if last else None, mark_text(last.due_on if last else None),
                timezone.localtime(last.submitted_at) if last and last.submitted_at else None,
                last.review_due_on if last else None, mark_text(last.review_due_on if last else None),
                timezone.localtime(last.reviewed_at) if last and last.reviewed_at else None,
                last.total if last else None, accepted.suggested_amount if accepted else None,
                h.construction_contract.amount if h.construction_contract_id else None,
                h.construction_contract.title if h.construction_contract_id else "",
            ]

    headers = [_("Sheet number"), _("State"), _("Sales contract"), _("Party A"), _("Region"), _("Order line"),
               _("Main-contract amount (yuan)"), _("Site"), _("Issued at"), _("Costing versions"), _("Costing due"),
               _("Calendar basis"), _("Costing submitted at"), _("Review due"), _("Calendar basis"), _("Reviewed at"),
               _("Costed total (yuan)"),
               _("Suggested amount (yuan)"), _("Construction amount (yuan)"), _("Construction contract")]
    filename = _("Hand-off register %(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
    return xlsx_response(filename, sheet_title=_("Hand-off register"), headers=headers, rows=rows(),
                         money_columns=[6, 16, 17, 18],
                         widths=[14, 16, 30, 28, 8, 24, 16, 24, 16, 8, 12, 12, 16, 12, 12, 16, 16, 16, 16, 34])


@login_required
def orders_view(request):
    """Order lines of signed sales contracts waiting for a liaison sheet."""
    require_perm(request, "handoff.use_handoffs")
    blocked = collection_only_reason(request.user, work="handoffs")
    lines = selectors.orders_open_for(request.user)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "handoff/orders.html", {"page": page, "blocked": blocked})


def _scope_initial(line: ContractLine) -> list[dict]:
    return [{"description": line.description, "specification": line.specification,
             "quantity": f"{line.quantity.normalize():f}", "unit": line.unit}]


@login_required
def handoff_create_view(request, line_pk):
    require_perm(request, "handoff.use_handoffs")
    line = get_object_or_404(
        ContractLine.objects.select_related("contract__customer", "contract__region", "contract__handler__person"),
        pk=line_pk, contract__in=contracts_visible_to(request.user))
    problems = services.raise_problems(by=request.user, line=line)
    if problems:
        for problem in problems:
            messages.error(request, problem)
        existing = line.handoffs.exclude(state=HandoffState.CANCELLED).first()
        return redirect(existing if existing and selectors.handoffs_visible_to(request.user).filter(
            pk=existing.pk).exists() else "handoff:orders")
    contract = line.contract
    initial = {"site": contract.customer.address if contract.customer_id else "",
               "planned_start": timezone.localdate(), "planned_finish": contract.ends_on}
    form = forms.SheetForm(request.POST or None, request.FILES or None, initial=initial)
    scope = forms.ScopeFormSet(request.POST or None, prefix="scope", initial=_scope_initial(line))
    if request.method == "POST" and form.is_valid() and scope.is_valid():
        data = form.service_data()
        try:
            handoff = services.handoff_create(by=request.user, line_id=line.pk,
                                              scope_items=forms.rows_of(scope), **data)
        except ValidationError as exc:
            apply_errors(form, exc)
            scope_errors = field_errors(exc, "scope_items")
        else:
            messages.success(request, _("Liaison sheet %(number)s was issued to XXX; the costing is due by %(due)s.")
                             % {"number": handoff.number, "due": dated(handoff.costings.get().due_on)})
            return redirect(handoff)
    else:
        scope_errors = []
    return render(request, "handoff/create.html", {
        "line": line, "contract": contract, "form": form, "scope": scope, "scope_errors": scope_errors,
        "policy": current_policy(),
    })


# --------------------------------------------------------------------------------------------------
