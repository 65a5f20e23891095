"""ORG-6 / ORG-7: routing from the org data, delegation with a date range."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from org.models import Person, Position
from org.roles import Role
from org.selectors import acting_for, resolve
from org.services import delegation_create, delegation_revoke, person_set_positions

pytestmark = pytest.mark.django_db


def names(users):
    return sorted(u.username for u in users)


def test_department_leader_is_the_head_of_the_persons_unit(demo):
    assert names(resolve("department_leader", of=demo.user("sales_hb"))) == ["director"]
    assert names(resolve("department_leader", of=demo.user("finance"))) == ["finance_head"]
    # The head of a unit reports to the head of the parent unit.
    assert names(resolve("department_leader", of=demo.user("director"))) == ["gm"]


def test_roles_and_unit_heads_resolve_from_the_chart(demo):
    assert names(resolve(Role.FINANCE_REVIEWER)) == ["finance"]
    assert names(resolve(Role.GENERAL_MANAGER)) == ["gm"]
    assert names(resolve("unit_head", unit=demo.unit("repair"))) == ["repair_supervisor"]
    assert names(resolve(Role.REGIONAL_MANAGER, region=demo.region("HD"))) == ["rm_hd"]


def test_routing_follows_the_data_not_the_user_names(demo):
    # Finance gets a second reviewer: the routing picks them up with no code change.
    person = demo.user("finance_head").person
    person_set_positions(person=person, positions=[*person.positions.all(), Position.objects.get(
        role=Role.FINANCE_REVIEWER)])
    assert names(resolve(Role.FINANCE_REVIEWER)) == ["finance", "finance_head"]
    assert demo.user("finance_head").groups.filter(name=Role.FINANCE_REVIEWER).exists()


def test_one_person_holds_two_positions(demo):
    person = Person.objects.get(user__username="mgmt_manager")
    assert sorted(p.role for p in person.positions.all()) == [Role.DIRECTOR_ASSISTANT, Role.MANAGEMENT_MANAGER]
    assert sorted(person.user.groups.values_list("name", flat=True)) == ["director_assistant", "management_manager"]


def test_delegate_acts_for_the_principal_only_within_the_dates(demo):
    gm, deputy = demo.user("gm"), demo.user("deputy_gm")
    today = timezone.localdate()
    delegation = delegation_create(principal=gm, delegate=deputy, starts_on=today,
                                   ends_on=today + timedelta(days=6), reason="年假", by=gm)
    assert acting_for(deputy, [gm]) == gm
    assert acting_for(gm, [gm]) == gm
    assert acting_for(deputy, [gm], on=today + timedelta(days=7)) is None
    assert acting_for(demo.user("sales_hb"), [gm]) is None
    delegation_revoke(delegation_id=delegation.pk, by=gm)
    assert acting_for(deputy, [gm]) is None


@pytest.mark.parametrize("case", ["self", "backwards", "overlap", "past", "someone_else"])
def test_bad_delegations_are_refused(demo, case):
    gm, deputy = demo.user("gm"), demo.user("deputy_gm")
    today = timezone.localdate()
    kwargs = {"principal": gm, "delegate": deputy, "starts_on": today, "ends_on": today + timedelta(days=2),
              "reason": "出差", "by": gm}
    if case == "self":
        kwargs["delegate"] = gm
    elif case == "backwards":
        kwargs["ends_on"] = today - timedelta(days=1)
    elif case == "overlap":
        delegation_create(**kwargs)
    elif case == "past":
        kwargs.update(starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=5))
    elif case == "someone_else":
        kwargs["by"] = demo.user("sales_hb")
    with pytest.raises(ValidationError):
        delegation_create(**kwargs)


def test_org_chart_page_shows_units_duties_and_holders(demo, client, django_assert_max_num_queries):
    client.force_login(demo.user("sales_hb"))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("org:chart"))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ["营销中心", "营销总监", "周明", "管理经理", "总监助理", "林静", "区域经理（华北区）", "合同审核",
                 "XXX工程有限公司", "造价员"]:
        assert text in page


def test_delegation_page_creates_and_revokes(demo, client):
    gm = demo.user("gm")
    client.force_login(gm)
    today = timezone.localdate()
    response = client.post(reverse("org:delegations"), {
        "delegate": demo.user("deputy_gm").pk, "starts_on": today, "ends_on": today + timedelta(days=2),
        "reason": "出差",
    })
    assert response.status_code == 302
    delegation = gm.delegations_given.get()
    # Another user cannot revoke it (not even see it).
    client.force_login(demo.user("sales_hb"))
    assert client.post(reverse("org:delegation-revoke", args=[delegation.pk])).status_code == 404
    client.force_login(gm)
    client.post(reverse("org:delegation-revoke", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert delegation.history.count() == 2  # created, revoked: both in the audit trail
