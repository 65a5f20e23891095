"""The system administrator manages logins, but cannot raise anyone's rights — or their own — beyond the roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _change_data(user, **extra):
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
        "is_active": "on", "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v != ""}


def _escalation(sysadmin_user, target):
    commission = Permission.objects.get(codename="see_commission") if Permission.objects.filter(
        codename="see_commission").exists() else Permission.objects.get(codename="change_user")
    finance = Group.objects.get(name="finance_head")
    return _change_data(target, is_superuser="on", is_staff="on", groups=[finance.pk],
                        user_permissions=[commission.pk, Permission.objects.get(codename="change_group").pk])


@pytest.mark.parametrize("target_name", ["sysadmin", "sales_hb"])
def test_the_system_administrator_cannot_make_anyone_superuser_or_grant_permissions(login, demo, target_name):
    # given the system administrator on the admin site
    sysadmin = demo.user("sysadmin")
    target = demo.user(target_name)
    groups_before = set(target.groups.values_list("name", flat=True))
    client = login(sysadmin)
    # when they post the user's change page with superuser, extra groups and permissions ticked
    response = client.post(reverse("admin:auth_user_change", args=[target.pk]), _escalation(sysadmin, target))
    # then the account is saved without any of it
    assert response.status_code in (200, 302)
    target.refresh_from_db()
    assert not target.is_superuser
    assert target.is_staff == (target_name == "sysadmin")
    assert not target.user_permissions.exists()
    assert set(target.groups.values_list("name", flat=True)) == groups_before
    # and commissions and payouts stay closed to them
    client.force_login(target)
    if target_name == "sysadmin":  # a salesperson reads their own commission ledger, never the payouts
        assert client.get(reverse("receivables:ledger")).status_code == 404
    assert client.get(reverse("receivables:payouts")).status_code == 404


def test_the_change_page_shows_rights_read_only_to_the_system_administrator(login, demo):
    page = login(demo.user("sysadmin")).get(reverse("admin:auth_user_change", args=[demo.user("sales_hb").pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="is_superuser"' not in body and 'name="user_permissions"' not in body and 'name="groups"' not in body
    assert 'name="is_active"' in body  # logins are still theirs to manage


def test_the_system_administrator_cannot_change_a_superusers_account(login, demo):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root13", "root@example.com", "Xk9#mPq2Lw!z")
    client = login(demo.user("sysadmin"))
    assert client.post(reverse("admin:auth_user_change", args=[root.pk]),
                       _change_data(root, is_active="")).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.check_password("Xk9#mPq2Lw!z")


def test_the_system_administrator_cannot_give_themselves_positions(login, demo):
    sysadmin = demo.user("sysadmin")
    person = sysadmin.person
    page = login(sysadmin).get(reverse("admin:org_person_change", args=[person.pk]))
    assert page.status_code == 200
    assert 'name="positions"' not in page.content.decode()


def test_a_superuser_still_manages_rights(login, demo):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root14", "root@example.com", "Xk9#mPq2Lw!z")
    target = demo.user("sales_hd")
    response = login(root).post(reverse("admin:auth_user_change", args=[target.pk]),
                                _change_data(target, is_staff="on",
                                             groups=list(target.groups.values_list("pk", flat=True))))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_staff
