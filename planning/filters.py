"""The planning lists' filters — bids, sales reports, plans — on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import Count, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from marketing_portal.lists import ListFilterSet
from marketing_portal.money import MONEY_FIELD

from .choices import OPEN_TENDER_STATES, PlanState, ReportKind, TenderState
from .models import PlanVersion, ReportComment, SalesPlan, SalesReport, Tender


class TenderFilter(ListFilterSet):
    search_fields = ("number", "title", "customer__name", "tender_reference")
    search_placeholder = _("Project, number or customer")
    date_field = "opening_on"
    date_label = _("Bid opening date")
    owner_field = "owner"
    region_field = "region"
    state_field = "state"
    state_choices = [("open", _("Open")), *TenderState.choices]
    mine_fields = ("owner", "clerk", "created_by")
    sorts = {"number": ("number", _("Bid number")), "opening": ("opening_on", _("Bid opening date")),
             "budget": ("budget", _("Budget"))}
    default_sort = ("-created_at", "-pk")
    sums = {"budget": ("budget", _("Budget")), "won": ("winning_amount", _("Winning price"))}

    class Meta:
        model = Tender
        fields = ["q", "state", "region", "owner", "date_from", "date_to", "mine"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_TENDER_STATES)
        return super().filter_state(queryset, name, value)


# --------------------------------------------------------------------------------------------------
# Sales reports (RPT-2)
# --------------------------------------------------------------------------------------------------
def with_report_amounts(qs):
    """The snapshot's amounts as numbers (the figures are kept as JSON text), to sort and add up in the database;
    the number of comments for the 已点评 filter."""
    return qs.annotate(
        signed_amount=Cast(KT("figures__signed__amount"), MONEY_FIELD),
        invoiced_amount=Cast(KT("figures__invoices__amount"), MONEY_FIELD),
        received_amount=Cast(KT("figures__receipts__amount"), MONEY_FIELD),
        comment_count=Subquery(ReportComment.objects.filter(report=OuterRef("pk"))
                               .order_by().values("report").annotate(n=Count("pk")).values("n")[:1]))


class ReportFilter(ListFilterSet):
    search_fields = ("person__person__name", "work_done", "customers_visited", "opportunities", "next_plan",
                     "problems")
    search_placeholder = _("Salesperson, customer or text of the report")
    date_field = "period_start"
    date_label = _("Period start")
    owner_field = "person"
    region_field = "region"
    state_field = "is_late"
    state_choices = [("on_time", _("Filed on time")), ("late", _("Filed late")), ("commented", _("Commented")),
                     ("uncommented", _("Not commented yet"))]
    sorts = {"period": ("period_start", _("Period")), "person": ("person__person__name", _("Salesperson")),
             "filed": ("filed_at", _("Filed at")), "signed": ("signed_amount", _("Signed amount"))}
    default_sort = ("-period_start", "-filed_at", "-pk")
    sums = {"signed": ("signed_amount", _("Signed amount")), "invoiced": ("invoiced_amount", _("Invoiced")),
            "received": ("received_amount", _("Received"))}

    kind = django_filters.ChoiceFilter(field_name="kind", choices=ReportKind.choices, label=_("Kind"),
                                       empty_label=_("All kinds"))

    class Meta:
        model = SalesReport
        fields = ["q", "kind", "state", "region", "owner", "date_from", "date_to", "mine"]

    def filter_state(self, queryset, name, value):
        if value == "commented":
            return queryset.filter(comment_count__gt=0)
        if value == "uncommented":
            return queryset.filter(comment_count__isnull=True)
        return queryset.filter(is_late=value == "late")


# --------------------------------------------------------------------------------------------------
# Plans and targets (RPT-3)
# --------------------------------------------------------------------------------------------------
def with_plan_state(qs):
    """The state of each plan's latest version (draft, awaiting approval, approved, …) to filter on."""
    latest = PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
    return qs.annotate(latest_state=Subquery(latest.values("state")[:1]),
                       latest_number=Subquery(latest.values("number")[:1]))


class PlanFilter(ListFilterSet):
    """Totals: the annual target of the version in force of every plan filtered, and of each plan's latest
    version (what a draft or a revision awaiting approval proposes), counted as the dashboard counts them
    (``planning.selectors.plan_year_targets``)."""

    search_fields = ("number", "title")
    search_placeholder = _("Plan number or title")
    date_field = "created_at__date"
    date_label = _("Plan drafted on")
    owner_field = "created_by"
    region_field = "region"
    state_field = "latest_state"
    state_choices = PlanState.choices
    sorts = {"year": ("year", _("Year")), "number": ("number", _("Plan number")),
             "region": ("region__code", _("Region"))}
    default_sort = ("-year", "region__code", "pk")

    year = django_filters.ChoiceFilter(field_name="year", label=_("Year"), empty_label=_("All years"))

    class Meta:
        model = SalesPlan
        fields = ["q", "year", "state", "region", "owner", "date_from", "date_to", "mine"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "year" not in data:  # the page opens on this year; 全部年份 is ``year=``
            data = data.copy()
            data["year"] = str(timezone.localdate().year)
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = lambda: self.year_choices

    @cached_property
    def year_choices(self) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        years = set(self.base.order_by().values_list("year", flat=True).distinct())
        return [(str(y), str(y)) for y in sorted(years | {this_year, this_year + 1}, reverse=True)]

    @property
    def overview_year(self) -> int:
        """The year of the target overview: the year filtered, else this year."""
        raw = self.data.get("year") or ""
        return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year

    @cached_property
    def targets(self) -> dict:
        """``{"in_force": {plan_id: ¥}, "latest": {plan_id: ¥}}`` of every plan filtered (two queries)."""
        from .selectors import plan_year_targets

        return {"in_force": plan_year_targets(self.user, self.qs, latest=False),
                "latest": plan_year_targets(self.user, self.qs, latest=True)}

    def totals(self) -> dict:
        figures = super().totals()
        figures["target"] = sum(self.targets["in_force"].values(), Decimal("0.00"))
        figures["proposed"] = sum(self.targets["latest"].values(), Decimal("0.00"))
        return figures

    def sum_lines(self, totals: dict) -> list[tuple[str, Decimal]]:
        return [(_("Annual target in force"), totals["target"]),
                (_("Annual target of the latest versions"), totals["proposed"])]
