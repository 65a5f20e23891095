"""Benchmark customers and contracts (``manage.py seed_bench``): 5,000 customers, 50,000 contracts at scale 1.

Contracts spread over ten years (more each year), each with its order lines, the steps of the chain its state
implies — the people ``selectors.responsible_for`` names, decided by them at plausible times, a rejected first
version now and then — and the history rows of its drafting, submission and each change of state. Old
contracts are filed (a few terminated or withdrawn); the last months hold every state of the chain. The
contracts waiting on a review carry the real hash of what was submitted, so they can be approved as usual.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from stdnum.cn import uscc

from marketing_portal.benchdata import BenchContext, Numbers, bulk, history, stored_dates
from marketing_portal.policy import current_policy
from org.models import Person, Region
from org.roles import Role

from .choices import APPROVAL_KINDS, SIGNED_STATES, StepKind, StepStatus
from .models import ApprovalStep, Contract, ContractLine, Customer, CustomerContact, TemplateVersion
from .selectors import responsible_for
from .services.archive import archive_series
from .services.drafting import SERIAL_PATTERN, SERIAL_SERIES

CITIES = ["北京", "天津", "石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "上海", "南京", "杭州", "合肥",
          "福州", "南昌", "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "重庆", "成都", "贵阳", "昆明",
          "西安", "兰州", "西宁", "银川", "乌鲁木齐", "苏州", "无锡", "宁波", "温州", "青岛", "烟台", "佛山", "东莞",
          "厦门", "洛阳"]
WORDS = ["电力", "能源", "新能源", "电气", "电网", "光伏", "风电", "热电", "城建", "轨道交通", "水务", "化工",
         "钢铁", "煤业", "建设工程", "机电", "智能电气", "输变电", "供电服务", "开发区投资", "置业", "港务",
         "医药", "汽车", "数据中心"]
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司", "科技有限公司"]
INDUSTRIES = ["电力工程", "新能源", "电气设备", "轨道交通", "房地产", "工业制造", "市政", "数据中心"]
SITES = ["变电站", "开关站", "光伏电站", "风电场", "配电工程", "箱变项目", "厂区配电", "园区供电", "地铁站", "医院"]
EQUIPMENT = [("10kV开关柜", "KYN28A-12", "面"), ("箱式变电站", "YBM-12/0.4-630", "台"), ("低压开关柜", "GGD", "面"),
             ("直流屏", "GZDW-100Ah", "套"), ("环网柜", "XGN15-12", "面"), ("干式变压器", "SCB13-1000", "台"),
             ("微机保护装置", "WXH-820", "套"), ("电缆分支箱", "DFW-12", "台")]
KINDS = {"contract": 70, "order": 15, "agreement": 8, "confirmation": 7}

# (days since drafted, {state: weight}); the chain of a contract drafted long ago has run to its end.
STATE_MIX = [
    (60, {"draft": 18, "leader_review": 14, "joint_review": 14, "gm_review": 8, "long_term_review": 2,
          "approved": 10, "signed": 10, "registered": 8, "archived": 6, "filed": 5, "cancelled": 5}),
    (180, {"gm_review": 2, "approved": 4, "signed": 8, "registered": 8, "archived": 12, "filed": 58, "cancelled": 6,
           "terminated": 2}),
    (10**6, {"filed": 87, "archived": 1, "cancelled": 7, "terminated": 5}),
]
# How far along the chain each state is: the stage waiting (8: the chain has run to its end).
# Stages: 0 leader, 1 Finance + legal, 2 GM, 3 long-term sign-off (long-term contracts only), 4 signing,
# 5 registration, 6 archiving, 7 the two copies.
STAGE_OF_STATE = {"leader_review": 0, "joint_review": 1, "gm_review": 2, "long_term_review": 3, "approved": 4,
                  "signed": 5, "registered": 6, "archived": 7, "filed": 8, "terminated": 8}
CHAIN = [(0, (StepKind.LEADER,)), (1, (StepKind.FINANCE, StepKind.LEGAL)), (2, (StepKind.GM,)),
         (3, (StepKind.LONG_TERM,)), (4, (StepKind.SIGN,)), (5, (StepKind.REGISTER,)), (6, (StepKind.ARCHIVE,)),
         (7, (StepKind.COPY_FINANCE, StepKind.COPY_MARKETING))]


def _credit_code(n: int) -> str:
    body = f"91{10 + n % 60:02d}0000MB{n:07d}"
    return body + uscc.calc_check_digit(body)


def customers(ctx: BenchContext) -> list[Customer]:
    User = get_user_model()
    clerk = User.objects.get(username="clerk")
    regions = list(Region.objects.order_by("pk"))
    names = set(Customer.objects.values_list("name", flat=True))
    rows, contacts = [], []
    combos = [(c, w, s) for s in SUFFIXES for w in WORDS for c in CITIES]
    ctx.rng.shuffle(combos)
    count = ctx.n(5000)
    for i in range(count):
        city, word, suffix = combos[i % len(combos)]
        name = f"{city}{word}{suffix}" if i < len(combos) else f"{city}{word}第{i // len(combos)}{suffix}"
        if name in names:
            continue
        names.add(name)
        created = ctx.moment(ctx.day_in_ten_years())
        rows.append(Customer(name=name, credit_code=_credit_code(i), region=regions[i % len(regions)],
                             address=f"{city}市{ctx.rng.choice(['高新区', '经开区', '城南', '城北'])}"
                                     f"{ctx.rng.randint(1, 999)}号",
                             industry=ctx.rng.choice(INDUSTRIES), created_by=clerk, created_at=created,
                             updated_at=created))
    with stored_dates(Customer):
        bulk(ctx, Customer, rows)
    for c in rows:
        contacts.append(CustomerContact(customer=c, name=ctx.person_name(), position="采购部经理",
                                        mobile=ctx.mobile()))
    bulk(ctx, CustomerContact, contacts)
    bulk(ctx, Customer.history.model, [history(c, when=c.created_at, by=clerk, reason="新建客户档案")
                                       for c in rows], label="contracts_historicalcustomer")
    return rows


def run(ctx: BenchContext) -> None:
    rng = ctx.rng
    new_customers = customers(ctx)
    policy = current_policy()
    # Handlers: the salespeople of each region (the demo salesperson among them), sometimes its manager.
    handlers: dict[int, list] = {}
    for person in Person.objects.filter(positions__role=Role.SALESPERSON).select_related("user").prefetch_related(
            "regions"):
        for region in person.regions.all():
            handlers.setdefault(region.pk, []).append(person.user)
    templates = list(TemplateVersion.objects.filter(active=True))
    people_cache: dict = {}

    def people(kind, contract):
        key = (kind, contract.handler_id if kind in (StepKind.LEADER, StepKind.SIGN) else None)
        if key not in people_cache:
            people_cache[key] = responsible_for(kind, contract)
        return people_cache[key]

    plans = []
    for _i in range(ctx.n(50_000)):
        customer = rng.choice(new_customers)
        drafted = ctx.day_in_ten_years()
        age = (ctx.today - drafted).days
        mix = next(m for limit, m in STATE_MIX if age < limit)
        state = ctx.pick(mix)
        plans.append((drafted, customer, state))
    plans.sort(key=lambda p: p[0])
    serials = Numbers(SERIAL_SERIES)
    archives = {r.pk: Numbers(archive_series(r)) for r in Region.objects.all()}
    archive_pattern = policy.archive_number_pattern
    region_codes = dict(Region.objects.values_list("pk", "code"))
    contracts: list[Contract] = []
    extra: list[tuple] = []
    for drafted, customer, state in plans:
        handler = rng.choice(handlers.get(customer.region_id) or handlers[next(iter(handlers))])
        amount = Decimal(int(rng.lognormvariate(12.6, 0.9))).quantize(Decimal("1.00")) + Decimal(1000)
        created = ctx.moment(drafted)
        starts = drafted + timedelta(days=rng.randint(10, 60))
        long_term = rng.random() < 0.04 or state == "long_term_review"
        ends = starts + timedelta(days=rng.choice([180, 365, 365, 540, 730]) + (1200 if long_term else 0))
        template = rng.choice(templates) if templates and rng.random() < 0.75 else None
        city = customer.name[:2]
        equipment, spec, unit = rng.choice(EQUIPMENT)
        rejected = state != "draft" and rng.random() < 0.08 or state == "draft" and rng.random() < 0.2
        c = Contract(
            title=f"{city}{rng.choice(SITES)}{equipment}{'采购合同' if rng.random() < 0.8 else '供货合同'}",
            kind=ctx.pick(KINDS), direction="sales", customer=customer, region_id=customer.region_id,
            handler=handler, amount=amount, starts_on=starts, ends_on=ends, state=state,
            serial_number=SERIAL_PATTERN.format(year=drafted.year, seq=serials.take(drafted.year)),
            version=2 if rejected and state != "draft" else 1, template_version=template,
            non_standard_reason="" if template else "客户要求采用其合同文本",
            drafted_by="ours" if template else "counterparty", payment_terms="预付30%，到货60%，质保金10%",
            is_long_term=long_term, legal_waived=amount < 200_000 and rng.random() < 0.7,
            policy_version=policy.version,
            retention_percent=Decimal("5.00") if rng.random() < 0.7 else Decimal("10.00"),
            warranty_months=rng.choice([12, 12, 24, 36]), created_by=handler, created_at=created, updated_at=created)
        timeline = {"drafted": created}
        t = created + timedelta(hours=rng.randint(2, 72))
        if state not in ("draft",) or rejected:
            c.submitted_at, c.submitted_by = t, handler
            c.content_hash = hashlib.sha256(f"{c.serial_number}/{c.version}".encode()).hexdigest()
        stage = rng.randint(0, 2) if state == "cancelled" else STAGE_OF_STATE.get(state, -1)
        done = stage
        if done >= 4:
            c.approved_at = t + timedelta(days=rng.randint(2, 10))
        if done >= 5:
            c.signed_on = (c.approved_at + timedelta(days=rng.randint(1, 15))).date()
            c.counterparty_signed_on = c.signed_on
        if done >= 6:
            c.registered_at = ctx.moment(c.signed_on + timedelta(days=rng.randint(0, 3)))
        if done >= 7:
            year = c.signed_on.year
            seq = archives[c.region_id].take(year)
            c.archive_number = archive_pattern.format(region=region_codes[c.region_id], year=year, seq=seq)
            c.archive_year, c.archive_seq = year, seq
            c.archived_at = c.registered_at + timedelta(days=rng.randint(1, 10))
            c.archive_cabinet, c.archive_box = f"{rng.randint(1, 12)}号柜", f"{rng.randint(1, 60)}号盒"
        if state == "terminated":
            c.terminated_on = min(ctx.today, c.signed_on + timedelta(days=rng.randint(30, 400)))
        c.updated_at = max(x for x in (created, c.submitted_at, c.approved_at, c.registered_at, c.archived_at) if x)
        contracts.append(c)
        extra.append((rejected, done, t, timeline))
    with stored_dates(Contract):
        bulk(ctx, Contract, contracts)
    serials.save()
    for numbers in archives.values():
        numbers.save()

    lines, steps, assignees, histories = [], [], [], []
    HContract = Contract.history.model
    for c, (rejected, done, submitted, _timeline) in zip(contracts, extra, strict=True):
        n_lines = rng.choice([1, 1, 2, 3])
        left = c.amount
        for pos in range(1, n_lines + 1):
            equipment, spec, unit = rng.choice(EQUIPMENT)
            part = left if pos == n_lines else (c.amount / n_lines).quantize(Decimal("1.00"))
            left -= part
            quantity = Decimal(rng.randint(1, 20))
            lines.append(ContractLine(contract=c, position=pos, description=equipment, specification=spec,
                                      quantity=quantity, unit=unit,
                                      unit_price=(part / quantity).quantize(Decimal("0.01")),
                                      amount=part))
        histories.append(history(c, when=c.created_at, by=c.created_by, reason="起草", state="draft",
                                 version=1, submitted_at=None, submitted_by_id=None, approved_at=None,
                                 signed_on=None, registered_at=None, archive_number=None, archive_year=None,
                                 archive_seq=None, archived_at=None, terminated_on=None))
        if c.submitted_at is None:
            continue
        t = submitted
        if rejected:
            # The first version was sent back at the leader's or Finance's review, then corrected.
            kind = rng.choice([StepKind.LEADER, StepKind.FINANCE])
            for k in [StepKind.LEADER] + ([kind] if kind != StepKind.LEADER else []):
                who = people(k, c)
                status = StepStatus.REJECTED if k == kind else StepStatus.APPROVED
                decided = t + timedelta(hours=rng.randint(1, 30))
                comment = "数量与报价单不一致，请核对后重新提交" if status == StepStatus.REJECTED else "同意"
                steps.append((ApprovalStep(contract=c, version=1, kind=k, status=status, opened_at=t,
                                           decided_at=decided, decided_by=who[0] if who else None, comment=comment,
                                           content_hash=c.content_hash, policy_version=c.policy_version), who))
                t = decided
            histories.append(history(c, when=t, by=None, kind="~", reason=f"被退回：{StepKind(kind).label}",
                                     state="draft", version=1))
            if c.version == 1:
                continue  # still a draft after the rejection
            t += timedelta(days=rng.randint(1, 5))
        cancelled = c.state == "cancelled"
        for stage, kinds in CHAIN:
            if stage > done or stage == 3 and not c.is_long_term:
                continue
            opened = t
            for k in kinds:
                who = people(k, c)
                waived = k == StepKind.LEGAL and c.legal_waived
                if stage < done or waived:
                    status = StepStatus.WAIVED if waived else (
                        StepStatus.APPROVED if k in APPROVAL_KINDS else StepStatus.DONE)
                    decided = opened + timedelta(hours=rng.randint(1, 60))
                    if not waived:
                        t = max(t, decided)
                    steps.append((ApprovalStep(
                        contract=c, version=c.version, kind=k, status=status, opened_at=opened,
                        decided_at=opened if waived else decided,
                        decided_by=None if waived else (who[0] if who else None),
                        comment="法务审核按政策免审" if waived else ("同意" if status == StepStatus.APPROVED else ""),
                        content_hash=c.content_hash, policy_version=c.policy_version), who))
                else:
                    status = StepStatus.CANCELLED if cancelled else StepStatus.PENDING
                    steps.append((ApprovalStep(
                        contract=c, version=c.version, kind=k, status=status, opened_at=opened,
                        decided_at=opened + timedelta(days=2) if cancelled else None,
                        comment="经办人撤回" if cancelled else ""), who))
        histories.append(history(c, when=c.submitted_at, by=c.handler, kind="~", reason=f"提交审批（第{c.version}版）",
                                 state="leader_review", approved_at=None, signed_on=None, registered_at=None,
                                 archive_number=None, archive_year=None, archive_seq=None, archived_at=None,
                                 terminated_on=None))
        for field, state, reason in (("approved_at", "approved", "审批通过"), ("registered_at", "registered", "已登记"),
                                     ("archived_at", "archived", "已归档")):
            if getattr(c, field):
                histories.append(history(c, when=getattr(c, field), by=None, kind="~", reason=reason, state=state))
        if c.state in ("filed", "terminated", "cancelled"):
            histories.append(history(c, when=c.updated_at + timedelta(days=1), by=None, kind="~",
                                     reason={"filed": "副本签收完毕", "terminated": "合同终止",
                                             "cancelled": "经办人撤回"}[c.state]))
    bulk(ctx, ContractLine, lines)
    bulk(ctx, ApprovalStep, [s for s, _who in steps])
    for step, who in steps:
        assignees.extend(ApprovalStep.assignees.through(approvalstep_id=step.pk, user_id=u.pk) for u in who)
    bulk(ctx, ApprovalStep.assignees.through, assignees, label="contracts_approvalstep_assignees")
    bulk(ctx, HContract, histories, label="contracts_historicalcontract")
    bulk(ctx, ApprovalStep.history.model,
         [history(s, when=s.decided_at or s.opened_at, by=s.decided_by_id, reason=s.comment) for s, _w in steps],
         label="contracts_historicalapprovalstep")
    # Contracts waiting on a review carry the hash the services compare with what is approved.
    waiting = [c for c in contracts if c.state in ("leader_review", "joint_review", "gm_review", "long_term_review")]
    for c in waiting:
        c.content_hash = c.compute_hash()
    Contract.objects.bulk_update(waiting, ["content_hash"], batch_size=2000)
    signed = sum(1 for c in contracts if c.state in SIGNED_STATES)
    ctx.log(f"contracts: {len(new_customers)} customers, {len(contracts)} contracts ({signed} in force), "
            f"{len(steps)} steps")
