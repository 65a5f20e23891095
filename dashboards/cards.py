"""Key-figure cards of the home pages, per role (registered with ``marketing_portal.registry.register_card``).

* Dashboard users with a wider view (leadership, the GM's office, regional managers): the dashboard's
  headline numbers for this year (a regional manager's narrowed to their region by the selectors).
* A salesperson: signed this month against target, open receivables, deductions this year (cached as the
  dashboard's sections are, ``marketing_portal.figures_cache``).
* Finance: invoices and receipts due this week.
* Repair staff: open tickets; XXX: hand-offs waiting for costing.
Each card links to its records. Other apps may register their own providers.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing_portal import figures_cache
from marketing_portal.money import format_yuan
from marketing_portal.registry import Card
from org import rules as org_rules

from . import figures, periods, selectors
from .rules import may_use_dashboard


def _url(name: str, **params) -> str:
    return figures._url(name, **params)


def headline_cards(user) -> list[Card]:
    if not may_use_dashboard(user) or selectors.personal_scope(user):
        return []
    today = timezone.localdate()
    period = periods.year_period(today.year)
    sections = figures.build_many(figures.section_keys(user), user, period, "", today)  # cached, as the dashboard
    cards = [Card(label=c["label"], value=c["value"], note=c["note"], url=c["url"], order=10 + i, key=c["key"])
             for i, c in enumerate(figures.headline(sections, period, ""))]
    cards.append(Card(label=_("Dashboard"), value=_("All charts"), note=_("by period and region, with Excel exports"),
                      url=reverse("dashboards:dashboard"), order=99, key="dashboard"))
    return cards


def salesperson_cards(user) -> list[Card]:
    if not may_use_dashboard(user) or not selectors.personal_scope(user):
        return []
    today = timezone.localdate()
    month = periods.month_period(today.year, today.month)
    year = periods.year_period(today.year)
    compute = {"signed": partial(selectors.signed_vs_target, user, month)}
    if user.has_perm("receivables.use_receivables"):
        compute["aging"] = partial(selectors.receivables_aging, user, today=today)
    if user.has_perm("receivables.see_commission"):
        compute["deductions"] = partial(selectors.deductions, user, year)
    # Cached as the dashboard's sections, under the versions of the areas the same selectors read.
    found = figures_cache.cached_many("salesperson-cards", user, (month.start, year.start, today), compute,
                                      areas=figures.areas_for(user))
    signed = found["signed"]
    cards = [Card(label=_("Signed this month"), value=format_yuan(signed["actual"]),
                  note=(_("target %(target)s · %(rate)s%% done") % {"target": format_yuan(signed["target"]),
                                                                    "rate": signed["rate"]})
                  if signed["rate"] is not None else _("no target set"),
                  url=_url("contracts:list", signed_from=month.start.isoformat(), signed_to=month.end.isoformat()),
                  order=10, key="signed-month")]
    if "aging" in found:
        aging = found["aging"]
        cards.append(Card(label=_("My open receivables"), value=format_yuan(aging["outstanding"]),
                          note=_("overdue %(overdue)s · retention not yet due %(retention)s")
                          % {"overdue": format_yuan(aging["overdue"]),
                             "retention": format_yuan(aging["retention_pending"])},
                          url=_url("receivables:aging"), order=20, key="receivables"))
    if "deductions" in found:
        deducted = found["deductions"]
        cards.append(Card(label=_("Deducted from my commission this year"), value=format_yuan(deducted["total"]),
                          url=_url("receivables:ledger", kind="rules", date_from=year.start.isoformat(),
                                   date_to=year.end.isoformat()), order=30, key="deductions"))
    return cards


def finance_cards(user) -> list[Card]:
    """Invoices and receipts due this week (Monday to Sunday): projects whose next deadline falls in it."""
    if not org_rules.holds(user, org_rules.is_finance):
        return []
    from receivables.choices import ProjectStage
    from receivables.selectors import projects_visible_to, with_totals

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    week = projects_visible_to(user).filter(next_deadline_on__gte=monday, next_deadline_on__lte=sunday)
    to_invoice = week.filter(stage=ProjectStage.INVOICING).aggregate(n=Count("pk"), amount=Sum("amount"))
    to_collect = with_totals(week.filter(stage__in=[ProjectStage.COLLECTING, ProjectStage.RETENTION])).aggregate(
        n=Count("pk"), amount=Sum(F("invoiced_total") - F("received_total")))
    days = {"due_from": monday.isoformat(), "due_to": sunday.isoformat()}
    return [
        Card(label=_("Invoices due this week"), value=str(to_invoice["n"]),
             note=_("projects worth %(amount)s") % {"amount": format_yuan(selectors.money(to_invoice["amount"]))},
             url=reverse("receivables:project-list") + "?" + urlencode({"stage": ProjectStage.INVOICING, **days}),
             order=10, key="invoices-due"),
        Card(label=_("Receipts due this week"), value=str(to_collect["n"]),
             note=_("%(amount)s still to collect") % {"amount": format_yuan(selectors.money(to_collect["amount"]))},
             url=reverse("receivables:project-list") + "?" + urlencode({"stage": ProjectStage.COLLECTING, **days}),
             order=11, key="receipts-due"),
    ]


def repair_cards(user) -> list[Card]:
    if not org_rules.holds(user, org_rules.is_cs_specialist | org_rules.is_repair_supervisor
                           | org_rules.is_service_department_head | org_rules.is_technician):
        return []
    from repairs.choices import OPEN_STATES
    from repairs.selectors import tickets_visible_to

    open_tickets = tickets_visible_to(user).filter(state__in=OPEN_STATES).count()
    return [Card(label=_("Open repair tickets"), value=str(open_tickets), url=_url("repairs:list", state="open"),
                 order=10, key="tickets-open")]


def xxx_cards(user) -> list[Card]:
    if not org_rules.holds(user, org_rules.is_xxx):
        return []
    from handoff.choices import HandoffState
    from handoff.selectors import waiting_counts

    counts = waiting_counts(user)
    return [Card(label=_("Hand-offs waiting for costing"), value=str(counts.get(HandoffState.COSTING, 0)),
                 url=_url("handoff:list", state=HandoffState.COSTING), order=10, key="handoffs-costing")]


PROVIDERS = [headline_cards, salesperson_cards, finance_cards, repair_cards, xxx_cards]
