"""Demo hand-offs in every state, some overdue, and a few months of history for the on-time rates.

Runs after the contracts seed (INSTALLED_APPS order). It needs signed sales contracts with order lines,
so it makes its own through the contracts services (customers of the contracts seed are reused when
they exist). Everything is done through the services by the demo logins who would do it; past events
are given their moment (``now=``) so the deadlines, reminders and rates look like real weeks of work.
Idempotent: an order line that already has a hand-off is left as it is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts import services as cs
from contracts.models import Contract, Customer
from contracts.seed import attach_demo_text
from marketing_portal.periods import is_workday

from . import services
from .models import Handoff

FINDINGS = {
    "subject_qualification": "营业执照、资质证书在有效期内。", "credit_standing": "无失信记录。",
    "performance_capacity": "近三年同类项目多个。", "operating_status": "正常经营。",
    "market_demand": "区域配网改造需求持续。", "product": "采购我司成套设备。",
    "service_quality": "以往合作配合度高。", "price": "价格在指导价范围内。",
}

# title, salesperson, region, fallback customer (name, credit-code body), order lines (description, spec, amount)
CONTRACTS = [
    ("华北电建二期配电工程设备及安装合同", "sales_hb", "HB", ("华北电力建设工程有限公司", "91110000MA01AB12C"), [
        ("箱式变电站安装工程", "YBM-12/0.4-630kVA", "420000.00"),
        ("10kV 电缆敷设工程", "YJV22-8.7/15kV 3×120", "260000.00"),
        ("开关站设备安装", "KYN28A-12 共 12 面", "380000.00"), ("配电室改造工程", "含土建及照明", "150000.00"),
        ("高压计量柜安装", "GG-1A 2 面", "90000.00")]),
    ("浦江智能园区供配电工程合同", "sales_hd", "HD", ("上海浦江智能电气股份有限公司", "91310000MA1FL8KQ3"), [
        ("园区环网柜安装", "XGN15-12 共 8 台", "310000.00"), ("低压配电柜安装", "GCK 共 20 面", "240000.00"),
        ("电缆桥架及敷设", "热镀锌桥架 600×200", "180000.00"), ("防雷接地工程", "-40×4 镀锌扁钢", "60000.00"),
        ("调试及试验", "全站调试", "45000.00")]),
    ("粤海地铁主变电所设备安装合同", "sales_hn", "HN", ("广东粤海城市轨道交通有限公司", "91440300MA5EF7890"), [
        ("35kV GIS 安装", "ZF-40.5 共 6 间隔", "680000.00"), ("直流屏安装", "220V 200Ah", "120000.00"),
        ("主变压器就位", "SZ11-20000/35", "260000.00"), ("综合自动化系统调试", "", "150000.00")]),
    ("秦川光伏升压站安装合同", "sales_xb", "XB", ("陕西秦川光伏电力有限公司", "91610000MA6GH2345"), [
        ("升压站一次设备安装", "35kV", "520000.00"), ("光伏集电线路", "架空线路 12km", "360000.00"),
        ("SVG 无功补偿装置安装", "±10Mvar", "210000.00")]),
]

REQUIREMENTS = (
    "1. 按甲方技术规范书及施工图施工，执行 GB 50150《电气装置安装工程 电气设备交接试验标准》；\n"
    "2. 施工前提交施工组织设计及安全措施，经甲方监理审批后进场；\n"
    "3. 甲方要求工期内完成安装及调试，验收合格后提交竣工资料一式四份。"
)

COSTS = [
    ("material", "主材及辅材", "1", "批", 0.55),
    ("labour", "安装人工", "1", "项", 0.20),
    ("machinery", "吊装及运输机械", "1", "项", 0.06),
    ("measures", "安全文明施工措施费", "1", "项", 0.03),
    ("management", "管理费", "1", "项", 0.04),
    ("tax", "税金", "1", "项", 0.05),
]


def _pdf(name: str, text: str = "demo") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + text.encode() + b"\n%%EOF\n",
                              content_type="application/pdf")


def _png(name: str) -> SimpleUploadedFile:
    content = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
               b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
               b"\xaeB`\x82")
    return SimpleUploadedFile(name, content, content_type="image/png")


def _code(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


class _Clock:
    """Working days before today, and moments on them in Beijing time."""

    def __init__(self, today: date):
        self.today = today
        self.tz = ZoneInfo(settings.TIME_ZONE)

    def workday_before(self, n: int) -> date:
        day = self.today
        while n:
            day -= timedelta(days=1)
            if is_workday(day):
                n -= 1
        return day

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def wd(self, n: int, hour: int, minute: int = 0) -> datetime:
        return self.at(self.workday_before(n), hour, minute)


def _customer(u, region_code, fallback, region):
    name, body = fallback
    customer = Customer.objects.filter(name=name).first() or Customer.objects.filter(region=region).first()
    if customer is None:
        customer = cs.customer_create(by=u, name=name, credit_code=_code(body), region=region,
                                      address="（演示地址）", industry="电力",
                                      contacts=[{"name": "王经理", "position": "项目经理", "phone": "010-66668888"}])
    from contracts.selectors import valid_due_diligence

    if valid_due_diligence(customer) is None:
        cs.due_diligence_record(
            customer_id=customer.pk, by=u, investigated_on=timezone.localdate() - timedelta(days=10),
            conclusion="pass", summary="可以签约。", findings={**FINDINGS, **{f"{k}_rating": "good" for k in FINDINGS}},
            evidence=[_png("营业执照.png")])
    return customer


def _signed_sales_contract(users, title, by, region_code, fallback, lines, today):
    from org.models import Region

    contract = Contract.objects.filter(title=title).first()
    if contract is not None:
        return contract
    region = Region.objects.get(code=region_code)
    handler = users[by]
    customer = _customer(handler, region_code, fallback, region)
    amount = sum(Decimal(a) for _d, _s, a in lines)
    contract = cs.contract_create(
        by=handler, customer=customer, title=title, amount=amount, starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=240), non_standard_reason="甲方提供合同文本", drafted_by="counterparty",
        legal_participant=users["legal"], technical_participant=users["tech_rnd"],
        lines=[{"description": d, "specification": s, "quantity": "1", "unit": "项", "unit_price": a}
               for d, s, a in lines])
    _approve_and_sign(contract, users, today)
    return Contract.objects.get(pk=contract.pk)


def _approve_and_sign(contract, users, today):
    attach_demo_text(contract)
    cs.contract_submit(contract_id=contract.pk, by=contract.handler)
    cs.contract_approve(contract_id=contract.pk, by=users["director"], kind="leader", comment="同意")
    cs.contract_approve(contract_id=contract.pk, by=users["finance"], kind="finance", comment="价格及付款条件合理")
    contract.refresh_from_db()
    if not contract.legal_waived:
        cs.contract_approve(contract_id=contract.pk, by=users["legal"], kind="legal", comment="条款无异议")
    cs.contract_approve(contract_id=contract.pk, by=users["gm"], kind="gm", comment="同意签订")
    cs.contract_sign(contract_id=contract.pk, by=contract.handler, signed_on=today, counterparty_signed_on=today,
                     scan=_pdf("签署扫描件.pdf", contract.title))


def _cost_lines(line_amount: Decimal, factor: Decimal) -> list[dict]:
    base = (line_amount * factor).quantize(Decimal("1"))
    return [{"category": c, "description": d, "quantity": q, "unit": unit,
             "unit_price": str((base * Decimal(str(share))).quantize(Decimal("0.01")))}
            for c, d, q, unit, share in COSTS]


def run(stdout=None) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    needed = {"director", "finance", "finance_head", "legal", "gm", "xxx_estimator", "xxx_negotiator", "clerk",
              "sales_hb", "sales_hd", "sales_hn", "sales_xb", "tech_rnd", "archivist"}
    if not needed <= set(users):
        return  # the org seed has not run
    today = timezone.localdate()
    clock = _Clock(today)
    contracts = [_signed_sales_contract(users, title, by, region, fallback, lines, today)
                 for title, by, region, fallback, lines in CONTRACTS]
    lines = {(ci, li): line for ci, c in enumerate(contracts) for li, line in enumerate(c.lines.order_by("position"))}
    made = 0

    def story(key, steps):
        nonlocal made
        line = lines.get(key)
        if line is None or Handoff.objects.filter(line=line).exists():
            return
        steps(line)
        made += 1

    est, fin, neg = users["xxx_estimator"], users["finance"], users["xxx_negotiator"]

    def issue(line, when, by=None, files=True):
        handler = line.contract.handler
        return services.handoff_create(
            by=by or handler, line_id=line.pk, now=when, site=f"{line.contract.customer.name}项目现场",
            site_contact="现场负责人 李工 138-0000-1234", requirements=REQUIREMENTS,
            planned_start=timezone.localdate(when) + timedelta(days=10),
            planned_finish=timezone.localdate(when) + timedelta(days=100), schedule_notes="节假日不停工，夜间不施工",
            scope_items=[{"description": line.description, "specification": line.specification, "quantity": "1",
                          "unit": "项"},
                         {"description": "设备单体调试及系统联调", "quantity": "1", "unit": "项"}],
            attachments=[_pdf("施工图.pdf", line.description)] if files else [])

    def cost(handoff, when, factor="0.62"):
        return services.costing_submit(by=est, handoff_id=handoff.pk, now=when, notes="按现行定额及市场价核算，含税。",
                                       lines=_cost_lines(handoff.line.amount, Decimal(factor)))

    def suggest(handoff, when, factor="0.64", by=None):
        amount = (handoff.line.amount * Decimal(factor)).quantize(Decimal("100"))
        return services.costing_suggest(by=by or fin, handoff_id=handoff.pk, suggested_amount=amount, now=when,
                                        comment="管理费及税金复核无误，建议按此金额签订。")

    def negotiate(handoff, when, factor, proposer, who, notes):
        return services.negotiation_record(by=who, handoff_id=handoff.pk, proposer=proposer, now=when,
                                           held_on=timezone.localdate(when), notes=notes,
                                           amount=(handoff.line.amount * Decimal(factor)).quantize(Decimal("100")))

    def decide(handoff, when, factor, by=None):
        return services.handoff_decide(by=by or handoff.contract.handler, handoff_id=handoff.pk, now=when,
                                       amount=(handoff.line.amount * Decimal(factor)).quantize(Decimal("100")),
                                       notes="综合主合同金额及财务建议确定。")

    def signed(handoff, when):
        handoff.refresh_from_db()
        construction = handoff.construction_contract
        _approve_and_sign(construction, users, today)
        # the receiver of contract_state_changed runs after the commit; in the seed's transaction call it now
        services.construction_contract_changed(contract_id=construction.pk, new_state="signed",
                                               by=construction.handler)

    # -- history for the on-time rates: months back, completed, some late ------------------------
    def history(months_back, late_costing=False, late_review=False, returned=False):
        def steps(line):
            start = clock.at(_nth_workday(today - timedelta(days=30 * months_back)), 10)
            handoff = issue(line, start, files=False)
            due = handoff.costings.get().due_on
            submitted = clock.at(_after(due, 1) if late_costing else due, 16)
            cost(handoff, submitted)
            costing = handoff.costings.get()
            if returned:
                back = clock.at(costing.review_due_on, 11)
                revision = services.costing_return(by=fin, handoff_id=handoff.pk, now=back,
                                                   reason="机械台班单价偏高，请按市场价复核。")
                cost(handoff, clock.at(revision.due_on, 10), factor="0.60")
                costing = handoff.costings.order_by("-version").first()
            reviewed = clock.at(_after(costing.review_due_on, 2) if late_review else costing.review_due_on, 15)
            suggest(handoff, reviewed)
            talk = clock.at(_after(timezone.localdate(reviewed), 1), 10)
            negotiate(handoff, talk, "0.68", "xxx", neg, "材料价格上涨，申请上调。")
            decide(handoff, talk + timedelta(hours=2), "0.65")
            signed(handoff, talk)
        return steps

    story((0, 4), history(4))
    story((1, 3), history(4, late_costing=True))
    story((1, 4), history(3))
    story((2, 3), history(3, returned=True))
    story((3, 2), history(2, late_review=True))
    story((0, 3), history(2))

    # -- the present: one hand-off in every state -------------------------------------------------
    story((0, 0), lambda line: issue(line, clock.at(today, 9, 10) if is_workday(today) else clock.wd(1, 16, 30)))

    def overdue_costing(line):
        issue(line, clock.wd(4, 10))
    story((1, 0), overdue_costing)

    def revision(line):
        handoff = issue(line, clock.wd(3, 9))
        cost(handoff, clock.wd(2, 15))
        services.costing_return(by=fin, handoff_id=handoff.pk, now=clock.wd(1, 10),
                                reason="人工费按定额计算有误，请复核后重报。")
    story((2, 0), revision)

    def in_review(line):
        handoff = issue(line, clock.wd(2, 9))
        cost(handoff, clock.wd(1, 11))
    story((3, 0), in_review)

    def overdue_review(line):
        handoff = issue(line, clock.wd(6, 9))
        cost(handoff, clock.wd(5, 17))
    story((0, 1), overdue_review)

    def negotiating(line):
        handoff = issue(line, clock.wd(6, 10))
        cost(handoff, clock.wd(5, 16))
        suggest(handoff, clock.wd(4, 11))
        negotiate(handoff, clock.wd(3, 14), "0.70", "xxx", neg, "甲方要求工期提前，需增加夜间施工人员。")
        negotiate(handoff, clock.wd(2, 10), "0.655", "marketing", handoff.contract.handler,
                  "按财务建议上浮，夜间施工费用由XXX自行承担。")
    story((1, 1), negotiating)

    def drafted(line):
        handoff = issue(line, clock.wd(7, 10))
        cost(handoff, clock.wd(6, 15))
        suggest(handoff, clock.wd(5, 10))
        negotiate(handoff, clock.wd(4, 10), "0.67", "xxx", neg, "申请按核算金额签订。")
        decide(handoff, clock.wd(2, 16), "0.655")
    story((2, 1), drafted)

    def in_approval(line):
        handoff = issue(line, clock.wd(9, 10))
        cost(handoff, clock.wd(8, 16))
        suggest(handoff, clock.wd(7, 11))
        decision = decide(handoff, clock.wd(5, 10), "0.64", by=users["director"])
        construction = decision.construction_contract
        attach_demo_text(construction, by=handoff.contract.handler)
        cs.contract_submit(contract_id=construction.pk, by=handoff.contract.handler)
    story((3, 1), in_approval)

    def completed(line):
        handoff = issue(line, clock.wd(12, 10))
        cost(handoff, clock.wd(11, 16))
        suggest(handoff, clock.wd(10, 10))
        negotiate(handoff, clock.wd(9, 10), "0.66", "xxx", neg, "同意财务建议金额略作上浮。")
        decide(handoff, clock.wd(8, 15), "0.65")
        signed(handoff, clock.wd(6, 10))
    story((0, 2), completed)

    def withdrawn(line):
        handoff = issue(line, clock.wd(5, 10))
        services.handoff_cancel(by=handoff.contract.handler, handoff_id=handoff.pk, now=clock.wd(4, 9),
                                reason="甲方变更设计，待新图纸到位后重新下发联络单。")
    story((1, 2), withdrawn)

    if stdout:
        stdout.write(f"handoff: {Handoff.objects.count()} hand-offs ({made} new)")


def _nth_workday(day: date) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _after(day: date, n: int) -> date:
    for _ in range(n):
        day += timedelta(days=1)
        day = _nth_workday(day)
    return day

