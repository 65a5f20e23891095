"""CON-9 meets RCV: when a contract's handler hands over, the project's sales owner follows."""

from datetime import date

import pytest

from contracts.services import handler_change_confirm, handler_change_start
from receivables.models import OwnerHandover

pytestmark = pytest.mark.django_db


def test_project_follows_a_confirmed_handler_change(rcv, demo, django_capture_on_commit_callbacks):
    project = rcv.project(accepted_on=date(2026, 9, 1), owner="sales_hb")
    old, new = demo.user("sales_hb"), demo.user("sales_manager")
    with django_capture_on_commit_callbacks(execute=True):
        change = handler_change_start(contract_id=project.contract_id, by=demo.user("director"), to_handler=new,
                                      reason="张伟调岗", open_items="待开发票一张")
        handler_change_confirm(change_id=change.pk, by=old)
    project.refresh_from_db()
    assert project.owner == old  # one confirmation is not enough
    with django_capture_on_commit_callbacks(execute=True):
        handler_change_confirm(change_id=change.pk, by=new)
    project.refresh_from_db()
    assert project.owner == new
    handover = OwnerHandover.objects.get(project=project)
    assert (handover.from_owner, handover.to_owner, handover.open_items) == (old, new, "待开发票一张")


def test_a_project_reassigned_by_the_director_stays_with_its_owner(rcv, demo, django_capture_on_commit_callbacks):
    from receivables.services import project_reassign

    project = rcv.project(accepted_on=date(2026, 9, 1), owner="sales_hb")
    project_reassign(project_id=project.pk, by=demo.user("director"), to_owner=demo.user("sales_hd"), reason="分工调整")
    with django_capture_on_commit_callbacks(execute=True):
        change = handler_change_start(contract_id=project.contract_id, by=demo.user("director"),
                                      to_handler=demo.user("sales_manager"), reason="调岗", open_items="无")
        handler_change_confirm(change_id=change.pk, by=demo.user("sales_hb"))
        handler_change_confirm(change_id=change.pk, by=demo.user("sales_manager"))
    project.refresh_from_db()
    assert project.owner == demo.user("sales_hd")
