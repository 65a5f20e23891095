"""Lookups remembered for one reading request (issue 13, ``marketing_portal.memo``), and never across writes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext

from marketing_portal.memo import RequestMemoMiddleware, memo, remembered
from org.roles import Role
from org.selectors import acting_for, resolve

pytestmark = pytest.mark.django_db


def _position_queries(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return sum('"org_position"' in q["sql"] for q in queries.captured_queries)


def test_who_holds_a_role_is_asked_once_within_a_memo_and_each_time_without(demo):
    def twice():
        first, second = resolve(Role.FINANCE_REVIEWER), resolve(Role.FINANCE_REVIEWER)
        assert first == second and demo.user("finance") in first

    assert _position_queries(twice) == 2
    with memo():
        assert _position_queries(twice) == 1
    assert _position_queries(twice) == 2  # the memo ends with its block


def test_a_page_asking_for_many_roles_reads_every_holder_at_once_with_the_same_answers(demo,
                                                                                       django_assert_num_queries):
    """Within a memo the second role asked for loads every role's holders (two queries); each answer equals the
    org chart's per-role answer outside a memo — inactive logins left out, several positions counted once."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=demo.user("finance").pk).update(is_active=False)  # a login switched off
    roles = list(Role.values)
    alone = {role: resolve(role) for role in roles}
    assert any(len(users) > 1 for users in alone.values())
    with memo():
        with django_assert_num_queries(1):
            first = resolve(roles[0])
        with django_assert_num_queries(2):
            second = resolve(roles[1])
        with django_assert_num_queries(0):
            together = {role: resolve(role) for role in roles}
    assert first == alone[roles[0]] and second == alone[roles[1]]
    assert {role: [u.pk for u in users] for role, users in together.items()} == {
        role: [u.pk for u in users] for role, users in alone.items()}
    assert demo.user("finance").pk not in {u.pk for users in together.values() for u in users}


def test_a_delegation_made_after_a_memo_closed_is_seen(demo):
    from datetime import timedelta

    from django.utils import timezone

    from org.services import delegation_create

    principal, delegate = demo.user("finance"), demo.user("sales_hd")
    with memo():
        assert acting_for(delegate, [principal]) is None
    today = timezone.localdate()
    delegation_create(principal=principal, delegate=delegate, starts_on=today, ends_on=today + timedelta(days=2),
                      reason="出差", by=principal)
    assert acting_for(delegate, [principal]) == principal
    with memo():
        assert acting_for(delegate, [principal]) == acting_for(delegate, [principal]) == principal


@pytest.mark.parametrize(("method", "computed"), [("get", 1), ("head", 1), ("post", 2)])
def test_only_requests_that_read_keep_a_memo(method, computed):
    calls = []

    def view(request):
        for _ in range(2):
            remembered(("k",), lambda: calls.append(1))
        return "response"

    assert RequestMemoMiddleware(view)(getattr(RequestFactory(), method)("/")) == "response"
    assert len(calls) == computed


def test_the_contract_page_counts_the_unread_messages_once(login, demo, make):
    """The panels of other apps are rendered with the request (their forms' CSRF token): the portal's context
    (navigation, unread count, calendar warnings) is still built once for the page."""
    contract = make.approved(by="sales_hb")
    client = login(demo.user("sales_hb"))
    client.get(contract.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(contract.get_absolute_url()).status_code == 200
    assert sum('FROM "portal_notification"' in q["sql"] for q in queries.captured_queries) == 1
