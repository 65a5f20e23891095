"""The hand-off register's filters, on the list kernel (``marketing_portal.lists``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from marketing_portal.lists import ListFilterSet
from marketing_portal.money import MONEY_FIELD

from .choices import HandoffState
from .models import Costing, Handoff


def _latest_costing(field: str) -> Subquery:
    return Subquery(Costing.objects.filter(handoff=OuterRef("pk")).order_by("-version").values(field)[:1],
                    output_field=MONEY_FIELD)


class HandoffFilter(ListFilterSet):
    """Totals of what is filtered: the amount in play (decided → Finance's suggestion → XXX's costing, as the
    "Amount" column reads) and the construction amounts decided, for everyone who uses the register; Party A's
    price (the main-contract line) and XX's margin only summed over the sales contracts the user may see (HND:
    ``handoff.see_sales_contract``), and not shown at all to someone who sees none of them (XXX)."""

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

    def totals(self) -> dict:
        """One query: the count, the amount in play, the construction amounts, and — over the sales contracts the
        user sees — Party A's price and the margin of the decided ones."""
        from contracts.selectors import contracts_visible_to

        seen = Q(contract__in=contracts_visible_to(self.user).values("pk")) if self.user is not None else Q(pk=None)
        current = Coalesce(F("construction_contract__amount"), _latest_costing("suggested_amount"),
                           _latest_costing("total"), output_field=MONEY_FIELD)
        figures = (self.qs.order_by().annotate(current_amount=current)
                   .aggregate(count=Count("pk"), amount=Sum("current_amount"),
                              construction=Sum("construction_contract__amount"),
                              seen=Count("pk", filter=seen), main=Sum("line__amount", filter=seen),
                              margin=Sum(F("line__amount") - F("construction_contract__amount"),
                                         filter=seen & Q(construction_contract__isnull=False),
                                         output_field=MONEY_FIELD)))
        for key in ("amount", "construction", "main", "margin"):
            figures[key] = figures[key] or Decimal("0.00")
        return figures

    def sum_lines(self, totals: dict) -> list[tuple[str, Decimal]]:
        lines = [(_("Hand-off amount (decided, suggested or costed)"), totals["amount"]),
                 (_("Construction amount decided"), totals["construction"])]
        if totals["seen"]:
            lines += [(_("Party A's price (main-contract lines)"), totals["main"]),
                      (_("Margin on the main contract of the decided ones"), totals["margin"])]
        return lines
