"""The contract page's queries do not grow with its approval steps, its history and its files' versions (issue 13:
the history names its authors and the records it mentions from one query per model; files their uploaders)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.queries import queries_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["director", "sales_hb", "legal"])
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
    assert counted <= 52
