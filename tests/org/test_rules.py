"""org.rules: the role predicates every app's permission layer is built from, and the RCV-8 guard."""

from __future__ import annotations

import pytest
from django.utils import translation

from org import rules as org_rules
from org.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("username", "predicate", "expected"), [
    ("director", "is_marketing_director", True),
    ("director", "is_marketing_leadership", True),
    ("mgmt_manager", "is_management_manager", True),
    ("mgmt_manager", "is_marketing_leadership", True),   # also 总监助理: one person, two positions
    ("clerk", "is_marketing_office", True),
    ("clerk", "is_marketing_leadership", False),
    ("finance", "is_finance", True),
    ("sales_hb", "is_finance", False),
    ("archivist", "is_administration", True),
    ("deputy_gm", "is_executive", True),
    ("xxx_estimator", "is_xxx", True),
    ("tech_rnd", "is_technician", True),
    ("rnd_head", "is_service_department_head", True),
    ("repair_supervisor", "is_repair_supervisor", True),
    ("sysadmin", "is_marketing_leadership", False),
])
def test_role_predicates_follow_the_positions_held(demo, username, predicate, expected):
    assert getattr(org_rules, predicate)(demo.user(username)) is expected


def test_anonymous_holds_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert org_rules.is_marketing_director(AnonymousUser()) is False


def test_collection_only_duty_blocks_each_kind_of_work_with_its_reason(demo):
    user = demo.user("sales_hb")
    assert org_rules.collection_only_reason(user, work="contracts") is None
    org_rules.require_not_collection_only(user, work="bids")  # normal duty: nothing raised

    Person.objects.filter(user=user).update(duty_status=Person.DutyStatus.COLLECTION_ONLY,
                                            duty_status_reason="XM2026-00001 六个月未开票")
    user = demo.user("sales_hb")
    with translation.override("zh-hans"):
        for work, words in (("contracts", "合同"), ("handoffs", "对接"), ("bids", "投标")):
            with pytest.raises(org_rules.CollectionOnlyDuty) as caught:
                org_rules.require_not_collection_only(user, work=work)
            assert caught.value.code == "collection_only"
            assert "XM2026-00001 六个月未开票" in caught.value.messages[0] and words in caught.value.messages[0]


def test_an_unknown_kind_of_work_is_a_programming_error(demo):
    with pytest.raises(ValueError):
        org_rules.collection_only_reason(demo.user("sales_hb"), work="lunch")
