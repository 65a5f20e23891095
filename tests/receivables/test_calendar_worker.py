"""The recomputation after the 2027 notice is entered, on a real Celery worker (issue 9, point 4).

One of each kind of stored date computed from the calendar is committed first: a hand-off's costing due date, a
contract's objection-letter deadline, a repair ticket's phone-response and closure due times, and a receivable
whose first 5 % deduction was posted under the provisional calendar. Administration then enters the notice
(春节 02-05…02-11 instead of 02-05…02-08): the calendar service queues the recomputation after its commit, the
worker (a thread consuming the real Redis broker) moves every date three working days later, writes old → new into
each record's history, tells each person whose deadline moved once per deadline, and appends a reversing entry
for the deduction that is no longer due — the posted entry itself is left as it was (append-only ledger).
"""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts import services as contract_services
from handoff.models import Costing
from marketing_portal.models import Notification
from marketing_portal.tasks import deadlines_recompute_task
from receivables.engine import sweep_receivables
from receivables.models import CommissionEntry
from repairs.models import Ticket
from tests.conftest import wait_for
from tests.handoff.conftest import HandoffFactory
from tests.notices import enter_notice
from tests.repairs.conftest import Repairs, at

from .conftest import Factory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")


def moved(user):
    return list(Notification.objects.filter(recipient=user, key__startswith="deadline-moved").order_by("pk"))


def test_the_worker_moves_every_kind_of_stored_date_and_reverses_a_deduction(
        celery_worker, transactional_demo, clock):
    demo = transactional_demo
    # a receivable accepted on 2027-01-05: invoice by 02-09 on the provisional calendar
    clock.set(date(2027, 1, 5))
    rcv = Factory(demo)  # one set of factories: their customer numbers must not clash
    project = rcv.project(accepted_on=date(2027, 1, 5), signed_on=date(2026, 11, 2))
    # a contract whose non-performance was noticed on Thursday 02-04 with 1 agreed day → 02-09
    clock.set(date(2027, 2, 10))
    contract = rcv.make.archived()
    record = contract_services.non_performance_flag(
        contract_id=contract.pk, by=demo.user("finance"), noticed_on=date(2027, 2, 4), description="未付预付款",
        deadline_basis="agreed", days=1)
    # a hand-off received on 02-04 (costing within 1 day → 02-09) and a repair call on 02-04 at 16:30
    hf = HandoffFactory(demo)
    hf.n = 900  # its own customer numbers, clear of the shared factories' ones
    handoff = hf.handoff(now=at(2027, 2, 4, 9))
    costing = Costing.objects.get(handoff=handoff)
    repairs = Repairs(demo)
    repairs.make = rcv.make
    ticket = repairs.ticket(now=at(2027, 2, 4, 16, 30))
    # the nightly sweep of 03-12 posts step 1 (5 %) for 03-11: 30 full days after 02-09
    clock.set(date(2027, 3, 12))
    sweep_receivables()
    [deduction] = CommissionEntry.objects.filter(project=project, kind="deduction")
    posted = (deduction.entry_date, deduction.percent, deduction.amount, deduction.reason)
    assert posted[:2] == (date(2027, 3, 11), Decimal("5.00"))
    assert (costing.due_on, record.objection_due_on) == (date(2027, 2, 9), date(2027, 2, 9))
    assert (ticket.response_due_at, ticket.close_due_at) == (at(2027, 2, 9, 9, 30), at(2027, 2, 15, 11, 30))
    ledger_before = CommissionEntry.objects.filter(project=project).count()
    history_before = {"costing": costing.history.count(), "record": record.history.count(),
                      "ticket": ticket.history.count()}

    # when Administration enters the notice (committed: the task goes to the worker through Redis)
    enter_notice(demo.user("sysadmin"))

    # then the worker moves each date by the new calendar …
    wait_for(lambda: CommissionEntry.objects.filter(project=project, kind="reversal").exists(), timeout=60)
    wait_for(lambda: Ticket.objects.get(pk=ticket.pk).close_due_at == at(2027, 2, 18, 11, 30), timeout=60)
    costing.refresh_from_db()
    record.refresh_from_db()
    ticket.refresh_from_db()
    assert costing.due_on == date(2027, 2, 12)
    assert record.objection_due_on == date(2027, 2, 12)
    assert ticket.response_due_at == at(2027, 2, 12, 9, 30)
    # … with old → new in each record's history
    assert costing.history.count() == history_before["costing"] + 1
    assert costing.history.first().history_change_reason.startswith("核算截止日由 2027-02-09 调整为 2027-02-12")
    assert record.history.count() == history_before["record"] + 1
    assert record.history.first().history_change_reason.startswith("异议函期限由 2027-02-09 调整为 2027-02-12")
    reasons = {h.history_change_reason for h in ticket.history.all()[:2]}
    assert {r.split("：")[0] for r in reasons} == {"电话回应时限由 2027-02-09 09:30 调整为 2027-02-12 09:30",
                                                  "结案时限由 2027-02-15 11:30 调整为 2027-02-18 11:30"}
    assert ticket.history.count() == history_before["ticket"] + 2
    # … one notice to each person per deadline of theirs that moved
    [to_estimator] = moved(demo.user("xxx_estimator"))
    assert "核算截止日已调整为 2027-02-12（按暂定日历）" in to_estimator.subject
    [to_handler] = moved(contract.handler)
    assert "异议函期限已调整为 2027-02-12（按暂定日历）" in to_handler.subject
    to_cs = moved(demo.user("cs"))
    assert sorted(n.subject.split("已调整为 ")[1] for n in to_cs) == [
        "2027-02-12 09:30（按暂定日历）", "2027-02-18 11:30（按暂定日历）"]
    # … and the deduction no longer due (02-12 + 30 days is 03-14) is reversed by one appended entry
    entries = list(CommissionEntry.objects.filter(project=project).order_by("pk"))
    assert len(entries) == ledger_before + 1
    deduction.refresh_from_db()
    assert (deduction.entry_date, deduction.percent, deduction.amount, deduction.reason) == posted
    reversal = entries[-1]
    assert (reversal.kind, reversal.reverses_id, reversal.percent, reversal.amount) == (
        "reversal", deduction.pk, Decimal("-5.00"), -deduction.amount)
    assert "工作日历调整" in reversal.reason
    project.refresh_from_db()
    assert project.deduction_percent == Decimal("0.00")

    # a second run of the task (a retry) moves nothing, tells nobody and appends nothing
    notices = Notification.objects.count()
    result = deadlines_recompute_task.apply_async(
        kwargs={"first": "2027-01-01", "last": "2027-12-31", "reason": ""}, ignore_result=False).get(timeout=120)
    assert result["moved"] == 0 and result["notified"] == 0
    assert Notification.objects.count() == notices
    assert CommissionEntry.objects.filter(project=project).count() == ledger_before + 1
