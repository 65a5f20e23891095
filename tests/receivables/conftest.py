"""Factories for projects and a frozen "today" (the rules are about dates; tests must not depend on the clock)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

TODAY = date(2026, 11, 29)


def credit_code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91330000MA1{n:06d}"[:17]
    return body + uscc.calc_check_digit(body)


def pdf_upload(name="scan.pdf", text=b"report"):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + text + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def today(clock):
    """The shared clock (tests/conftest.py) frozen on ``TODAY``."""
    return clock.set(TODAY)


@pytest.fixture
def on_day(clock):
    """``on_day(date)`` moves the frozen clock (the sweep runs "on" that day)."""

    def move(day: date) -> date:
        clock.set(day)
        return day

    return move


class Factory:
    """Projects built like the portal builds them: a signed sales contract, then the receivables services."""

    def __init__(self, demo):
        self.demo = demo
        self.n = 0

    def customer(self, region="HB"):
        from contracts.models import Customer

        self.n += 1
        return Customer.objects.create(name=f"测试供电公司{self.n:04d}", credit_code=credit_code(self.n),
                                       region=self.demo.region(region), created_by=self.demo.user("clerk"))

    def contract(self, *, owner="sales_hb", amount=Decimal("1000000.00"), retention=Decimal("5.00"), warranty=12,
                 signed_on=date(2024, 11, 1), region=None, state="filed", customer=None):
        from contracts.models import Contract

        user = self.demo.user(owner)
        region = region or user.person.regions.first().code
        customer = customer or self.customer(region)
        return Contract.objects.create(
            title=f"{customer.name}配电工程{self.n}", direction="sales", customer=customer,
            region=self.demo.region(region), handler=user, amount=amount, starts_on=signed_on,
            ends_on=signed_on + timedelta(days=300), state=state, non_standard_reason="客户文本",
            retention_percent=retention, warranty_months=warranty, created_by=user, signed_on=signed_on)

    def project(self, *, accepted_on: date | None = None, **kw):
        from receivables.services import project_register

        contract = self.contract(**kw)
        project = project_register(contract_id=contract.pk, by=None)
        if accepted_on is not None:
            self.accept(project, accepted_on)
            project.refresh_from_db()
        return project

    def accept(self, project, accepted_on: date, by="xxx_head"):
        from receivables.services import acceptance_submit

        return acceptance_submit(project_id=project.pk, by=self.demo.user(by), report_date=accepted_on,
                                 notice="工程已于验收日全部完工，特此通知。", report_scan=pdf_upload())

    def invoice(self, project, issued_on: date, amount=None, number=None):
        from receivables.services import invoice_record

        self.n += 1
        return invoice_record(project_id=project.pk, by=self.demo.user("finance"), number=number or f"INV{self.n:06d}",
                              issued_on=issued_on, amount=amount if amount is not None else project.amount)

    def receipt(self, project, received_on: date, amount, reference=None):
        from receivables.services import receipt_record

        self.n += 1
        return receipt_record(project_id=project.pk, by=self.demo.user("finance"), received_on=received_on,
                              amount=amount, bank_reference=reference if reference is not None else f"BK{self.n:08d}")


@pytest.fixture
def rcv(demo):
    return Factory(demo)


def xlsx_file(rows, name="bank.xlsx", header=None):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
