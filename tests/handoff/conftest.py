"""Factories for hand-offs, built through the services like the people who do the work would."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")

FINDINGS = {
    **{f"{name}_rating": "good" for name in (
        "subject_qualification", "credit_standing", "performance_capacity", "operating_status", "market_demand",
        "product", "service_quality", "price")},
    **{name: "核实无异常" for name in (
        "subject_qualification", "credit_standing", "performance_capacity", "operating_status", "market_demand",
        "product", "service_quality", "price")},
}


def at(y, m, d, hh=10, mm=0) -> datetime:
    """An aware moment in Beijing time."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def pdf_upload(name="drawing.pdf", text=b"drawing"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n" + text + b"\n%%EOF\n",
                              content_type="application/pdf")


def png_upload(name="evidence.png"):
    content = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
               b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
               b"\xaeB`\x82")
    return SimpleUploadedFile(name, content, content_type="image/png")


def credit_code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91120000MA0{n:06d}"[:17]
    return body + uscc.calc_check_digit(body)


SCOPE = [
    {"description": "10kV 箱变基础及安装", "specification": "YBM-12/0.4-630", "quantity": "2", "unit": "台"},
    {"description": "高压电缆敷设", "specification": "YJV22-8.7/15kV 3×70", "quantity": "350", "unit": "米"},
]
COSTS = [
    {"category": "material", "description": "电缆及附件", "quantity": "350", "unit": "米", "unit_price": "180.00"},
    {"category": "labour", "description": "安装人工", "quantity": "40", "unit": "工日", "unit_price": "450.00"},
    {"category": "machinery", "description": "吊车台班", "quantity": "2", "unit": "台班", "unit_price": "2500.00"},
]  # total 63,000 + 18,000 + 5,000 = 86,000.00


class HandoffFactory:
    def __init__(self, demo):
        self.demo = demo
        self.n = 0

    def user(self, name):
        return self.demo.user(name)

    def signed_contract(self, *, by="sales_hb", region="HB", line_amounts=("300000.00",), title=None):
        """A sales contract with order lines, taken through the whole chain to signed."""
        from contracts import services as cs

        self.n += 1
        user = self.user(by)
        customer = cs.customer_create(
            by=user, name=f"对接测试客户{self.n}有限公司", credit_code=credit_code(self.n),
            region=self.demo.region(region), address=f"北京市丰台区科技园{self.n}号", industry="电力",
            contacts=[{"name": "王经理", "position": "采购部经理", "phone": "010-88888888"}])
        cs.due_diligence_record(customer_id=customer.pk, by=user, investigated_on=timezone.localdate(),
                                conclusion="pass", findings=FINDINGS, evidence=[png_upload()])
        lines = [{"description": f"配电工程第{i + 1}标段", "specification": "10kV", "quantity": "1", "unit": "项",
                  "unit_price": amount} for i, amount in enumerate(line_amounts)]
        total = sum(Decimal(a) for a in line_amounts)
        today = timezone.localdate()
        contract = cs.contract_create(
            by=user, customer=customer, title=title or f"配电工程合同{self.n}", amount=total, starts_on=today,
            ends_on=today + timedelta(days=180), non_standard_reason="客户提供文本", lines=lines)
        cs.contract_text_add(contract_id=contract.pk, by=user, upload=pdf_upload("合同文本.pdf", b"text"))
        cs.contract_submit(contract_id=contract.pk, by=user)
        cs.contract_approve(contract_id=contract.pk, by=self.user("director"), kind="leader")
        cs.contract_approve(contract_id=contract.pk, by=self.user("finance"), kind="finance")
        contract.refresh_from_db()
        if not contract.legal_waived:
            cs.contract_approve(contract_id=contract.pk, by=self.user("legal"), kind="legal")
        cs.contract_approve(contract_id=contract.pk, by=self.user("gm"), kind="gm")
        cs.contract_sign(contract_id=contract.pk, by=user, signed_on=today, counterparty_signed_on=today,
                         scan=pdf_upload("scan.pdf", b"signed"))
        contract.refresh_from_db()
        return contract

    def sheet_data(self, **overrides):
        today = timezone.localdate()
        data = dict(site="北京市丰台区科技园变电站", site_contact="李工 13800000000",
                    requirements="按甲方技术规范书施工，竣工验收执行GB 50150。", planned_start=today,
                    planned_finish=today + timedelta(days=60), scope_items=[dict(s) for s in SCOPE])
        data.update(overrides)
        return data

    def handoff(self, *, contract=None, by="sales_hb", now=None, **overrides):
        from handoff.services import handoff_create

        contract = contract or self.signed_contract(by=by if by.startswith("sales_") else "sales_hb")
        line = contract.lines.order_by("position").first()
        return handoff_create(by=self.user(by), line_id=line.pk, now=now, **self.sheet_data(**overrides))

    def costed(self, *, now=None, by="xxx_estimator", lines=None, **kw):
        from handoff.services import costing_submit

        handoff = kw.pop("handoff", None) or self.handoff(**kw)
        costing_submit(by=self.user(by), handoff_id=handoff.pk, lines=lines or [dict(c) for c in COSTS], now=now)
        handoff.refresh_from_db()
        return handoff

    def suggested(self, *, amount="92000.00", now=None, **kw):
        from handoff.services import costing_suggest

        handoff = self.costed(**kw)
        costing_suggest(by=self.user("finance"), handoff_id=handoff.pk, suggested_amount=amount, now=now)
        handoff.refresh_from_db()
        return handoff

    def decided(self, *, amount="95000.00", by="sales_hb", **kw):
        from handoff.services import handoff_decide

        handoff = self.suggested(**kw)
        decision = handoff_decide(by=self.user(by), handoff_id=handoff.pk, amount=amount)
        handoff.refresh_from_db()
        return handoff, decision


@pytest.fixture
def hf(demo):
    return HandoffFactory(demo)


@pytest.fixture
def today():
    return timezone.localdate()
