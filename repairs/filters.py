"""The ticket list's filters, on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from contracts.models import Customer
from marketing_portal.lists import ListFilterSet, search_matches
from marketing_portal.people import display_name
from marketing_portal.queries import in_list

from .choices import OPEN_STATES, Category, Department, TicketState
from .models import Ticket

# The filters that narrow nothing: the order, and "mine", which the visible set already answers.
_NOT_NARROWING = ("sort", "mine")


class TicketFilter(ListFilterSet):
    search_fields = ("number", "unit_name", "customer__name", "fault", "contact_name", "equipment__serial_number")
    search_placeholder = _("Ticket number, unit, fault, serial number")
    date_field = "received_at__date"
    date_label = _("Received on")
    owner_field = "technician"
    region_field = "customer__region"
    state_field = "state"
    state_choices = [("open", _("Open")), *TicketState.choices]
    mine_fields = ("technician", "technicians")  # "我的工单": the tickets one works on
    sorts = {"number": ("number", _("Ticket number")), "received": ("received_at", _("Received at")),
             "unit": ("unit_name", _("Unit's full name"))}
    default_sort = ("-received_at", "-pk")

    category = django_filters.ChoiceFilter(label=_("Service category"), choices=Category.choices,
                                           empty_label=_("All categories"))
    department = django_filters.ChoiceFilter(label=_("Department"), choices=Department.choices,
                                             empty_label=_("All departments"))

    class Meta:
        model = Ticket
        fields = ["q", "state", "category", "department", "region", "owner", "date_from", "date_to", "mine"]

    def __init__(self, data=None, queryset=None, *, visible=None, **kwargs):
        """``visible``: ``repairs.selectors.visible_tickets(user)`` of the request's user, read once, from which
        the count, "mine" and the owner and region choices are answered (without, the kernel's own queries)."""
        self.visible = visible if visible is not None and visible.ids is not None else None
        super().__init__(data, queryset=queryset, **kwargs)

    @cached_property
    def owner_choices(self) -> list[tuple[str, str]]:
        """The technicians of the visible tickets, as the kernel's choices (by name)."""
        if self.visible is None:
            return super().owner_choices
        people = get_user_model().objects.filter(in_list("pk", sorted(self.visible.technician_ids)))
        return sorted(((str(u.pk), display_name(u)) for u in people.select_related("person")), key=lambda c: c[1])

    @cached_property
    def region_choices(self) -> list[tuple[str, str]]:
        """The regions of the visible tickets' customers, as the kernel's choices (by code)."""
        if self.visible is None:
            return super().region_choices
        region_model = Customer._meta.get_field("region").related_model
        customers = Customer.objects.filter(in_list("pk", sorted(self.visible.customer_ids))).values("region_id")
        return list(region_model.objects.filter(pk__in=customers).order_by("code").values_list("code", "name"))

    def search_word(self, queryset, word: str):
        """For a viewer whose visible set was read (a few thousand tickets), a test of those rows
        (``search_matches``, as ``contracts.selectors.contract_search`` does); the union of each field's matches
        over the whole table otherwise: a common word (a year of ticket numbers) matches 10,000 tickets."""
        if self.visible is None:
            return super().search_word(queryset, word)
        return queryset.filter(search_matches(Ticket, self.search_fields, word))

    def filter_mine(self, queryset, name, value):
        if self.visible is None or not value or self.user is None:
            return super().filter_mine(queryset, name, value)
        return queryset.filter(in_list("pk", sorted(self.visible.mine)))

    def totals(self) -> dict:
        """The count is the visible set's (or its "mine") when no other filter narrows it: no statement."""
        if self.visible is None or self.sums or not self.is_bound or self.user is None:
            return super().totals()
        self.errors  # noqa: B018 — validates the form: an invalid value is no filter (django-filter)
        cleaned = self.form.cleaned_data
        if any(value not in (None, "", [], ()) for key, value in cleaned.items() if key not in _NOT_NARROWING):
            return super().totals()
        return {"count": len(self.visible.mine if cleaned.get("mine") else self.visible.ids)}

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        return super().filter_state(queryset, name, value)
