"""HND-6: reminders on the due day, overdue alerts to the late party's head and the Marketing Director, each once."""

import pytest

from handoff.services import costing_submit, deadlines_sweep
from marketing_portal.models import Notification

from .conftest import COSTS, at

pytestmark = pytest.mark.django_db


def keys_of(user, prefix):
    return set(Notification.objects.filter(recipient=user, key__startswith=prefix).values_list("key", flat=True))


def test_no_reminder_before_the_due_day_or_before_the_first_hour(hf, demo):
    hf.handoff(now=at(2026, 3, 4, 9))                      # due Thursday 03-05
    assert deadlines_sweep(now=at(2026, 3, 4, 16)) == 0     # the day of receipt
    assert deadlines_sweep(now=at(2026, 3, 5, 8, 59)) == 0  # the due day, before 09:00
    assert not keys_of(demo.user("xxx_estimator"), "handoff-remind")


def test_due_day_reminders_at_the_policy_hours_each_once(hf, demo):
    hf.handoff(now=at(2026, 3, 4, 9))
    estimator = demo.user("xxx_estimator")
    # 09:05 on the due day: the morning reminder
    assert deadlines_sweep(now=at(2026, 3, 5, 9, 5)) == 1
    # the hourly beat runs again: nothing new
    assert deadlines_sweep(now=at(2026, 3, 5, 10, 5)) == 0
    assert deadlines_sweep(now=at(2026, 3, 5, 10, 5)) == 0
    # 15:05: the last-hours reminder
    assert deadlines_sweep(now=at(2026, 3, 5, 15, 5)) == 1
    notes = Notification.objects.filter(recipient=estimator, key__startswith="handoff-remind").order_by("pk")
    assert notes.count() == 2
    assert "2026-03-05" in notes[0].subject
    # nobody else was reminded: the head and the director only hear of it when it is late
    assert not keys_of(demo.user("xxx_head"), "handoff-")
    assert not keys_of(demo.user("director"), "handoff-remind")


def test_after_a_beat_outage_only_the_latest_reminder_goes_out(hf, demo):
    hf.handoff(now=at(2026, 3, 4, 9))
    assert deadlines_sweep(now=at(2026, 3, 5, 16)) == 1
    assert deadlines_sweep(now=at(2026, 3, 5, 17)) == 0
    assert len(keys_of(demo.user("xxx_estimator"), "handoff-remind")) == 1


def test_overdue_costing_alerts_xxx_head_and_marketing_director_once(hf, demo):
    handoff = hf.handoff(now=at(2026, 3, 4, 9))
    # five past midnight after the due day: late
    sent = deadlines_sweep(now=at(2026, 3, 6, 0, 5))
    assert sent == 3  # the estimator, XXX's head, the Marketing Director
    for name in ("xxx_estimator", "xxx_head", "director"):
        note = Notification.objects.get(recipient=demo.user(name), key__startswith="handoff-overdue")
        assert handoff.number in note.subject and note.url == handoff.get_absolute_url()
    assert not keys_of(demo.user("finance_head"), "handoff-overdue")
    # every later run adds nothing
    assert deadlines_sweep(now=at(2026, 3, 6, 1, 5)) == 0
    assert deadlines_sweep(now=at(2026, 3, 9, 9, 5)) == 0


def test_overdue_review_alerts_finance_head_and_marketing_director(hf, demo):
    handoff = hf.handoff(now=at(2026, 3, 4, 9))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS, now=at(2026, 3, 5, 11))
    # review due Friday 03-06; reminders go to Finance on that day
    assert deadlines_sweep(now=at(2026, 3, 6, 9, 1)) == 2  # the reviewer and the head of Finance
    assert keys_of(demo.user("finance"), "handoff-remind")
    # late on Saturday
    deadlines_sweep(now=at(2026, 3, 7, 8))
    for name in ("finance", "finance_head", "director"):
        assert keys_of(demo.user(name), "handoff-overdue"), name
    assert not keys_of(demo.user("xxx_head"), "handoff-overdue")


def test_a_returned_costing_gets_its_own_reminders(hf, demo):
    from handoff.services import costing_return

    handoff = hf.handoff(now=at(2026, 3, 4, 9))
    deadlines_sweep(now=at(2026, 3, 5, 9, 5))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=handoff.pk, lines=COSTS, now=at(2026, 3, 5, 11))
    costing_return(by=demo.user("finance"), handoff_id=handoff.pk, reason="请补充", now=at(2026, 3, 5, 14))
    # version 2 is due Friday 03-06: a new morning reminder (its own key), the first one is not repeated
    assert deadlines_sweep(now=at(2026, 3, 6, 9, 5)) == 1
    assert len(keys_of(demo.user("xxx_estimator"), "handoff-remind")) == 2


def test_reminder_hours_come_from_the_policy(hf, demo):
    from marketing_portal.policy import policy_update

    policy_update(changes={"handoff_reminder_hours": "8"}, by=demo.user("director"), reason="提前提醒")
    hf.handoff(now=at(2026, 3, 4, 9))
    assert deadlines_sweep(now=at(2026, 3, 5, 8, 10)) == 1
    assert deadlines_sweep(now=at(2026, 3, 5, 15, 10)) == 0  # 15:00 is no longer a reminder hour


def test_delegates_are_reminded_too(hf, demo):
    from django.utils import timezone

    from org.services import delegation_create

    hf.handoff(now=at(2026, 3, 4, 9))
    delegation_create(principal=demo.user("xxx_estimator"), delegate=demo.user("xxx_negotiator"),
                      starts_on=timezone.localdate(), ends_on=timezone.localdate(), reason="出差",
                      by=demo.user("xxx_estimator"))
    deadlines_sweep(now=at(2026, 3, 5, 9, 5))
    assert keys_of(demo.user("xxx_negotiator"), "handoff-remind")
