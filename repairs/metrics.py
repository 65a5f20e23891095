"""Repair metrics (REP-9): aggregates computed by the database, one GROUP BY query per dimension.

``repair_metrics(user, start=, end=)`` is the selector the managers' dashboards call: it returns the
totals and one list of rows per dimension (department, technician, customer, product, month), each row a
dict with the same figures:

* ``tickets`` — tickets received in the period (cancelled ones left out), ``complaints`` among them;
* ``response_hours`` — mean working hours from the call to the technician's call back;
* ``phone_rate`` — share of responded tickets solved by phone (0–1);
* ``visits_per_ticket`` — mean visits of the tickets that needed a visit; ``escalations`` to the GM's Office;
* ``close_hours`` — mean working hours from the call to the archive; ``closed``;
* ``satisfaction`` — mean of the return calls' 1–5 score; ``missed`` — service-level alerts sent.

Only the tickets the user may see are counted (X-2). Seven queries whatever the data; a caller that shows only some
dimensions asks for them (``dimensions=("department", "month")``, ``missed=False``): one query each less.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from .choices import Category, Department, TicketState
from .models import ServiceLevelAlert
from .selectors import tickets_visible_to

SH = ZoneInfo("Asia/Shanghai")
DIMENSIONS = ("department", "technician", "customer", "product", "month")


def _aggregates() -> dict:
    # The visible tickets are ``id IN (…)`` (``tickets_visible_to``) and every dimension is a to-one join, so each
    # ticket is one row: plain counts (a COUNT(DISTINCT) sorts every ticket of the period once per figure).
    return {
        "tickets": Count("pk"),
        "complaints": Count("pk", filter=Q(category=Category.COMPLAINT)),
        "responded": Count("pk", filter=Q(responded_at__isnull=False, phone_solved__isnull=False)),
        "phone_solved": Count("pk", filter=Q(phone_solved=True)),
        "response_hours": Avg("response_hours"),
        "visits": Sum("visit_count"),
        "visited": Count("pk", filter=Q(visit_count__gt=0)),
        "escalations": Sum("escalation_count"),
        "closed": Count("pk", filter=Q(archived_at__isnull=False)),
        "close_hours": Avg("close_hours"),
        "satisfaction": Avg("satisfaction"),
    }


def _round(value, places="0.01"):
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _finish(row: dict) -> dict:
    responded, visited = row.get("responded") or 0, row.get("visited") or 0
    row["phone_rate"] = _round(Decimal(row["phone_solved"]) / responded, "0.001") if responded else None
    row["visits_per_ticket"] = _round(Decimal(row["visits"] or 0) / visited) if visited else None
    row["escalations"] = row.get("escalations") or 0
    for key in ("response_hours", "close_hours", "satisfaction"):
        row[key] = _round(row.get(key))
    return row


def base_tickets(user, *, start: date | None = None, end: date | None = None):
    qs = tickets_visible_to(user).exclude(state=TicketState.CANCELLED)
    if start:
        qs = qs.filter(received_at__gte=datetime.combine(start, time.min, tzinfo=SH))
    if end:
        qs = qs.filter(received_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=SH))
    return qs


def repair_metrics(user, *, start: date | None = None, end: date | None = None, dimensions=DIMENSIONS,
                   missed: bool = True) -> dict:
    """Totals and per-dimension rows of the repair figures for the tickets ``user`` may see (only the
    ``dimensions`` asked for; ``missed``: count the service-level alerts too)."""
    qs = base_tickets(user, start=start, end=end)
    totals = _finish(qs.aggregate(**_aggregates()))
    if missed:
        totals["missed"] = ServiceLevelAlert.objects.filter(ticket__in=qs.values("pk"), stage="head").count()
    departments = dict(Department.choices)
    queries = {
        "department": lambda: [
            {**_finish(r), "label": str(departments.get(r["department"], r["department"]))}
            for r in qs.values("department").annotate(**_aggregates()).order_by("department")],
        "technician": lambda: [
            {**_finish(r), "label": r["technician__person__name"] or r["technician__username"] or _("Not assigned")}
            for r in qs.values("technician_id", "technician__person__name", "technician__username")
            .annotate(**_aggregates()).order_by("technician__person__name", "technician_id")],
        "customer": lambda: [
            {**_finish(r), "label": r["customer__name"] or _("Not in the customer archive")}
            for r in qs.values("customer_id", "customer__name").annotate(**_aggregates())
            .order_by("-tickets", "customer__name")[:200]],
        "product": lambda: [
            {**_finish(r), "label": r["product"] or _("No equipment recorded")}
            for r in qs.annotate(product=F("equipment__model")).values("product").annotate(**_aggregates())
            .order_by("-tickets", "product")[:200]],
        "month": lambda: [
            {**_finish(r), "label": r["month"].astimezone(SH).strftime("%Y-%m") if r["month"] else "—"}
            for r in qs.annotate(month=TruncMonth("received_at", tzinfo=SH)).values("month")
            .annotate(**_aggregates()).order_by("month")],
    }
    return {"totals": totals, **{key: queries[key]() for key in DIMENSIONS if key in dimensions}}


def dimension_labels() -> dict:
    return {"department": _("By department"), "technician": _("By technician"), "customer": _("By customer"),
            "product": _("By product"), "month": _("By month")}
