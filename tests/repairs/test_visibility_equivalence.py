"""The visible tickets built from indexed lookups (issue 13) are exactly the ones of the OR definition they replace.

``reference_tickets`` below is ``repairs.selectors.tickets_visible_to`` as it was (one filter ORing every reason
across joins). For every demo user, on the demo tickets plus one ticket for each reason one may see a ticket —
technician, technician on the ticket, received, relayed, department headed (in person or by delegation), a liaison
sheet to another department, escalated to the GM's Office (by delegation), a customer of a contract one or one's
principal handles, a contract one handles, a customer of one's region — the new selectors return the same ids, and
each lookup of ``ticket_id_sources`` is needed: dropping any one of them changes someone's set. On PostgreSQL,
as a UNION ALL of indexed lookups.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from contracts.models import Contract
from contracts.selectors import customers_visible_to
from marketing_portal.queries import union_ids
from org import rules as org_rules
from org.selectors import regions_of
from repairs import selectors
from repairs.models import Equipment, LiaisonSheet, Ticket, Visit

pytestmark = pytest.mark.django_db


# --- the reference: the definition as it was ------------------------------------------------------------------
def reference_tickets(user):
    qs = Ticket.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if selectors.sees_all_tickets(user):
        return qs
    condition = (Q(technician=user) | Q(technicians=user) | Q(received_by=user) | Q(relayed_by=user))
    departments = selectors.departments_headed_by(user)
    if departments:
        condition |= Q(department__in=departments) | Q(sheets__department__in=departments)
    if selectors.acts_for_gm_office(user):
        condition |= Q(escalation_count__gt=0)
    if org_rules.holds(user, org_rules.is_salesperson | org_rules.is_regional_manager):
        handled = Contract.objects.filter(handler_id__in=selectors.principals_of(user)).values("customer_id")
        condition |= Q(customer_id__in=handled) | Q(contract__handler=user)
    if org_rules.holds(user, org_rules.is_regional_manager):
        condition |= Q(customer__region__in=[r.pk for r in regions_of(user)])
    return qs.filter(pk__in=Ticket.objects.filter(condition).values("pk"))


def reference_equipment(user):
    qs = Equipment.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if selectors.sees_all_tickets(user):
        return qs
    return qs.filter(Q(tickets__in=reference_tickets(user).values("pk"))
                     | Q(customer__in=customers_visible_to(user).values("pk"))).distinct()


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def every_reason(rep):
    """The demo tickets, and a ticket for each reason someone sees one (each the only reason for someone)."""
    from contracts import seed as contracts_seed
    from org.services import delegation_create
    from repairs import seed as repairs_seed

    contracts_seed.run()
    repairs_seed.run()
    today, now = timezone.localdate(), timezone.now()
    u = rep.u
    for principal, delegate in (("rnd_head", "tech_production"), ("deputy_gm", "admin_head"),
                                ("sales_xb", "sales_hd")):
        delegation_create(principal=u(principal), delegate=u(delegate), starts_on=today,
                          ends_on=today + timedelta(days=5), reason="休假", by=u(principal))
    elsewhere = rep.make.customer(region="HN", by="sales_hn", name="无关客户有限公司")

    def ticket(fault, customer=elsewhere, **fields):
        made = rep.ticket(customer=customer, fault=fault)
        Ticket.objects.filter(pk=made.pk).update(**fields)
        return Ticket.objects.get(pk=made.pk)

    ticket("技术员本人的工单", technician=u("tech_production"))
    ticket("参与的技术员", department="production").technicians.add(u("tech_rnd"))
    ticket("代为受理的工单", received_by=u("archivist"))
    ticket("销售转告的工单", relayed_by=u("sales_hd"), source="sales_relay")
    ticket("派往生产部的工单", department="production")
    sent = ticket("联络单曾派往开发部", department="repair")
    LiaisonSheet.objects.create(number="LS-EQ-1", ticket=sent, department="rnd", onsite_at=now, issued_by=u("cs"),
                                issued_at=now, state="accepted", accepted_at=now, accepted_by=u("rnd_head"))
    ticket("已上报总经办", escalation_count=1)
    # A customer of a contract sales_xb handles (and so sales_hd, acting for sales_xb).
    theirs = rep.make.customer(region="XB", by="sales_xb", name="西北销售的客户有限公司")
    rep.make.contract(by="sales_xb", customer=theirs)
    ticket("委托人合同客户的工单", customer=theirs)
    # A contract sales_hn handles, on a ticket without a customer.
    contract = rep.make.contract(by="sales_hn", customer=rep.make.customer(region="HN", by="sales_hn"))
    ticket("合同经办人的工单", customer=None, contract=contract)
    ticket("西北客户的工单", customer=rep.make.customer(region="XB", by="sales_hd", name="西北地区客户有限公司"))
    return rep


def _kind(source) -> str:
    """The SQL of a lookup without its parameters (``IN (%s, %s)`` as ``IN (%s)``): the same for every user."""
    return re.sub(r"%s(, %s)*", "%s", source.query.sql_with_params()[0])


def test_the_new_visible_sets_equal_the_old_definition_for_every_demo_user(every_reason):
    assert connection.vendor == "postgresql"
    users = [get_user_model().objects.get(pk=pk) for pk in  # fresh role caches
             get_user_model().objects.order_by("username").values_list("pk", flat=True)]
    assert len(users) > 20
    everything = ids(Ticket.objects.all())
    contracts = set(Ticket.objects.exclude(contract=None).values_list("contract_id", flat=True))
    customers = set(Ticket.objects.exclude(customer=None).values_list("customer_id", flat=True))
    assert contracts and len(customers) >= 3
    partial = 0
    for user in users:
        expected = ids(reference_tickets(user))
        assert ids(selectors.tickets_visible_to(user)) == expected, user.username
        assert ids(selectors.visits_visible_to(user)) == ids(Visit.objects.filter(ticket__in=expected)), user.username
        assert ids(selectors.sheets_visible_to(user)) == ids(LiaisonSheet.objects.filter(ticket__in=expected))
        assert ids(selectors.equipment_visible_to(user)) == ids(reference_equipment(user)), user.username
        mine = ids(reference_tickets(user).filter(pk__in=Ticket.objects.filter(
            Q(technician=user) | Q(technicians=user)).values("pk")))
        assert ids(selectors.ticket_list(user, mine=True)) == mine, user.username
        # a ticket's pages: the visible set asked for that one ticket
        for pk in everything:
            assert ids(selectors.ticket_visible_to(user, pk)) == expected & {pk}, (user.username, pk)
        # the panels of the contract and customer pages: the visible set narrowed to one contract's or customer's
        for column, values in (("contract_id", contracts), ("customer_id", customers)):
            for value in values:
                among = Ticket.objects.filter(**{column: value})
                assert ids(selectors.visible_tickets_among(user, among)) == expected & ids(among), (
                    user.username, column, value)
        partial += bool(expected) and expected != everything
    assert partial >= 12  # many people see some tickets, not all
    # (one test: building the data takes most of its time)
    every_lookup_is_needed()
    the_reasons_one_by_one(every_reason)
    the_phone_list_filter_is_the_technicians_tickets(every_reason)
    the_visible_set_read_once_is_the_same_set_for_every_demo_user(every_reason)
    acting_for_the_gm_office_in_one_query_is_the_org_charts_answer(every_reason)


def every_lookup_is_needed():
    """Dropping any one lookup of ``ticket_id_sources`` changes some demo user's tickets: each reason is
    exercised by the data above, so the equivalence test would catch a lookup left out."""
    kinds, needed = set(), set()
    for user in get_user_model().objects.order_by("username"):
        if selectors.sees_all_tickets(user):
            continue
        sources = selectors.ticket_id_sources(user)
        full = ids(Ticket.objects.filter(pk__in=union_ids(sources)))
        for i, source in enumerate(sources):
            kinds.add(_kind(source))
            rest = sources[:i] + sources[i + 1:]
            if ids(Ticket.objects.filter(pk__in=union_ids(rest))) != full:
                needed.add(_kind(source))
    assert len(kinds) == 10
    assert needed == kinds


def the_reasons_one_by_one(every_reason):
    def sees(username, fault):
        return selectors.tickets_visible_to(every_reason.u(username)).filter(fault=fault).exists()

    assert sees("tech_production", "技术员本人的工单")
    assert sees("tech_rnd", "参与的技术员")
    assert sees("archivist", "代为受理的工单") and not sees("archivist", "技术员本人的工单")
    assert sees("sales_hd", "销售转告的工单") and not sees("sales_hb", "销售转告的工单")
    assert sees("production_head", "派往生产部的工单") and not sees("rnd_head", "派往生产部的工单")
    assert sees("rnd_head", "联络单曾派往开发部") and sees("tech_production", "联络单曾派往开发部")  # acting for
    assert sees("admin_head", "已上报总经办") and not sees("archivist", "已上报总经办")
    assert sees("sales_xb", "委托人合同客户的工单") and sees("sales_hd", "委托人合同客户的工单")
    assert not sees("sales_hn", "委托人合同客户的工单")
    assert sees("sales_hn", "合同经办人的工单") and not sees("rm_hn", "合同经办人的工单")
    assert sees("rm_xb", "西北客户的工单") and not sees("sales_xb", "西北客户的工单")


def the_phone_list_filter_is_the_technicians_tickets(every_reason):
    from repairs.filters import TicketFilter

    user = every_reason.u("tech_rnd")
    expected = ids(Ticket.objects.filter(Q(technician=user) | Q(technicians=user)))
    filtered = TicketFilter(QueryDict("mine=1"), queryset=selectors.ticket_list(user))
    filtered.user = user
    assert expected and ids(filtered.rows) == expected
    visible = selectors.visible_tickets(user)
    filtered = TicketFilter(QueryDict("mine=1"), queryset=selectors.ticket_list(user, visible=visible),
                            request=SimpleNamespace(user=user), visible=visible)
    assert ids(filtered.rows) == expected and filtered.totals() == {"count": len(expected)}


def the_visible_set_read_once_is_the_same_set_for_every_demo_user(every_reason):
    """``visible_tickets`` (one statement, read by the ticket list) says what the selectors say, and the list built
    on it counts, pages, filters and offers choices exactly as the list kernel's own queries do."""
    from repairs.filters import TicketFilter

    users = [get_user_model().objects.get(pk=pk) for pk in
             get_user_model().objects.order_by("username").values_list("pk", flat=True)]
    restricted = 0
    for user in users:
        visible = selectors.visible_tickets(user)
        if selectors.sees_all_tickets(user):
            assert visible.ids is None, user.username
        else:
            restricted += 1
            expected = ids(reference_tickets(user))
            seen = Ticket.objects.filter(pk__in=expected)
            assert visible.ids == expected, user.username
            assert visible.mine == ids(seen.filter(pk__in=Ticket.objects.filter(
                Q(technician=user) | Q(technicians=user)).values("pk"))), user.username
            assert visible.technician_ids == set(seen.exclude(technician=None).values_list("technician", flat=True))
            assert visible.customer_ids == set(seen.exclude(customer=None).values_list("customer", flat=True))
        for query in ("", "mine=1", "state=open", "mine=1&category=repair", "region=XB", "region=HN&mine=1",
                      f"owner={user.pk}", "q=工单", "q=有限公司 西北", "sort=-number&page=2"):
            request = SimpleNamespace(user=user)
            plain = TicketFilter(QueryDict(query), queryset=selectors.ticket_list(user), request=request)
            once = TicketFilter(QueryDict(query), queryset=selectors.ticket_list(user, visible=visible),
                                request=request, visible=visible)
            assert once.totals() == plain.totals(), (user.username, query)
            assert list(once.rows.values_list("pk", flat=True)) == list(plain.rows.values_list("pk", flat=True))
            assert once.owner_choices == plain.owner_choices, (user.username, query)
            assert once.region_choices == plain.region_choices, (user.username, query)
            assert once.form.errors == plain.form.errors, (user.username, query)
    assert restricted > 10
    # a ticket found only through another table (tech_rnd is on it, not its technician) is read again for its
    # customer
    only_on_it = Ticket.objects.get(fault="参与的技术员")
    assert only_on_it.technician_id is None and only_on_it.customer_id
    assert only_on_it.customer_id in selectors.visible_tickets(every_reason.u("tech_rnd")).customer_ids


