"""receivables.rules: a table of (role, record, action) → allowed; a new rule is one row."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from receivables import services
from receivables.models import AdjustmentRequest, DutyProposal, RetentionStatement

pytestmark = pytest.mark.django_db

PAGE_RULES = [  # (user, perm) -> allowed, no record
    ("finance", "receivables.use_receivables", True),
    ("xxx_estimator", "receivables.use_receivables", True),
    ("legal", "receivables.use_receivables", False),
    ("tech_repair", "receivables.use_receivables", False),
    ("sales_hb", "receivables.see_commission", True),
    ("xxx_head", "receivables.see_commission", False),
    ("director", "receivables.see_commission", True),
    ("rm_hb", "receivables.see_statements", True),
    ("sales_hb", "receivables.see_statements", False),
    ("clerk", "receivables.see_duty", True),
    ("finance", "receivables.see_imports", True),
    ("director", "receivables.see_imports", True),
    ("clerk", "receivables.see_imports", False),
    ("finance", "receivables.upload_import", True),
    ("director", "receivables.upload_import", False),
    ("finance", "receivables.see_payouts", True),
    ("sales_hb", "receivables.see_payouts", False),
    ("finance", "receivables.pay_commission", True),
    ("director", "receivables.pay_commission", False),
    ("clerk", "receivables.register_project", True),
    ("sales_hb", "receivables.register_project", False),
    ("director", "receivables.lift_duty", True),
    ("sales_manager", "receivables.lift_duty", False),
]


@pytest.mark.parametrize(("username", "perm", "allowed"), PAGE_RULES)
def test_page_rules(demo, username, perm, allowed):
    assert demo.user(username).has_perm(perm) is allowed


PROJECT_RULES = [  # (user, stage of the project, perm) -> allowed
    ("xxx_head", "awaiting", "receivables.submit_acceptance", True),
    ("clerk", "awaiting", "receivables.submit_acceptance", True),   # an older paper acceptance
    ("finance", "awaiting", "receivables.submit_acceptance", False),
    ("xxx_head", "accepted", "receivables.submit_acceptance", False),  # submitted once
    ("finance", "awaiting", "receivables.record_money", False),     # nothing to invoice before acceptance
    ("finance", "accepted", "receivables.record_money", True),
    ("sales_hb", "accepted", "receivables.record_money", False),
    ("mgmt_manager", "accepted", "receivables.acknowledge_original", True),
    ("finance", "accepted", "receivables.acknowledge_original", False),
    ("finance", "accepted", "receivables.acknowledge_copy", True),
    ("director", "accepted", "receivables.set_commission", True),
    ("sales_manager", "accepted", "receivables.set_commission", False),
    ("sales_manager", "accepted", "receivables.reassign_project", True),
    ("rm_hb", "accepted", "receivables.reassign_project", False),
    ("finance", "accepted", "receivables.request_adjustment", True),
    ("sales_hb", "accepted", "receivables.request_adjustment", False),
    ("sales_hb", "accepted", "receivables.open_contract", True),
    ("xxx_head", "accepted", "receivables.open_contract", False),
    ("sales_hb", "accepted", "receivables.read_commission", True),   # their own commission
    ("rm_hd", "accepted", "receivables.read_commission", False),
    ("xxx_head", "accepted", "receivables.read_commission", False),
]


@pytest.mark.parametrize(("username", "stage", "perm", "allowed"), PROJECT_RULES)
def test_project_rules(rcv, on_day, demo, username, stage, perm, allowed):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2026, 2, 1) if stage == "accepted" else None)
    assert demo.user(username).has_perm(perm, project) is allowed


def test_record_rules_follow_the_records_state(rcv, on_day, demo):
    # given: a pending adjustment requested by Finance, a pending duty proposal of sales_hb, a drafted statement
    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    adjustment = services.adjustment_request(project_id=project.pk, by=demo.user("finance"), amount="-100",
                                             reason="差旅费多报")
    proposal = DutyProposal.objects.get(project=project)
    director, finance = demo.user("director"), demo.user("finance")
    # then
    assert director.has_perm("receivables.decide_adjustment", adjustment)
    assert not finance.has_perm("receivables.decide_adjustment", adjustment)  # requested it
    assert director.has_perm("receivables.decide_duty", proposal)
    assert not demo.user("sales_hb").has_perm("receivables.decide_duty", proposal)
    services.adjustment_decide(adjustment_id=adjustment.pk, by=director, approve=True)
    assert not director.has_perm("receivables.decide_adjustment", AdjustmentRequest.objects.get(pk=adjustment.pk))


def test_an_adjustment_comment_the_form_refuses_decides_nothing(rcv, on_day, demo, client):
    on_day(date(2026, 7, 7))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    adjustment = services.adjustment_request(project_id=project.pk, by=demo.user("finance"), amount="-100",
                                             reason="差旅费多报")
    client.force_login(demo.user("director"))
    response = client.post(reverse("receivables:adjustment-decide", args=[adjustment.pk]),
                           {"decision": "approve", "comment": "同" * 301}, follow=True)
    assert response.status_code == 200
    assert AdjustmentRequest.objects.get(pk=adjustment.pk).state == "pending"  # not approved without its comment
    assert not project.entries.filter(kind="adjustment").exists()


def test_statement_rules(rcv, on_day, demo):
    on_day(date(2026, 3, 1))
    project = rcv.project(accepted_on=date(2025, 1, 10), warranty=12)
    rcv.invoice(project, date(2025, 2, 1))
    rcv.receipt(project, date(2025, 3, 1), project.main_target)
    on_day(date(2026, 3, 2))
    from receivables.engine import sweep_receivables

    sweep_receivables()
    statement = RetentionStatement.objects.get(project=project)
    assert demo.user("finance").has_perm("receivables.issue_statement", statement)
    assert not demo.user("clerk").has_perm("receivables.issue_statement", statement)
    assert not demo.user("clerk").has_perm("receivables.notify_owner", statement)  # not issued yet
    services.statement_issue(statement_id=statement.pk, by=demo.user("finance"))
    statement.refresh_from_db()
    assert demo.user("clerk").has_perm("receivables.notify_owner", statement)
    assert not demo.user("finance").has_perm("receivables.issue_statement", statement)
