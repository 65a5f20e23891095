"""The collection-only reason names the overdue project: it is shown on the person's page and the org chart only
to those who may see that project (issue 8); the page itself answers only within the viewer's scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from org.models import Person
from receivables.engine import sweep_receivables

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_duty(rcv, on_day):
    """sales_hb on mandatory collection-only duty for a 华北 project not invoiced for twelve months (RCV-5)."""
    on_day(date(2026, 6, 3))
    project = rcv.project(accepted_on=date(2025, 6, 3))
    on_day(date(2026, 6, 4))
    sweep_receivables()
    person = Person.objects.get(user__username="sales_hb")
    assert person.duty_status == "collection_only" and project.number in person.duty_status_reason
    return person, project


@pytest.mark.parametrize(("viewer", "status", "reads_reason"), [
    ("sales_hb", 200, True),      # oneself
    ("director", 200, True),      # sees every project
    ("rm_hb", 200, True),         # the project's region
    ("rm_hd", 200, False),        # same unit, another region: the page, not the reason
    ("sales_hd", 200, False),
    ("finance", 404, None),       # outside the scope of person pages
    ("xxx_estimator", 404, None),
])
def test_the_reason_is_shown_only_to_those_who_see_the_project(on_duty, demo, client, viewer, status, reads_reason):
    person, project = on_duty
    client.force_login(demo.user(viewer))
    response = client.get(reverse("org:person", args=[person.pk]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "专项负责开票、回款" in page  # the status itself is not secret
        assert (project.number in page) is reads_reason  # neither in the field nor in the history
        assert demo.user(viewer).has_perm("org.read_duty_reason", person) is reads_reason


def test_the_chart_keeps_the_reason_from_those_who_may_not_read_it(on_duty, demo, client):
    person, project = on_duty
    client.force_login(demo.user("sales_hd"))
    assert project.number not in client.get(reverse("org:chart")).content.decode()
    client.force_login(demo.user("rm_hb"))
    assert project.number in client.get(reverse("org:chart")).content.decode()
