"""Hostile input on the real PostgreSQL (issue 13, point 4): each case answered with a clear refusal, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from contracts.models import Contract, NonPerformance

pytestmark = pytest.mark.django_db


def _draft(customer, today, **change):
    data = {
        "title": "日期边界合同", "kind": "contract", "direction": "sales", "customer": customer.pk,
        "amount": "1000.00", "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=10)).isoformat(),
        "non_standard_reason": "客户文本", "drafted_by": "ours",
        "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
    }
    data.update(change)
    return data


def _date_message():
    with translation.override("zh-hans"):
        return _("Enter a date between %(first)s and %(last)s.") % {"first": "1950-01-01", "last": "2099-12-31"}


@pytest.mark.parametrize("starts_on", ["9999-01-01", "0001-01-01"])
def test_a_contract_starting_in_year_9999_or_1_is_refused_and_nothing_stored(login, demo, make, today, starts_on):
    # given a salesperson drafting a contract
    client = login(demo.user("sales_hb"))
    before = Contract.objects.count()
    # when the term starts in year 9999 (or year 1)
    response = client.post(reverse("contracts:create"), _draft(make.customer(region="HB"), today, starts_on=starts_on,
                                                                ends_on="9999-12-31"))
    # then the form says which range is allowed, in Chinese, and stores nothing
    assert response.status_code == 200
    assert response.context["form"].errors["starts_on"] == [_date_message()]
    assert response.context["form"].errors["ends_on"] == [_date_message()]
    assert "请填写 1950-01-01 至 2099-12-31 之间的日期。" in response.content.decode()
    assert Contract.objects.count() == before


def test_the_last_sane_day_is_accepted_and_the_contract_page_opens(login, demo, make, today):
    client = login(demo.user("sales_hb"))
    response = client.post(reverse("contracts:create"), _draft(make.customer(region="HB"), today, title="远期合同",
                                                                ends_on="2099-12-31"))
    contract = Contract.objects.get(title="远期合同")
    assert response.status_code == 302
    assert client.get(contract.get_absolute_url()).status_code == 200


def test_a_non_performance_notice_dated_9999_12_31_is_refused_on_the_form(login, demo, make):
    contract = make.signed()
    client = login(demo.user("sales_hb"))
    response = client.post(reverse("contracts:action", args=[contract.pk, "non-performance"]), {
        "noticed_on": "9999-12-31", "description": "未按期供货", "deadline_basis": "reasonable"})
    assert response.status_code == 302
    assert not NonPerformance.objects.filter(contract=contract).exists()
    page = client.get(contract.get_absolute_url())
    assert page.status_code == 200
    assert "请填写 1950-01-01 至 2099-12-31 之间的日期。" in page.content.decode()


def _all_form_classes():
    import importlib
    import pkgutil

    from django import forms

    ours = ("marketing_portal", "org", "contracts", "handoff", "receivables", "repairs", "planning")
    for app in ours:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, app + "."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted({c for c in subclasses(forms.BaseForm) if c.__module__.split(".")[0] in ours},
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_date_and_time_field_of_every_form_is_the_kernels_sane_one():
    from django import forms

    from marketing_portal.forms import DateField, DateTimeField

    plain = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in _all_form_classes()
             for name, field in cls.base_fields.items()
             if (isinstance(field, forms.DateField) and not isinstance(field, DateField))
             or (isinstance(field, forms.DateTimeField) and not isinstance(field, DateTimeField))]
    assert plain == []


def test_every_text_field_of_every_form_has_a_maximum_length():
    from django import forms

    unbounded = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in _all_form_classes()
                 for name, field in cls.base_fields.items()
                 if isinstance(field, forms.CharField) and not field.max_length]
    assert unbounded == []


def test_every_formset_is_capped():
    import sys

    from django import forms

    _all_form_classes()
    ours = ("marketing_portal", "org", "contracts", "handoff", "receivables", "repairs", "planning")
    formsets = {value for name, module in list(sys.modules.items()) if name.split(".")[0] in ours
                for value in vars(module).values()
                if isinstance(value, type) and issubclass(value, forms.BaseFormSet) and hasattr(value, "form")}
    assert len(formsets) >= 4
    loose = [f"{fs.form.__module__}.{fs.form.__name__}" for fs in formsets
             if not (fs.max_num <= 200 and fs.absolute_max <= fs.max_num and fs.validate_max)]
    assert loose == []


def test_a_nul_byte_in_a_search_answers_400_in_chinese(login, demo):
    client = login(demo.user("sales_hb"))
    response = client.get("/contracts/customers/?q=%00")
    assert response.status_code == 400
    assert "请求中含有无效字符" in response.content.decode()


@pytest.mark.parametrize("url", ["/contracts/?q=a%00b", "/receivables/?q=%00", "/repairs/?q=%00", "/handoff/?q=%00",
                                 "/contracts/customers/?page=%00"])
def test_a_nul_byte_in_any_get_parameter_answers_400(login, demo, url):
    assert login(demo.user("director")).get(url).status_code == 400


def test_a_nul_byte_in_a_posted_field_is_refused_and_nothing_stored(login, demo, make, today):
    client = login(demo.user("sales_hb"))
    before = Contract.objects.count()
    response = client.post(reverse("contracts:create"), _draft(make.customer(region="HB"), today, title="空\x00字符"))
    assert response.status_code == 400
    assert Contract.objects.count() == before


def test_ten_megabytes_in_a_free_text_field_are_refused(login, demo, make, today):
    client = login(demo.user("sales_hb"))
    before = Contract.objects.count()
    response = client.post(reverse("contracts:create"), _draft(make.customer(region="HB"), today,
                                                                notes="x" * (10 * 1024 * 1024)))
    assert response.status_code == 400
    assert Contract.objects.count() == before


def test_a_long_free_text_beyond_the_fields_maximum_gets_a_chinese_message(login, demo, make, today):
    client = login(demo.user("sales_hb"))
    response = client.post(reverse("contracts:create"), _draft(make.customer(region="HB"), today,
                                                                notes="长" * 5001))
    assert response.status_code == 200
    assert response.context["form"].errors["notes"] == ["确保该变量包含不超过 5000 字符 (目前字符数 5001)。"]


def test_a_formset_claiming_100000_forms_is_refused_and_the_work_bounded(login, demo, make, today):
    client = login(demo.user("sales_hb"))
    data = _draft(make.customer(region="HB"), today, title="十万行合同")
    data["lines-TOTAL_FORMS"] = "100000"
    response = client.post(reverse("contracts:create"), data)
    assert response.status_code == 200
    assert not Contract.objects.filter(title="十万行合同").exists()
    assert response.context["lines"].non_form_errors() == ["请最多提交 100 个表单。"]
    assert len(response.context["lines"].forms) == 100  # the work is bounded: at most max_num forms are built


def test_the_inbox_does_not_redirect_to_another_site(login, demo):
    client = login(demo.user("sales_hb"))
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:///evil.example"]:
        response = client.post(reverse("inbox-mark-read"), {"next": target})
        assert response.status_code == 302
        assert response["Location"] == reverse("inbox"), target
    response = client.post(reverse("inbox-mark-read"), {"next": "/contracts/?page=2"})
    assert response["Location"] == "/contracts/?page=2"


def test_a_notification_link_to_another_site_is_not_followed(login, demo):
    from marketing_portal.models import Notification

    user = demo.user("sales_hb")
    note = Notification.objects.create(recipient=user, key="hostile-test", subject="x", body="", url="https://evil.example/")
    response = login(user).post(reverse("notification-open", args=[note.pk]))
    assert response["Location"] == reverse("inbox")


def test_the_404_page_is_chinese_in_the_portals_shell(login, demo):
    response = login(demo.user("sales_hb")).get("/contracts/999999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'class="navbar' in body
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code == 404 and "页面不存在" in anonymous.content.decode()


def test_the_403_page_is_chinese(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("sales_hb"))
    response = client.post(reverse("inbox-mark-read"), {})
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_the_400_page_is_chinese(login, demo):
    response = login(demo.user("sales_hb")).get("/contracts/?q=%00")
    assert response.status_code == 400
    body = response.content.decode()
    assert "请求有误" in body and 'class="navbar' in body


@pytest.mark.urls("tests.hostile.urls_boom")
def test_the_500_page_is_chinese_in_the_portals_shell(demo):
    client = Client(raise_request_exception=False)
    client.force_login(demo.user("sales_hb"))
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器出错" in body and 'class="navbar' in body


@pytest.mark.parametrize("password", ["Xk9#mPq2Lw", "Qz7!rT4vBn8"])  # 10 and 11 characters, accepted before
def test_a_new_password_needs_twelve_characters_with_a_chinese_message(login, demo, password):
    user = demo.user("sales_hd")
    user.set_password("Demo@2026")
    user.save()
    client = login(user)
    response = client.post(reverse("password_change"), {"old_password": "Demo@2026", "new_password1": password,
                                                        "new_password2": password})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == ["密码太短：至少需要 12 个字符。"]
    user.refresh_from_db()
    assert user.check_password("Demo@2026")


def test_a_twelve_character_password_is_accepted_and_demo_logins_still_work(demo):
    user = demo.user("sales_hd")
    user.set_password("Demo@2026")
    user.save()
    client = Client()
    assert client.login(username="sales_hd", password="Demo@2026")  # the validators apply on change, not on login
    response = client.post(reverse("password_change"), {"old_password": "Demo@2026", "new_password1": "Xk9#mPq2Lw!z",
                                                        "new_password2": "Xk9#mPq2Lw!z"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Xk9#mPq2Lw!z")
