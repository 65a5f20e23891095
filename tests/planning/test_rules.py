"""planning.rules: who may do what with reports, plans and bids, as a table of (person, record, action) → allowed.

A new rule is one row. Records come through the services (``tests/planning/conftest``); the people are the demo
organisation's logins (README.md). Approval steps are named-person rules: only whom the step waits for passes.
"""

import pytest

from planning.models import PlanStep, TenderStep
from planning.rules import NAMED_PERSON_RULES, PERMISSIONS, allowed

pytestmark = pytest.mark.django_db

TEXTS = dict(work_done="拜访国网华北分部，跟进开关柜项目", next_plan="准备投标文件")


def _report(pln):
    from planning import services

    return services.report_file(by=pln.demo.user("sales_hb"), kind="weekly", period="2026-W24", **TEXTS)


def _plan(pln, region=None, approve=False):
    rows = [(region or "HB", None, "year", 0, "1000000.00")]
    return pln.plan(region=region, rows=rows, approve=approve)


def _submitted(pln, region=None):
    from planning import services

    version = _plan(pln, region=region)
    services.plan_submit(version_id=version.pk, by=pln.demo.user("mgmt_manager"))
    return PlanStep.objects.get(plan_version_id=version.pk, status="pending")


def _fresh(obj):
    obj.refresh_from_db()
    return obj


RECORDS = {
    None: lambda pln: None,
    "hb report": _report,
    "centre plan": lambda pln: _plan(pln).plan,
    "hb plan": lambda pln: _plan(pln, region="HB").plan,
    "hb plan in review": lambda pln: _submitted(pln, region="HB").plan_version.plan,
    "centre draft version": lambda pln: _plan(pln),
    "hb draft version": lambda pln: _plan(pln, region="HB"),
    "approved version": lambda pln: _plan(pln, approve=True),
    "director's plan step": _submitted,
    "hb tender preparing": lambda pln: pln.tender(),
    "hb tender in review step": lambda pln: TenderStep.objects.get(tender=pln.tender(state="review"), status="pending"),
    "hb tender ready": lambda pln: _fresh(pln.tender(state="ready")),
    "hb tender submitted": lambda pln: pln.tender(state="submitted"),
}

# (person, record, rule, allowed)
TABLE = [
    # RPT-2: salespeople and regional managers file; their managers comment; the office compiles.
    ("sales_hb", None, "file_report", True),
    ("rm_hb", None, "file_report", True),
    ("finance", None, "file_report", False),
    ("tech_repair", None, "file_report", False),
    ("rm_hb", "hb report", "comment_report", True),
    ("rm_hd", "hb report", "comment_report", False),
    ("director", "hb report", "comment_report", True),
    ("sales_hb", "hb report", "comment_report", False),
    ("mgmt_manager", None, "compile_reports", True),
    ("rm_hb", None, "compile_reports", True),
    ("sales_hb", None, "compile_reports", False),
    ("mgmt_manager", None, "compile_centre_reports", True),
    ("rm_hb", None, "compile_centre_reports", False),
    # RPT-3: plans drafted by the office or the region's manager, approved by the director then the GM.
    ("mgmt_manager", None, "create_plan", True),
    ("rm_hb", None, "create_plan", True),
    ("sales_hb", None, "create_plan", False),
    ("mgmt_manager", "centre plan", "revise_plan", False),  # its first version is still a draft
    ("mgmt_manager", "hb plan in review", "revise_plan", False),
    ("rm_hb", "centre draft version", "edit_plan_version", False),
    ("rm_hb", "hb draft version", "edit_plan_version", True),
    ("rm_hd", "hb draft version", "edit_plan_version", False),
    ("mgmt_manager", "centre draft version", "submit_plan_version", True),
    ("mgmt_manager", "approved version", "submit_plan_version", False),
    ("director", None, "see_all_targets", True),
    ("gm", None, "see_all_targets", True),
    ("rm_hb", None, "see_all_targets", False),
    ("director", "director's plan step", "decide_plan_step", True),
    ("gm", "director's plan step", "decide_plan_step", False),  # not yet: the director decides first
    ("mgmt_manager", "director's plan step", "decide_plan_step", False),
    # RPT-4: bids started by sales, prepared by the clerks, reviewed by the Management Manager.
    ("sales_hb", None, "create_tender", True),
    ("clerk", None, "create_tender", True),  # the Sales Clerk works in the Marketing Office (ORG-3)
    ("xxx_estimator", None, "create_tender", False),
    ("finance", None, "create_tender", False),
    ("clerk", "hb tender preparing", "prepare_tender", True),
    ("sales_hb", "hb tender preparing", "prepare_tender", True),
    ("sales_hd", "hb tender preparing", "prepare_tender", False),
    ("clerk", "hb tender ready", "prepare_tender", False),
    ("clerk", "hb tender preparing", "send_tender_to_review", True),
    ("finance", "hb tender preparing", "send_tender_to_review", False),
    ("mgmt_manager", "hb tender in review step", "review_tender", True),
    ("clerk", "hb tender in review step", "review_tender", False),
    ("sales_hb", "hb tender in review step", "review_tender", False),
    ("sales_hb", "hb tender ready", "submit_tender", True),
    ("sales_hd", "hb tender ready", "submit_tender", False),
    ("sales_hb", "hb tender preparing", "submit_tender", False),
    ("sales_hb", "hb tender submitted", "record_tender_result", True),
    ("rm_hb", "hb tender submitted", "record_tender_result", True),
    ("clerk", "hb tender submitted", "record_tender_result", False),
    ("sales_hb", "hb tender ready", "record_tender_result", False),
    ("sales_hb", "hb tender preparing", "cancel_tender", True),
    ("rm_hd", "hb tender preparing", "cancel_tender", False),
    ("sales_hb", "hb tender submitted", "start_contract_from_tender", False),  # only a won bid
]


@pytest.mark.parametrize(("username", "record", "rule", "expected"), TABLE,
                         ids=[f"{u}-{r}-{p}" for u, r, p, _ in TABLE])
def test_rules_table(pln, username, record, rule, expected):
    obj = RECORDS[record](pln)
    assert allowed(pln.demo.user(username), f"planning.{rule}", obj) is expected


def test_every_planning_rule_has_a_row():
    declared = {name.split(".", 1)[1] for name in [*PERMISSIONS, *NAMED_PERSON_RULES]}
    assert declared == {rule for _, _, rule, _ in TABLE}
