"""The visible sets built from indexed lookups (issue 13) are exactly the ones of the OR definition they replace.

The reference expressions below are the selectors as they were before (one filter ORing every reason across
joins); for every demo user, on the demo data plus records for each reason one may see a contract (a step,
a delegation, a copy, a participant, a decided step, a construction contract, an entered customer), the new
selectors return the same ids. On PostgreSQL, where the new ones compile to ``= ANY(ARRAY(…))``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from contracts import rules
from contracts.choices import Direction
from contracts.models import ApprovalStep, Contract, Customer
from contracts.selectors import contracts_visible_to, customers_visible_to, principal_ids
from org import rules as org_rules
from org.selectors import regions_of

pytestmark = pytest.mark.django_db


# --- the reference: the definitions as they were --------------------------------------------------------------
def reference_contracts(user):
    qs = Contract.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if rules.sees_every_contract(user):
        return qs
    region_ids = [r.pk for r in regions_of(user)] if org_rules.is_regional_manager(user) else []
    condition = Q(handler=user) | Q(created_by=user) | Q(region__in=region_ids)
    if rules.sees_construction_contracts(user):
        condition |= Q(direction=Direction.CONSTRUCTION)
    condition |= (Q(legal_participant=user) | Q(technical_participant=user)) & Q(submitted_at__isnull=False)
    condition |= Q(pk__in=Contract.cc.through.objects.filter(user=user).values("contract_id"),
                   submitted_at__isnull=False)
    on_step = ApprovalStep.objects.filter(contract=OuterRef("pk"), assignees__in=principal_ids(user))
    decided = ApprovalStep.objects.filter(contract=OuterRef("pk"), decided_by=user)
    return qs.filter(condition | Exists(on_step) | Exists(decided))


def reference_customers(user):
    qs = Customer.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if rules.sees_every_customer(user):
        return qs
    region_ids = [r.pk for r in regions_of(user)]
    return qs.filter(
        Q(region__in=region_ids) | Q(created_by=user) | Q(pk__in=reference_contracts(user).values("customer_id"))
    )


def reference_projects(user):
    from contracts.hooks import contracts_reached
    from org.roles import XXX
    from receivables.choices import ProjectStage
    from receivables.models import Acceptance, CommissionEntry, Project
    from receivables.selectors import _region_ids, sees_all_projects

    qs = Project.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if sees_all_projects(user):
        return qs
    condition = Q(owner=user) | Q(pk__in=CommissionEntry.objects.filter(owner=user).values("project_id"))
    region_ids = _region_ids(user)
    if region_ids:
        condition |= Q(region__in=region_ids)
    if org_rules.is_xxx(user):
        handed_off = contracts_reached(user, through="handoffs")
        by_xxx = Q(pk__in=Acceptance.objects.filter(submitted_by__groups__name__in=XXX).values("project_id"))
        if handed_off is not None:
            condition |= Q(contract_id__in=handed_off) | by_xxx
        else:
            condition |= Q(stage=ProjectStage.AWAITING_ACCEPTANCE) | by_xxx
    return qs.filter(condition)


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def every_reason(demo, make):
    """The demo data, and a record for each reason someone sees a contract or a customer."""
    from contracts import seed as contracts_seed
    from handoff import seed as handoff_seed
    from org.services import delegation_create
    from receivables import seed as receivables_seed

    contracts_seed.run()
    handoff_seed.run()
    receivables_seed.run()
    today = timezone.localdate()
    # Whoever leads sales_hb's first step is away: sales_hd acts for them and sees what waits on them.
    waiting = make.submitted(by="sales_hb", title="委托期间的合同")
    leader = waiting.steps.get(status="pending").assignees.order_by("pk").first()
    delegation_create(principal=leader, delegate=demo.user("sales_hd"), starts_on=today,
                      ends_on=today + timedelta(days=5), reason="休假", by=leader)
    # Copied, named as participants, both before and after submission.
    make.contract(by="sales_hb", title="抄送草稿", cc=[demo.user("sales_xb"), demo.user("tech_production")])
    make.submitted(by="sales_hb", title="已提交的抄送", cc=[demo.user("sales_xb"), demo.user("tech_production")])
    make.major(by="sales_hn", title="重大合同草稿")
    make.submitted(contract=make.major(by="sales_hn", title="重大合同"))
    # Decided steps (a rejection goes back to a draft), a construction contract, an amendment.
    make.rejected(by="sales_hd", title="被退回的合同")
    make.construction(title="施工分包")
    make.amendment(title="补充协议一")
    # A customer entered in a region other than the person's own, with no contract.
    make.customer(region="XB", by="sales_hb", name="跨区录入客户有限公司")
    return demo


def test_the_new_visible_sets_equal_the_old_definitions_for_every_demo_user(every_reason):
    from receivables.models import Project
    from receivables.selectors import projects_visible_to

    assert connection.vendor == "postgresql"
    users = list(get_user_model().objects.order_by("username"))
    assert len(users) > 20
    checked = partial_projects = 0
    for user in users:
        user = get_user_model().objects.get(pk=user.pk)  # fresh role caches
        expected_contracts = ids(reference_contracts(user))
        expected_customers = ids(reference_customers(user))
        assert ids(contracts_visible_to(user)) == expected_contracts, user.username
        assert ids(customers_visible_to(user)) == expected_customers, user.username
        expected_projects = ids(reference_projects(user))
        assert ids(projects_visible_to(user)) == expected_projects, user.username
        partial_projects += bool(expected_projects) and expected_projects != ids(Project.objects.all())
        checked += bool(expected_contracts) and expected_contracts != ids(Contract.objects.all())
    # The reasons are really exercised: many users see some contracts but not all of them.
    assert checked >= 8
    assert partial_projects >= 4
    # Each reason on its own: these people see contracts only for it.
    assert Contract.objects.filter(title="委托期间的合同").get().pk in ids(contracts_visible_to(every_reason.user(
        "sales_hd")))
    sales_xb = every_reason.user("sales_xb")
    assert Contract.objects.get(title="已提交的抄送").pk in ids(contracts_visible_to(sales_xb))
    assert Contract.objects.get(title="抄送草稿").pk not in ids(contracts_visible_to(sales_xb))
    tech = every_reason.user("tech_rnd")
    assert Contract.objects.get(title="重大合同").pk in ids(contracts_visible_to(tech))
    assert Contract.objects.get(title="重大合同草稿").pk not in ids(contracts_visible_to(tech))


def test_inactive_and_anonymous_users_see_nothing(every_reason):
    user = every_reason.user("sales_hb")
    user.is_active = False
    assert not contracts_visible_to(user).exists() and not customers_visible_to(user).exists()
    assert not contracts_visible_to(AnonymousUser()).exists()
    assert not customers_visible_to(AnonymousUser()).exists()
    from receivables.selectors import projects_visible_to

    assert not projects_visible_to(user).exists() and not projects_visible_to(AnonymousUser()).exists()


def test_the_visible_contracts_are_read_through_an_array_of_ids_on_postgresql(every_reason):
    sql = str(contracts_visible_to(every_reason.user("rm_hb")).query)
    assert "= ANY(ARRAY(" in sql and "UNION ALL" in sql
    assert " OR " not in sql


def test_one_contracts_page_finds_it_exactly_when_the_user_sees_it(every_reason):
    """``visible_contract(user, pk)`` (the pages of one contract) is the visible set narrowed to one contract:
    for every demo user and every contract, present exactly when the OR definition lets the user see it."""
    from contracts.selectors import visible_contract

    every = sorted(ids(Contract.objects.all()))
    assert len(every) > 30
    seen_some = 0
    for user in get_user_model().objects.order_by("username"):
        expected = ids(reference_contracts(user))
        found = {pk for pk in every if visible_contract(user, pk).exists()}
        assert found == expected, user.username
        seen_some += bool(expected) and expected != set(every)
    assert seen_some >= 8
    user = every_reason.user("sales_hb")
    user.is_active = False
    assert not visible_contract(user, every[0]).exists() and not visible_contract(AnonymousUser(), every[0]).exists()
