"""The contract and customer lists' filters, on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from marketing_portal.lists import ListFilterSet

from .choices import ContractState, Direction
from .models import Contract, Customer
from .selectors import CONTRACT_SEARCH_FIELDS, contract_search, signed_sales


class ContractFilter(ListFilterSet):
    search_fields = CONTRACT_SEARCH_FIELDS
    search_placeholder = _("Number, title or customer")
    date_field = "signed_on"
    date_label = _("Signed on")
    owner_field = "handler"
    region_field = "region"
    state_field = "state"
    state_choices = ContractState.choices
    mine_fields = ("handler", "submitted_by", "legal_participant", "technical_participant")
    sorts = {"title": ("title", _("Title")), "number": ("archive_number", _("Archive number")),
             "customer": ("customer__name", _("Counterparty")), "amount": ("amount", _("Amount")),
             "signed": ("signed_on", _("Signed on")), "created": ("created_at", _("Created"))}
    default_sort = ("-created_at", "-pk")
    sums = {"amount": ("amount", _("Amount"))}

    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices,
                                            empty_label=_("All directions"))
    # Opened from the dashboard: sales contracts signed (and in force) in these days — what its signed amount counts.
    signed_from = django_filters.DateFilter(method="filter_signed_from", widget=forms.HiddenInput)
    signed_to = django_filters.DateFilter(method="filter_signed_to", widget=forms.HiddenInput)

    class Meta:
        model = Contract
        fields = ["q", "state", "region", "owner", "direction", "date_from", "date_to", "mine", "signed_from",
                  "signed_to"]

    def search_word(self, queryset, word: str):
        if self.user is None:  # (no request: as for whoever sees every contract)
            return super().search_word(queryset, word)
        return contract_search(queryset, self.user, word)

    def filter_signed_from(self, queryset, name, value):
        return signed_sales(queryset).filter(signed_on__gte=value)

    def filter_signed_to(self, queryset, name, value):
        return signed_sales(queryset).filter(signed_on__lte=value)


class CustomerFilter(ListFilterSet):
    search_fields = ("name", "credit_code")
    search_placeholder = _("Name or credit code")
    date_field = "created_at__date"
    date_label = _("Entered on")
    owner_field = "created_by"
    region_field = "region"
    sorts = {"name": ("name", _("Name")), "region": ("region__code", _("Region")),
             "created": ("created_at", _("Entered on"))}
    default_sort = ("name", "pk")

    class Meta:
        model = Customer
        fields = ["q", "region", "owner", "date_from", "date_to", "mine"]
