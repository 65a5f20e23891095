"""The flow chart 客户报修处理流程图 through the services: every box, every branch, and who may act."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketing_portal.files import attachments_of
from marketing_portal.models import Notification
from repairs.choices import SheetState, TicketState, VisitState
from repairs.services import (
    RepairError,
    analysis_decide,
    complaint_answer,
    escalation_resolve,
    return_call_record,
    sheet_accept,
    sheet_issue,
    ticket_assign,
    ticket_respond,
    ticket_sign,
)

from .conftest import photo_upload

pytestmark = pytest.mark.django_db


def test_a_call_becomes_a_numbered_ticket_waiting_for_a_technician(rep):
    first = rep.ticket()
    second = rep.ticket()
    year = timezone.localdate().year
    assert first.number == f"WX{year}-{int(first.number[-5:]):05d}"
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1
    assert first.state == TicketState.NEW and first.received_by == rep.u("cs")
    assert first.response_due_at > first.received_at and first.close_due_at > first.response_due_at


def test_solved_by_phone_goes_to_the_return_call_then_the_supervisor_signs(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = rep.responded(solved=True)
    assert ticket.state == TicketState.RESOLVED and ticket.phone_solved is True
    assert ticket.response_hours is not None
    assert Notification.objects.filter(recipient=rep.u("cs"), key__startswith="repairs-responded").exists()
    with django_capture_on_commit_callbacks(execute=True):
        return_call_record(by=rep.u("cs"), ticket_id=ticket.pk, fixed=True, satisfaction=4, comments="响应及时")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ARCHIVED and ticket.satisfaction == 4 and ticket.close_hours is not None
    assert Notification.objects.filter(recipient=rep.u("repair_supervisor"), key__startswith="repairs-archived")
    ticket_sign(by=rep.u("repair_supervisor"), ticket_id=ticket.pk, comment="同意归档")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.signed_by == rep.u("repair_supervisor")
    assert ticket.visit_count == 0


def test_failed_visit_escalation_to_the_gm_office_and_a_second_visit(rep, django_capture_on_commit_callbacks):
    ticket = rep.onsite()
    assert ticket.state == TicketState.ONSITE and ticket.visit_count == 1
    rep.report(ticket, solved=False, photos=[photo_upload()])
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ANALYSIS and ticket.first_arrival_at is not None
    first = ticket.visits.get(seq=1)
    assert first.state == VisitState.UNSOLVED and attachments_of(first, "photo").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        analysis_decide(by=rep.u("repair_supervisor"), ticket_id=ticket.pk, escalate=True,
                        report="本部门无解决方案，需开发部协助分析保护定值")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ESCALATED and ticket.escalation_count == 1
    assert Notification.objects.filter(recipient=rep.u("deputy_gm"), key__startswith="repairs-escalated").exists()
    escalation_resolve(by=rep.u("deputy_gm"), ticket_id=ticket.pk, resources="开发部罗斌携带继电保护测试仪",
                       solution="重新整定保护定值并做传动试验",
                       technician_ids=[rep.u("tech_rnd").pk, rep.u("tech_repair").pk])
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ONSITE and ticket.visit_count == 2
    assert set(ticket.technicians.values_list("username", flat=True)) >= {"tech_rnd", "tech_repair"}
    rep.report(ticket, by="tech_rnd", solved=True)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED
    second = ticket.visits.get(seq=2)
    signature = attachments_of(second, "signature").get()
    assert signature.mime_type == "image/png" and second.signer_name == "王经理"


def test_head_with_a_solution_sends_the_technicians_again(rep):
    ticket = rep.onsite()
    rep.report(ticket, solved=False)
    visit = analysis_decide(by=rep.u("repair_supervisor"), ticket_id=ticket.pk, escalate=False,
                            solution="更换保护装置插件后再次上门")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ONSITE and visit.seq == 2 and ticket.visit_count == 2
    assert list(visit.technicians.values_list("username", flat=True)) == ["tech_repair"]


def test_return_call_not_fixed_reopens_the_ticket(rep):
    ticket = rep.resolved()
    call = return_call_record(by=rep.u("cs"), ticket_id=ticket.pk, fixed=False, satisfaction=2,
                              comments="第二天又跳闸")
    ticket.refresh_from_db()
    assert call.fixed is False and ticket.state == TicketState.ONSITE_PENDING and ticket.reopen_count == 1
    sheet = sheet_issue(by=rep.u("cs"), ticket_id=ticket.pk, onsite_at=timezone.now() + timedelta(hours=20))
    assert sheet.state == SheetState.ISSUED and ticket.sheets.count() == 2


def test_a_technician_of_the_department_may_take_the_sheet_himself(rep):
    ticket = rep.dispatched()
    sheet = ticket.sheets.get()
    visit = sheet_accept(by=rep.u("tech_repair"), sheet_id=sheet.pk)
    assert list(visit.technicians.all()) == [rep.u("tech_repair")]
    with pytest.raises(RepairError, match="已由"):
        sheet_accept(by=rep.u("repair_supervisor"), sheet_id=sheet.pk, technician_ids=[rep.u("tech_repair").pk])


def test_complaint_closes_with_the_answer_and_the_customers_acceptance(rep):
    ticket = rep.ticket(category="complaint", fault="投诉：维修人员两次未按约定时间到场")
    complaint_answer(by=rep.u("cs"), ticket_id=ticket.pk, answer="已向客户致歉并调整排班", accepted=False)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.NEW and ticket.answer_accepted is False
    complaint_answer(by=rep.u("cs"), ticket_id=ticket.pk, answer="由维修中心主管亲自跟进，客户认可", accepted=True)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ARCHIVED and ticket.answer_accepted is True
    with pytest.raises(RepairError):
        return_call_record(by=rep.u("cs"), ticket_id=ticket.pk, fixed=True, satisfaction=5)


def test_delegate_of_the_supervisor_signs_on_his_behalf(rep):
    from org.services import delegation_create

    ticket = rep.archived()
    today = timezone.localdate()
    delegation_create(by=rep.u("repair_supervisor"), principal=rep.u("repair_supervisor"),
                      delegate=rep.u("tech_repair"), starts_on=today, ends_on=today, reason="休假")
    ticket_sign(by=rep.u("tech_repair"), ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
    assert "代" in ticket.history.first().history_change_reason


# ---------------------------------------------------------------------------------------------- bad input
def _unchanged(ticket):
    before = {f.name: getattr(ticket, f.name) for f in ticket._meta.concrete_fields}
    ticket.refresh_from_db()
    return before == {f.name: getattr(ticket, f.name) for f in ticket._meta.concrete_fields}


def test_ticket_without_any_contact_is_refused_in_chinese(rep):
    from repairs.models import Ticket

    count = Ticket.objects.count()
    with pytest.raises(RepairError) as refused:
        rep.ticket(contact_name="", contact_phone="")
    messages = refused.value.message_dict
    assert "联系电话" in messages["contact_phone"][0] and messages["contact_name"]
    with pytest.raises(RepairError) as refused:
        rep.ticket(contact_phone="请找王经理")
    assert "不是电话号码" in refused.value.message_dict["contact_phone"][0]
    assert Ticket.objects.count() == count


def test_on_site_time_in_the_past_is_refused(rep):
    ticket = rep.responded()
    with pytest.raises(RepairError) as refused:
        sheet_issue(by=rep.u("cs"), ticket_id=ticket.pk, onsite_at=timezone.now() - timedelta(hours=1))
    assert "已经过去" in refused.value.message_dict["onsite_at"][0]
    assert _unchanged(ticket) and not ticket.sheets.exists()


@pytest.mark.parametrize("signature, expected", [
    ("data:image/png;base64,bm90IGFuIGltYWdl", "不是图片"),
    ("data:text/plain;base64,aGVsbG8=", "不是图片"),
    ("not a data url", "不是图片"),
    ("empty", "签名为空"),
])
def test_signature_that_is_not_an_image_or_is_empty_is_refused(rep, signature, expected):
    from .conftest import signature_data_url

    ticket = rep.onsite()
    if signature == "empty":
        signature = signature_data_url(ink=False)
    with pytest.raises(RepairError) as refused:
        rep.report(ticket, signature=signature)
    assert expected in " ".join(refused.value.message_dict["signature"])
    assert _unchanged(ticket)
    assert ticket.visits.get().state == VisitState.OPEN


def test_photo_that_is_not_a_photo_is_refused(rep):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = rep.onsite()
    fake = SimpleUploadedFile("site.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg")
    with pytest.raises(RepairError) as refused:
        rep.report(ticket, photos=[fake])
    assert "不是照片" in refused.value.message_dict["photos"][0]
    assert _unchanged(ticket) and not attachments_of(ticket.visits.get()).exists()


def test_return_call_on_an_open_ticket_is_refused(rep):
    ticket = rep.onsite()
    with pytest.raises(RepairError) as refused:
        return_call_record(by=rep.u("cs"), ticket_id=ticket.pk, fixed=True, satisfaction=5)
    assert "解决后" in refused.value.messages[0]
    assert _unchanged(ticket) and not ticket.return_calls.exists()


@pytest.mark.parametrize("who", ["tech_rnd", "sales_hb", "rnd_head"])
def test_action_by_someone_not_on_the_ticket_is_refused(rep, who):
    ticket = rep.assigned()
    with pytest.raises(RepairError) as refused:
        ticket_respond(by=rep.u(who), ticket_id=ticket.pk, solved=True, notes="已解决")
    assert "不是此工单" in refused.value.messages[0]
    assert _unchanged(ticket)


def test_only_the_specialist_assigns_and_only_the_head_or_its_technicians_accept(rep):
    ticket = rep.ticket()
    with pytest.raises(RepairError):
        ticket_assign(by=rep.u("tech_repair"), ticket_id=ticket.pk, technician_id=rep.u("tech_repair").pk)
    dispatched = rep.dispatched()
    with pytest.raises(RepairError, match="维修中心"):
        sheet_accept(by=rep.u("tech_production"), sheet_id=dispatched.sheets.get().pk)
    with pytest.raises(RepairError):
        ticket_sign(by=rep.u("cs"), ticket_id=rep.archived().pk)


def test_visit_times_must_make_sense(rep):
    ticket = rep.onsite()
    now = timezone.now()
    with pytest.raises(RepairError) as refused:
        rep.report(ticket, arrived_at=now + timedelta(hours=3))
    assert refused.value.message_dict["arrived_at"]
    with pytest.raises(RepairError) as refused:
        rep.report(ticket, arrived_at=now - timedelta(hours=1), departed_at=now - timedelta(hours=2))
    assert refused.value.message_dict["departed_at"]
    with pytest.raises(RepairError) as refused:
        rep.report(ticket, solved=False, cause_analysis="")
    assert refused.value.message_dict["cause_analysis"]
    with pytest.raises(RepairError) as refused:
        rep.report(ticket, solved=True, signature=None, signer_name="")
    assert refused.value.message_dict["signature"]


def test_satisfaction_must_be_one_to_five(rep):
    ticket = rep.resolved()
    for bad in (0, 6, "很好", None):
        with pytest.raises(RepairError) as refused:
            return_call_record(by=rep.u("cs"), ticket_id=ticket.pk, fixed=True, satisfaction=bad)
        assert "1 到 5" in refused.value.message_dict["satisfaction"][0] or refused.value.message_dict
    assert _unchanged(ticket)
