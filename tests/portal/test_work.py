"""“My work” on the home page does not grow with the items waiting (issue 13, production at scale): per kind the
true count and the first five, a link to the kind's page listing them all (paginated, 404 where the kind is not the
user's work), and the same number of queries for three waiting items as for thirty."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.choices import StepStatus
from marketing_portal.registry import HOME_ITEMS
from tests.notices import work_items

pytestmark = pytest.mark.django_db


def _approver(contract):
    return contract.steps.get(status=StepStatus.PENDING).assignees.get()


def _home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_home_counts_every_waiting_step_but_lists_five_and_links_to_all(demo, make, client):
    contracts = [make.submitted() for _ in range(HOME_ITEMS + 2)]
    approver = _approver(contracts[0])
    client.force_login(approver)
    _queries, page = _home(client)
    waiting = work_items(page)
    shown = [c for c in contracts if c.title in waiting]
    assert len(shown) == HOME_ITEMS  # the oldest five
    assert shown == contracts[:HOME_ITEMS]
    link = reverse("work-kind", args=["contract-steps"])
    assert f'href="{link}">全部 {HOME_ITEMS + 2} 项</a>' in waiting

    listing = client.get(link).content.decode()
    assert all(c.title in listing for c in contracts)
    assert f"{HOME_ITEMS + 2} 项待我处理" in listing


def test_a_kind_with_few_items_shows_its_count_and_no_link(demo, make, client):
    contract = make.submitted()
    client.force_login(_approver(contract))
    _queries, page = _home(client)
    assert contract.title in work_items(page)
    assert reverse("work-kind", args=["contract-steps"]) not in page


def test_the_kind_page_is_paginated(demo, make, client, settings):
    from marketing_portal import views

    contracts = [make.submitted() for _ in range(4)]
    client.force_login(_approver(contracts[0]))
    views.WORK_PAGE_SIZE, size = 3, views.WORK_PAGE_SIZE
    try:
        first = client.get(reverse("work-kind", args=["contract-steps"])).content.decode()
        second = client.get(reverse("work-kind", args=["contract-steps"]) + "?page=2").content.decode()
    finally:
        views.WORK_PAGE_SIZE = size
    assert [c.title in first for c in contracts] == [True, True, True, False]
    assert [c.title in second for c in contracts] == [False, False, False, True]
    assert "第 1 页，共 2 页" in first


def test_the_kind_page_access(demo, client):
    url = reverse("work-kind", args=["handoff-review"])  # costings to review: finance reviewers
    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(demo.user("sales_hb"))
    assert client.get(url).status_code == 404  # not their work
    assert client.get(reverse("work-kind", args=["no-such-kind"])).status_code == 404
    client.force_login(demo.user("finance"))
    response = client.get(url)
    assert response.status_code == 200
    assert "暂无待办事项。" in response.content.decode()


def test_home_queries_do_not_grow_with_the_waiting_steps(demo, make, client):
    contracts = [make.submitted() for _ in range(3)]
    approver = _approver(contracts[0])
    client.force_login(approver)
    _home(client)  # caches warm (calendar, policy)
    few, page = _home(client)
    assert len(re.findall(r'class="list-group-item work-item', work_items(page))) == 3
    contracts += [make.submitted() for _ in range(27)]
    assert all(_approver(c) == approver for c in contracts)
    many, page = _home(client)
    assert len(re.findall(r'class="list-group-item work-item', work_items(page))) == HOME_ITEMS
    assert "全部 30 项" in page
    assert many == few


def test_a_kind_is_read_with_its_total_in_one_query(demo, make, django_assert_num_queries):
    """``first_and_count``: the first rows and the true total from one statement (a window count beside the
    LIMIT); a DISTINCT queryset, whose window would count the duplicates, is counted apart; none waiting is 0."""
    from contracts.models import ApprovalStep
    from marketing_portal.registry import first_and_count

    contracts = [make.submitted() for _ in range(HOME_ITEMS + 2)]
    approver = _approver(contracts[0])
    waiting = ApprovalStep.objects.filter(status=StepStatus.PENDING, assignees=approver).order_by("opened_at", "pk")
    with django_assert_num_queries(1):
        page, total = first_and_count(waiting, HOME_ITEMS)
    assert total == HOME_ITEMS + 2
    assert [s.contract_id for s in page] == [c.pk for c in contracts[:HOME_ITEMS]]

    # People joined to their roles (groups): whoever holds two roles comes twice unless DISTINCT.
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(groups__isnull=False).order_by("pk")
    assert people.count() > people.distinct().count()  # the join does repeat someone
    with django_assert_num_queries(2):
        page, total = first_and_count(people.distinct(), HOME_ITEMS)
    assert total == people.distinct().count() and len(page) == HOME_ITEMS

    with django_assert_num_queries(1):
        assert first_and_count(waiting.filter(pk__lt=0), HOME_ITEMS) == ([], 0)
