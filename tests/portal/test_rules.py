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
