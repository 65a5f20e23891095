"""Every URL of every app, walked as users of two regions (issue 13, point 4): what a user of 华北 opens, a user of
华东 in the same position gets as 404 — pages, actions, exports, PDFs and downloads alike.

The patterns are read from the URL resolver, so a page added by any app (repairs, planning, the apps still to
come) is walked too. For each pattern the test looks for a record of 华北 that the 华北 user opens (any answer but
404); the same URL must then answer 404 to the 华东 user. Action URLs that accept only POST are posted (empty) by
the 华东 user with the record found for the page they belong to. A pattern for which no 华北 record opens must be
listed in NOT_REGIONAL with the reason — otherwise the test fails and names it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PAIRS = [("sales_hb", "sales_hd"), ("rm_hb", "rm_hd")]  # the same position in two regions

# Patterns no 华北 salesperson or regional manager opens for a record: pages of other roles or of no region.
NOT_REGIONAL = {
    "calendar-day-delete": "calendar (administrators), no region",
    "calendar-preview": "calendar year, no region", "calendar-import": "calendar year, no region",
    "calendar-confirm": "calendar year, no region", "policy-version": "policy version, no region",
    "org:person": "person page (org rules: own unit / heads / leadership), not regional",
    "org:delegation-revoke": "delegation of the person who granted it, not regional",
    "contracts:template-detail": "contract templates are the centre's, not regional",
    "contracts:contact-retire": "two ids; covered by contracts:contact-add (same customer lookup)",
    "receivables:proposal-decide": "collection-only proposals: finance / leadership",
    "receivables:duty-lift": "a person's collection-only duty: finance / leadership",
    "receivables:adjustment-decide": "ledger adjustments: finance / leadership",
    "receivables:agreement-upload": "agreements: finance", "receivables:statement-detail": "statements: finance",
    "receivables:statement-action": "statements: finance", "receivables:statement-pdf": "statements: finance",
    "receivables:statement-xlsx": "statements: finance", "receivables:import-detail": "bank imports: finance",
    "receivables:import-confirm": "bank imports: finance", "receivables:import-errors": "bank imports: finance",
    "repairs:sheet-accept": "liaison sheets are accepted by the receiving department's head",
    "planning:plan": "plans: leadership", "planning:plan-targets": "plans: leadership",
    "planning:plan-submit": "plans: leadership", "planning:plan-revise": "plans: leadership",
    "planning:plan-decide": "plan steps: director and general manager",
    "planning:tender-review": "bid review step: management manager",
    "repairs:equipment-create": "equipment is entered by customer service and the repair staff, not by region",
    "repairs:report": "the technician's phone page: only the ticket's own technicians",
    "notification-open": "a person's own message, not regional: test_a_message_opens_only_for_its_recipient",
    "password_reset_confirm": "a password-reset link: one person's signed token, not regional (a bad token shows "
                              "the expired-link page)",
    "dashboards:export": "figures, not records: each narrowed by X-2 (tests/dashboards/test_figures.py, test_pages.py)",
    "work-kind": "a kind of one's own work (no record id), its rows narrowed to the user: tests/portal/test_work.py",
    "planning:report": "no report filed in this walk", "planning:report-comment": "no report filed in this walk",
}


# The REST API answers with JSON and its own tokens; its access matrix (unseen → 404) is walked by
# tests/integrations/test_api.py through the same selectors.
# Integration settings are a person's own (their feed token, their API tokens) or the administrators' robots:
# tests/integrations/test_pages.py walks their access cases.
NOT_REGIONAL_PREFIXES = ("api:", "integrations:")


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}:{p.name}".strip(":"), p.callback


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _ours(model):
    return model._meta.app_label in {"portal", "org", "contracts", "handoff", "receivables", "repairs", "planning"} \
        and not model.__name__.startswith("Historical")


def _build_records(demo, make):
    """Records of 华北 (HB) across all apps, through the services, as users make them."""
    from tests.handoff.conftest import HandoffFactory
    from tests.planning.conftest import Planning
    from tests.receivables.conftest import Factory as Receivables
    from tests.repairs.conftest import Repairs

    customer = make.customer(region="HB", by="sales_hb")
    make.contract(by="sales_hb", customer=customer)
    make.archived(by="sales_hb")
    handoffs = HandoffFactory(demo)
    handoffs.n = 900  # its own customer numbers, clear of the shared factories'
    handoffs.costed()  # issued by sales_hb (华北), costed by XXX
    Planning(demo, make).tender(state="review", by="sales_hb", opening_on=date.today() + timedelta(days=20))
    receivables = Receivables(demo)
    receivables.make = make
    project = receivables.project(owner="sales_hb", accepted_on=date(2026, 5, 10), signed_on=date(2026, 3, 2))
    receivables.invoice(project, date(2026, 5, 20))
    repairs = Repairs(demo)
    repairs.make = make
    repairs.onsite(customer=customer)


def _new_rows(before):
    rows = {}
    for model in apps.get_models():
        if _ours(model) and model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField"):
            new = model.objects.filter(pk__gt=before.get(model, 0)).order_by("-pk")
            pks = list(new.values_list("pk", flat=True)[:3])
            if pks:
                rows[model] = pks
    return rows


def _fill(route, pk, slug):
    def sub(match):
        kind = match.group(1) or "str"
        return str(pk) if kind == "int" else slug
    return "/" + PARAM.sub(sub, route)


def _slug_for(callback):
    module = __import__(callback.__module__, fromlist=["ACTIONS"])
    actions = getattr(module, "ACTIONS", None)
    return next(iter(actions)) if actions else "x"


def test_every_url_answers_404_outside_the_users_region(demo, make, clock):
    clock.set(date(2026, 6, 15))
    before = {m: (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
              for m in apps.get_models() if _ours(m)}
    _build_records(demo, make)
    candidates = _new_rows(before)
    ids = sorted({pk for pks in candidates.values() for pk in pks}, reverse=True)
    clients = {}

    def client(name):
        if name not in clients:
            clients[name] = Client()
            clients[name].force_login(demo.user(name))
        return clients[name]

    walked, leaks, unmatched, found = [], [], [], {}
    routes = [(r, n, cb) for r, n, cb in _patterns() if PARAM.search(r) and not r.startswith("admin/")
              and not n.startswith("admin:") and n not in ("javascript-catalog",)]
    get_routes = [x for x in routes if not _post_only(x[2])]
    post_routes = [x for x in routes if x not in get_routes]
    for route, name, callback in get_routes:
        if name in NOT_REGIONAL or name.startswith(NOT_REGIONAL_PREFIXES):
            continue
        slug = _slug_for(callback)
        hit = None
        for inside, outside in PAIRS:
            for pk in ids:
                url = _fill(route, pk, slug)
                if client(inside).get(url).status_code != 404:
                    hit = (url, inside, outside, route)
                    break
            if hit:
                break
        if not hit:
            unmatched.append(name)
            continue
        url, inside, outside, _ = hit
        found[route] = hit
        walked.append(name)
        status = client(outside).get(url).status_code
        if status != 404:
            leaks.append(f"{name} {url}: {outside} got {status}")
    for route, name, callback in post_routes:
        if name in NOT_REGIONAL or name.startswith(NOT_REGIONAL_PREFIXES):
            continue
        parent = max((r for r in found if route.startswith(r.split("<", 1)[0]) and
                      PARAM.findall(r)[:1] == PARAM.findall(route)[:1] and route.startswith(r[:r.index(">") + 1])),
                     key=len, default=None)
        if parent is None:
            unmatched.append(name)
            continue
        url_in, inside, outside, _ = found[parent]
        pk = int(re.findall(r"\d+", url_in)[0])
        url = _fill(route, pk, _slug_for(callback))
        walked.append(name)
        status = client(outside).post(url, {}).status_code
        if status != 404:
            leaks.append(f"{name} {url}: {outside} POST got {status}")
    assert leaks == []
    assert unmatched == [], f"no 华北 record opens {unmatched}: walk them or say why in NOT_REGIONAL"
    assert len(walked) >= 40


def _post_only(callback):
    """Whether a view accepts only POST (django.views.decorators.http.require_POST / require_http_methods)."""
    seen = callback
    while seen is not None:
        closure = getattr(seen, "__closure__", None) or ()
        for cell in closure:
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list | tuple | set) and set(value) == {"POST"}:
                return True
        seen = getattr(seen, "__wrapped__", None)
    return False


def test_a_message_opens_only_for_its_recipient(demo):
    from marketing_portal.models import Notification

    note = Notification.objects.create(recipient=demo.user("sales_hb"), key="scope-walk", subject="合同待审批",
                                       body="", url="/contracts/")
    other = Client()
    other.force_login(demo.user("sales_hd"))
    assert other.post(f"/inbox/{note.pk}/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
