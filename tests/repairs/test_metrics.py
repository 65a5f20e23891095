"""REP-9 metrics: the figures are right, narrowed to what the user may see, and cost a fixed number of
queries whatever the number of tickets; "my work" lists what waits on each person."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from repairs.metrics import repair_metrics
from repairs.services import complaint_answer, return_call_record

from .conftest import at

pytestmark = pytest.mark.django_db


def _by(rows, label):
    return next(r for r in rows if r["label"] == label)


def test_figures_by_department_technician_and_month(rep):
    # One solved by phone (马超, Repair Center), one with a failed visit and an escalation, a complaint.
    phone = rep.responded(solved=True, now=at(2026, 3, 2, 9, 0))
    return_call_record(by=rep.u("cs"), ticket_id=phone.pk, fixed=True, satisfaction=5, now=at(2026, 3, 2, 15, 0))
    visited = rep.onsite(now=at(2026, 3, 3, 9, 0))
    rep.report(visited, solved=False, now=at(2026, 3, 4, 15, 0))
    from repairs.services import analysis_decide

    analysis_decide(by=rep.u("repair_supervisor"), ticket_id=visited.pk, escalate=True, report="无方案",
                    now=at(2026, 3, 4, 16, 0))
    complaint = rep.ticket(category="complaint", now=at(2026, 4, 1, 10, 0))
    complaint_answer(by=rep.u("cs"), ticket_id=complaint.pk, answer="已致歉", accepted=True,
                     now=at(2026, 4, 1, 11, 0))

    data = repair_metrics(rep.u("director"))
    totals = data["totals"]
    assert totals["tickets"] == 3 and totals["complaints"] == 1 and totals["escalations"] == 1
    assert totals["phone_rate"] == Decimal("0.500")  # 1 of the 2 technician responses solved it by phone
    assert totals["visits_per_ticket"] == Decimal("1.00") and totals["closed"] == 2
    assert totals["satisfaction"] == Decimal("5.00")
    repair = _by(data["department"], "维修中心")
    assert repair["tickets"] == 3
    tech = _by(data["technician"], "马超")
    assert tech["tickets"] == 2 and tech["response_hours"] == Decimal("0.50")
    months = {r["label"]: r["tickets"] for r in data["month"]}
    assert months == {"2026-03": 2, "2026-04": 1}
    # Narrowed: R&D's head sees none of these Repair Center tickets.
    assert repair_metrics(rep.u("rnd_head"))["totals"]["tickets"] == 0


def test_a_ticket_reached_by_several_duties_counts_once(rep):
    """The technician leads the ticket and is on its visit: two of the routes by which they see it (X-2), one
    ticket in every figure (the counts are plain COUNTs over the visible set, not over a join)."""
    visited = rep.onsite(now=at(2026, 3, 3, 9, 0))
    tech = rep.u("tech_repair")
    assert visited.technician == tech and visited.technicians.filter(pk=tech.pk).exists()
    data = repair_metrics(tech)
    assert data["totals"]["tickets"] == 1 and data["totals"]["visited"] == 1
    assert [r["tickets"] for r in data["department"]] == [1]
    assert {r["label"]: r["tickets"] for r in data["month"]} == {"2026-03": 1}


def test_metrics_cost_the_same_queries_with_more_tickets(rep, django_assert_num_queries):
    rep.responded(solved=True)
    director = rep.u("director")
    director.groups.all()  # the role cache is filled by the first rule check
    repair_metrics(director)
    with django_assert_num_queries(7):
        repair_metrics(director)
    for _ in range(5):
        rep.onsite()
    with django_assert_num_queries(7):
        repair_metrics(director)
    # a caller drawing only some dimensions (the managers' dashboard) pays only for them, with the same figures
    full = repair_metrics(director)
    with django_assert_num_queries(3):
        some = repair_metrics(director, dimensions=("department", "month"), missed=False)
    assert set(some) == {"totals", "department", "month"}
    assert (some["department"], some["month"]) == (full["department"], full["month"])
    assert some["totals"] == {k: v for k, v in full["totals"].items() if k != "missed"}


def test_my_work_lists_what_waits_on_each_person(client, rep):
    new = rep.ticket()
    assigned = rep.assigned()
    dispatched = rep.dispatched()
    expectations = {"cs": new.number, "tech_repair": assigned.number, "repair_supervisor": dispatched.number}
    for who, number in expectations.items():
        client.force_login(rep.u(who))
        assert number in client.get(reverse("home")).content.decode(), who
    client.force_login(rep.u("tech_rnd"))
    assert assigned.number not in client.get(reverse("home")).content.decode()


def test_equipment_page_records_equipment_for_the_specialist_only(client, rep):
    customer = rep.customer()
    url = reverse("repairs:equipment-create", args=[customer.pk])
    client.force_login(rep.u("cs"))
    response = client.post(url, {"model": "", "serial_number": "SN-1"})
    assert response.status_code == 200 and "请填写型号" in response.content.decode()
    response = client.post(url, {"model": "KYN28A-12", "serial_number": "SN-1", "accepted_on": "2025-06-01"})
    assert response.status_code == 302 and customer.equipment.get().accepted_on.isoformat() == "2025-06-01"
    client.force_login(rep.u("tech_repair"))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
