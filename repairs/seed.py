"""Demo repair tickets in every state of the flow chart (called by ``manage.py seed_demo``; safe to run again).

Runs after the contracts seed and reuses its customers. Every ticket is taken through the services by the
demo logins who would act (郑爽 at the desk, 马超 / 罗斌 / 宋杰 on site, the heads, 总经办, 吕强 signing), with
past moments (``now=``) so the service levels and metrics look like real weeks of work. Idempotent: a
ticket is recognised by its fault text and left as it is.
"""

from __future__ import annotations

import base64
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Customer

from . import services
from .models import Equipment, Ticket

User = get_user_model()
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADS = {"repair": "repair_supervisor", "rnd": "rnd_head", "production": "production_head"}


def _signature() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 140), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(30, 90), (70, 40), (110, 100), (150, 45), (190, 95), (240, 50), (320, 80)], fill=(20, 20, 20, 255),
              width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _photo(name: str, colour=(90, 120, 150)) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), colour)
    ImageDraw.Draw(image).rectangle([60, 50, 260, 190], outline=(240, 240, 240), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class Story:
    """One ticket's history, step by step, each step a service call at its own moment."""

    def __init__(self, users, customer, fault, *, days_ago, category="repair", equipment=None, source="call",
                 relayed_by=None):
        self.u, self.customer, self.fault = users, customer, fault
        # Calls come in during the morning (Beijing time), so the working hours they take look like real ones.
        morning = datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(9, 20), tzinfo=SHANGHAI)
        self.t = min(morning, timezone.now() - timedelta(hours=1))
        contact = customer.contacts.first()
        self.ticket = services.ticket_register(
            by=users[relayed_by or "cs"], source=source, category=category, unit_name=customer.name,
            contact_name=getattr(contact, "name", "") or "联系人", contact_phone=(getattr(contact, "phone", "") or
                                                                               "010-88888888"),
            fault=fault, customer_id=customer.pk, equipment_id=equipment.pk if equipment else None, now=self.t)

    def later(self, **kw):
        self.t += timedelta(**kw)
        return self.t

    def assign(self, tech="tech_repair"):
        services.ticket_assign(by=self.u["cs"], ticket_id=self.ticket.pk, technician_id=self.u[tech].pk,
                               now=self.later(minutes=12))
        return self

    def respond(self, solved=False, notes="电话指导现场人员复位检查，故障未消除，需上门。"):
        self.tech = Ticket.objects.get(pk=self.ticket.pk).technician
        services.ticket_respond(by=self.tech, ticket_id=self.ticket.pk, solved=solved, notes=notes,
                                now=self.later(minutes=50))
        return self

    def dispatch(self, department=None, reason=""):
        services.sheet_issue(by=self.u["cs"], ticket_id=self.ticket.pk, onsite_at=self.t + timedelta(hours=20),
                             department=department, department_reason=reason, instructions="携带备品备件及测试仪器。",
                             now=self.later(minutes=40))
        return self

    def accept(self, techs=("tech_repair",)):
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        sheet = ticket.sheets.get(state="issued")
        services.sheet_accept(by=self.u[HEADS[sheet.department]], sheet_id=sheet.pk,
                              technician_ids=[self.u[t].pk for t in techs], now=self.later(hours=1))
        return self

    def visit(self, *, solved, by="tech_repair", findings, work, analysis="", parts=""):
        arrived = self.later(hours=20)
        services.visit_report(
            by=self.u[by], ticket_id=self.ticket.pk, arrived_at=arrived, departed_at=arrived + timedelta(hours=2),
            findings=findings, work_done=work, parts_used=parts, solved=solved, cause_analysis=analysis,
            signer_name="现场负责人" if solved else "", signature=_signature() if solved else None,
            photos=[_photo("现场照片.jpg")], now=self.later(hours=2, minutes=30))
        return self

    def decide(self, *, escalate, text, techs=()):
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        services.analysis_decide(by=self.u[HEADS[ticket.department]], ticket_id=ticket.pk, escalate=escalate,
                                 solution="" if escalate else text, report=text if escalate else "",
                                 technician_ids=[self.u[t].pk for t in techs], now=self.later(hours=3))
        return self

    def gm(self, *, resources, solution, techs):
        services.escalation_resolve(by=self.u["deputy_gm"], ticket_id=self.ticket.pk, resources=resources,
                                    solution=solution, technician_ids=[self.u[t].pk for t in techs],
                                    now=self.later(hours=5))
        return self

    def call_back(self, fixed=True, score=5, comments="客户确认设备运行正常，对服务满意。"):
        services.return_call_record(by=self.u["cs"], ticket_id=self.ticket.pk, fixed=fixed, satisfaction=score,
                                    comments=comments, now=self.later(hours=20))
        return self

    def sign(self):
        services.ticket_sign(by=self.u["repair_supervisor"], ticket_id=self.ticket.pk, comment="资料齐全，同意存档。",
                             now=self.later(hours=4))
        return self


def _equipment(users, customer, model, serial, accepted_on: date, site: str):
    found = Equipment.objects.filter(model=model, serial_number=serial).first()
    return found or services.equipment_record(by=users["cs"], customer_id=customer.pk, model=model,
                                              serial_number=serial, site=site, accepted_on=accepted_on,
                                              installed_on=accepted_on - timedelta(days=10), warranty_months=12)


