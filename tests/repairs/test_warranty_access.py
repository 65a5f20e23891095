"""Warranty status from the equipment and the project's acceptance (REP-2), the department it decides
(REP-5), and who sees which ticket (X-2)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from repairs.choices import Warranty
from repairs.selectors import tickets_visible_to
from repairs.services import RepairError, equipment_record, sheet_accept

pytestmark = pytest.mark.django_db


def _contract_with_project(rep, accepted_on: date):
    """A filed contract whose project was accepted on ``accepted_on`` (through the contracts and receivables
    services: the project opens when the contract is signed)."""
    from receivables.services import acceptance_submit, project_register
    from tests.factories import pdf_upload

    contract = rep.make.filed(on=accepted_on - timedelta(days=30))
    # The signing signal opens the project after the commit, which a rolled-back test never reaches.
    project = project_register(contract_id=contract.pk, by=None)
    acceptance_submit(project_id=project.pk, by=rep.u("xxx_head"), report_date=accepted_on, notice="已完工",
                      report_scan=pdf_upload())
    return contract.customer, contract


def test_in_warranty_from_the_projects_acceptance_goes_to_production(rep):
    accepted = timezone.localdate() - timedelta(days=100)
    customer, contract = _contract_with_project(rep, accepted)
    ticket = rep.ticket(customer=customer, contract_id=contract.pk)
    assert ticket.warranty == Warranty.IN and ticket.warranty_ends_on > timezone.localdate()
    assert ticket.department == "production"


def test_equipment_with_its_own_old_acceptance_is_out_of_warranty(rep):
    customer = rep.customer()
    equipment = equipment_record(by=rep.u("cs"), customer_id=customer.pk, model="KYN28A-12", serial_number="SN-001",
                                 accepted_on=date(2023, 5, 10), warranty_months=12)
    ticket = rep.ticket(customer=customer, equipment_id=equipment.pk)
    assert ticket.warranty == Warranty.EXPIRED and ticket.warranty_ends_on == date(2024, 5, 10)
    assert ticket.department == "repair" and ticket.site_address


def test_no_date_means_unknown_and_equipment_must_be_the_customers(rep):
    ticket = rep.ticket()
    assert ticket.warranty == Warranty.UNKNOWN and ticket.warranty_ends_on is None
    other = rep.customer()
    equipment = equipment_record(by=rep.u("cs"), customer_id=other.pk, model="XGN15", serial_number="SN-9")
    with pytest.raises(RepairError) as refused:
        rep.ticket(customer=rep.customer(), equipment_id=equipment.pk)
    assert refused.value.message_dict["equipment"]
    with pytest.raises(RepairError):
        equipment_record(by=rep.u("cs"), customer_id=other.pk, model="XGN15", serial_number="SN-9")
    with pytest.raises(RepairError):
        equipment_record(by=rep.u("tech_repair"), customer_id=other.pk, model="XGN15", serial_number="SN-10")


def test_who_sees_which_ticket(rep):
    ticket = rep.onsite()  # customer of region HB (sales_hb created it), Repair Center, 马超 on site
    seen = {name for name in ("cs", "repair_supervisor", "tech_repair", "director", "gm", "sales_hb", "rm_hb",
                              "tech_rnd", "rnd_head", "production_head", "sales_hd", "finance", "xxx_head")
            if tickets_visible_to(rep.u(name)).filter(pk=ticket.pk).exists()}
    assert seen == {"cs", "repair_supervisor", "tech_repair", "director", "gm", "rm_hb"}


def test_a_salesperson_sees_the_tickets_of_the_customers_they_handle(rep):
    from contracts.services import contract_create

    customer = rep.customer()
    ticket = rep.ticket(customer=customer)
    assert not tickets_visible_to(rep.u("sales_hb")).filter(pk=ticket.pk).exists()
    contract_create(by=rep.u("sales_hb"), customer=customer, title="供货合同", amount=Decimal("100000"),
                    starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=90),
                    non_standard_reason="客户文本")
    assert tickets_visible_to(rep.u("sales_hb")).filter(pk=ticket.pk).exists()


def test_department_head_sees_the_tickets_sent_to_his_department(rep):
    ticket = rep.responded()
    from repairs.services import sheet_issue

    sheet = sheet_issue(by=rep.u("cs"), ticket_id=ticket.pk, onsite_at=timezone.now() + timedelta(days=1),
                        department="rnd", department_reason="保护装置软件问题，需开发部处理")
    assert tickets_visible_to(rep.u("rnd_head")).filter(pk=ticket.pk).exists()
    assert not tickets_visible_to(rep.u("tech_rnd")).filter(pk=ticket.pk).exists()
    sheet_accept(by=rep.u("rnd_head"), sheet_id=sheet.pk, technician_ids=[rep.u("tech_rnd").pk])
    assert tickets_visible_to(rep.u("tech_rnd")).filter(pk=ticket.pk).exists()
    assert not tickets_visible_to(rep.u("production_head")).filter(pk=ticket.pk).exists()
