"""Benchmark organisation (``manage.py seed_bench``): 20 regions and about 300 staff on top of the demo org.

Every region gets its regional manager; salespeople are spread over the regions (about ten each, the demo
salesperson among them); technicians, reviewers, clerks and XXX staff fill the other units. Logins are
``bench_<n>`` with the demo password; their groups follow their positions as ``person_sync_groups`` would set.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from marketing_portal.benchdata import BenchContext, bulk

from .models import Person, Position, Region, Unit
from .roles import Role

EXTRA_REGIONS = [
    ("DB", "东北区"), ("HZ", "华中区"), ("XN", "西南区"), ("SD", "山东区"), ("JS", "江苏区"), ("ZJ", "浙江区"),
    ("FJ", "福建区"), ("GX", "广西区"), ("YN", "云南区"), ("GZ", "贵州区"), ("SC", "四川区"), ("CQ", "重庆区"),
    ("HEN", "河南区"), ("AH", "安徽区"), ("JX", "江西区"), ("NM", "内蒙古区"),
]

# position key (as in org.seed) → how many more holders at scale 1
STAFF = {
    "sales": 196, "tech-repair": 12, "tech-rnd": 8, "tech-production": 8, "finance-reviewer": 5, "clerk": 3,
    "archivist": 2, "cs": 3, "xxx-estimator": 8, "xxx-negotiator": 4,
}
TITLES = {"sales": "销售人员", "tech-repair": "专职维修人员", "tech-rnd": "开发部技术人员",
          "tech-production": "生产部技术骨干", "finance-reviewer": "财务审核员", "clerk": "销售内勤",
          "archivist": "合同档案管理员", "cs": "客服专员", "xxx-estimator": "造价员", "xxx-negotiator": "合同谈判员"}


def run(ctx: BenchContext) -> None:
    User = get_user_model()
    marketing = Unit.objects.get(code="marketing")
    regions = list(Region.objects.all())
    have = {r.code for r in regions}
    new_regions = [Region(code=code, name=name) for code, name in EXTRA_REGIONS if code not in have]
    bulk(ctx, Region, new_regions)
    regions = list(Region.objects.order_by("pk"))
    rm_positions = [Position(unit=marketing, title="区域经理", role=Role.REGIONAL_MANAGER, region=r, order=10)
                    for r in regions if not Position.objects.filter(region=r, role=Role.REGIONAL_MANAGER).exists()]
    bulk(ctx, Position, rm_positions)
    positions = {p.title: p for p in Position.objects.filter(region__isnull=True)}
    password = make_password("Demo@2026")
    groups = {g.name: g for g in Group.objects.all()}

    plan: list[tuple[Position, Region | None]] = [(p, p.region) for p in rm_positions]
    for key, count in STAFF.items():
        position = positions[TITLES[key]]
        for i in range(ctx.n(count, minimum=1 if key == "sales" else 0)):
            plan.append((position, regions[i % len(regions)] if key == "sales" else None))
    users, people = [], []
    for i in range(len(plan)):
        name = ctx.person_name()
        users.append(User(username=f"bench_{i:04d}", password=password, first_name=name[1:], last_name=name[0],
                          email="", is_active=True))
    bulk(ctx, User, users)
    for user, (position, _region) in zip(users, plan, strict=True):
        people.append(Person(user=user, name=user.last_name + user.first_name, unit_id=position.unit_id,
                             phone=ctx.mobile()))
    bulk(ctx, Person, people)
    bulk(ctx, Person.positions.through, [Person.positions.through(person=p, position=pos)
                                         for p, (pos, _r) in zip(people, plan, strict=True)])
    bulk(ctx, Person.regions.through, [Person.regions.through(person=p, region=r)
                                       for p, (_pos, r) in zip(people, plan, strict=True) if r is not None])
    bulk(ctx, User.groups.through, [User.groups.through(user=u, group=groups[pos.role])
                                    for u, (pos, _r) in zip(users, plan, strict=True)])
    ctx.log(f"org: {len(new_regions)} regions and {len(users)} staff added "
            f"({Region.objects.count()} regions, {Person.objects.count()} people)")
