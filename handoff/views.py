"""Pages of the hand-off to XXX. Thin: records are looked up through the selectors (unseen → 404), the
form is parsed, one service is called, its message is shown; on bad input the page comes back with
everything the user typed."""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.models import ContractLine
from contracts.selectors import contracts_visible_to
from marketing_portal.documents import pdf_response, render_pdf, xlsx_response
from marketing_portal.files import attachments_of
from marketing_portal.money import format_yuan
from marketing_portal.people import display_name
from marketing_portal.policy import current_policy
from marketing_portal.web import apply_errors, show_errors
from org.selectors import acting_for, is_collection_only

from . import forms, selectors, services
from .choices import CANCELLABLE_STATES, CostingState, HandoffState, Party
from .models import Costing, CostLine, Handoff, NegotiationRound, margin_of

PAGE_SIZE = 25


def _require_user(request) -> None:
    if not selectors.may_use_handoffs(request.user):
        raise Http404



def _errors_of(exc: ValidationError, key: str) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for e in exc.error_dict.get(key, []) for m in e.messages]
    return []



# --------------------------------------------------------------------------------------------------
# The register and its export
# --------------------------------------------------------------------------------------------------
def _filtered(request):
    form = forms.HandoffFilterForm(request.GET or None)
    params = {"search": "", "state": "", "region": ""}
    if form.is_valid():
        data = form.cleaned_data
        params = {"search": data["q"].strip(), "state": data["state"], "region": data["region"]}
    return form, selectors.handoff_list(request.user, **params)


@login_required
def handoff_list_view(request):
    _require_user(request)
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
    return render(request, "handoff/list.html", {
        "page": page, "rows": rows, "filter_form": form,
        "may_raise": selectors.orders_open_for(request.user).exists() or is_collection_only(request.user),
    })


@login_required
def handoff_export(request):
    """The hand-off register as an Excel file, built row by row and streamed (only what the user may see)."""
    _require_user(request)
    _form, qs = _filtered(request)
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
                len(costings), last.due_on if last else None,
                timezone.localtime(last.submitted_at) if last and last.submitted_at else None,
                last.review_due_on if last else None,
                timezone.localtime(last.reviewed_at) if last and last.reviewed_at else None,
                last.total if last else None, accepted.suggested_amount if accepted else None,
                h.construction_contract.amount if h.construction_contract_id else None,
                h.construction_contract.title if h.construction_contract_id else "",
            ]

    headers = [_("Sheet number"), _("State"), _("Sales contract"), _("Party A"), _("Region"), _("Order line"),
               _("Main-contract amount (yuan)"), _("Site"), _("Issued at"), _("Costing versions"), _("Costing due"),
               _("Costing submitted at"), _("Review due"), _("Reviewed at"), _("Costed total (yuan)"),
               _("Suggested amount (yuan)"), _("Construction amount (yuan)"), _("Construction contract")]
    filename = _("Hand-off register %(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
    return xlsx_response(filename, sheet_title=_("Hand-off register"), headers=headers, rows=rows(),
                         money_columns=[6, 14, 15, 16],
                         widths=[14, 16, 30, 28, 8, 24, 16, 24, 16, 8, 12, 16, 12, 16, 16, 16, 16, 34])


# --------------------------------------------------------------------------------------------------
# HND-1: raising a liaison sheet
# --------------------------------------------------------------------------------------------------
def _collection_only_reason(user) -> str | None:
    if not is_collection_only(user):
        return None
    try:
        services._require_not_collection_only(user)
    except ValidationError as exc:
        return exc.messages[0]
    return None  # pragma: no cover - the check above always raises


@login_required
def orders_view(request):
    """Order lines of signed sales contracts waiting for a liaison sheet."""
    _require_user(request)
    blocked = _collection_only_reason(request.user)
    lines = selectors.orders_open_for(request.user)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "handoff/orders.html", {"page": page, "blocked": blocked})


def _scope_initial(line: ContractLine) -> list[dict]:
    return [{"description": line.description, "specification": line.specification,
             "quantity": f"{line.quantity.normalize():f}", "unit": line.unit}]


@login_required
def handoff_create_view(request, line_pk):
    _require_user(request)
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
            scope_errors = _errors_of(exc, "scope_items")
        else:
            messages.success(request, _("Liaison sheet %(number)s was issued to XXX; the costing is due by %(due)s.")
                             % {"number": handoff.number, "due": handoff.costings.get().due_on.isoformat()})
            return redirect(handoff)
    else:
        scope_errors = []
    return render(request, "handoff/create.html", {
        "line": line, "contract": contract, "form": form, "scope": scope, "scope_errors": scope_errors,
        "policy": current_policy(),
    })


