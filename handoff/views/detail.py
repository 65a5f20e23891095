"""The hand-off page — everything on record and the one action waiting on the user — and the printable sheet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketing_portal.documents import pdf_response, render_pdf
from marketing_portal.files import attachments_of
from org.rules import collection_only_reason

from .. import forms, rules, selectors
from ..choices import CostingState, HandoffState, Party
from ..models import Costing, CostLine, Handoff, NegotiationRound, margin_of


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
    round_form = bound.get("round_form") or forms.RoundForm(initial={
        "proposer": Party.XXX if rules.acts_for_xxx_negotiators(user) else Party.MARKETING})
    decision_form = bound.get("decision_form") or forms.DecisionForm(
        initial={"amount": f"{(rounds[-1].amount if rounds else accepted.suggested_amount):f}"} if accepted else None)
    # Party A's price and XX's margin are for those who may see the sales contract (not XXX, X-2).
    sees_sales = user.has_perm("handoff.see_sales_contract", handoff)
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
        "today": today,
        "review_form": bound.get("review_form") or forms.ReviewForm(),
        "round_form": round_form, "decision_form": decision_form,
        "cancel_form": bound.get("cancel_form") or forms.CancelForm(),
        "attach_form": forms.AttachForm(),
        "sheet_files": attachments_of(handoff, "sheet"),
        "collection_only": collection_only_reason(user, work="handoffs"),
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