def run(stdout=None) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "cs", "tech_repair", "tech_rnd", "tech_production", "repair_supervisor", "rnd_head", "production_head",
        "deputy_gm", "sales_hb"])}
    names = ["华北电力建设工程有限公司", "河北冀能新能源开发有限公司", "上海浦江智能电气股份有限公司",
             "广东粤海城市轨道交通有限公司", "陕西秦川光伏电力有限公司"]
    customers = {c.name[:2]: c for c in Customer.objects.filter(name__in=names).prefetch_related("contacts")}
    if len(customers) < 5 or len(users) < 9:
        if stdout:
            stdout.write("repairs: skipped (the org or contracts demo data is missing)")
        return
    hb, hbj, sh, gd, sx = (customers[k] for k in ("华北", "河北", "上海", "广东", "陕西"))
    today = timezone.localdate()
    old = _equipment(users, hb, "KYN28A-12 高压开关柜", "XX-2023-0415", today - timedelta(days=900),
                     "北京市丰台区南四环西路188号 3号配电室")
    new = _equipment(users, hbj, "YBM-10/0.4-630 箱式变电站", "XX-2026-0102", today - timedelta(days=120),
                     "石家庄市长安区中山东路99号 光伏园区")
    existing = set(Ticket.objects.values_list("fault", flat=True))

    def story(fault, *args, **kw):
        if fault in existing:
            return None
        return Story(users, kw.pop("customer"), fault, *args, **kw)

    # Waiting for a technician; a salesperson's relay too.
    story("2号箱变温控器报警，风机不启动", customer=hb, days_ago=0)
    story("客户反映电容补偿柜投切异常（销售转告）", customer=hb, days_ago=1, source="sales_relay",
          relayed_by="sales_hb")
    # Waiting for the phone response (late: the service level alerts the head).
    if s := story("环网柜SF6气压低报警", customer=sh, days_ago=3):
        s.assign("tech_repair")
    # Solved by phone, return call due.
    if s := story("直流屏充电模块参数如何设置", customer=gd, days_ago=2, category="installation"):
        s.assign("tech_rnd").respond(solved=True, notes="电话指导客户按说明书第5章设置浮充电压，已恢复正常。")
    # On-site time to agree.
    if s := story("逆变器并网柜断路器拒合", customer=sx, days_ago=1):
        s.assign("tech_production").respond()
    # Liaison sheet with Production (equipment in warranty).
    if s := story("箱式变电站低压侧缺相", customer=hbj, days_ago=2, equipment=new):
        s.assign("tech_production").respond().dispatch()
    # On site: 马超's phone shows this one.
    if s := story("高压开关柜合闸后跳闸，无法送电", customer=hb, days_ago=2, equipment=old):
        s.assign("tech_repair").respond().dispatch().accept(("tech_repair",))
    # Cause analysis with the head.
    if s := story("微机保护装置频繁误动作", customer=sh, days_ago=5):
        s.assign("tech_repair").respond().dispatch().accept().visit(
            solved=False, findings="保护装置定值与图纸不符", work="核对定值，临时退出误动保护",
            analysis="疑似装置软件版本缺陷，需进一步分析")
    # Escalated to the GM's Office.
    if s := story("整流变压器温升异常", customer=gd, days_ago=6):
        s.assign("tech_repair").respond().dispatch().accept().visit(
            solved=False, findings="满载时油温超过85℃", work="清理散热器，检查风机",
            analysis="散热能力不足，原因不明").decide(escalate=True, text="维修中心无法确定原因，需设计与生产共同分析")
    # Solved on site, archived, waiting for the supervisor's signature.
    if s := story("汇流箱熔断器烧毁", customer=sx, days_ago=8):
        s.assign("tech_production").respond().dispatch().accept(("tech_production",)).visit(
            solved=True, by="tech_production", findings="熔断器规格选型偏小", work="更换熔断器并紧固接线",
            parts="光伏熔断器 15A × 6").call_back(score=4, comments="处理及时，希望提供备件清单。")
    # The whole story: failed visit, GM's Office, second visit, signature, return call, signed archive.
    if s := story("电缆终端头放电，有异响", customer=hb, days_ago=20, equipment=old):
        (s.assign("tech_repair").respond().dispatch().accept().visit(
            solved=False, findings="终端头应力锥处有爬电痕迹", work="清洁并临时处理",
            analysis="需更换冷缩终端，缺专用工具")
         .decide(escalate=True, text="本部门无专用压接工具与合格备件")
         .gm(resources="开发部罗斌携带压接工具，生产部调拨冷缩终端2套", solution="更换两相冷缩终端并做耐压试验",
             techs=("tech_repair", "tech_rnd"))
         .visit(solved=True, by="tech_rnd", findings="更换后局放正常", work="更换冷缩终端，耐压试验合格",
                parts="10kV冷缩终端 2套")
         .call_back().sign())
    # Reopened on the return call.
    if s := story("电能表通讯中断", customer=hbj, days_ago=7):
        s.assign("tech_rnd").respond(solved=True, notes="远程重启采集终端后恢复").call_back(
            fixed=False, score=2, comments="第二天又中断，需上门检查")
    # Complaints: one answered and accepted, one still open.
    if s := story("投诉：维修人员两次未按约定时间到场", customer=sh, days_ago=4, category="complaint"):
        services.complaint_answer(by=users["cs"], ticket_id=s.ticket.pk, answer="已向客户致歉，调整排班并由主管跟进",
                                  accepted=True, now=s.later(hours=6))
    story("投诉：维修后现场未清理", customer=gd, days_ago=1, category="complaint")
    # A duplicate call, cancelled (never deleted).
    if s := story("2号箱变温控器报警（重复来电）", customer=hb, days_ago=0):
        services.ticket_cancel(by=users["cs"], ticket_id=s.ticket.pk, reason="与上一张工单重复")
    alerts = services.service_levels_sweep()
    if stdout:
        stdout.write(f"repairs: {Ticket.objects.count()} tickets, {Equipment.objects.count()} equipment, "
                     f"{alerts} service-level alerts sent now")