def acting_for_the_gm_office_in_one_query_is_the_org_charts_answer(every_reason):
    users = [get_user_model().objects.get(pk=pk) for pk in
             get_user_model().objects.order_by("username").values_list("pk", flat=True)]
    acting = set()
    for user in users:
        principals = set(selectors.principals_of(user))
        expected = any(u.pk in principals for u in selectors.gm_office_heads())
        assert selectors.acts_for_gm_office(user) == expected, user.username
        if expected:
            acting.add(user.username)
    assert {"gm", "admin_head"} <= acting  # admin_head acts for deputy_gm (the fixture's delegation)


def test_inactive_and_anonymous_users_see_nothing(rep):
    user = rep.u("tech_repair")
    rep.assigned()
    assert selectors.tickets_visible_to(user).exists() and selectors.equipment_visible_to(user) is not None
    user.is_active = False
    assert selectors.visible_tickets(user).ids == set()
    for selector in (selectors.tickets_visible_to, selectors.visits_visible_to, selectors.equipment_visible_to):
        assert not selector(user).exists()
        assert not selector(AnonymousUser()).exists()


def test_the_visible_tickets_are_read_through_a_union_of_lookups_on_postgresql(rep):
    sql = str(selectors.tickets_visible_to(rep.u("rm_hb")).query)
    assert "UNION ALL" in sql and "= ANY(ARRAY(" in sql  # (the customers of the region, the contracts handled)
    assert " OR " not in sql
    sql = str(selectors.visits_visible_to(rep.u("tech_repair")).query)
    assert "= ANY(ARRAY(" in sql and "UNION ALL" in sql and " OR " not in sql
