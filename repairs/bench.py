"""Benchmark repairs (``manage.py seed_bench``): equipment at the customers, 100,000 tickets over ten years.

Tickets grow with the installed base; most are repairs, solved by phone or in one or two visits, signed off
by the supervisor; the last two weeks hold the open ones in every state of the flow chart. Each ticket has its
technician (Repair Center, R&D or Production), its visits with the technicians who went, the service-level
times in working hours and its history rows.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from contracts.models import Contract
from marketing_portal.benchdata import BenchContext, Numbers, bulk, history, stored_dates
from org.models import Person
from org.roles import Role

from .choices import OPEN_STATES
from .models import Equipment, Ticket, Visit

TECH_ROLES = {"repair": Role.TECHNICIAN_REPAIR, "rnd": Role.TECHNICIAN_RND, "production": Role.TECHNICIAN_PRODUCTION}
FAULTS = ["断路器拒合闸", "柜内异响，疑似局部放电", "综保装置显示通讯中断", "直流屏充电模块告警", "变压器温度过高",
          "电缆头发热", "分闸线圈烧毁", "计量表计失准", "箱变门锁损坏", "五防闭锁失灵", "电容器鼓包", "接地故障告警"]
OPEN_MIX = {"new": 8, "assigned": 10, "onsite_pending": 8, "dispatched": 8, "onsite": 10, "analysis": 4,
            "escalated": 2, "resolved": 12, "archived": 10, "cancelled": 3}


def run(ctx: BenchContext) -> None:
    rng = ctx.rng
    User = get_user_model()
    cs = list(User.objects.filter(person__positions__role=Role.CS_SPECIALIST))
    supervisor = User.objects.get(username="repair_supervisor")
    techs = {dept: list(User.objects.filter(person__positions__role=role)) for dept, role in TECH_ROLES.items()}
    contracts = list(Contract.objects.filter(state__in=["filed", "archived", "registered", "signed", "terminated"],
                                             signed_on__isnull=False, direction="sales")
                     .values_list("pk", "customer_id", "customer__name", "signed_on", "warranty_months",
                                  "lines__specification"))
    rng.shuffle(contracts)
    equipment = []
    for pk, customer_id, _name, signed_on, months, spec in contracts[:ctx.n(20_000)]:
        equipment.append(Equipment(customer_id=customer_id, contract_id=pk, model=spec or "KYN28A-12",
                                   serial_number=f"SN{signed_on.year}{len(equipment):07d}",
                                   site=f"{_name[:2]}项目现场", installed_on=signed_on + timedelta(days=60),
                                   accepted_on=signed_on + timedelta(days=90), warranty_months=months,
                                   created_by=rng.choice(cs), created_at=ctx.moment(signed_on + timedelta(days=90))))
    with stored_dates(Equipment):
        bulk(ctx, Equipment, equipment)
    names = {pk: name for pk, _c, name, *_rest in contracts}
    people = {p.user_id: p for p in Person.objects.filter(user__in=[u for ts in techs.values() for u in ts])}
    numbers = Numbers("repair-ticket")
    now = ctx.moment(ctx.today)
    count = ctx.n(100_000)
    days = sorted(ctx.day_in_ten_years(growth=0.15) for _ in range(count))
    tickets, visits, plans = [], [], []
    for day in days:
        item = rng.choice(equipment)
        received = ctx.moment(day)
        if received > now:
            received = now - timedelta(hours=rng.randint(1, 48))
        recent = (now - received).days < 14
        state = ctx.pick(OPEN_MIX) if recent and rng.random() < 0.7 else "closed"
        dept = ctx.pick({"repair": 70, "rnd": 15, "production": 15})
        tech = rng.choice(techs[dept])
        phone = rng.random() < 0.4
        visit_count = 0 if phone or state in ("new", "assigned", "onsite_pending", "dispatched", "cancelled") else \
            rng.choice([1, 1, 1, 2])
        closed = state in ("closed", "archived", "resolved")
        t = Ticket(
            number=f"WX{received.year}-{numbers.take(received.year):05d}",
            category=ctx.pick({"repair": 80, "installation": 10, "complaint": 5, "other": 5}), source="call",
            state=state, customer_id=item.customer_id, contract_id=item.contract_id, equipment=item,
            unit_name=names[item.contract_id], contact_name=ctx.person_name(), contact_phone=ctx.mobile(),
            site_address=item.site, fault=rng.choice(FAULTS), department=dept,
            technician=None if state == "new" else tech, received_at=received, received_by=rng.choice(cs),
            warranty="in" if item.accepted_on and day < item.accepted_on + timedelta(days=30 * item.warranty_months)
            else "expired", response_due_at=received + timedelta(hours=4), visit_due_at=received + timedelta(hours=48),
            close_due_at=received + timedelta(days=5), policy_version=1, visit_count=visit_count,
            updated_at=received)
        if state != "new":
            t.assigned_at = received + timedelta(minutes=rng.randint(5, 90))
        if state not in ("new", "assigned", "cancelled"):
            t.responded_at = t.assigned_at + timedelta(minutes=rng.randint(10, 240))
            t.response_hours = Decimal(rng.randint(10, 600)) / 100
            t.response_notes = "已电话联系客户了解故障情况"
            t.phone_solved = phone and closed
        if visit_count:
            t.onsite_agreed_at = t.responded_at + timedelta(hours=rng.randint(4, 48))
            t.first_arrival_at = t.onsite_agreed_at + timedelta(minutes=rng.randint(-30, 60))
            t.visit_hours = Decimal(rng.randint(200, 4000)) / 100
        if closed:
            t.resolved_at = (t.first_arrival_at or t.responded_at) + timedelta(hours=rng.randint(1, 30))
            t.close_hours = Decimal(rng.randint(100, 6000)) / 100
        if state in ("closed", "archived"):
            t.archived_at = t.resolved_at + timedelta(days=rng.randint(1, 3))
            t.archive_notes = "已回访，客户确认修复"
            t.satisfaction = ctx.pick({5: 55, 4: 30, 3: 10, 2: 4, 1: 1})
        if state == "closed":
            t.signed_at, t.signed_by = t.archived_at + timedelta(days=rng.randint(0, 4)), supervisor
            t.supervisor_comment = "同意归档"
        if state == "cancelled":
            t.cancel_reason = "客户重复报修"
        t.escalation_count = 1 if visit_count == 2 and rng.random() < 0.2 else 0
        t.updated_at = max(x for x in (received, t.resolved_at, t.archived_at, t.signed_at) if x)
        if t.updated_at > now:
            t.updated_at = now
        tickets.append(t)
        plans.append((visit_count, tech))
    numbers.save()
    with stored_dates(Ticket):
        bulk(ctx, Ticket, tickets)
    through, visit_techs, histories = [], [], []
    for t, (visit_count, tech) in zip(tickets, plans, strict=True):
        if t.technician_id:
            through.append(Ticket.technicians.through(ticket_id=t.pk, user_id=tech.pk))
        histories.append(history(t, when=t.received_at, by=t.received_by_id, reason="受理报修", state="new",
                                 technician_id=None, responded_at=None, resolved_at=None, archived_at=None,
                                 signed_at=None, signed_by_id=None))
        if t.state != "new":
            histories.append(history(t, when=t.updated_at, by=tech.pk, kind="~", reason="处理进展"))
        for seq in range(1, visit_count + 1):
            arrived = t.first_arrival_at + timedelta(days=3 * (seq - 1))
            solved = seq == visit_count and t.state in ("closed", "archived", "resolved")
            open_visit = not solved and t.state in ("onsite",) and seq == visit_count
            visits.append(Visit(
                ticket=t, seq=seq, planned_at=t.onsite_agreed_at, plan_notes="检查故障并处理",
                state="open" if open_visit else ("solved" if solved else "unsolved"), arrived_at=arrived,
                departed_at=None if open_visit else arrived + timedelta(hours=rng.randint(1, 6)),
                findings="" if open_visit else "现场检查确认故障点",
                work_done="" if open_visit else "更换损坏部件并试验合格",
                signer_name="" if open_visit else t.contact_name,
                reported_by_id=None if open_visit else tech.pk,
                reported_at=None if open_visit else arrived + timedelta(hours=6)))
    bulk(ctx, Ticket.technicians.through, through, label="repairs_ticket_technicians")
    bulk(ctx, Visit, visits)
    for v in visits:
        visit_techs.append(Visit.technicians.through(visit_id=v.pk, user_id=v.ticket.technician_id))
    bulk(ctx, Visit.technicians.through, visit_techs, label="repairs_visit_technicians")
    bulk(ctx, Ticket.history.model, histories, label="repairs_historicalticket")
    open_count = sum(1 for t in tickets if t.state in OPEN_STATES)
    ctx.log(f"repairs: {len(equipment)} pieces of equipment, {len(tickets)} tickets ({open_count} open), "
            f"{len(visits)} visits; technicians: {len(people)}")
