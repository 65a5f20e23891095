"""Who keeps the originals (``contracts.rules.keeps_originals``) is asked about the reader and their principals, not
by reading every keeper (``org.selectors.acts_for_holder``): the same answers as ``acting_for(user, loan_keepers())``,
remembered only while one page is read, never across a write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test.client import RequestFactory
from django.utils import timezone

from contracts.rules import keeps_originals
from contracts.selectors import loan_keepers
from marketing_portal.memo import RequestMemoMiddleware, memo
from org.models import Position
from org.roles import Role
from org.selectors import acting_for, delegations_to, resolve
from org.services import delegation_create, person_set_positions

pytestmark = pytest.mark.django_db


def _as_before(user) -> bool:
    return acting_for(user, loan_keepers()) is not None


def _delegate_to(principal, delegate):
    today = timezone.localdate()
    delegation_create(principal=principal, delegate=delegate, starts_on=today, ends_on=today + timedelta(days=2),
                      reason="出差", by=principal)


def _make_archivist(user):
    person = user.person
    person_set_positions(person=person, positions=[*person.positions.all(),
                                                   Position.objects.filter(role=Role.ARCHIVIST).first()])


READ_BEFORE = {
    "nothing": lambda: None,
    "every role's holders": lambda: (resolve(Role.FINANCE_REVIEWER), resolve(Role.LEGAL)),
    "one keeper's role": lambda: resolve(Role.ARCHIVIST),
}


@pytest.mark.parametrize("read_before", READ_BEFORE)
def test_keeps_originals_answers_as_acting_for_the_keepers(demo, read_before):
    # given: a delegate of the archivist, and an archivist whose login is switched off
    users = get_user_model().objects.all()
    archivist, admin_head = resolve(Role.ARCHIVIST)[0], resolve(Role.ADMIN_HEAD)[0]
    _delegate_to(archivist, demo.user("sales_hb"))
    _delegate_to(admin_head, demo.user("finance"))
    off = demo.user("rm_hb")
    _make_archivist(off)
    get_user_model().objects.filter(pk=off.pk).update(is_active=False)
    expected = {user.username: _as_before(user) for user in users}
    assert expected["sales_hb"] and expected["finance"] and expected[archivist.username]
    assert not expected["rm_hb"] and not all(expected.values())
    # when / then: outside a memo, and in one after the page read nothing, every role's holders or one role's
    assert {user.username: keeps_originals(user) for user in users} == expected
    for user in users:
        with memo():
            READ_BEFORE[read_before]()
            assert keeps_originals(user) == expected[user.username], user.username


def test_a_reader_who_keeps_nothing_costs_one_query_and_no_holders(demo, django_assert_num_queries):
    director = demo.user("director")
    with memo():
        delegations_to(director)  # the page has read them (the panels' rules)
        with django_assert_num_queries(1):
            assert not keeps_originals(director)
        with django_assert_num_queries(0):
            assert not keeps_originals(director)


def test_a_keeper_named_within_a_write_is_seen_at_once(demo):
    """A request that writes (POST) has no memo: the answer after the org chart changed is read afresh; only a
    reading request (GET) keeps its first answer to the end of the page."""
    answers = {}

    def view(request):
        reader = demo.user("sales_hd")
        before = keeps_originals(reader)
        _make_archivist(reader)
        answers[request.method] = (before, keeps_originals(reader))
        person_set_positions(person=reader.person, positions=[
            p for p in reader.person.positions.all() if p.role != Role.ARCHIVIST])
        return "response"

    for method in ("post", "get"):
        RequestMemoMiddleware(view)(getattr(RequestFactory(), method)("/"))
    assert answers["POST"] == (False, True)
    assert answers["GET"] == (False, False)


def test_a_delegation_made_within_a_write_is_seen_at_once(demo):
    reader = demo.user("sales_hd")
    assert not keeps_originals(reader)
    _delegate_to(resolve(Role.ARCHIVIST)[0], reader)
    assert keeps_originals(reader)