# --------------------------------------------------------------------------------------------------
# The hand-off page: everything on record, and the one action waiting on the user
# --------------------------------------------------------------------------------------------------
def _load(request, pk) -> Handoff:
    qs = selectors.handoffs_visible_to(request.user).select_related(
        "contract", "contract__region", "contract__handler__person", "line", "issued_by__person",
        "cancelled_by__person", "construction_contract",
    ).prefetch_related(
        "scope_items",
        Prefetch("costings", queryset=Costing.objects.order_by("version").select_related(
            "submitted_by__person", "submitted_for__person", "reviewed_by__person", "reviewed_for__person"
        ).prefetch_related(Prefetch("lines", queryset=CostLine.objects.order_by("position")))),
        Prefetch("rounds", queryset=NegotiationRound.objects.order_by("number").select_related(
            "recorded_by__person")),
    )
    return get_object_or_404(qs, pk=pk)


def _comparison(handoff: Handoff, costing, accepted, last_round, decision, *, with_main: bool) -> list[dict]:
    """Main-contract amount, XXX's costing, Finance's suggestion, the last round, the decision — with margins.

    Without ``with_main`` (XXX's users) the main-contract amount and the margins are left out.
    """
    main = handoff.line.amount
    rows = [{"label": _("Main-contract amount of the order line (Party A)"), "amount": main, "margin": None,
             "percent": None, "key": "main"}] if with_main else []

    def add(key, label, amount):
        if amount is None:
            return
        margin, percent = margin_of(main, amount) if with_main else (None, None)
        rows.append({"label": label, "amount": amount, "margin": margin, "percent": percent, "key": key})

    add("costed", _("XXX's costing"), (accepted or costing).total if (accepted or costing) else None)
    add("suggested", _("Finance's suggested amount"), accepted.suggested_amount if accepted else None)
    if last_round is not None:
        add("round", _("Last negotiation round (%(party)s)") % {"party": last_round.get_proposer_display()},
            last_round.amount)
    if decision is not None:
        add("decided", _("Marketing's decision"), decision.amount)
    return rows


def _detail_context(request, handoff: Handoff, **bound) -> dict:
    user = request.user
    today = timezone.localdate()
    costings = list(handoff.costings.all())
    live = next((c for c in reversed(costings) if c.state in (CostingState.OPEN, CostingState.SUBMITTED)), None)
    accepted = next((c for c in reversed(costings) if c.state == CostingState.ACCEPTED), None)
    rounds = list(handoff.rounds.all())
    decision = selectors.current_decision(handoff)
    state = handoff.state
    may_cost = state == HandoffState.COSTING and acting_for(user, selectors.estimators()) is not None
    may_review = state == HandoffState.REVIEW and acting_for(user, selectors.finance_reviewers()) is not None
    marketing = selectors.marketing_side(handoff)
    may_negotiate = state == HandoffState.NEGOTIATION and acting_for(
        user, selectors.xxx_negotiators() + marketing) is not None
    may_decide = state == HandoffState.NEGOTIATION and acting_for(user, selectors.deciders(handoff)) is not None
    is_marketing = acting_for(user, marketing) is not None
    round_form = bound.get("round_form") or forms.RoundForm(initial={
        "proposer": Party.XXX if acting_for(user, selectors.xxx_negotiators()) else Party.MARKETING})
    decision_form = bound.get("decision_form") or forms.DecisionForm(
        initial={"amount": f"{(rounds[-1].amount if rounds else accepted.suggested_amount):f}"} if accepted else None)
    # Party A's price and XX's margin are for those who may see the sales contract (not XXX, X-2).
    sees_sales = selectors.may_see_sales_contract(user, handoff)
    waiting_for = []
    if state == HandoffState.COSTING:
        waiting_for = selectors.estimators()
    elif state == HandoffState.REVIEW:
        waiting_for = selectors.finance_reviewers()
    elif state == HandoffState.NEGOTIATION:
        waiting_for = selectors.deciders(handoff)
    return {
        "waiting_for": waiting_for,
        "handoff": handoff, "scope_items": list(handoff.scope_items.all()), "costings": costings, "live": live,
        "accepted": accepted, "rounds": rounds, "decision": decision,
        "past_decisions": handoff.decisions.exclude(pk=decision.pk if decision else None)
        .select_related("decided_by__person", "construction_contract"),
        "comparison": _comparison(handoff, live or (costings[-1] if costings else None), accepted,
                                  rounds[-1] if rounds else None, decision, with_main=sees_sales),
        "sees_sales": sees_sales,
        "today": today,
        "may_cost": may_cost, "may_review": may_review, "may_negotiate": may_negotiate, "may_decide": may_decide,
        "may_cancel": state in CANCELLABLE_STATES and is_marketing,
        "may_attach": handoff.is_open and is_marketing,
        "show_contract_link": sees_sales,
        "show_construction_link": bool(handoff.construction_contract_id) and contracts_visible_to(user).filter(
            pk=handoff.construction_contract_id).exists(),
        "review_form": bound.get("review_form") or forms.ReviewForm(),
        "round_form": round_form, "decision_form": decision_form,
        "cancel_form": bound.get("cancel_form") or forms.CancelForm(),
        "attach_form": forms.AttachForm(),
        "sheet_files": attachments_of(handoff, "sheet"),
        "collection_only": _collection_only_reason(user),
    }


