"""RCV-3 … RCV-9 through the stored ledger: entries dated by rule date, stages and steps, the 100 % cap,
reversals of entries a late fact made undue, base changes, payouts and claw-backs, append-only guards."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from marketing_portal.policy import policy_update
from receivables import services
from receivables.engine import sweep_receivables
from receivables.models import CommissionEntry, Project

pytestmark = pytest.mark.django_db


def ledger(project):
    return list(CommissionEntry.objects.filter(project=project).order_by("entry_date", "pk"))


def rule_entries(project):
    return [(e.kind, e.key, e.revision, e.entry_date, e.percent, e.amount) for e in ledger(project)
            if e.kind in ("deduction", "forfeiture", "reversal")]


def balance(project, owner=None):
    qs = CommissionEntry.objects.filter(project=project)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return sum((e.amount for e in qs), Decimal("0"))


def test_registration_posts_the_base_commission_from_the_policy(rcv, today):
    # given a signed sales contract of ¥1,000,000 and the default 2 % rate
    project = rcv.project()
    # then the base is the contract amount, the rate comes from the policy, and the base entry is posted once
    assert project.commission_base == Decimal("1000000.00")
    assert project.commission_rate_percent == Decimal("2.00")
    assert project.commission == Decimal("20000.00")
    assert [(e.kind, e.amount) for e in ledger(project)] == [("base", Decimal("20000.00"))]
    assert project.retention_amount == Decimal("50000.00")
    assert project.stage == "awaiting_acceptance"


def test_late_invoice_deducts_five_percent_per_full_30_days_dated_by_rule_date(rcv, on_day):
    # accepted 2026-01-05: invoice deadline 2026-02-05; steps take effect on 03-07 and 04-06
    on_day(date(2026, 4, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    deductions = [e for e in ledger(project) if e.kind == "deduction"]
    assert [(e.key, e.entry_date, e.percent, e.amount, e.stage, e.step) for e in deductions] == [
        ("invoice:deduction:1", date(2026, 3, 7), Decimal("5.00"), Decimal("-1000.00"), "invoice", 1),
        ("invoice:deduction:2", date(2026, 4, 6), Decimal("5.00"), Decimal("-1000.00"), "invoice", 2),
    ]
    assert all(e.policy_version == 1 and e.commission == Decimal("20000.00") for e in deductions)
    assert "开票逾期" in deductions[0].reason
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("10.00")
    assert balance(project) == Decimal("18000.00")


def test_the_day_before_a_step_nothing_and_on_the_step_day_the_deduction(rcv, on_day):
    on_day(date(2026, 3, 6))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    assert rule_entries(project) == []
    on_day(date(2026, 3, 7))
    sweep_receivables()
    assert [e[1] for e in rule_entries(project)] == ["invoice:deduction:1"]


def test_not_invoiced_by_six_months_forfeits_the_whole_commission(rcv, on_day):
    # forfeiture mark: 2026-07-05 is a Sunday -> 2026-07-06; forfeited from 07-07
    on_day(date(2026, 7, 6))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    assert [e.kind for e in ledger(project) if e.kind != "base"] == ["deduction"] * 5
    on_day(date(2026, 7, 7))
    sweep_receivables()
    entries = ledger(project)
    forfeiture = [e for e in entries if e.kind == "forfeiture"]
    assert len(forfeiture) == 1
    assert forfeiture[0].entry_date == date(2026, 7, 7)
    assert forfeiture[0].percent == Decimal("75.00")
    assert balance(project) == Decimal("0.00")
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("100.00")
    assert project.suspension == "may_suspend"


def test_a_backdated_invoice_reverses_deductions_no_longer_due_and_never_changes_them(rcv, on_day):
    on_day(date(2026, 4, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    before = {e.pk: (e.amount, e.percent) for e in ledger(project)}
    # Finance enters, late, an invoice dated 2026-03-20: 43 days late, one step only
    rcv.invoice(project, date(2026, 3, 20))
    after = ledger(project)
    for entry in after:
        if entry.pk in before:
            assert (entry.amount, entry.percent) == before[entry.pk]  # nothing stored was changed
    reversal = [e for e in after if e.kind == "reversal"]
    assert len(reversal) == 1
    assert reversal[0].reverses.key == "invoice:deduction:2"
    assert reversal[0].amount == Decimal("1000.00")
    assert reversal[0].entry_date == date(2026, 4, 10)
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("5.00")
    assert project.stage == "collecting"
    assert balance(project) == Decimal("19000.00")


def test_the_same_rule_event_cannot_be_posted_twice_for_a_project(rcv, on_day):
    on_day(date(2026, 4, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    first = [e for e in ledger(project) if e.kind == "deduction"][0]
    # the unique key (project, stage:kind:step, revision) is the sweep's backstop against double posting
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionEntry.objects.create(project=project, owner=project.owner, kind="deduction", key=first.key,
                                       revision=first.revision, entry_date=first.entry_date, amount=Decimal("-1"),
                                       percent=Decimal("5"), reason="again")


def test_a_policy_change_does_not_reverse_what_the_old_policy_posted(rcv, on_day, demo):
    on_day(date(2026, 4, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))  # steps 1 and 2 posted under 30-day steps
    policy_update(changes={"deduction_step_days": "60"}, by=demo.user("sysadmin"), reason="测试")
    on_day(date(2026, 4, 11))
    Project.objects.filter(pk=project.pk).update(next_check_on=date(2026, 4, 11))  # assessed under the new policy
    result = sweep_receivables()
    assert result.assessed == 1
    # under 60-day steps step 2 would only fall on 2026-06-05; what was posted under v1 stays as it was
    assert sorted(e.kind for e in ledger(project)) == ["base", "deduction", "deduction"]


def test_ledger_entries_cannot_be_changed_or_deleted_by_the_model_or_the_database(rcv, today):
    project = rcv.project()
    entry = ledger(project)[0]
    entry.amount = Decimal("1")
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        CommissionEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    with pytest.raises(ValidationError):
        CommissionEntry.objects.filter(pk=entry.pk).delete()
    for sql in ("UPDATE receivables_commissionentry SET amount = 1 WHERE id = %s",
                "DELETE FROM receivables_commissionentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert CommissionEntry.objects.get(pk=entry.pk).amount == Decimal("20000.00")


def test_policy_change_applies_to_new_deductions_and_never_rewrites_posted_ones(rcv, on_day, demo):
    on_day(date(2026, 3, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    policy_update(changes={"deduction_step_percent": "8"}, by=demo.user("sysadmin"), reason="测试")
    on_day(date(2026, 4, 6))
    sweep_receivables()
    deductions = [e for e in ledger(project) if e.kind == "deduction"]
    assert [(e.step, e.percent, e.policy_version) for e in deductions] == [
        (1, Decimal("5.00"), 1), (2, Decimal("8.00"), 2)]


def test_director_changes_the_commission_with_a_reason_and_the_ledger_follows(rcv, on_day, demo):
    on_day(date(2026, 4, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))  # 10 % deducted of ¥20,000
    with pytest.raises(ValidationError) as error:
        services.project_commission_change(project_id=project.pk, by=demo.user("sales_manager"),
                                           commission_base="800000", rate_percent="3", reason="调整")
    assert "营销总监" in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        services.project_commission_change(project_id=project.pk, by=demo.user("director"),
                                           commission_base="800000", rate_percent="3", reason=" ")
    assert "reason" in error.value.message_dict
    services.project_commission_change(project_id=project.pk, by=demo.user("director"),
                                       commission_base="800000", rate_percent="3", reason="合同额调减，提成比例调整")
    project.refresh_from_db()
    assert project.commission == Decimal("24000.00")
    change = [e for e in ledger(project) if e.kind == "base_change"][0]
    assert change.amount == Decimal("3600.00")  # (24,000 - 20,000) x 90 % still earned
    assert "合同额调减" in change.reason
    assert balance(project) == Decimal("21600.00")  # 24,000 less 10 %
    assert project.history.first().history_change_reason.startswith("合同额调减")


def test_payout_after_collection_and_claw_back_of_a_later_deduction(rcv, on_day, demo):
    # a project collected in time, retention due later
    on_day(date(2025, 3, 1))
    first = rcv.project(accepted_on=date(2025, 1, 6))
    rcv.invoice(first, date(2025, 1, 20))
    rcv.receipt(first, date(2025, 2, 20), Decimal("950000.00"))
    owner = first.owner
    payout = services.commission_payout(owner=owner, by=demo.user("finance"), paid_on=date(2025, 3, 1))
    assert payout.gross == Decimal("20000.00")  # only the collected project is payable
    assert balance(first, owner) == Decimal("0.00")
    # a retention deduction arrives after the payout: the owner's balance on that project goes negative
    from receivables.models import RetentionStatement

    on_day(date(2026, 1, 7))
    sweep_receivables()
    statement = RetentionStatement.objects.get(project=first)
    on_day(date(2026, 1, 10))
    services.statement_issue(statement_id=statement.pk, by=demo.user("finance"), issued_on=date(2026, 1, 10))
    on_day(date(2026, 4, 10))
    sweep_receivables()
    assert balance(first, owner) == Decimal("-1000.00")
    with pytest.raises(ValidationError):
        services.commission_payout(owner=owner, by=demo.user("finance"), paid_on=date(2026, 4, 10))
    # a second project, collected in time: its commission is paid less what must be recovered
    second = rcv.project(accepted_on=date(2026, 3, 20))
    rcv.invoice(second, date(2026, 4, 1))
    rcv.receipt(second, date(2026, 4, 5), Decimal("950000.00"))
    expected = balance(second, owner)
    payout = services.commission_payout(owner=owner, by=demo.user("finance"), paid_on=date(2026, 4, 10))
    assert payout.recovered == Decimal("1000.00")
    assert payout.net == expected - Decimal("1000.00")
    assert balance(first, owner) == Decimal("0.00")
    assert [e.kind for e in ledger(first)][-1] == "clawback"
    with pytest.raises(ValidationError):
        services.commission_payout(owner=owner, by=demo.user("sales_manager"), paid_on=date(2026, 4, 10))


def test_manual_adjustment_needs_the_directors_approval_and_no_self_approval(rcv, today, demo):
    project = rcv.project()
    adjustment = services.adjustment_request(project_id=project.pk, by=demo.user("mgmt_manager"),
                                             amount="-500", reason="客户投诉扣罚")
    assert balance(project) == Decimal("20000.00")  # nothing posted before approval
    with pytest.raises(ValidationError):
        services.adjustment_decide(adjustment_id=adjustment.pk, by=demo.user("finance"), approve=True)
    with pytest.raises(ValidationError) as error:
        services.adjustment_decide(adjustment_id=adjustment.pk, by=demo.user("director"), approve=False, comment="")
    assert "comment" in error.value.message_dict
    services.adjustment_decide(adjustment_id=adjustment.pk, by=demo.user("director"), approve=True)
    assert balance(project) == Decimal("19500.00")
    entry = [e for e in ledger(project) if e.kind == "adjustment"][0]
    assert entry.adjustment == adjustment and "客户投诉扣罚" in entry.reason
    own = services.adjustment_request(project_id=project.pk, by=demo.user("director"), amount="100", reason="奖励")
    with pytest.raises(ValidationError) as error:
        services.adjustment_decide(adjustment_id=own.pk, by=demo.user("director"), approve=True)
    assert "自己" in " ".join(error.value.messages)


def test_reassignment_keeps_a_handover_record_and_moves_the_unpaid_commission(rcv, on_day, demo):
    on_day(date(2026, 4, 10))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    old, new = demo.user("sales_hb"), demo.user("rm_hb")
    with pytest.raises(ValidationError):
        services.project_reassign(project_id=project.pk, by=demo.user("finance"), to_owner=new, reason="离职")
    handover = services.project_reassign(project_id=project.pk, by=demo.user("director"), to_owner=new,
                                         reason="张伟调岗", open_items="发票未开")
    project.refresh_from_db()
    assert project.owner == new
    assert handover.from_owner == old and handover.open_items == "发票未开"
    assert balance(project, old) == Decimal("0.00")
    assert balance(project, new) == Decimal("18000.00")
    # later deductions fall on the new owner
    on_day(date(2026, 5, 6))
    sweep_receivables()
    assert balance(project, new) == Decimal("17000.00")
    assert Project.objects.get(pk=project.pk).history.first().history_change_reason == "张伟调岗"
