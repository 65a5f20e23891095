"""The dashboard's sections: figures (``selectors``), their chart specs, the links a click opens and the rows of
their Excel export — one place, so that the page, the export and the tests read the same numbers.

Links open the existing lists with their own query parameters (the contract list ``direction``, ``state``,
``region``, ``signed_from`` / ``signed_to``; the ledger ``owner``, ``kind``, ``date_from`` / ``date_to``; the
aging list ``region``; the hand-off dashboard ``year`` / ``region``; the repair metrics ``start`` / ``end``
and the ticket list ``department``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from handoff.choices import Party
from marketing_portal import charts, figures_cache
from planning.choices import TenderState
from planning.selectors import may_use_tenders
from repairs.choices import Department
from repairs.selectors import sees_all_tickets

from . import selectors
from .periods import Period, last_day


@dataclass
class Section:
    key: str
    title: str
    chart: dict | None = None
    figures: list = field(default_factory=list)  # [(label, value text, link or None)]
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    money_columns: list = field(default_factory=list)
    note: str = ""
    extra_chart: dict | None = None
    data: dict | None = None  # the selector's figures (headline numbers and tests read them)
    rows_data: list | None = None

    @property
    def json_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def extra_json_id(self) -> str:
        return f"chart-{self.key}-extra"


def _url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in ("", None)}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def section_keys(user) -> list[str]:
    """The sections the user has: each only with the page its links open (the app's own permission)."""
    keys = ["signed", "pipeline"]
    if user.has_perm("handoff.use_handoffs"):
        keys.append("handoff")
    if user.has_perm("receivables.use_receivables"):
        keys.append("aging")
    if user.has_perm("receivables.see_commission"):
        keys.append("deductions")
    if user.has_perm("repairs.see_metrics"):
        keys.append("repairs")
    if may_use_tenders(user):
        keys.append("tenders")
    return keys


def build(key: str, user, period: Period, region: str, today: date) -> Section:
    """One section, from the cache when its figures are there (``build_many``)."""
    return build_many([key], user, period, region, today)[0]


def build_many(keys: list[str], user, period: Period, region: str, today: date) -> list[Section]:
    """The sections ``keys`` for the user, the period, the region and today: read from the cache of figures
    (``marketing_portal.figures_cache``: one entry per section, user, period, region, day and language, under the
    data version of the areas it reads, ``AREAS``), computed and stored when missing."""
    params = (period.kind, period.start, period.end, region, today)
    found = figures_cache.cached_many("dashboard", user, params,
                                      {key: partial(compute, key, user, period, region, today) for key in keys},
                                      areas=areas_for(user))
    return [found[key] for key in keys]


def compute(key: str, user, period: Period, region: str, today: date) -> Section:
    """One section computed now (no cache)."""
    return BUILDERS[key](user, period, region, today)


def _pipeline(user, period, region, today) -> Section:
    rows = selectors.pipeline(user, region=region)
    links = [_url("contracts:list", direction="sales", state=r["state"], region=region) for r in rows]
    chart = charts.chart(_("Contract pipeline by state"), [f"{r['label']}（{r['count']}）" for r in rows],
                         [charts.series(_("Amount (yuan)"), [r["amount"] for r in rows], links=links)],
                         axes=[charts.axis(_("yuan"), "yuan")], horizontal=True,
                         empty=_("No sales contracts yet."))
    section = Section("pipeline", _("Contract pipeline by state"), chart=chart,
                      headers=[_("State"), _("Contracts"), _("Amount (yuan)")],
                      rows=[[r["label"], r["count"], r["amount"]] for r in rows], money_columns=[2],
                      note=_("Sales contracts in their state today (not limited to the period)."))
    section.rows_data = rows
    return section


def _signed(user, period, region, today) -> Section:
    data = selectors.signed_vs_target(user, period, region=region)
    month_links = [_url("contracts:list", signed_from=date(r["year"], r["month"], 1).isoformat(),
                        signed_to=last_day(r["year"], r["month"]).isoformat(), region=region)
                   for r in data["months"]]
    chart = charts.chart(
        _("Signed amount by month against target"), [r["label"] for r in data["months"]],
        [charts.series(_("Signed"), [r["actual"] for r in data["months"]], links=month_links),
         charts.series(_("Target"), [r["target"] for r in data["months"]], kind="line"),
         charts.series(_("Completion (%)"), [r["rate"] for r in data["months"]], kind="line", axis_index=1)],
        axes=[charts.axis(_("yuan"), "yuan"), charts.axis(_("Completion (%)"), "percent")])
    region_chart = None
    if not data["personal"]:
        region_links = [_url("contracts:list", signed_from=period.start.isoformat(),
                             signed_to=period.end.isoformat(), region=r["region"]) for r in data["regions"]]
        region_chart = charts.chart(
            _("Signed amount by region against target"), [r["name"] for r in data["regions"]],
            [charts.series(_("Signed"), [r["actual"] for r in data["regions"]], links=region_links),
             charts.series(_("Target"), [r["target"] for r in data["regions"]])],
            axes=[charts.axis(_("yuan"), "yuan")],
            empty=_("No region has a target or a signed contract in the period."))
    rows = [[r["label"], "", r["actual"], r["target"], r["rate"]] for r in data["months"]]
    rows += [[_("Whole period"), r["name"], r["actual"], r["target"], r["rate"]] for r in data["regions"]]
    rows.append([_("Whole period"), _("Total"), data["actual"], data["target"], data["rate"]])
    section = Section("signed", _("Signed amount against target"), chart=chart, extra_chart=region_chart,
                      headers=[_("Month"), _("Region"), _("Signed (yuan)"), _("Target (yuan)"), _("Completion (%)")],
                      rows=rows, money_columns=[2, 3],
                      note=_("Your own contracts against your own targets.") if data["personal"] else
                      _("Signed sales contracts (by signing date) against the targets of the approved plans in force."))
    section.data = data
    return section


def _handoff(user, period, region, today) -> Section:
    data = selectors.handoff_on_time(user, period, region=region)
    months = data["months"]
    links = [_url("handoff:dashboard", year=r["year"], region=region) for r in months[Party.XXX]]
    chart = charts.chart(
        _("Hand-off on-time rate"), [r["label"] for r in months[Party.XXX]],
        [charts.series(_("XXX costing"), [r["rate"] for r in months[Party.XXX]], links=links),
         charts.series(_("Finance review"), [r["rate"] for r in months[Party.FINANCE]], links=links)],
        axes=[charts.axis(_("On-time rate (%)"), "percent")], empty=_("No costing or review was due in the period."))
    names = {Party.XXX: _("XXX costing"), Party.FINANCE: _("Finance review")}
    rows = [[str(names[party]), r["label"], r["on_time"], r["late"], r["overdue"], r["pending"], r["rate"]]
            for party in (Party.XXX, Party.FINANCE) for r in months[party]]
    rows += [[str(names[party]), _("Whole period"), t["on_time"], t["late"], t["overdue"], t["pending"], t["rate"]]
             for party, t in data["totals"].items()]
    section = Section("handoff", _("Hand-off on-time rate"), chart=chart,
                      headers=[_("Party and stage"), _("Month of the due date"), _("On time"), _("Late"),
                               _("Overdue, still open"), _("Not yet due"), _("On-time rate (%)")], rows=rows)
    section.data = data
    return section


def _aging(user, period, region, today) -> Section:
    data = selectors.receivables_aging(user, region=region, today=today)
    link = _url("receivables:aging", region=region)
    chart = charts.chart(
        _("Receivables by age"), [_("%(bucket)s days") % {"bucket": b["bucket"]} for b in data["buckets"]],
        [charts.series(_("Outstanding (yuan)"), [b["amount"] for b in data["buckets"]],
                       links=[link] * len(data["buckets"]))],
        axes=[charts.axis(_("yuan"), "yuan")], empty=_("No open receivable."))
    rows = [[_("%(bucket)s days") % {"bucket": b["bucket"]}, b["amount"]] for b in data["buckets"]]
    rows += [[_("Outstanding, total"), data["outstanding"]], [_("Of which overdue"), data["overdue"]],
             [_("Retention not yet due (kept apart)"), data["retention_pending"]]]
    section = Section("aging", _("Receivables aging and overdue"), chart=chart,
                      headers=[_("Age of the invoice"), _("Amount (yuan)")], rows=rows, money_columns=[1],
                      note=_("As of today, not limited to the period. Retention money is counted only once its "
                             "collection has started (statement issued); until then it is shown apart."))
    section.data = data
    return section


def _deductions(user, period, region, today) -> Section:
    data = selectors.deductions(user, period, region=region)
    months = period.months
    labels = [f"{y}-{m:02d}" for y, m in months]
    series = []
    for person in data["people"][:10]:
        links = [_url("receivables:ledger", owner=person["owner_id"], kind="rules",
                      date_from=date(y, m, 1).isoformat(), date_to=last_day(y, m).isoformat()) for y, m in months]
        series.append(charts.series(person["name"], [person["by_month"].get(ym) or None for ym in months],
                                    links=links))
    chart = charts.chart(_("Commission deductions by person and month"), labels, series,
                         axes=[charts.axis(_("yuan"), "yuan")], stack=True,
                         empty=_("No deduction in the period."))
    rows = [[p["name"], label, p["by_month"][ym]] for p in data["people"]
            for ym, label in zip(months, labels, strict=True) if p["by_month"].get(ym)]
    rows += [[p["name"], _("Whole period"), p["total"]] for p in data["people"]]
    section = Section("deductions", _("Commission deductions"), chart=chart,
                      headers=[_("Sales owner"), _("Month"), _("Deducted (yuan)")], rows=rows, money_columns=[2],
                      note=_("Deductions and forfeitures posted to the commission ledger, by entry date."))
    section.data = data
    return section


def _repairs(user, period, region, today) -> Section:
    data = selectors.repairs(user, period)
    month_rows = data["month"]
    month_links = []
    for row in month_rows:
        y, m = (int(x) for x in row["label"].split("-")) if row["label"] != "—" else (period.start.year, 1)
        month_links.append(_url("repairs:metrics", start=date(y, m, 1).isoformat(), end=last_day(y, m).isoformat()))
    chart = charts.chart(
        _("Repair tickets and satisfaction by month"), [r["label"] for r in month_rows],
        [charts.series(_("Tickets"), [r["tickets"] for r in month_rows], links=month_links),
         charts.series(_("Satisfaction (1–5)"), [r["satisfaction"] for r in month_rows], kind="line", axis_index=1)],
        axes=[charts.axis(_("Tickets"), "count"), charts.axis(_("Satisfaction (1–5)"), "score")],
        empty=_("No repair ticket in the period."))
    departments = {label: value for value, label in ((v, str(lbl)) for v, lbl in Department.choices)}
    dept_rows = data["department"]
    dept_links = [_url("repairs:list", department=departments.get(r["label"], "")) for r in dept_rows]
    dept_chart = charts.chart(
        _("Service levels by department (working hours)"), [r["label"] for r in dept_rows],
        [charts.series(_("Mean response (working h)"), [r["response_hours"] for r in dept_rows], links=dept_links),
         charts.series(_("Mean time to close (working h)"), [r["close_hours"] for r in dept_rows], links=dept_links)],
        axes=[charts.axis(_("working hours"), "hours")], empty=_("No repair ticket in the period."))
    headers = [_("Month or department"), _("Tickets"), _("Complaints"), _("Mean response (working h)"),
               _("Solved by phone (%)"), _("Visits per ticket"), _("Escalations"), _("Mean time to close (working h)"),
               _("Satisfaction (1–5)")]

    def row(label, r):
        phone = (r["phone_rate"] * 100).quantize(selectors.Decimal("0.1")) if r["phone_rate"] is not None else None
        return [label, r["tickets"], r["complaints"], r["response_hours"], phone, r["visits_per_ticket"],
                r["escalations"], r["close_hours"], r["satisfaction"]]

    rows = [row(r["label"], r) for r in month_rows] + [row(r["label"], r) for r in dept_rows]
    rows.append(row(_("Whole period"), data["totals"]))
    section = Section("repairs", _("Repair service levels and satisfaction"), chart=chart, extra_chart=dept_chart,
                      headers=headers, rows=rows,
                      note=_("Repair tickets are not divided by sales region: the region filter does not apply."))
    section.data = data
    return section


def _tenders(user, period, region, today) -> Section:
    data = selectors.tenders(user, period, region=region)
    dates = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    states = [(value, label) for value, label in TenderState.choices if value in data["by_state"]]
    links = [_url("planning:tenders", state=value, region=region, **dates) for value, _label in states]
    chart = charts.chart(
        _("Bids by state"), [f"{label}（{data['by_state'][value]['count']}）" for value, label in states],
        [charts.series(_("Number of bids"), [data["by_state"][value]["count"] for value, _label in states],
                       links=links),
         charts.series(_("Budget (yuan)"), [data["by_state"][value]["budget"] for value, _label in states],
                       axis_index=1, links=links)],
        axes=[charts.axis(_("Number of bids"), "count"), charts.axis(_("yuan"), "yuan")], horizontal=True,
        empty=_("No bid opens in the period."))
    rows = [[label, data["by_state"][value]["count"], data["by_state"][value]["budget"],
             data["won_amount"] if value == TenderState.WON else None, None] for value, label in states]
    rows.append([_("Whole period"), data["count"], sum((r["budget"] for r in data["by_state"].values()),
                                                      selectors.ZERO), data["won_amount"], data["win_rate"]])
    section = Section("tenders", _("Bids: results and win rate"), chart=chart,
                      headers=[_("State"), _("Number of bids"), _("Budget (yuan)"), _("Winning price (yuan)"),
                               _("Win rate (%)")], rows=rows, money_columns=[2, 3],
                      note=_("Bids opening in the period, by their state today; the win rate counts the won among "
                             "the won and lost."))
    section.data = data
    return section


# The areas of data (``figures_cache.AREAS``: the apps' tables) each section's figures read, "common" (users, org
# chart, grants, policy, calendar) always included: a write elsewhere leaves the section cached. As the SQL reads them
# (tests/dashboards/test_cache.py checks every table): the hand-off rates and the repair tickets join the contracts
# (the contract's region; a regional manager's or salesperson's visible contracts and customers), so an approval
# invalidates them too; the aging, the deductions and the tenders read no contracts table.
AREAS = {"pipeline": ("contracts",), "signed": ("contracts", "planning"), "handoff": ("handoff", "contracts"),
         "aging": ("receivables",), "deductions": ("receivables",), "repairs": ("repairs", "contracts"),
         "tenders": ("planning",)}


def areas_for(user) -> dict[str, tuple[str, ...]]:
    """``AREAS`` as this user's figures read them: whoever sees every ticket (the desk, leadership, the
    executives) counts the repair tickets without the contracts, so a contract approval leaves their repair figures
    cached (tests/dashboards/test_cache.py checks the SQL of each section per user against these)."""
    if sees_all_tickets(user):
        return {**AREAS, "repairs": ("repairs",)}
    return AREAS


BUILDERS = {"pipeline": _pipeline, "signed": _signed, "handoff": _handoff, "aging": _aging,
            "deductions": _deductions, "repairs": _repairs, "tenders": _tenders}


def headline(sections: list[Section], period: Period, region: str) -> list[dict]:
    """The dashboard's headline numbers (also the director's home cards): label, value, note, link."""
    from marketing_portal.money import format_yuan

    by_key = {s.key: s for s in sections}
    cards = []
    if "signed" in by_key:
        d = by_key["signed"].data
        cards.append({"key": "signed", "label": _("Signed, %(period)s") % {"period": period.label},
                      "value": format_yuan(d["actual"]),
                      "note": (_("target %(target)s · %(rate)s%% done") % {"target": format_yuan(d["target"]),
                                                                           "rate": d["rate"]})
                      if d["rate"] is not None else _("no target set"),
                      "url": _url("contracts:list", signed_from=period.start.isoformat(),
                                  signed_to=period.end.isoformat(), region=region)})
    if "pipeline" in by_key:
        from contracts.choices import REVIEW_STATES

        rows = [r for r in by_key["pipeline"].rows_data if r["state"] in REVIEW_STATES]
        cards.append({"key": "pipeline", "label": _("Contracts in approval"),
                      "value": str(sum(r["count"] for r in rows)),
                      "note": format_yuan(sum((r["amount"] for r in rows), selectors.ZERO)),
                      "url": _url("contracts:list", direction="sales", region=region)})
    if "aging" in by_key:
        d = by_key["aging"].data
        cards.append({"key": "aging", "label": _("Open receivables"), "value": format_yuan(d["outstanding"]),
                      "note": _("overdue %(overdue)s · retention not yet due %(retention)s")
                      % {"overdue": format_yuan(d["overdue"]), "retention": format_yuan(d["retention_pending"])},
                      "url": _url("receivables:aging", region=region)})
    if "deductions" in by_key:
        d = by_key["deductions"].data
        cards.append({"key": "deductions", "label": _("Commission deducted, %(period)s") % {"period": period.label},
                      "value": format_yuan(d["total"]),
                      "note": _("%(n)s people") % {"n": len(d["people"])},
                      "url": _url("receivables:ledger", kind="rules", date_from=period.start.isoformat(),
                                  date_to=period.end.isoformat())})
    if "handoff" in by_key:
        t = by_key["handoff"].data["totals"]
        xxx, fin = t[Party.XXX]["rate"], t[Party.FINANCE]["rate"]
        cards.append({"key": "handoff", "label": _("Hand-off on-time rate"),
                      "value": f"{xxx}%" if xxx is not None else "—",
                      "note": _("XXX costing; Finance review %(rate)s") % {
                          "rate": f"{fin}%" if fin is not None else "—"},
                      "url": _url("handoff:dashboard", year=period.end.year, region=region)})
    if "tenders" in by_key:
        d = by_key["tenders"].data
        cards.append({"key": "tenders", "label": _("Bids won, %(period)s") % {"period": period.label},
                      "value": format_yuan(d["won_amount"]),
                      "note": _("win rate %(rate)s · %(open)s still open") % {
                          "rate": f"{d['win_rate']}%" if d["win_rate"] is not None else "—", "open": d["open"]},
                      "url": _url("planning:tenders", state=TenderState.WON, region=region,
                                  date_from=period.start.isoformat(), date_to=period.end.isoformat())})
    if "repairs" in by_key:
        t = by_key["repairs"].data["totals"]
        cards.append({"key": "repairs", "label": _("Repair satisfaction"),
                      "value": f"{t['satisfaction']}" if t["satisfaction"] is not None else "—",
                      "note": _("%(n)s tickets · mean response %(h)s working h") % {
                          "n": t["tickets"], "h": t["response_hours"] if t["response_hours"] is not None else "—"},
                      "url": _url("repairs:metrics", start=period.start.isoformat(), end=period.end.isoformat())})
    return cards