@login_required
def handoff_detail(request, pk):
    handoff = _load(request, pk)
    return render(request, "handoff/detail.html", _detail_context(request, handoff))


@login_required
def sheet_pdf(request, pk):
    """The technical liaison sheet 技术联络单 as a printable PDF in Chinese (HND-1)."""
    handoff = _load(request, pk)
    context = {"handoff": handoff, "scope_items": list(handoff.scope_items.all()),
               "files": attachments_of(handoff, "sheet"), "costing": handoff.costings.order_by("-version").first(),
               "printed_at": timezone.localtime()}
    # A company form: printed in Chinese whatever language the page is shown in.
    with translation.override("zh-hans"):
        pdf = render_pdf("handoff/pdf/sheet.html", context, request=request)
        filename = _("Technical liaison sheet %(number)s.pdf") % {"number": handoff.number}
    return pdf_response(pdf, filename)


# --------------------------------------------------------------------------------------------------
# HND-2: costing by XXX (its own page: a table of cost lines)
# --------------------------------------------------------------------------------------------------
def _line_initial(costing_list) -> list[dict]:
    previous = next((c for c in reversed(costing_list) if c.total is not None), None)
    if previous is None:
        return [{} for _ in range(3)]
    return [{"category": ln.category, "description": ln.description, "quantity": f"{ln.quantity.normalize():f}",
             "unit": ln.unit, "unit_price": f"{ln.unit_price:f}"} for ln in previous.lines.all()]


@login_required
def costing_view(request, pk):
    handoff = _load(request, pk)
    costings = list(handoff.costings.all())
    live = next((c for c in costings if c.state == CostingState.OPEN), None)
    if handoff.state != HandoffState.COSTING or live is None:
        messages.error(request, _("The hand-off %(number)s is “%(state)s”: there is no costing to submit now.")
                       % {"number": handoff.number, "state": handoff.get_state_display()})
        return redirect(handoff)
    if acting_for(request.user, selectors.estimators()) is None:
        messages.error(request, _("Only XXX's cost estimators (or someone they delegated to) can cost a liaison "
                                  "sheet."))
        return redirect(handoff)
    form = forms.CostingForm(request.POST or None, request.FILES or None)
    lines = forms.CostLineFormSet(request.POST or None, prefix="lines", initial=_line_initial(costings))
    line_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            costing = services.costing_submit(by=request.user, handoff_id=handoff.pk, lines=forms.rows_of(lines),
                                              notes=form.cleaned_data["notes"],
                                              attachments=form.cleaned_data["attachments"],
                                              costing_id=int(request.POST.get("costing") or 0) or None)
        except ValidationError as exc:
            apply_errors(form, exc)
            line_errors = _errors_of(exc, "lines")
        else:
            messages.success(request, _("Costing version %(v)s (%(total)s) was submitted to Finance; the review is due "
                                        "by %(due)s.") % {"v": costing.version, "total": format_yuan(costing.total),
                                                           "due": costing.review_due_on.isoformat()})
            return redirect(handoff)
    returned = next((c for c in reversed(costings) if c.state == CostingState.RETURNED), None)
    return render(request, "handoff/costing.html", {
        "handoff": handoff, "costing": live, "returned": returned, "form": form, "lines": lines,
        "line_errors": line_errors, "scope_items": list(handoff.scope_items.all()), "today": timezone.localdate(),
    })


# --------------------------------------------------------------------------------------------------
# HND-3, HND-4 and withdrawal: forms on the hand-off page
# --------------------------------------------------------------------------------------------------
def _rerender(request, handoff_pk, **bound):
    handoff = _load(request, handoff_pk)
    return render(request, "handoff/detail.html", _detail_context(request, handoff, **bound), status=200)


@login_required
@require_POST
def review_view(request, pk):
    handoff = _load(request, pk)
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    costing_id = int(request.POST.get("costing") or 0) or None
    try:
        if request.POST.get("decision") == "return":
            services.costing_return(by=request.user, handoff_id=handoff.pk, reason=data.get("comment", ""),
                                    costing_id=costing_id)
            messages.success(request, _("The costing was returned to XXX for revision; XXX's period restarts today."))
        else:
            costing = services.costing_suggest(by=request.user, handoff_id=handoff.pk,
                                               suggested_amount=data.get("suggested_amount", ""),
                                               comment=data.get("comment", ""), costing_id=costing_id)
            messages.success(request, _("The suggested amount %(amount)s was sent to Marketing and XXX.")
                             % {"amount": format_yuan(costing.suggested_amount)})
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            apply_errors(form, exc)
            return _rerender(request, handoff.pk, review_form=form)
        show_errors(request, exc)
    return redirect(handoff)


