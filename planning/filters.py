"""The bid list's filters, on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketing_portal.lists import ListFilterSet

from .choices import TenderState
from .models import Tender

OPEN_TENDER_STATES = (TenderState.PREPARING, TenderState.REVIEW, TenderState.READY, TenderState.SUBMITTED)


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
