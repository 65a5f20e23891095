"""Demo customers and contracts in every state (called by ``manage.py seed_demo``; safe to run again).

Everything is made through the services, by the demo logins who would do it in real life, so the
demo data has the same steps, history and archive numbers as real work. A record that exists
(customer by name, contract by title) is left as it is.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from org.models import Region

from . import services
from .choices import ContractState, DeadlineBasis, Direction, Relation
from .models import Contract, ContractTemplate, Customer

POINTS = ("subject_qualification", "credit_standing", "performance_capacity", "operating_status", "market_demand",
          "product", "service_quality", "price")
FINDINGS = {
    "subject_qualification": "营业执照、资质证书在有效期内，经营范围涵盖本项目。",
    "credit_standing": "企业信用信息公示系统无经营异常、无失信记录。",
    "performance_capacity": "近三年同类项目五个，资金状况良好。",
    "operating_status": "正常经营，主要股东稳定。",
    "market_demand": "所在区域电网改造需求持续。",
    "product": "采购我司10kV开关柜及箱变，型号成熟。",
    "service_quality": "以往合作中验收及时，配合度高。",
    "price": "报价在我司指导价范围内，毛利符合要求。",
}

CUSTOMERS = [
    # name, credit code body (17 chars, check digit computed), region, industry, address, contact
    ("华北电力建设工程有限公司", "91110000MA01AB12C", "HB", "电力工程", "北京市丰台区南四环西路188号",
     ("李建国", "采购部经理", "010-63218888")),
    ("河北冀能新能源开发有限公司", "91130100MA0CD3456", "HB", "新能源", "石家庄市长安区中山东路99号",
     ("王海燕", "项目经理", "0311-85551234")),
    ("上海浦江智能电气股份有限公司", "91310000MA1FL8KQ3", "HD", "电气设备", "上海市浦东新区张江路1000号",
     ("陈晓东", "设备部主任", "021-58889999")),
    ("广东粤海城市轨道交通有限公司", "91440300MA5EF7890", "HN", "轨道交通", "深圳市福田区深南大道6008号",
     ("黄志明", "机电部经理", "0755-83331111")),
    ("陕西秦川光伏电力有限公司", "91610000MA6GH2345", "XB", "光伏发电", "西安市雁塔区科技路48号",
     ("赵明亮", "总工程师", "029-88886666")),
]


def _code(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def _pdf(name: str, text: str = "demo") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + text.encode() + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@functools.cache
def _demo_text_pdf() -> bytes:
    """One real PDF for every demo contract's draft text (rendered once: it opens in the browser's viewer)."""
    from marketing_portal.documents import render_pdf

    return render_pdf("pdf/sample.html", {"title": "合同文本（演示数据）", "amount": Decimal("0.00")})


def attach_demo_text(contract: Contract, by=None) -> None:
    """The draft text the approvers read (required before submission); other apps' demo data use it too."""
    services.contract_text_add(contract_id=contract.pk, by=by or contract.handler, upload=SimpleUploadedFile(
        f"{contract.title}（第{contract.version}版）.pdf", _demo_text_pdf(), content_type="application/pdf"))


def _png(name: str) -> SimpleUploadedFile:
    content = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
               b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
               b"\xaeB`\x82")
    return SimpleUploadedFile(name, content, content_type="image/png")


def run(stdout=None) -> None:
    # Stored texts (step comments, history reasons) are written in the portal's language.
    with translation.override(settings.LANGUAGE_CODE):
        _run(stdout)


