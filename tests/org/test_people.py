"""Person pages and delegation under the permission layer (org.rules): who sees whom, and the overlap race."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from org.models import Delegation, Person
from org.services import delegation_create
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db

# (viewer, person whose page is opened) -> HTTP status: one's own unit, the units one heads, leadership sees all.
PERSON_PAGES = [
    ("sales_hb", "sales_hb", 200),        # oneself
    ("sales_hb", "sales_hd", 200),        # the same unit (营销中心)
    ("sales_hb", "finance", 404),         # another unit
    ("sales_hb", "xxx_estimator", 404),
    ("finance", "sales_hb", 404),
    ("finance", "finance_head", 200),
    ("finance_head", "finance", 200),
    ("xxx_estimator", "sales_hb", 404),
    ("xxx_head", "xxx_negotiator", 200),
    ("director", "xxx_estimator", 200),   # Marketing leadership
    ("gm", "tech_rnd", 200),              # the executives
    ("sysadmin", "sales_xb", 200),
    ("tech_repair", "repair_supervisor", 200),
    ("tech_repair", "tech_rnd", 404),
]


@pytest.mark.parametrize(("viewer", "username", "status"), PERSON_PAGES)
def test_a_person_page_answers_only_within_the_viewers_scope(demo, client, viewer, username, status):
    person = Person.objects.get(user__username=username)
    client.force_login(demo.user(viewer))
    assert client.get(reverse("org:person", args=[person.pk])).status_code == status
    assert demo.user(viewer).has_perm("org.see_person", person) is (status == 200)


def test_a_person_page_needs_a_login(demo, client):
    person = Person.objects.get(user__username="sales_hb")
    response = client.get(reverse("org:person", args=[person.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_chart_links_only_the_people_one_may_open(demo, client):
    client.force_login(demo.user("finance"))
    page = client.get(reverse("org:chart")).content.decode()
    finance_head = Person.objects.get(user__username="finance_head")
    sales = Person.objects.get(user__username="sales_hb")
    assert reverse("org:person", args=[finance_head.pk]) in page
    assert reverse("org:person", args=[sales.pk]) not in page
    assert sales.name in page  # still named on the chart (ORG-8)


# (actor, principal, action) -> allowed
DELEGATION_RULES = [
    ("gm", "gm", "org.delegate_approvals", True),
    ("sales_hb", "gm", "org.delegate_approvals", False),
    ("sysadmin", "gm", "org.delegate_approvals", True),
]


@pytest.mark.parametrize(("actor", "principal", "perm", "allowed"), DELEGATION_RULES)
def test_who_may_delegate_whose_approvals(demo, actor, principal, perm, allowed):
    assert demo.user(actor).has_perm(perm, demo.user(principal).person) is allowed


@pytest.mark.parametrize(("actor", "allowed"), [("gm", True), ("deputy_gm", False), ("sysadmin", True),
                                                ("sales_hb", False)])
def test_who_may_revoke_a_delegation(demo, actor, allowed):
    today = timezone.localdate()
    delegation = delegation_create(principal=demo.user("gm"), delegate=demo.user("deputy_gm"), starts_on=today,
                                   ends_on=today + timedelta(days=1), reason="出差", by=demo.user("gm"))
    assert demo.user(actor).has_perm("org.revoke_delegation", delegation) is allowed


def test_an_overlapping_delegation_is_refused_with_its_code(demo):
    gm, deputy = demo.user("gm"), demo.user("deputy_gm")
    today = timezone.localdate()
    delegation_create(principal=gm, delegate=deputy, starts_on=today, ends_on=today + timedelta(days=5),
                      reason="年假", by=gm)
    with pytest.raises(ValidationError) as refused:
        delegation_create(principal=gm, delegate=demo.user("director"), starts_on=today + timedelta(days=5),
                          ends_on=today + timedelta(days=9), reason="出差", by=gm)
    assert refused.value.code == "delegation_overlap"


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_delegations_at_the_same_moment_one_stands(transactional_demo):
    # given: the principal asks twice at once (two tabs), for overlapping periods, to two delegates
    assert connection.vendor == "postgresql"
    gm = transactional_demo.user("gm")
    today = timezone.localdate()

    def delegate_to(username, start, end):
        return lambda: delegation_create(principal=gm, delegate=transactional_demo.user(username),
                                         starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end),
                                         reason="年假", by=gm)

    # when
    results, errors = run_together([delegate_to("deputy_gm", 0, 6), delegate_to("director", 3, 9)])
    # then: exactly one is stored, the other refused with the overlap message
    assert len(results) == 1 and len(errors) == 1
    assert errors[0].code == "delegation_overlap"
    assert Delegation.objects.filter(principal=gm, revoked_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_overlap_even_past_the_service(transactional_demo):
    """The invariant is a constraint: a write that skips the service check cannot break it either."""
    from django.db import IntegrityError

    gm, deputy = transactional_demo.user("gm"), transactional_demo.user("deputy_gm")
    today = timezone.localdate()
    Delegation.objects.create(principal=gm, delegate=deputy, starts_on=today, ends_on=today + timedelta(days=3),
                              reason="a", created_by=gm)
    with pytest.raises(IntegrityError):
        Delegation.objects.create(principal=gm, delegate=deputy, starts_on=today + timedelta(days=3),
                                  ends_on=today + timedelta(days=4), reason="b", created_by=gm)
    # a revoked one does not count
    Delegation.objects.filter(principal=gm).update(revoked_at=timezone.now())
    Delegation.objects.create(principal=gm, delegate=deputy, starts_on=today, ends_on=today + timedelta(days=1),
                              reason="c", created_by=gm)
