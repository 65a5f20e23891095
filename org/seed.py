"""Demo organisation (SPEC ORG-1...4): units, positions with duties, regions and one demo login per role.

Idempotent: every record is found by its code or user name and brought to the state below.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from .models import Duty, Person, Position, Region, Unit
from .roles import Role
from .services import person_set_positions, roles_sync

REGIONS = [("HB", "华北区"), ("HD", "华东区"), ("HN", "华南区"), ("XB", "西北区")]

# code, name, kind, parent code, order
UNITS = [
    ("xx", "XX电力设备有限公司", Unit.Kind.COMPANY, None, 0),
    ("gm-office", "总经办", Unit.Kind.DEPARTMENT, "xx", 1),
    ("marketing", "营销中心", Unit.Kind.DEPARTMENT, "xx", 2),
    ("finance", "财务中心", Unit.Kind.DEPARTMENT, "xx", 3),
    ("legal", "法务部", Unit.Kind.DEPARTMENT, "xx", 4),
    ("administration", "行政部", Unit.Kind.DEPARTMENT, "xx", 5),
    ("repair", "维修中心", Unit.Kind.DEPARTMENT, "xx", 6),
    ("rnd", "开发部", Unit.Kind.DEPARTMENT, "xx", 7),
    ("production", "生产部", Unit.Kind.DEPARTMENT, "xx", 8),
    ("xxx", "XXX工程有限公司", Unit.Kind.SUBSIDIARY, "xx", 9),
]

DUTIES = [
    "招投标文件的制作", "技术文件编写", "客户信息管理", "预算、方案报出", "合同签订", "工程图纸设计",
    "杂志设计", "宣传资料设计", "名片设计", "招标工具询价及采购", "ISO质量管理体系文件", "维修信息的管理及联系",
    "各个区域的销售事物", "对外项目沟通", "招投标文件、预算图纸审核", "XX新合同对接", "合同审核", "销售合同管理",
    "销售周、月报管理",
]

# key, unit code, title, role, is head, region code, duties
POSITIONS = [
    ("gm", "xx", "总经理", Role.GENERAL_MANAGER, True, None, []),
    ("deputy-gm", "gm-office", "副总经理（分管营销）", Role.DEPUTY_GM, True, None, []),
    ("director", "marketing", "营销总监", Role.MARKETING_DIRECTOR, True, None, ["合同审核", "销售合同管理"]),
    ("mgmt-manager", "marketing", "管理经理", Role.MANAGEMENT_MANAGER, False, None,
     ["招投标文件、预算图纸审核", "合同审核", "销售合同管理", "销售周、月报管理", "ISO质量管理体系文件"]),
    ("assistant", "marketing", "总监助理", Role.DIRECTOR_ASSISTANT, False, None, ["XX新合同对接", "对外项目沟通"]),
    ("sales-manager", "marketing", "销售经理", Role.SALES_MANAGER, False, None, ["各个区域的销售事物", "合同签订"]),
    *[
        (f"rm-{code.lower()}", "marketing", "区域经理", Role.REGIONAL_MANAGER, False, code,
         ["各个区域的销售事物", "对外项目沟通", "预算、方案报出"])
        for code, _name in REGIONS
    ],
    ("clerk", "marketing", "销售内勤", Role.SALES_CLERK, False, None,
     ["招投标文件的制作", "技术文件编写", "客户信息管理", "销售合同管理"]),
    ("design-clerk", "marketing", "设计销售内勤", Role.DESIGN_CLERK, False, None,
     ["工程图纸设计", "杂志设计", "宣传资料设计", "名片设计", "招标工具询价及采购", "预算、方案报出"]),
    ("sales", "marketing", "销售人员", Role.SALESPERSON, False, None, ["合同签订", "预算、方案报出"]),
    ("cs", "marketing", "客服专员", Role.CS_SPECIALIST, False, None, ["维修信息的管理及联系"]),
    ("finance-head", "finance", "财务中心主任", Role.FINANCE_HEAD, True, None, []),
    ("finance-reviewer", "finance", "财务审核员", Role.FINANCE_REVIEWER, False, None, []),
    ("legal", "legal", "法务专员", Role.LEGAL, True, None, []),
    ("admin-head", "administration", "行政部经理", Role.ADMIN_HEAD, True, None, []),
    ("archivist", "administration", "合同档案管理员", Role.ARCHIVIST, False, None, []),
    ("sysadmin", "administration", "系统管理员", Role.SYSADMIN, False, None, []),
    ("repair-supervisor", "repair", "维修中心主管", Role.REPAIR_SUPERVISOR, True, None, []),
    ("tech-repair", "repair", "专职维修人员", Role.TECHNICIAN_REPAIR, False, None, []),
    ("rnd-head", "rnd", "开发部经理", Role.RND_HEAD, True, None, []),
    ("tech-rnd", "rnd", "开发部技术人员", Role.TECHNICIAN_RND, False, None, []),
    ("production-head", "production", "生产部经理", Role.PRODUCTION_HEAD, True, None, []),
    ("tech-production", "production", "生产部技术骨干", Role.TECHNICIAN_PRODUCTION, False, None, []),
    ("xxx-head", "xxx", "工程公司经理", Role.XXX_HEAD, True, None, []),
    ("xxx-estimator", "xxx", "造价员", Role.XXX_ESTIMATOR, False, None, []),
    ("xxx-negotiator", "xxx", "合同谈判员", Role.XXX_NEGOTIATOR, False, None, []),
]

# user name, person name, unit code, position keys, region codes
PEOPLE = [
    ("director", "周明", "marketing", ["director"], []),
    ("mgmt_manager", "林静", "marketing", ["mgmt-manager", "assistant"], []),
    ("sales_manager", "王强", "marketing", ["sales-manager"], []),
    ("rm_hb", "赵刚", "marketing", ["rm-hb"], ["HB"]),
    ("rm_hd", "钱进", "marketing", ["rm-hd"], ["HD"]),
    ("rm_hn", "孙丽", "marketing", ["rm-hn"], ["HN"]),
    ("rm_xb", "李军", "marketing", ["rm-xb"], ["XB"]),
    ("clerk", "陈芳", "marketing", ["clerk"], []),
    ("design_clerk", "杨帆", "marketing", ["design-clerk"], []),
    ("sales_hb", "张伟", "marketing", ["sales"], ["HB"]),
    ("sales_hd", "刘洋", "marketing", ["sales"], ["HD"]),
    ("sales_hn", "黄磊", "marketing", ["sales"], ["HN"]),
    ("sales_xb", "吴婷", "marketing", ["sales"], ["XB"]),
    ("cs", "郑爽", "marketing", ["cs"], []),
    ("finance_head", "何敏", "finance", ["finance-head"], []),
    ("finance", "冯倩", "finance", ["finance-reviewer"], []),
    ("legal", "曹律", "legal", ["legal"], []),
    ("admin_head", "许红", "administration", ["admin-head"], []),
    ("archivist", "蒋文", "administration", ["archivist"], []),
    ("sysadmin", "唐海", "administration", ["sysadmin"], []),
    ("gm", "沈国华", "xx", ["gm"], []),
    ("deputy_gm", "韩志远", "gm-office", ["deputy-gm"], []),
    ("xxx_head", "朱建", "xxx", ["xxx-head"], []),
    ("xxx_estimator", "秦亮", "xxx", ["xxx-estimator"], []),
    ("xxx_negotiator", "尤达", "xxx", ["xxx-negotiator"], []),
    ("repair_supervisor", "吕强", "repair", ["repair-supervisor"], []),
    ("tech_repair", "马超", "repair", ["tech-repair"], []),
    ("rnd_head", "高翔", "rnd", ["rnd-head"], []),
    ("tech_rnd", "罗斌", "rnd", ["tech-rnd"], []),
    ("production_head", "梁栋", "production", ["production-head"], []),
    ("tech_production", "宋杰", "production", ["tech-production"], []),
]


def _keep(model, defaults: dict, **lookup):
    """``update_or_create`` that saves only what differs: a second seed run writes no history row."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults)
    changed = [field for field, value in defaults.items() if getattr(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, defaults[field])
        obj.save()
    return obj


def run(stdout=None) -> None:
    roles_sync()
    regions = {code: _keep(Region, {"name": name}, code=code) for code, name in REGIONS}
    units: dict[str, Unit] = {}
    for code, name, kind, parent, order in UNITS:
        units[code] = _keep(Unit, {"name": name, "kind": kind, "parent": units.get(parent), "order": order}, code=code)
    duties = {name: _keep(Duty, {"order": i}, name=name) for i, name in enumerate(DUTIES)}
    positions: dict[str, Position] = {}
    for order, (key, unit, title, role, is_head, region, duty_names) in enumerate(POSITIONS):
        position = _keep(Position, {"role": role, "is_head": is_head, "order": order},
                         unit=units[unit], title=title, region=regions.get(region) if region else None)
        position.duties.set([duties[d] for d in duty_names])
        positions[key] = position
    User = get_user_model()
    for username, name, unit, position_keys, region_codes in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": name, "email": f"{username}@example.com"}
        )
        if created:
            user.set_password(settings.PORTAL_DEMO_PASSWORD)
        if created or user.is_staff != (username == "sysadmin"):
            user.is_staff = username == "sysadmin"
            user.save()
        person = _keep(Person, {"name": name, "unit": units[unit]}, user=user)
        person.regions.set([regions[c] for c in region_codes])
        person_set_positions(person=person, positions=[positions[k] for k in position_keys])
    if stdout:
        stdout.write(f"org: {len(units)} units, {len(positions)} positions, {len(PEOPLE)} demo logins")
