"""Home pages: the key-figure cards of each role beside "my work", each linking to its records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from marketing_portal.money import format_yuan

pytestmark = pytest.mark.django_db
D = Decimal


def cards(client):
    return {c.key: c for c in client.get(reverse("home")).context["cards"]}


def test_a_salesperson_sees_signed_this_month_against_target_receivables_and_deductions(login, known, demo, clock):
    known.signed_and_targets()
    known.receivables()
    clock.set(date(2026, 3, 25))  # in March: 张伟 signed 300,000 against his own 250,000
    client = login(demo.user("sales_hb"))
    mine = cards(client)
    assert set(mine) == {"signed-month", "receivables", "deductions"}
    assert (mine["signed-month"].value, mine["signed-month"].note) == ("¥300,000.00", "目标 ¥250,000.00 · 完成 120.0%")
    assert mine["signed-month"].url == "/contracts/?signed_from=2026-03-01&signed_to=2026-03-31"
    assert [c.amount for c in client.get(mine["signed-month"].url).context["page"].object_list] == [D("300000.00")]
    assert mine["receivables"].url == "/receivables/aging/"
    # the late invoicing and collection of the two projects cost him deductions this year: the card shows what
    # the ledger it links to totals (the figures themselves are checked by hand in test_figures)
    ledger = client.get(mine["deductions"].url)
    assert mine["deductions"].url == "/receivables/ledger/?kind=rules&date_from=2026-01-01&date_to=2026-12-31"
    assert ledger.context["deductions"] < 0
    assert mine["deductions"].value == format_yuan(-ledger.context["deductions"])
    assert 'id="card-signed-month"' in client.get(reverse("home")).content.decode()


def test_the_salespersons_receivables_card(login, known, demo, today):
    known.receivables()
    mine = cards(login(demo.user("sales_hb")))
    assert mine["receivables"].value == "¥590,000.00"
    assert mine["receivables"].note == "逾期 ¥140,000.00 · 未到期质保金 ¥60,000.00"
    assert cards(login(demo.user("sales_hd")))["receivables"].value == "¥0.00"


def test_finance_sees_invoices_and_receipts_due_this_week(login, known, demo, clock):
    from receivables.models import Project

    p1, p2 = known.receivables()
    p4 = known.rcv.project(amount=D("300000.00"), accepted_on=date(2026, 5, 18))  # to invoice by 18 June
    clock.set(date(2026, 6, 15))
    week = Project.objects.filter(next_deadline_on__range=(date(2026, 6, 15), date(2026, 6, 21)))
    assert list(week.values_list("pk", flat=True)) == [p4.pk]
    client = login(demo.user("finance"))
    mine = cards(client)
    assert set(mine) == {"invoices-due", "receipts-due"}
    assert (mine["invoices-due"].value, mine["invoices-due"].note) == ("1", "项目金额 ¥300,000.00")
    assert mine["receipts-due"].value == "0"
    listed = client.get(mine["invoices-due"].url)
    assert [p.pk for p in listed.context["page"].object_list] == [p4.pk]
    assert "下一期限在 2026-06-15 至 2026-06-21 之间" in listed.content.decode()


def test_the_director_sees_the_dashboards_headline_numbers(login, known, demo, today):
    known.signed_and_targets()
    mine = cards(login(demo.user("director")))
    assert {"signed", "pipeline", "aging", "deductions", "handoff", "repairs", "tenders", "dashboard"} == set(mine)
    assert mine["signed"].value == "¥1,000,000.00" and mine["signed"].label == "签订金额（2026年）"
    assert mine["dashboard"].url == reverse("dashboards:dashboard")
    # a regional manager's are their region's
    assert cards(login(demo.user("rm_hd")))["signed"].value == "¥500,000.00"


def test_other_roles_get_their_own_cards_or_none(login, demo, today):
    assert set(cards(login(demo.user("cs")))) == {"tickets-open"}
    assert set(cards(login(demo.user("xxx_estimator")))) == {"handoffs-costing"}
    assert cards(login(demo.user("archivist"))) == {}
