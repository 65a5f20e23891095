"""Two people acting at once: row locks and unique constraints let exactly one win."""

from __future__ import annotations

from datetime import timedelta

import pytest

from org.services import delegation_create
from planning import services
from planning.models import PlanStep, SalesReport
from tests.concurrency import run_together
from tests.planning.conftest import TODAY

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submissions_of_one_report_store_one(tpln, transactional_demo):
    user = transactional_demo.user("sales_hb")
    results, errors = run_together([
        lambda: services.report_file(by=user, kind="weekly", period="2026-W24", work_done="甲", next_plan="甲"),
        lambda: services.report_file(by=user, kind="weekly", period="2026-W24", work_done="乙", next_plan="乙"),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert "每个期间只能提交一次" in errors[0].messages[0]
    assert SalesReport.objects.filter(person=user).count() == 1


def test_the_director_and_the_delegate_deciding_one_step_make_one_decision(tpln, transactional_demo):
    demo = transactional_demo
    delegation_create(principal=demo.user("director"), delegate=demo.user("sales_manager"), starts_on=TODAY,
                      ends_on=TODAY + timedelta(days=3), reason="出差", by=demo.user("director"))
    version = tpln.plan(rows=[("HB", None, "year", 0, 1200000)], approve=False)
    services.plan_submit(version_id=version.pk, by=demo.user("mgmt_manager"))
    step = version.steps.get()
    results, errors = run_together([
        lambda: services.plan_approve(step_id=step.pk, by=demo.user("director"), comment="同意"),
        lambda: services.plan_reject(step_id=step.pk, by=demo.user("sales_manager"), comment="不同意"),
    ])
    assert len(results) == 1 and len(errors) == 1
    assert "该环节已经审批" in errors[0].messages[0] and "页面已过期" in errors[0].messages[0]
    step.refresh_from_db()
    assert step.status in ("approved", "rejected") and step.decided_at is not None
    # one decision, and the chain moved once: at most the GM's step opened
    assert PlanStep.objects.filter(plan_version=version).count() == (2 if step.status == "approved" else 1)


def test_two_reviews_of_one_bid_make_one_decision(tpln, transactional_demo):
    demo = transactional_demo
    delegation_create(principal=demo.user("mgmt_manager"), delegate=demo.user("sales_manager"), starts_on=TODAY,
                      ends_on=TODAY, reason="休假", by=demo.user("mgmt_manager"))
    tender = tpln.tender(state="review")
    step = tender.steps.get()
    results, errors = run_together([
        lambda: services.tender_review(step_id=step.pk, by=demo.user("mgmt_manager"), approve=True),
        lambda: services.tender_review(step_id=step.pk, by=demo.user("sales_manager"), approve=False,
                                       comment="缺图纸"),
    ])
    assert len(results) == 1 and len(errors) == 1 and "该环节已经审批" in errors[0].messages[0]
    tender.refresh_from_db()
    assert tender.steps.count() == 1 and tender.state in ("ready", "preparing")