def _run(stdout=None) -> None:
    User = get_user_model()
    u = {user.username: user for user in User.objects.filter(is_active=True)}
    if "director" not in u:
        return  # the org seed has not run
    today = timezone.localdate()
    regions = {r.code: r for r in Region.objects.all()}

    # Templates (CON-2)
    template = ContractTemplate.objects.filter(code="sales-std").first()
    if template is None:
        template = services.template_create(by=u["clerk"], code="sales-std", name="标准设备销售合同",
                                            kind="contract", direction=Direction.SALES)
        services.template_version_add(template_id=template.pk, by=u["clerk"], effective_from=today.replace(month=1,
                                                                                                           day=1),
                                      changes="首次发布", text_file=_pdf("标准设备销售合同v1.pdf"))
        services.template_version_add(template_id=template.pk, by=u["legal"], effective_from=today,
                                      changes="按民法典更新违约责任条款", text_file=_pdf("标准设备销售合同v2.pdf"))
    if not ContractTemplate.objects.filter(code="construction-std").exists():
        t2 = services.template_create(by=u["clerk"], code="construction-std", name="XXX施工分包合同",
                                      kind="contract", direction=Direction.CONSTRUCTION)
        services.template_version_add(template_id=t2.pk, by=u["clerk"], effective_from=today,
                                      changes="首次发布", text_file=_pdf("施工分包合同v1.pdf"))
    version = template.current_version()

    # Customers (CUS) with a valid due-diligence record each
    customers = {}
    salesperson = {"HB": "sales_hb", "HD": "sales_hd", "HN": "sales_hn", "XB": "sales_xb"}
    for name, body, region, industry, address, (cname, cpos, phone) in CUSTOMERS:
        customer = Customer.objects.filter(name=name).first()
        if customer is None:
            by = u[salesperson[region]]
            customer = services.customer_create(
                by=by, name=name, credit_code=_code(body), region=regions[region], address=address,
                industry=industry, contacts=[{"name": cname, "position": cpos, "phone": phone}])
            services.due_diligence_record(
                customer_id=customer.pk, by=by, investigated_on=today - timedelta(days=20), conclusion="pass",
                summary="可以签约。", findings={**FINDINGS, **{f"{p}_rating": "good" for p in POINTS}},
                evidence=[_png("营业执照.png"), _pdf("信用报告.pdf")])
        customers[region] = customers.get(region) or customer
    if not Customer.objects.filter(name="新疆天山输变电有限公司").exists():
        # A customer without due diligence: its draft shows why it cannot be submitted.
        services.customer_create(by=u["sales_xb"], name="新疆天山输变电有限公司",
                                 credit_code=_code("91650000MA7JK5678"), region=regions["XB"], industry="输变电",
                                 address="乌鲁木齐市天山区解放北路1号")

    made = []

    def contract(title, *, by, region, target, amount="380000.00", months=10, **kw):
        if Contract.objects.filter(title=title).exists():
            return None
        start = today - timedelta(days=15)
        data = dict(title=title, amount=Decimal(amount), starts_on=start,
                    ends_on=kw.pop("ends_on", start + timedelta(days=30 * months)))
        if kw.get("direction") == Direction.CONSTRUCTION:
            data["region"] = regions[region]
        else:
            data["customer"] = kw.pop("customer", customers[region])
        if "template_version" not in kw and "non_standard_reason" not in kw:
            kw["template_version"] = version
        c = services.contract_create(by=u[by], **data, **kw)
        _advance(c, target, u, today)
        made.append(c)
        return c

    contract("HB-220kV变电站开关柜供货合同（草稿）", by="sales_hb", region="HB", target="draft",
             lines=[{"description": "KYN28A-12 开关柜", "specification": "1250A 31.5kA", "quantity": 10,
                     "unit": "面", "unit_price": "38000.00"}])
    contract("冀能风电场箱变采购合同", by="sales_hb", region="HB", target="leader_review", amount="560000.00",
             customer=Customer.objects.get(name="河北冀能新能源开发有限公司"))
    contract("浦江智能配电柜框架协议", by="sales_hd", region="HD", target="joint_review", kind="agreement",
             non_standard_reason="客户提供框架协议文本", drafted_by="counterparty")
    contract("粤海地铁环网柜订单", by="sales_hn", region="HN", target="gm_review", kind="order")
    contract("秦川光伏升压站设备合同", by="sales_xb", region="XB", target="approved")
    contract("华北电建10kV配电工程合同", by="sales_hb", region="HB", target="signed")
    contract("浦江智能二期开关设备合同", by="sales_hd", region="HD", target="registered")
    contract("粤海地铁三号线供电设备合同", by="sales_hn", region="HN", target="archived")
    filed = contract("华北电建变电站改造合同", by="sales_hb", region="HB", target="filed", amount="1280000.00",
                     legal_participant=u["legal"], technical_participant=u["tech_rnd"], months=11)
    contract("秦川光伏二期三年运维合同", by="sales_xb", region="XB", target="leader_review", months=36,
             non_standard_reason="三年期运维，客户文本", drafted_by="counterparty")
    # Art. 3: a three-year contract, approved by the GM, waits for the long-term sign-off.
    contract("华北电建变电站三年运维服务合同", by="sales_hb", region="HB", target="long_term_review", months=36,
             amount="720000.00", non_standard_reason="三年期运维服务，客户文本")
    contract("浦江智能仪表确认书", by="sales_hd", region="HD", target="rejected", kind="confirmation")
    contract("XXX施工分包合同（华北电建项目）", by="sales_manager", region="HB", target="leader_review",
             direction=Direction.CONSTRUCTION, handler=u["sales_hb"], amount="210000.00",
             template_version=ContractTemplate.objects.get(code="construction-std").current_version())
    contract("新疆天山输变电设备合同（草稿）", by="sales_xb", region="XB", target="draft",
             customer=Customer.objects.get(name="新疆天山输变电有限公司"), non_standard_reason="客户文本")
    withdrawn = contract("河北冀能储能项目合同（已撤回）", by="sales_hb", region="HB", target="draft",
                         customer=Customer.objects.get(name="河北冀能新能源开发有限公司"))
    if withdrawn:
        services.contract_withdraw(contract_id=withdrawn.pk, by=u["sales_hb"], reason="客户项目取消")
    ended = contract("华北电建临时用电设备租赁合同", by="sales_hb", region="HB", target="filed", amount="96000.00")
    if ended:
        termination = services.contract_amendment_create(
            parent_id=ended.pk, by=u["sales_hb"], relation=Relation.TERMINATION, title="临时用电设备租赁合同解除协议",
            amount=Decimal("0.00"), starts_on=today, ends_on=today, reason="项目提前完工，双方协商一致解除")
        _advance(termination, "signed", u, today)

    if filed:
        _after_signing(filed, u, today)
    if stdout:
        stdout.write(f"contracts: {Customer.objects.count()} customers, {Contract.objects.count()} contracts "
                     f"({len(made)} new)")


