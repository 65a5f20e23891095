"""marketing_portal.rules: the shell's pages — (role, record, action) → allowed."""

import pytest
from django.urls import reverse

from marketing_portal.notifications import notify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("username", "perm", "allowed"), [
    ("sysadmin", "portal.see_status", True),
    ("director", "portal.see_status", False),
    ("sales_hb", "portal.see_policy", True),
    ("director", "portal.change_policy", True),
    ("finance_head", "portal.change_policy", True),
    ("sales_hb", "portal.change_policy", False),
])
def test_shell_rules(demo, username, perm, allowed):
    assert demo.user(username).has_perm(perm) is allowed


def test_a_message_is_read_by_its_recipient_only(demo, client):
    note = notify(recipient=demo.user("sales_hb"), key="test-rules-1", subject="测试", url="/")
    assert demo.user("sales_hb").has_perm("portal.read_notification", note)
    assert not demo.user("sales_hd").has_perm("portal.read_notification", note)
    client.force_login(demo.user("sales_hd"))
    assert client.post(reverse("notification-open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_messages_read_answers_with_a_redirect_even_to_htmx(demo, client):
    """The inbox's "mark read" had an htmx branch no page used (issue 8): one answer, the redirect."""
    note = notify(recipient=demo.user("sales_hb"), key="test-rules-2", subject="测试", url="/")
    client.force_login(demo.user("sales_hb"))
    response = client.post(reverse("inbox-mark-read"), {"notification": note.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 302 and response.url == reverse("inbox")
    note.refresh_from_db()
    assert note.read_at is not None
