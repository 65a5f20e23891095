"""Demo data of the planning app, made through the services: 2026 plans approved by region and person (so the
dashboard has actual against target on the first run), a revision awaiting approval, sales reports with comments,
and bids in every state. Safe to run again: each record is looked for first."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Customer
from org.models import Region

from . import periods, services
from .choices import PlanState, ReportKind, TenderState
from .models import SalesPlan, SalesReport, Tender

User = get_user_model()
YEAR = 2026
# Monthly targets (10,000 yuan) of each region; each region's salesperson carries 60 % of it.
REGION_MONTHLY = {"HB": 180, "HD": 220, "HN": 150, "XB": 90}
SALESPEOPLE = {"HB": "sales_hb", "HD": "sales_hd", "HN": "sales_hn", "XB": "sales_xb"}
MANAGERS = {"HB": "rm_hb", "HD": "rm_hd", "HN": "rm_hn", "XB": "rm_xb"}


def _pdf(name: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body + name.encode(), content_type="application/pdf")


def _approve_all(version) -> None:
    for _round in range(3):
        step = version.steps.filter(status="pending").first()
        if step is None:
            return
        decider = step.assignees.order_by("pk").first()
        services.plan_approve(step_id=step.pk, by=decider, comment="同意。")
        version.refresh_from_db()


def _plan(year, region, by, rows, *, approve=True, note=""):
    plan = SalesPlan.objects.filter(year=year, region=region).first()
    if plan is None:
        plan = services.plan_create(by=by, year=year, region=region, note=note)
        version = plan.versions.get()
        services.plan_targets_set(version_id=version.pk, by=by, targets=rows)
        if approve:
            services.plan_submit(version_id=version.pk, by=by)
            version.refresh_from_db()
            _approve_all(version)
    return plan


def _plans(users, regions) -> None:
    centre_rows = [{"region": regions[code], "person": None, "period": "month", "period_no": m,
                    "amount": Decimal(amount * 10000)} for code, amount in REGION_MONTHLY.items()
                   for m in range(1, 13)]
    _plan(YEAR, None, users["mgmt_manager"], centre_rows, note="依据公司年度经营目标分解至各区域、各月。")
    for code, login in SALESPEOPLE.items():
        person_rows = [{"region": regions[code], "person": users[login], "period": "month", "period_no": m,
                        "amount": Decimal(REGION_MONTHLY[code] * 6000)} for m in range(1, 13)]
        plan = _plan(YEAR, regions[code], users[MANAGERS[code]], person_rows,
                     note=f"{regions[code].name}区域个人销售目标。")
        if code == "HD" and not plan.versions.filter(number=2).exists():
            # A revision waiting for the director: the approved version 1 stays in force meanwhile.
            version = services.plan_revise(plan_id=plan.pk, by=users["rm_hd"],
                                           note="下半年新增项目，调高第四季度目标。")
            rows = [{"region": regions[code], "person": users[login], "period": "month", "period_no": m,
                     "amount": Decimal(REGION_MONTHLY[code] * (7000 if m >= 10 else 6000))} for m in range(1, 13)]
            services.plan_targets_set(version_id=version.pk, by=users["rm_hd"], targets=rows)
            services.plan_submit(version_id=version.pk, by=users["rm_hd"])
    # Next year's centre plan, still a draft with its annual targets.
    _plan(YEAR + 1, None, users["mgmt_manager"],
          [{"region": regions[code], "person": None, "period": "year", "period_no": 0,
            "amount": Decimal(amount * 12 * 11000)} for code, amount in REGION_MONTHLY.items()], approve=False)


REPORT_TEXTS = {
    "work_done": "跟进重点项目投标准备；拜访老客户两家，沟通年度框架协议续签；配合财务核对回款。",
    "customers_visited": "华北电力建设工程有限公司（设备部）；河北冀能新能源开发有限公司（采购部）",
    "opportunities": "冀能二期光伏升压站箱变约30台，预计下月招标。",
    "next_plan": "完成投标文件技术部分；催收上月到期回款；安排新客户技术交流。",
    "problems": "部分项目付款审批周期长，需要财务协助出具对账单。",
}


def _reports(users) -> None:
    today = timezone.localdate()
    for code, login in SALESPEOPLE.items():
        person = users[login]
        kinds = [(ReportKind.WEEKLY, periods.previous_period(ReportKind.WEEKLY, today)[0] - timedelta(days=7 * n))
                 for n in range(0, 3)]
        kinds.append((ReportKind.MONTHLY, periods.previous_period(ReportKind.MONTHLY, today)[0]))
        for index, (kind, start) in enumerate(kinds):
            if code == "XB" and index == 0:
                continue  # 吴婷 has not filed last week's report yet: the reminder and the compilation show it
            if SalesReport.objects.filter(person=person, kind=kind, period_start=start).exists():
                continue
            report = services.report_file(by=person, kind=kind, period=periods.code_of(kind, start), **REPORT_TEXTS)
            if index == 1:
                services.report_comment(report_id=report.pk, by=users[MANAGERS[code]],
                                        body="回款进度要抓紧，冀能项目投标文件周三前给内勤。")
            if kind == ReportKind.MONTHLY and code == "HB":
                services.report_comment(report_id=report.pk, by=users["director"], body="本月完成情况较好，继续保持。")


BIDS = [
    # title, customer name prefix, state, budget (10,000 yuan), days from today to the opening
    ("冀能二期光伏升压站箱变采购", "河北", TenderState.PREPARING, 980, 30),
    ("浦江园区配电房改造工程", "上海", TenderState.REVIEW, 420, 20),
    ("粤海地铁12号线环网柜采购", "广东", TenderState.READY, 1560, 12),
    ("秦川光伏电站35kV开关柜采购", "陕西", TenderState.SUBMITTED, 760, 3),
    ("华北电建2026年度高压开关柜框架采购", "华北", TenderState.WON, 1280, -20),
    ("浦江智能电气箱式变电站采购", "上海", TenderState.LOST, 300, -15),
    ("粤海车辆段低压配电柜采购", "广东", TenderState.CANCELLED, 210, -5),
]


def _bid(users, customer, title, state, budget, days) -> None:
    if Tender.objects.filter(title=title).exists():
        return
    today = timezone.localdate()
    owner = users[SALESPEOPLE[customer.region.code]] if customer.region.code in SALESPEOPLE else users["sales_hb"]
    opening = today + timedelta(days=days)
    tender = services.tender_create(by=owner, title=title, customer=customer, budget=Decimal(budget * 10000),
                                    documents_due_on=opening - timedelta(days=2), opening_on=opening,
                                    clerk=users["clerk"] if budget > 500 else users["design_clerk"],
                                    tender_reference=f"ZBWJ-{today.year}-{budget:04d}")
    if state == TenderState.PREPARING:
        services.tender_document_add(tender_id=tender.pk, by=tender.clerk, upload=_pdf("商务标（初稿）.pdf"))
        return
    services.tender_document_add(tender_id=tender.pk, by=tender.clerk, upload=_pdf("商务标.pdf"))
    services.tender_document_add(tender_id=tender.pk, by=tender.clerk, upload=_pdf("技术标.pdf"))
    services.tender_update(tender_id=tender.pk, by=tender.clerk, quoted_amount=Decimal(budget * 9400))
    services.tender_send_to_review(tender_id=tender.pk, by=tender.clerk)
    if state == TenderState.REVIEW:
        return
    step = tender.steps.get(status="pending")
    services.tender_review(step_id=step.pk, by=users["mgmt_manager"], approve=True,
                           comment="报价与图纸已核，同意报出。")
    if state == TenderState.READY:
        return
    services.tender_submit(tender_id=tender.pk, by=owner)
    if state == TenderState.SUBMITTED:
        return
    if state == TenderState.WON:
        services.tender_record_result(tender_id=tender.pk, by=owner, result="won", result_on=opening,
                                      winning_amount=Decimal(budget * 9400))
        services.tender_start_contract(tender_id=tender.pk, by=owner)
    elif state == TenderState.LOST:
        services.tender_record_result(tender_id=tender.pk, by=owner, result="lost", result_on=opening,
                                      winning_amount=Decimal(budget * 8800), winner="某电气设备有限公司",
                                      note="对方报价低约6%。")
    else:
        services.tender_record_result(tender_id=tender.pk, by=owner, result="cancelled", result_on=opening,
                                      note="招标人取消项目。")


def run(stdout=None) -> None:
    logins = {"mgmt_manager", "director", "gm", "clerk", "design_clerk", *SALESPEOPLE.values(), *MANAGERS.values()}
    users = {u.username: u for u in User.objects.filter(username__in=logins)}
    regions = {r.code: r for r in Region.objects.filter(code__in=REGION_MONTHLY)}
    if len(users) < len(logins) or len(regions) < len(REGION_MONTHLY):
        if stdout:
            stdout.write("planning: skipped (the org demo data is missing)")
        return
    _plans(users, regions)
    _reports(users)
    customers = list(Customer.objects.select_related("region"))
    for title, prefix, state, budget, days in BIDS:
        customer = next((c for c in customers if c.name.startswith(prefix)), None)
        if customer is not None:
            _bid(users, customer, title, state, budget, days)
    if stdout:
        in_force = SalesPlan.objects.filter(versions__state=PlanState.APPROVED).distinct().count()
        stdout.write(f"planning: {in_force} plans in force, {SalesReport.objects.count()} reports, "
                     f"{Tender.objects.count()} bids")
