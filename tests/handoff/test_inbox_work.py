"""Issue 12 point 2 for hand-offs: the notice asking XXX to cost, Finance to review or Marketing to decide is done as
soon as that work is over (by anyone) or the sheet is withdrawn."""

import pytest

from marketing_portal.models import Notification
from marketing_portal.notifications import work_key

pytestmark = pytest.mark.django_db


def _open(key):
    return set(Notification.objects.filter(work_key=key, done_at__isnull=True)
               .values_list("recipient__username", flat=True))


def test_costing_then_review_then_decision_notices_close_one_after_the_other(hf, django_capture_on_commit_callbacks):
    from handoff.services import costing_suggest, handoff_decide

    with django_capture_on_commit_callbacks(execute=True):
        handoff = hf.handoff()
    costing = handoff.costings.get()
    assert "xxx_estimator" in _open(work_key(costing, "cost"))
    with django_capture_on_commit_callbacks(execute=True):
        hf.costed(handoff=handoff)
    assert _open(work_key(costing, "cost")) == set()  # costed: the estimators' notice is done
    assert "finance" in _open(work_key(costing, "review"))
    with django_capture_on_commit_callbacks(execute=True):
        costing_suggest(by=hf.user("finance"), handoff_id=handoff.pk, suggested_amount="92000.00")
    assert _open(work_key(costing, "review")) == set()
    assert "sales_hb" in _open(work_key(handoff, "decide"))
    with django_capture_on_commit_callbacks(execute=True):
        decision = handoff_decide(by=hf.user("sales_hb"), handoff_id=handoff.pk, amount="95000.00")
    assert _open(work_key(handoff, "decide")) == set()
    # the construction contract to check and submit is the next piece of work, done when it is submitted
    assert _open(work_key(decision.construction_contract, "submit")) == {"sales_hb"}


def test_withdrawing_the_sheet_closes_the_costing_notice(hf, django_capture_on_commit_callbacks):
    from handoff.services import handoff_cancel

    with django_capture_on_commit_callbacks(execute=True):
        handoff = hf.handoff()
    costing = handoff.costings.get()
    assert _open(work_key(costing, "cost"))
    with django_capture_on_commit_callbacks(execute=True):
        handoff_cancel(by=hf.user("sales_hb"), handoff_id=handoff.pk, reason="客户取消订单")
    assert _open(work_key(costing, "cost")) == set()
    withdrawn = Notification.objects.get(key__startswith="handoff-cancelled", recipient__username="xxx_estimator")
    assert withdrawn.work_key == ""  # the withdrawal itself is for information
