"""Repair tickets built through the services, step by step along the flow chart."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import Factories

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    """A Beijing-time instant: ``at(2026, 3, 6, 16, 30)``."""
    return datetime(*args, tzinfo=SH)


def signature_png(ink: bool = True, size=(300, 120)) -> bytes:
    """A PNG like the signature pad's: transparent, with a drawn stroke unless ``ink`` is False."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    if ink:
        draw = ImageDraw.Draw(image)
        draw.line([(20, 80), (80, 30), (140, 90), (200, 40), (280, 70)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def signature_data_url(ink: bool = True) -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png(ink)).decode()


def photo_upload(name="site.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class Repairs:
    """``r.ticket()``, ``r.assigned()``, ``r.onsite()``… each a ticket advanced to that box of the flow chart."""

    def __init__(self, demo):
        self.demo = demo
        self.make = Factories(demo)

    def u(self, username):
        return self.demo.user(username)

    def customer(self, **kw):
        return self.make.customer(**kw)

    def ticket(self, *, category="repair", customer=None, by="cs", now=None, **kw):
        from repairs.services import ticket_register

        customer = customer or self.customer()
        fields = dict(unit_name=customer.name, contact_name="王经理", contact_phone="13800001111",
                      fault="10kV开关柜合闸后跳闸，无法送电", site_address="北京市海淀区学院路1号配电室")
        fields.update(kw)
        return ticket_register(by=self.u(by), category=category, customer_id=customer.pk, now=now, **fields)

    def assigned(self, technician="tech_repair", now=None, **kw):
        from repairs.services import ticket_assign

        ticket = self.ticket(now=now, **kw)
        return ticket_assign(by=self.u("cs"), ticket_id=ticket.pk, technician_id=self.u(technician).pk,
                             now=now and now + timedelta(minutes=5))

    def responded(self, solved=False, now=None, **kw):
        from repairs.services import ticket_respond

        ticket = self.assigned(now=now, **kw)
        return ticket_respond(by=ticket.technician, ticket_id=ticket.pk, solved=solved, notes="电话指导复位，未恢复",
                              now=now and now + timedelta(minutes=30))

    def dispatched(self, now=None, **kw):
        from repairs.services import sheet_issue

        ticket = self.responded(now=now, **kw)
        base = now or timezone.now()
        sheet_issue(by=self.u("cs"), ticket_id=ticket.pk, onsite_at=base + timedelta(days=1),
                    now=now and now + timedelta(hours=1))
        ticket.refresh_from_db()
        return ticket

    def onsite(self, now=None, technicians=("tech_repair",), **kw):
        from repairs.services import sheet_accept

        ticket = self.dispatched(now=now, **kw)
        sheet = ticket.sheets.get(state="issued")
        head = {"repair": "repair_supervisor", "rnd": "rnd_head", "production": "production_head"}[sheet.department]
        sheet_accept(by=self.u(head), sheet_id=sheet.pk, technician_ids=[self.u(t).pk for t in technicians],
                     now=now and now + timedelta(hours=2))
        ticket.refresh_from_db()
        return ticket

    def report(self, ticket, *, solved=True, by="tech_repair", now=None, **kw):
        from repairs.services import visit_report

        now = now or timezone.now()
        fields = dict(arrived_at=now - timedelta(hours=2), departed_at=now - timedelta(minutes=10),
                      findings="真空断路器操作机构卡涩", work_done="清洁润滑操作机构，更换分闸线圈",
                      parts_used="分闸线圈 1 只", solved=solved)
        if solved:
            fields.update(signature=signature_data_url(), signer_name="王经理")
        else:
            fields.update(cause_analysis="线圈更换后仍跳闸，怀疑保护装置定值错误")
        fields.update(kw)
        return visit_report(by=self.u(by), ticket_id=ticket.pk, now=now, **fields)

    def resolved(self, now=None, **kw):
        ticket = self.onsite(now=now, **kw)
        self.report(ticket, now=now and now + timedelta(days=1, hours=3))
        ticket.refresh_from_db()
        return ticket

    def archived(self, now=None, **kw):
        from repairs.services import return_call_record

        ticket = self.resolved(now=now, **kw)
        return_call_record(by=self.u("cs"), ticket_id=ticket.pk, fixed=True, satisfaction=5, comments="满意",
                           now=now and now + timedelta(days=2))
        ticket.refresh_from_db()
        return ticket


@pytest.fixture
def rep(demo):
    return Repairs(demo)


@pytest.fixture
def trep(transactional_demo):
    return Repairs(transactional_demo)
