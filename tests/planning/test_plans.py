"""Plans and targets (RPT-3) on the approval kernel: submitted, approved by the Marketing Director then the general
manager (delegation "A 代 B", history), revised as versions; targets and actual against target for the dashboard,
hand-computed and narrowed by X-2; bad input refused with nothing stored."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from org.services import delegation_create
from planning import selectors, services
from planning.choices import PlanState
from planning.models import PlanStep, PlanVersion, Target
from tests.planning.conftest import codes

pytestmark = pytest.mark.django_db

HB_MONTHS = [("HB", None, "month", m, 100000 * m) for m in range(1, 13)]  # 100k in January … 1.2M in December


def test_the_chain_director_then_gm_puts_the_version_in_force(demo, pln, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = pln.plan(rows=HB_MONTHS, approve=False)
        services.plan_submit(version_id=version.pk, by=demo.user("mgmt_manager"))
    from marketing_portal.models import Notification

    assert Notification.objects.filter(recipient=demo.user("director"), key__startswith="plan-step").exists()
    director_step = version.steps.get()
    assert [u.username for u in director_step.assignees.all()] == ["director"]
    services.plan_approve(step_id=director_step.pk, by=demo.user("director"), comment="同意")
    version.refresh_from_db()
    assert version.state == PlanState.REVIEW and not version.in_force
    gm_step = version.steps.get(kind="gm")
    services.plan_approve(step_id=gm_step.pk, by=demo.user("gm"))
    version.refresh_from_db()
    assert version.state == PlanState.APPROVED and version.in_force
    assert list(version.steps.values_list("kind", "status", "decided_by__username")) == [
        ("director", "approved", "director"), ("gm", "approved", "gm")]
    assert version.steps.get(kind="gm").content_hash == version.compute_hash()


def test_a_delegate_approves_on_behalf_of_the_director_and_it_is_recorded(demo, pln, today):
    delegation_create(principal=demo.user("director"), delegate=demo.user("sales_manager"), starts_on=today,
                      ends_on=today + timedelta(days=5), reason="出差", by=demo.user("director"))
    version = pln.plan(rows=HB_MONTHS, approve=False)
    services.plan_submit(version_id=version.pk, by=demo.user("mgmt_manager"))
    step = version.steps.get()
    services.plan_approve(step_id=step.pk, by=demo.user("sales_manager"), comment="代为审批")
    step.refresh_from_db()
    assert step.decided_by == demo.user("sales_manager") and step.on_behalf_of == demo.user("director")
    assert step.history.first().history_change_reason == "王强 代 周明 办理"


def test_nobody_approves_their_own_plan_even_as_a_delegate(demo, pln, today):
    delegation_create(principal=demo.user("director"), delegate=demo.user("sales_manager"), starts_on=today,
                      ends_on=today + timedelta(days=5), reason="出差", by=demo.user("director"))
    version = pln.plan(by="sales_manager", rows=HB_MONTHS, approve=False)
    services.plan_submit(version_id=version.pk, by=demo.user("sales_manager"))
    step = version.steps.get()
    with pytest.raises(ValidationError) as refused:
        services.plan_approve(step_id=step.pk, by=demo.user("sales_manager"))
    assert codes(refused.value) == {"own_submission"}
    assert "不能审批自己提交的计划" in refused.value.messages[0]
    step.refresh_from_db()
    assert step.status == "pending" and step.decided_by is None
    # nor may someone the org chart does not name
    with pytest.raises(ValidationError) as stranger:
        services.plan_approve(step_id=step.pk, by=demo.user("rm_hb"))
    assert codes(stranger.value) == {"not_assigned"}


def test_a_negative_target_is_refused_and_nothing_changes(demo, pln):
    version = pln.plan(rows=HB_MONTHS[:2], approve=False)
    before = list(version.targets.values_list("period_no", "amount"))
    with pytest.raises(ValidationError) as refused:
        services.plan_targets_set(version_id=version.pk, by=demo.user("mgmt_manager"), targets=[
            {"region": demo.region("HB"), "person": None, "period": "month", "period_no": 1, "amount": "-5000"}])
    assert "第1行" in refused.value.message_dict["targets"][0]
    assert list(version.targets.values_list("period_no", "amount")) == before
    for bad in ({"period": "month", "period_no": 13}, {"period": "quarter", "period_no": 0},
                {"period": "year", "period_no": 2}, {"period": "week", "period_no": 1}):
        with pytest.raises(ValidationError):
            services.plan_targets_set(version_id=version.pk, by=demo.user("mgmt_manager"), targets=[
                {"region": demo.region("HB"), "person": None, "amount": "100", **bad}])
    assert list(version.targets.values_list("period_no", "amount")) == before


def test_a_regional_manager_drafts_only_their_regions_plan(demo, pln):
    with pytest.raises(ValidationError) as refused:
        services.plan_create(by=demo.user("rm_hb"), year=2026, region=demo.region("HD"))
    assert codes(refused.value) == {"not_your_region"}
    with pytest.raises(ValidationError):
        services.plan_create(by=demo.user("sales_hb"), year=2026)
    plan = services.plan_create(by=demo.user("rm_hb"), year=2026, region=demo.region("HB"))
    assert plan.number == "JH-2026-001"
    with pytest.raises(ValidationError) as twice:
        services.plan_create(by=demo.user("mgmt_manager"), year=2026, region=demo.region("HB"))
    assert codes(twice.value) == {"plan_exists"}


def test_a_revision_is_approved_again_and_only_then_replaces_the_version_in_force(demo, pln):
    v1 = pln.plan(rows=[("HB", None, "year", 0, 12000000)])
    v2 = services.plan_revise(plan_id=v1.plan_id, by=demo.user("mgmt_manager"), note="调高")
    assert v2.number == 2 and v2.targets.get().amount == Decimal("12000000.00")
    services.plan_targets_set(version_id=v2.pk, by=demo.user("mgmt_manager"),
                              targets=[{"region": demo.region("HB"), "person": None, "period": "year", "period_no": 0,
                                        "amount": "24000000"}])
    services.plan_submit(version_id=v2.pk, by=demo.user("mgmt_manager"))
    director = demo.user("director")
    # While v2 waits, the dashboard reads v1 (a twelfth of the year a month).
    assert selectors.targets_for(director, (2026, 1))["total"] == Decimal("1000000.00")
    with pytest.raises(ValidationError):
        services.plan_revise(plan_id=v1.plan_id, by=demo.user("mgmt_manager"))  # a version is open already
    for login in ("director", "gm"):
        services.plan_approve(step_id=v2.steps.get(status="pending").pk, by=demo.user(login))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.state, v1.in_force, v2.state, v2.in_force) == (PlanState.SUPERSEDED, False, PlanState.APPROVED, True)
    assert selectors.targets_for(director, 2026)["total"] == Decimal("24000000.00")


def test_a_rejection_closes_the_version_and_the_plan_is_revised(demo, pln):
    version = pln.plan(rows=HB_MONTHS, approve=False)
    services.plan_submit(version_id=version.pk, by=demo.user("mgmt_manager"))
    step = version.steps.get()
    with pytest.raises(ValidationError):
        services.plan_reject(step_id=step.pk, by=demo.user("director"), comment=" ")
    services.plan_reject(step_id=step.pk, by=demo.user("director"), comment="华北目标偏低")
    version.refresh_from_db()
    assert version.state == PlanState.REJECTED and not version.in_force
    with pytest.raises(ValidationError) as stale:
        services.plan_approve(step_id=step.pk, by=demo.user("director"))
    assert codes(stale.value) == {"already_decided"}
    assert services.plan_revise(plan_id=version.plan_id, by=demo.user("mgmt_manager")).number == 2


def test_targets_are_changed_only_in_a_draft_and_the_approved_hash_holds(demo, pln):
    version = pln.plan(rows=HB_MONTHS)
    with pytest.raises(ValidationError) as refused:
        services.plan_targets_set(version_id=version.pk, by=demo.user("mgmt_manager"), targets=[])
    assert codes(refused.value) == {"not_draft"}
    assert Target.objects.filter(version=version, amount__gt=0).count() == 12


def test_targets_and_actual_against_target_hand_computed(demo, pln):
    # Centre plan: HB 100k…1.2M a month (sum 7.8M), HD a quarterly 900k in Q1 and an annual 12M.
    pln.plan(rows=HB_MONTHS + [("HD", None, "quarter", 1, 900000), ("HD", None, "year", 0, 12000000)])
    # HB's plan: 张伟 500k in March, 60k in Q2 (20k a month).
    pln.plan(region="HB", by="rm_hb", rows=[("HB", "sales_hb", "month", 3, 500000),
                                            ("HB", "sales_hb", "quarter", 2, 60000)])
    # Signed: 张伟 300k on 9 March and 150k on 20 March; 刘洋 (HD) 400k in February; a draft never counts.
    pln.signed(amount="300000", signed_on=date(2026, 3, 9))
    pln.signed(amount="150000", signed_on=date(2026, 3, 20))
    pln.signed(owner="sales_hd", amount="400000", signed_on=date(2026, 2, 10))
    pln.make.contract(amount=Decimal("777000"))
    director, zhang = demo.user("director"), demo.user("sales_hb")
    # Q1: HB 100k+200k+300k; HD the quarter line 900k (a third a month, not the annual line).
    q1 = selectors.target_vs_actual(director, (2026, "Q1"))
    assert q1["target"] == Decimal("1500000.00") and q1["actual"] == Decimal("850000.00")
    assert {r["region"]: (r["target"], r["actual"]) for r in q1["regions"]} == {
        "HB": (Decimal("600000.00"), Decimal("450000.00")), "HD": (Decimal("900000.00"), Decimal("400000.00"))}
    assert [m["target"] for m in q1["months"]] == [Decimal("400000.00"), Decimal("500000.00"), Decimal("600000.00")]
    # April: HD has no quarter line → a twelfth of the year, 1M; HB 400k.
    assert selectors.targets_for(director, (2026, 4))["by_region"] == {"HB": Decimal("400000.00"),
                                                                       "HD": Decimal("1000000.00")}
    # The person: March 500k against 450k signed = 90.0 %.
    march = selectors.target_vs_actual(director, (2026, 3), person=zhang)
    assert (march["target"], march["actual"], march["rate"]) == (Decimal("500000.00"), Decimal("450000.00"),
                                                                 Decimal("90.0"))
    assert selectors.targets_for(director, (2026, 5), person=zhang)["total"] == Decimal("20000.00")


def test_targets_and_actuals_are_narrowed_to_what_the_user_may_see(demo, pln):
    pln.plan(rows=[("HB", None, "year", 0, 1200000), ("HD", None, "year", 0, 2400000)])
    pln.plan(region="HD", by="rm_hd", rows=[("HD", "sales_hd", "year", 0, 600000)])
    pln.signed(amount="300000", signed_on=date(2026, 3, 9))
    pln.signed(owner="sales_hd", amount="400000", signed_on=date(2026, 2, 10))
    # The regional manager of HB sees HB only; a salesperson their own lines and contracts only.
    rm = selectors.target_vs_actual(demo.user("rm_hb"), 2026)
    assert (rm["target"], rm["actual"]) == (Decimal("1200000.00"), Decimal("300000.00"))
    own = selectors.target_vs_actual(demo.user("sales_hd"), 2026, person=demo.user("sales_hd"))
    assert (own["target"], own["actual"]) == (Decimal("600000.00"), Decimal("400000.00"))
    assert selectors.targets_for(demo.user("sales_hd"), 2026)["by_region"] == {}
    assert selectors.targets_for(demo.user("sales_hb"), 2026, person=demo.user("sales_hd"))["total"] == 0
    assert selectors.targets_for(demo.user("finance"), 2026)["total"] == 0


def test_one_target_belongs_to_one_plan(demo, pln):
    pln.plan(rows=[("HB", None, "year", 0, 1200000)])
    version = pln.plan(region="HB", by="rm_hb", rows=[("HB", None, "year", 0, 1500000)], approve=False)
    with pytest.raises(ValidationError) as refused:
        services.plan_submit(version_id=version.pk, by=demo.user("rm_hb"))
    assert codes(refused.value) == {"overlapping_targets"}
    assert PlanVersion.objects.get(pk=version.pk).state == PlanState.DRAFT
    assert PlanStep.objects.filter(plan_version=version).count() == 0