@login_required
@require_POST
def round_view(request, pk):
    handoff = _load(request, pk)
    form = forms.RoundForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.negotiation_record(by=request.user, handoff_id=handoff.pk, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)
                return _rerender(request, handoff.pk, round_form=form)
            show_errors(request, exc)
        else:
            messages.success(request, _("Round %(n)s was put on record.") % {"n": record.number})
            return redirect(f"{handoff.get_absolute_url()}#negotiation")
    else:
        return _rerender(request, handoff.pk, round_form=form)
    return redirect(handoff)


@login_required
@require_POST
def decide_view(request, pk):
    handoff = _load(request, pk)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    try:
        decision = services.handoff_decide(by=request.user, handoff_id=handoff.pk,
                                           amount=form.cleaned_data.get("amount", ""),
                                           notes=form.cleaned_data.get("notes", ""))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            apply_errors(form, exc)
            return _rerender(request, handoff.pk, decision_form=form)
        show_errors(request, exc)
        return redirect(handoff)
    messages.success(request, _("Decided %(amount)s. The construction contract was drafted for %(handler)s to check "
                                "and submit for approval.")
                     % {"amount": format_yuan(decision.amount), "handler": display_name(handoff.contract.handler)})
    return redirect(handoff)


@login_required
@require_POST
def cancel_view(request, pk):
    handoff = _load(request, pk)
    form = forms.CancelForm(request.POST)
    form.is_valid()
    try:
        services.handoff_cancel(by=request.user, handoff_id=handoff.pk, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            apply_errors(form, exc)
            return _rerender(request, handoff.pk, cancel_form=form)
        show_errors(request, exc)
    else:
        messages.success(request, _("The liaison sheet was withdrawn."))
    return redirect(handoff)


@login_required
@require_POST
def attach_view(request, pk):
    handoff = _load(request, pk)
    form = forms.AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(handoff)
    try:
        services.handoff_attach(by=request.user, handoff_id=handoff.pk, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The document was attached to the liaison sheet."))
    return redirect(handoff)


# --------------------------------------------------------------------------------------------------
# HND-6: on-time rates per party and month
# --------------------------------------------------------------------------------------------------
def _dashboard_params(request):
    year, region = timezone.localdate().year, ""
    form = forms.DashboardForm(request.GET or None, initial={"year": year})
    if form.is_valid():
        year = form.cleaned_data.get("year") or year
        region = form.cleaned_data.get("region") or ""
    return form, year, region


@login_required
def dashboard(request):
    _require_user(request)
    form, year, region = _dashboard_params(request)
    rates = selectors.on_time_rates(request.user, year=year, region=region)
    chart = {
        "labels": [date_format(date(year, m, 1), "YEAR_MONTH_FORMAT") for m in range(1, 13)],
        "xxx": [float(r["rate"]) if r["rate"] is not None else None for r in rates[Party.XXX]["months"]],
        "finance": [float(r["rate"]) if r["rate"] is not None else None for r in rates[Party.FINANCE]["months"]],
        "xxx_label": str(_("XXX costing")), "finance_label": str(_("Finance review")),
    }
    return render(request, "handoff/dashboard.html", {
        "form": form, "year": year, "region": region, "rates": rates, "chart_json": json.dumps(chart),
        "xxx": rates[Party.XXX], "finance": rates[Party.FINANCE], "counts": selectors.waiting_counts(request.user),
        "states": HandoffState,
    })


@login_required
def dashboard_export(request):
    _require_user(request)
    _form, year, region = _dashboard_params(request)
    rates = selectors.on_time_rates(request.user, year=year, region=region)
    names = {Party.XXX: _("XXX costing"), Party.FINANCE: _("Finance review")}

    def rows():
        for party in (Party.XXX, Party.FINANCE):
            for row in [*rates[party]["months"], rates[party]["total"]]:
                yield [str(names[party]), f"{year}-{row['month']:02d}" if row["month"] else _("Whole year"),
                       row["on_time"], row["late"], row["overdue"], row["pending"], row["rate"]]

    headers = [_("Party and stage"), _("Month of the due date"), _("On time"), _("Late"), _("Overdue, still open"),
               _("Not yet due"), _("On-time rate (%)")]
    filename = _("Hand-off on-time rates %(year)s.xlsx") % {"year": year}
    return xlsx_response(filename, sheet_title=_("On-time rates"), headers=headers, rows=rows(),
                         widths=[16, 14, 10, 10, 14, 12, 12])
