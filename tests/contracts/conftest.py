"""Factories for customers and contracts, built through the services like a user would."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

# A valid unified social credit code per index (check digit computed).
_BASE = "91110000MA0{:06d}"


def credit_code(n: int) -> str:
    from stdnum.cn import uscc

    body = _BASE.format(n)[:17]
    return body + uscc.calc_check_digit(body)


def pdf_upload(name="scan.pdf", text=b"signed"):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + text + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name="evidence.png"):
    content = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
               b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
               b"\xaeB`\x82")
    return SimpleUploadedFile(name, content, content_type="image/png")


FINDINGS = {
    **{f"{name}_rating": "good" for name in (
        "subject_qualification", "credit_standing", "performance_capacity", "operating_status", "market_demand",
        "product", "service_quality", "price")},
    **{name: "核实无异常" for name in (
        "subject_qualification", "credit_standing", "performance_capacity", "operating_status", "market_demand",
        "product", "service_quality", "price")},
}


class Factory:
    def __init__(self, demo):
        self.demo = demo
        self.n = 0

    def customer(self, region="HB", by="sales_hb", name=None, diligence=True):
        from contracts.services import customer_create, due_diligence_record

        self.n += 1
        customer = customer_create(
            by=self.demo.user(by), name=name or f"测试客户{self.n}有限公司", credit_code=credit_code(self.n),
            region=self.demo.region(region), address="北京市", industry="电力",
            contacts=[{"name": "王经理", "position": "采购部经理", "phone": "010-88888888"}],
        )
        if diligence:
            due_diligence_record(customer_id=customer.pk, by=self.demo.user(by), investigated_on=timezone.localdate(),
                                 conclusion="pass", findings=FINDINGS, evidence=[png_upload()])
        return customer

    def contract(self, by="sales_hb", customer=None, amount=Decimal("120000.00"), months=6, **kw):
        from contracts.services import contract_create

        user = self.demo.user(by)
        if customer is None and kw.get("direction", "sales") == "sales":
            region = kw.pop("region_code", None)
            customer = self.customer(region=region or user.person.regions.first().code, by=by)
        start = kw.pop("starts_on", timezone.localdate())
        defaults = dict(title=f"配电设备采购合同{self.n}", amount=amount, starts_on=start,
                        ends_on=kw.pop("ends_on", start + timedelta(days=30 * months - 1)),
                        non_standard_reason="客户提供文本")
        defaults.update(kw)
        return contract_create(by=user, customer=customer, **defaults)

    def submitted(self, **kw):
        from contracts.services import contract_submit

        contract = self.contract(**kw)
        return contract_submit(contract_id=contract.pk, by=contract.handler)

    def approved(self, **kw):
        from contracts.services import contract_approve

        contract = self.submitted(**kw)
        d = self.demo
        contract_approve(contract_id=contract.pk, by=d.user("director"), kind="leader")
        contract_approve(contract_id=contract.pk, by=d.user("finance"), kind="finance")
        contract.refresh_from_db()
        if not contract.legal_waived:
            contract_approve(contract_id=contract.pk, by=d.user("legal"), kind="legal")
        contract_approve(contract_id=contract.pk, by=d.user("gm"), kind="gm")
        if contract.is_long_term:
            contract_approve(contract_id=contract.pk, by=d.user("deputy_gm"), kind="long_term")
        contract.refresh_from_db()
        return contract

    def signed(self, **kw):
        from contracts.services import contract_sign

        contract = self.approved(**kw)
        today = timezone.localdate()
        return contract_sign(contract_id=contract.pk, by=contract.handler, signed_on=today,
                             counterparty_signed_on=today, scan=pdf_upload())

    def archived(self, **kw):
        from contracts.services import contract_archive, contract_register

        contract = self.signed(**kw)
        contract_register(contract_id=contract.pk, by=self.demo.user("clerk"))
        return contract_archive(contract_id=contract.pk, by=self.demo.user("archivist"), cabinet="A1", box="3")

    def filed(self, **kw):
        from contracts.services import contract_acknowledge_copy

        contract = self.archived(**kw)
        contract_acknowledge_copy(contract_id=contract.pk, by=self.demo.user("finance"), kind="copy_finance")
        return contract_acknowledge_copy(contract_id=contract.pk, by=self.demo.user("mgmt_manager"),
                                         kind="copy_marketing")


@pytest.fixture
def make(demo):
    return Factory(demo)


@pytest.fixture
def today():
    return timezone.localdate()


__all__ = ["credit_code", "pdf_upload", "png_upload", "FINDINGS", "Factory", "date", "io"]


@pytest.fixture
def tmake(transactional_demo):
    """The factory for transactional tests (threads, browser): everything it makes is committed."""
    return Factory(transactional_demo)
