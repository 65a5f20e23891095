"""The project list's and the commission ledger's filters, on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Count, F, Sum
from django.utils.translation import gettext_lazy as _

from marketing_portal.lists import ListFilterSet

from .choices import OPEN_STAGES, RULE_KINDS, EntryKind, ProjectStage
from .models import CommissionEntry, Invoice, Project, Receipt


class ProjectFilter(ListFilterSet):
    search_fields = ("number", "name", "customer__name", "contract__archive_number", "contract__serial_number")
    search_placeholder = _("Project, number, customer")
    date_field = "accepted_on"
    date_label = _("Accepted on")
    owner_field = "owner"
    region_field = "region"
    state_field = "stage"
    state_choices = [("open", _("All open receivables")), *ProjectStage.choices]
    aliases = {"stage": "state"}  # the list's links before the kernel (?stage=collecting) keep working
    sorts = {"number": ("number", _("Project number")), "name": ("name", _("Project")),
             "customer": ("customer__name", _("Customer")), "amount": ("amount", _("Amount")),
             "invoiced": ("invoiced_total", _("Invoiced")), "received": ("received_total", _("Received")),
             "deadline": ("next_deadline_on", _("Next deadline"))}
    default_sort = (F("next_deadline_on").asc(nulls_last=True), "-pk")
    sums = {"amount": ("amount", _("Project amount")), "invoiced": ("invoiced_total", _("Invoiced")),
            "received": ("received_total", _("Received"))}

    attention = django_filters.ChoiceFilter(
        label=_("Attention"), method="filter_attention", empty_label=_("Everything"),
        choices=[("deducted", _("With deductions")), ("suspension", _("Collection-only duty"))])
    customer = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    # Opened from the dashboard and Finance's cards: projects whose next deadline falls in these days.
    due_from = django_filters.DateFilter(field_name="next_deadline_on", lookup_expr="gte", widget=forms.HiddenInput)
    due_to = django_filters.DateFilter(field_name="next_deadline_on", lookup_expr="lte", widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = ["q", "state", "region", "owner", "attention", "date_from", "date_to", "mine", "customer",
                  "due_from", "due_to"]

    def totals(self) -> dict:
        """The count and amount of what is filtered, and what was invoiced and received on it, summed over the
        invoices and receipts of those projects (three queries) — not over a per-project subquery of each row."""
        ids = self.qs.order_by().values("pk")
        figures = self.qs.order_by().aggregate(count=Count("pk"), amount=Sum("amount"))
        figures["invoiced"] = Invoice.objects.filter(project__in=ids).aggregate(total=Sum("amount"))["total"]
        figures["received"] = Receipt.objects.filter(project__in=ids).aggregate(total=Sum("amount"))["total"]
        return {key: value if value is not None else Decimal("0") for key, value in figures.items()}

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(stage__in=OPEN_STAGES)
        return super().filter_state(queryset, name, value)

    def filter_attention(self, queryset, name, value):
        if value == "deducted":
            return queryset.filter(deduction_percent__gt=0)
        return queryset.exclude(suspension="none")


class LedgerFilter(ListFilterSet):
    search_fields = ("project__number", "project__name", "project__customer__name", "reason")
    search_placeholder = _("Project, number, customer")
    date_field = "entry_date"
    date_label = _("Date")
    owner_field = "owner"
    region_field = "project__region"
    sorts = {"date": ("entry_date", _("Date")), "project": ("project__number", _("Project number")),
             "amount": ("amount", _("Amount"))}
    default_sort = ("-entry_date", "-pk")
    sums = {"amount": ("amount", _("Amount"))}

    kind = django_filters.ChoiceFilter(label=_("Kind"), method="filter_kind", empty_label=_("All kinds"),
                                       choices=[("rules", _("Deductions and forfeitures")), *EntryKind.choices])
    project = django_filters.NumberFilter(field_name="project_id", widget=forms.HiddenInput)

    class Meta:
        model = CommissionEntry
        fields = ["q", "owner", "region", "kind", "date_from", "date_to", "mine", "project"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind__in=RULE_KINDS) if value == "rules" else queryset.filter(kind=value)
