"""The contract page's queries do not grow with its approval steps, its history and its files' versions (issue 13:
the history names its authors and the records it mentions from one query per model; files their uploaders)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.queries import queries_of

pytestmark = pytest.mark.django_db


# At most, per role (issue 13 point 3: 42 / 45 / 39 before the page read its files in one query, asked "may see"
# once and the panels selected what they show; 38 / 40 / 34 before the keepers of originals were asked about the
# reader alone, the handler list was read once and the assignees came with their persons).
MOST = {"director": 33, "sales_hb": 34, "legal": 30}


@pytest.mark.parametrize("who", MOST)
def test_contract_page_queries_do_not_grow_with_steps_and_history(login, demo, make, who):
    from contracts.services import contract_reject, contract_update

    # given: a contract filed through one version, and one filed after two rejections and edits of its drafts
    few = make.filed(by="sales_hb", participants=True)
    many = make.rejected(by="sales_hb", participants=True, at="leader")
    for n in range(3):
        contract_update(contract_id=many.pk, by=demo.user("sales_hb"), notes=f"第{n}次修改")
    many = make.advance(many, until_step="finance")
    step = many.steps.get(version=many.version, kind="finance")
    contract_reject(contract_id=many.pk, by=make._actor(step, many, {}), kind="finance", comment="付款条件不清")
    many = make.filed(contract=many)
    assert many.steps.count() > few.steps.count() + 1
    assert many.history.count() > few.history.count() + 3
    client = login(demo.user(who))
    # when / then
    counted = queries_of(client, reverse("contracts:detail", args=[few.pk]))
    assert queries_of(client, reverse("contracts:detail", args=[many.pk])) == counted
    assert counted <= MOST[who]


def test_the_route_names_its_people_whatever_their_number(login, demo, make):
    """Under review the page shows the route: everyone the org chart names for each step, from one query of their
    persons (it was one query a person, and the steps and their assignees were read a second time)."""
    from org.models import Position
    from org.roles import Role
    from org.services import person_set_positions

    # given: a contract waiting for the finance review, and one more finance reviewer named after a first count
    contract = make.at_step("finance", by="sales_hb")
    client = login(demo.user("director"))
    url = reverse("contracts:detail", args=[contract.pk])
    before = queries_of(client, url)
    newcomer = demo.user("sales_hd").person
    person_set_positions(person=newcomer, positions=[*newcomer.positions.all(),
                                                     Position.objects.filter(role=Role.FINANCE_REVIEWER).first()])
    # when
    after = queries_of(client, url)
    # then: the newcomer is on the route, and the page asked no more for them
    assert newcomer.name in client.get(url).content.decode()
    assert after == before
    assert before <= 33


def test_user_choices_drawn_from_values_are_those_of_the_queryset(demo):
    from django import forms as django_forms

    from contracts.forms import HandoverForm, UserChoiceField
    from contracts.selectors import eligible_handlers
    from receivables.forms import ReassignForm, sales_owners

    # given: the same fields loading users and persons for their names, as before
    class Loaded(django_forms.Form):
        to_handler = UserChoiceField(label=HandoverForm.base_fields["to_handler"].label, queryset=eligible_handlers())
        to_owner = UserChoiceField(label=ReassignForm.base_fields["to_owner"].label, queryset=sales_owners())

    loaded = Loaded()
    # when / then: the same options, in the same order, and still only those of the queryset accepted
    assert str(HandoverForm()["to_handler"]) == str(loaded["to_handler"])
    assert str(ReassignForm()["to_owner"]) == str(loaded["to_owner"])
    assert str(demo.user("sales_hb").pk) in str(HandoverForm()["to_handler"])
    finance = demo.user("finance")
    assert not HandoverForm(data={"to_handler": finance.pk, "reason": "调岗", "open_items": "无"}).is_valid()
    form = HandoverForm(data={"to_handler": demo.user("sales_hd").pk, "reason": "调岗", "open_items": "无"})
    assert form.is_valid() and form.cleaned_data["to_handler"] == demo.user("sales_hd")
    bound = HandoverForm(data={"to_handler": demo.user("sales_hd").pk})
    assert f'value="{demo.user("sales_hd").pk}" selected' in str(bound["to_handler"])
