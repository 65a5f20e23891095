"""Point 2 of issue 12: a "please handle" notice is done as soon as the work it asks for is over — decided by the
person or a delegate, withdrawn, cancelled — and stops counting as unread; the inbox filters by module and by
to-do / for information; "mark all read" (POST)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing_portal.models import Notification
from marketing_portal.notifications import notify, unread_count, work_key

pytestmark = pytest.mark.django_db


def _delegate(demo, principal, delegate):
    from org.services import delegation_create

    today = timezone.localdate()
    delegation_create(principal=principal, delegate=delegate, starts_on=today, ends_on=today + timedelta(days=5),
                      reason="出差", by=principal)


def test_a_step_notice_is_done_for_the_approver_and_the_delegate_when_the_delegate_decides(
        make, demo, django_capture_on_commit_callbacks):
    from contracts.services import contract_approve, contract_submit

    director, deputy = demo.user("director"), demo.user("sales_manager")
    _delegate(demo, director, deputy)
    with django_capture_on_commit_callbacks(execute=True):
        contract = make.contract()
        contract_submit(contract_id=contract.pk, by=contract.handler)
    step = contract.steps.get(status="pending")
    assert {u.username for u in step.assignees.all()} == {"director"}
    notices = Notification.objects.filter(work_key=work_key(step))
    assert {n.recipient.username for n in notices} == {"director", "sales_manager"}
    director_unread, deputy_unread = unread_count(director), unread_count(deputy)
    # when the delegate decides the step
    with django_capture_on_commit_callbacks(execute=True):
        contract_approve(contract_id=contract.pk, by=deputy, kind=step.kind, comment="同意")
    # then both notices are done and no longer unread
    assert notices.filter(done_at__isnull=True).count() == 0
    assert notices.filter(read_at__isnull=True).count() == 0
    assert unread_count(director) == director_unread - 1
    assert unread_count(deputy) == deputy_unread - 1


def test_withdrawing_a_submission_closes_the_notices_of_its_waiting_steps(make, django_capture_on_commit_callbacks):
    from contracts.services import contract_recall, contract_submit

    with django_capture_on_commit_callbacks(execute=True):
        contract = make.contract()
        contract_submit(contract_id=contract.pk, by=contract.handler)
    step = contract.steps.get(status="pending")
    note = Notification.objects.get(work_key=work_key(step), recipient__username="director")
    assert note.done_at is None and note.read_at is None
    with django_capture_on_commit_callbacks(execute=True):
        contract_recall(contract_id=contract.pk, by=contract.handler, reason="金额有误")
    note.refresh_from_db()
    assert note.done_at is not None and note.read_at is not None


def test_a_notice_already_read_keeps_its_reading_time_when_it_is_done(make, django_capture_on_commit_callbacks):
    from contracts.services import contract_approve, contract_submit
    from marketing_portal.notifications import notification_mark_read

    with django_capture_on_commit_callbacks(execute=True):
        contract = make.contract()
        contract_submit(contract_id=contract.pk, by=contract.handler)
    step = contract.steps.get(status="pending")
    note = Notification.objects.get(work_key=work_key(step), recipient__username="director")
    notification_mark_read(user=note.recipient, notification_id=note.pk)
    note.refresh_from_db()
    read_at = note.read_at
    with django_capture_on_commit_callbacks(execute=True):
        contract_approve(contract_id=contract.pk, by=note.recipient, kind=step.kind, comment="同意")
    note.refresh_from_db()
    assert note.read_at == read_at and note.done_at > read_at


def test_inbox_filters_by_kind_and_module_and_marks_what_it_shows_read(demo, client):
    user = demo.user("finance")
    notify(recipient=user, key="t|todo-contract", subject="合同待审批", url="/contracts/", work="x:1", email=False)
    notify(recipient=user, key="t|info-contract", subject="合同已归档", url="/contracts/", email=False)
    notify(recipient=user, key="t|todo-handoff", subject="成本待审核", url="/handoff/", work="x:2", email=False)
    client.force_login(user)
    todo = client.get(reverse("inbox"), {"kind": "todo"}).content.decode()
    assert "合同待审批" in todo and "成本待审核" in todo and "合同已归档" not in todo
    info = client.get(reverse("inbox"), {"kind": "info"}).content.decode()
    assert "合同已归档" in info and "合同待审批" not in info
    contracts = client.get(reverse("inbox"), {"module": "contracts"}).content.decode()
    assert "合同待审批" in contracts and "合同已归档" in contracts and "成本待审核" not in contracts
    assert client.get(reverse("inbox-mark-read")).status_code == 405  # a state change: POST only
    # "mark these read" on the filtered page marks only what it shows
    client.post(reverse("inbox-mark-read"), {"module": "contracts", "kind": "todo"})
    unread = set(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("key", flat=True))
    assert {"t|info-contract", "t|todo-handoff"} <= unread and "t|todo-contract" not in unread
    client.post(reverse("inbox-mark-read"))
    assert unread_count(user) == 0


def test_inbox_access(demo, client):
    url = reverse("inbox")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert client.post(reverse("inbox-mark-read")).status_code == 302
    other = notify(recipient=demo.user("director"), key="t|secret", subject="机密事项", work="x:3", email=False)
    client.force_login(demo.user("sales_hb"))
    assert "机密事项" not in client.get(url, {"kind": "todo"}).content.decode()
    client.post(reverse("inbox-mark-read"))  # marks only one's own
    other.refresh_from_db()
    assert other.read_at is None
    assert client.post(reverse("notification-open", args=[other.pk])).status_code == 404


def test_a_foreign_next_address_is_not_followed(demo, client):
    client.force_login(demo.user("sales_hb"))
    response = client.post(reverse("inbox-mark-read"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


def test_inbox_query_count_is_fixed(demo, client, django_assert_max_num_queries):
    user = demo.user("finance")
    for i in range(30):
        notify(recipient=user, key=f"t|{i}", subject=f"消息{i}", url="/contracts/" if i % 2 else "/handoff/",
               work=f"x:{i}" if i % 3 else "", email=False)
    client.force_login(user)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("inbox"), {"kind": "todo", "module": "contracts"}).status_code == 200
