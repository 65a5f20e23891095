"""RCV-7 retention (warranty end, statement drafted by the sweep, issued by Finance, the RCV-6 clock from its issue
date, the 100 % cap across stages) and RCV-12 reminders, deduction notices and the weekly digest, each sent once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketing_portal.notifications import Notification
from receivables import services
from receivables.digest import digest_send
from receivables.engine import sweep_receivables
from receivables.models import CommissionEntry, Project, RetentionStatement

pytestmark = pytest.mark.django_db


def collected_project(rcv, on_day, *, invoiced_on=date(2025, 1, 20)):
    on_day(invoiced_on + timedelta(days=40))
    project = rcv.project(accepted_on=date(2025, 1, 6))  # warranty 12 months: ends 2026-01-06
    rcv.invoice(project, invoiced_on)
    rcv.receipt(project, invoiced_on + timedelta(days=30), Decimal("950000.00"))
    project.refresh_from_db()
    return project


def test_the_statement_is_drafted_the_day_after_the_warranty_ends_with_the_regulations_fields(rcv, on_day, demo):
    project = collected_project(rcv, on_day)
    assert project.warranty_ends_on == date(2026, 1, 6)
    assert project.stage == "warranty" and project.next_check_on == date(2026, 1, 7)
    on_day(date(2026, 1, 6))
    sweep_receivables()
    assert not RetentionStatement.objects.exists()
    on_day(date(2026, 1, 7))
    sweep_receivables()
    statement = RetentionStatement.objects.get(project=project)
    assert (statement.drafted_on, statement.state) == (date(2026, 1, 7), "drafted")
    assert statement.project_name == project.name
    assert statement.invoicing_unit == project.customer.name
    assert (statement.project_amount, statement.collected_amount, statement.receivable_amount,
            statement.retention_amount) == (Decimal("1000000.00"), Decimal("950000.00"), Decimal("50000.00"),
                                            Decimal("50000.00"))
    assert Notification.objects.filter(recipient=demo.user("finance"), key__startswith="rcv-statement-drafted").exists()
    on_day(date(2026, 1, 8))
    sweep_receivables()
    assert RetentionStatement.objects.count() == 1


def test_finance_issues_marketing_notifies_and_the_collection_rules_run_from_the_issue_date(rcv, on_day, demo):
    project = collected_project(rcv, on_day)
    on_day(date(2026, 1, 7))
    sweep_receivables()
    statement = RetentionStatement.objects.get(project=project)
    on_day(date(2026, 1, 10))
    with pytest.raises(ValidationError):
        services.statement_issue(statement_id=statement.pk, by=demo.user("mgmt_manager"))
    with pytest.raises(ValidationError) as error:
        services.statement_notify_owner(statement_id=statement.pk, by=demo.user("mgmt_manager"))
    assert "已出具" in error.value.messages[0]
    services.statement_issue(statement_id=statement.pk, by=demo.user("finance"))
    project.refresh_from_db()
    assert project.stage == "retention"
    services.statement_notify_owner(statement_id=statement.pk, by=demo.user("mgmt_manager"))
    note = Notification.objects.get(recipient=project.owner, key__startswith="rcv-statement-owner")
    assert "2026-03-11" in note.subject  # 60 days from the issue date
    # the RCV-6 clock: 30 full days after 2026-03-11 the first retention step
    on_day(date(2026, 4, 9))
    sweep_receivables()
    assert not CommissionEntry.objects.filter(project=project, stage="retention").exists()
    on_day(date(2026, 4, 10))
    sweep_receivables()
    entry = CommissionEntry.objects.get(project=project, stage="retention")
    assert (entry.key, entry.entry_date, entry.percent) == ("retention:deduction:1", date(2026, 4, 10),
                                                            Decimal("5.00"))
    # the retention received: settled, nothing more happens
    rcv.receipt(project, date(2026, 4, 10), Decimal("50000.00"))
    project.refresh_from_db()
    assert project.stage == "settled" and project.next_check_on is None


def test_deductions_of_all_stages_add_up_and_never_exceed_the_whole_commission(rcv, on_day, demo):
    # invoiced 65 days late (2 steps), then retention never collected: 6 steps and the forfeiture
    project = collected_project(rcv, on_day, invoiced_on=date(2025, 4, 12))
    assert project.deduction_percent == Decimal("10.00")
    on_day(date(2026, 1, 7))
    sweep_receivables()
    statement = RetentionStatement.objects.get(project=project)
    on_day(date(2026, 1, 10))
    services.statement_issue(statement_id=statement.pk, by=demo.user("finance"))
    on_day(date(2026, 11, 29))
    sweep_receivables()
    # (the invoice was recorded after a third step had been posted: that step was reversed)
    entries = CommissionEntry.objects.filter(project=project, kind__in=["deduction", "forfeiture", "reversal"])
    assert entries.filter(kind="reversal").count() == 1
    assert sum(e.percent for e in entries) == Decimal("100.00")
    retention = [e.key for e in entries.filter(stage="retention").order_by("entry_date", "pk")]
    assert retention[-1] == "retention:forfeiture:0"
    assert sum(e.amount for e in CommissionEntry.objects.filter(project=project)) == Decimal("0.00")
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("100.00") and project.suspension == "may_suspend"


# --------------------------------------------------------------------------------------------------
# RCV-12: reminders and notices, each once
# --------------------------------------------------------------------------------------------------
def reminders(project):
    return list(Notification.objects.filter(recipient=project.owner, key__startswith="rcv-reminder")
                .order_by("pk").values_list("subject", flat=True))


def test_reminders_seven_three_and_one_day_before_the_invoice_deadline_each_once(rcv, on_day):
    on_day(date(2026, 11, 2))
    project = rcv.project(accepted_on=date(2026, 11, 2))  # invoice deadline 2026-12-02
    assert Project.objects.get(pk=project.pk).next_check_on == date(2026, 11, 25)
    for day, count in [(date(2026, 11, 24), 0), (date(2026, 11, 25), 1), (date(2026, 11, 26), 1),
                       (date(2026, 11, 29), 2), (date(2026, 11, 29), 2), (date(2026, 12, 1), 3),
                       (date(2026, 12, 2), 3)]:
        on_day(day)
        sweep_receivables()
        assert len(reminders(project)) == count, day
    texts = reminders(project)
    assert "开票期限 2026-12-02（还剩 7 天）" in texts[0]
    assert "还剩 3 天" in texts[1] and "还剩 1 天" in texts[2]


def test_a_missed_reminder_day_sends_one_late_reminder_not_several(rcv, on_day):
    on_day(date(2026, 11, 2))
    project = rcv.project(accepted_on=date(2026, 11, 2))
    on_day(date(2026, 11, 28))  # the sweep did not run on 11-25: 4 days left
    sweep_receivables()
    assert len(reminders(project)) == 1 and "还剩 4 天" in reminders(project)[0]
    sweep_receivables()
    assert len(reminders(project)) == 1


def test_each_deduction_is_notified_once_with_the_next_deadline(rcv, on_day):
    on_day(date(2026, 3, 6))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    on_day(date(2026, 3, 7))
    sweep_receivables()
    sweep_receivables()
    notes = Notification.objects.filter(recipient=project.owner, key__startswith="rcv-entries")
    assert notes.count() == 1
    note = notes.get()
    assert "开票逾期扣减提成（第1期）" in note.subject
    assert "提成的 5.00%" in note.body and "-¥1,000.00" in note.body and "2026-04-05" in note.body


def test_catch_up_tells_every_missed_deduction_in_one_notice(rcv, on_day):
    on_day(date(2026, 1, 5))
    project = rcv.project(accepted_on=date(2026, 1, 5))
    Project.objects.filter(pk=project.pk).update(next_check_on=date(2026, 1, 6))
    on_day(date(2026, 5, 10))
    sweep_receivables()
    note = Notification.objects.get(recipient=project.owner, key__startswith="rcv-entries")
    assert "3 笔" in note.subject
    assert note.body.count("开票逾期扣减提成") == 3


def test_weekly_digest_once_per_manager_and_week(rcv, on_day, demo):
    on_day(date(2026, 4, 10))
    rcv.project(accepted_on=date(2026, 1, 5))
    sent = digest_send()
    assert sent >= 5  # director, sales manager, management manager, head of Finance, regional managers
    note = Notification.objects.get(recipient=demo.user("director"), key__startswith="rcv-digest")
    assert "待开票项目 1 个，其中 1 个已过开票期限" in note.body
    assert "扣减" in note.body
    rm = Notification.objects.get(recipient=demo.user("rm_hd"), key__startswith="rcv-digest")
    assert "待开票项目 0 个" in rm.body  # another region's project is not in their scope
    assert digest_send() == 0
    on_day(date(2026, 4, 13))
    assert digest_send() == sent
