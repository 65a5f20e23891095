"""The ticket list's filters, on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from marketing_portal.lists import ListFilterSet

from .choices import OPEN_STATES, Category, Department, TicketState
from .models import Ticket


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

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        return super().filter_state(queryset, name, value)