def _advance(contract: Contract, target: str, u: dict, today) -> None:
    """Take a draft along the chain, each step by the person who does it in real life."""
    order = ["draft", "leader_review", "joint_review", "gm_review", "long_term_review", "approved", "signed",
             "registered", "archived", "filed"]
    if contract.title.endswith("（草稿）"):
        return  # the demo drafts wait for their text: the page says what is missing before submission
    attach_demo_text(contract)
    if target == "draft":
        return
    services.contract_submit(contract_id=contract.pk, by=contract.handler)
    if target == "rejected":
        services.contract_reject(contract_id=contract.pk, by=u["director"], kind="leader",
                                 comment="数量与技术协议不一致，请核对后重新提交。")
        return
    steps = order[order.index("leader_review") + 1: order.index(target) + 1]
    for state in steps:
        contract.refresh_from_db()
        if state == "joint_review":
            services.contract_approve(contract_id=contract.pk, by=u["director"], kind="leader", comment="同意。")
        elif state == "gm_review":
            services.contract_approve(contract_id=contract.pk, by=u["finance"], kind="finance",
                                      comment="付款条件可行，同意。")
            if not contract.legal_waived:
                services.contract_approve(contract_id=contract.pk, by=u["legal"], kind="legal",
                                          comment="条款合规，同意。")
        elif state == "long_term_review" and contract.is_long_term:
            # Art. 3: a long-term contract passes the GM review, then the sign-off (below, or waits there).
            services.contract_approve(contract_id=contract.pk, by=u["gm"], kind="gm",
                                      comment="同意，报长期合同审核签署。")
        elif state == "approved" and contract.is_long_term:
            services.contract_approve(contract_id=contract.pk, by=u["deputy_gm"], kind="long_term",
                                      comment="长期合同，同意签署。")
        elif state == "approved":
            services.contract_approve(contract_id=contract.pk, by=u["gm"], kind="gm", comment="同意签订。")
        elif state == "signed":
            services.contract_sign(contract_id=contract.pk, by=contract.handler, signed_on=today,
                                   counterparty_signed_on=today, scan=_pdf("合同扫描件.pdf", contract.title))
        elif state == "registered":
            services.contract_register(contract_id=contract.pk, by=u["clerk"], notes="已登记台账")
        elif state == "archived":
            services.contract_archive(contract_id=contract.pk, by=u["archivist"], cabinet="A柜",
                                      box=f"{contract.region.code}-1盒")
        elif state == "filed":
            services.contract_acknowledge_copy(contract_id=contract.pk, by=u["finance"], kind="copy_finance")
            services.contract_acknowledge_copy(contract_id=contract.pk, by=u["mgmt_manager"],
                                               kind="copy_marketing")
    assert Contract.objects.get(pk=contract.pk).state in (target, ContractState.TERMINATED)


def _after_signing(contract: Contract, u: dict, today) -> None:
    services.milestone_record(contract_id=contract.pk, by=contract.handler, title="设备到货验收",
                              due_on=today + timedelta(days=30))
    services.milestone_record(contract_id=contract.pk, by=contract.handler, title="预付款到账",
                              due_on=today - timedelta(days=5), done_on=today - timedelta(days=3))
    services.non_performance_flag(contract_id=contract.pk, by=u["finance"], noticed_on=today - timedelta(days=2),
                                  description="对方未按约定在签约后10日内支付30%预付款。",
                                  deadline_basis=DeadlineBasis.REASONABLE)
    services.objection_receive(contract_id=contract.pk, by=contract.handler, received_on=today - timedelta(days=1),
                               content="对方认为第二批开关柜外观有划伤，要求更换。",
                               deadline_basis=DeadlineBasis.AGREED, days=7)
    loan = services.loan_request(contract_id=contract.pk, by=u["sales_hb"], purpose="与客户核对原件条款",
                                 return_due_on=today + timedelta(days=5))
    services.loan_decide(loan_id=loan.pk, by=u["admin_head"], approve=True, comment="同意，按期归还。")
    services.loan_hand_out(loan_id=loan.pk, by=u["archivist"])
    services.dispute_open(contract_id=contract.pk, by=u["legal"], opened_on=today - timedelta(days=1),
                          subject="到货延迟违约金争议", description="客户主张我方延迟交货3天，要求支付违约金。",
                          our_position="延迟系客户现场未具备卸货条件所致，有往来函件为证。")
