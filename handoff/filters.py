"""The hand-off register's filters, on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketing_portal.lists import ListFilterSet

from .choices import HandoffState
from .models import Handoff


class HandoffFilter(ListFilterSet):
    """No amount totals: the register's amounts mix Party A's price (hidden from XXX) with costings."""

    search_fields = ("number", "contract__title", "contract__serial_number", "contract__archive_number", "party_a",
                     "line__description", "site")
    search_placeholder = _("Sheet number, contract, Party A, site")
    date_field = "issued_at__date"
    date_label = _("Issued on")
    owner_field = "contract__handler"
    region_field = "contract__region"
    state_field = "state"
    state_choices = HandoffState.choices
    mine_fields = ("issued_by", "contract__handler")
    sorts = {"number": ("number", _("Sheet number")), "party": ("party_a", _("Party A")),
             "issued": ("issued_at", _("Issued"))}
    default_sort = ("-issued_at", "-pk")

    class Meta:
        model = Handoff
        fields = ["q", "state", "region", "owner", "date_from", "date_to", "mine"]
