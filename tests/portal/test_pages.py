"""The shell pages: home, calendar (entering days, bad dates), policy, health, audit trail."""

from datetime import date

import pytest
from django.urls import reverse

from marketing_portal import periods
from marketing_portal.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_home_lists_work_from_registered_kinds(demo, client):
    from marketing_portal import registry

    kind = registry.WorkKind("test-kind", "测试事项", lambda user: [registry.WorkItem(
        title="审批合同 HT-1", url="/x/", since=date(2025, 12, 30), due=date(2026, 1, 1), overdue=True)])
    registry.register_work(kind)
    try:
        client.force_login(demo.user("director"))
        page = client.get(reverse("home")).content.decode()
        assert "审批合同 HT-1" in page and "测试事项" in page
        assert "自 2025-12-30" in page and "截止 2026-01-01" in page  # a plain date as "since" is fine too
    finally:
        registry._work.remove(kind)


def test_calendar_staff_enter_a_make_up_day_and_deadlines_follow(demo, client):
    client.force_login(demo.user("mgmt_manager"))
    response = client.post(reverse("calendar"), {"day": "2027-02-06", "kind": "workday", "name": "春节调休"})
    assert response.status_code == 302
    periods.invalidate_calendar_cache()
    assert periods.is_workday(date(2027, 2, 6)) is True  # a Saturday made a working day
    page = client.get(reverse("calendar") + "?year=2027").content.decode()
    assert "春节调休" in page


def test_calendar_refuses_a_date_outside_any_calendar(demo, client):
    client.force_login(demo.user("mgmt_manager"))
    response = client.post(reverse("calendar"), {"day": "1899-12-31", "kind": "holiday", "name": "x"})
    assert response.status_code == 200
    assert "超出日历范围" in response.content.decode()
    response = client.post(reverse("calendar"), {"day": "2026-13-45", "kind": "holiday"})
    assert "有效的日期" in response.content.decode()
    assert CalendarDay.objects.count() == 0


def test_only_calendar_staff_may_enter_days(demo, client):
    client.force_login(demo.user("sales_hb"))
    assert client.get(reverse("calendar")).status_code == 200
    assert client.post(reverse("calendar"), {"day": "2027-01-01", "kind": "holiday"}).status_code == 403
    assert CalendarDay.objects.count() == 0


def test_deadline_calculator_on_the_calendar_page(demo, client):
    client.force_login(demo.user("sales_hb"))
    page = client.get(reverse("calendar"), {"start": "2026-09-30", "days": "1", "months": "0"}).content.decode()
    assert "2026-10-08" in page


def test_history_of_a_record_is_shown_on_its_page(demo, client):
    from org.models import Person

    person = Person.objects.get(user__username="sales_hb")
    person.phone = "13800000000"
    person.save()
    client.force_login(demo.user("sales_hd"))
    page = client.get(reverse("org:person", args=[person.pk])).content.decode()
    assert "13800000000" in page and "历史记录" in page


def test_health_page_is_for_administrators(demo, client):
    client.force_login(demo.user("sales_hb"))
    assert client.get(reverse("health")).status_code == 404
    client.force_login(demo.user("sysadmin"))
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.context["checks"]["数据库"][0] is True
    page = response.content.decode()
    for label in ("数据库", "缓存", "后台任务进程", "模块间联动"):  # the check names in Chinese, not code words
        assert f"<th>{label}</th>" in page


def test_static_assets_are_served_by_the_portal_not_a_cdn(demo, client):
    client.force_login(demo.user("sales_hb"))
    page = client.get(reverse("home")).content.decode()
    assert "/static/vendor/htmx.min.js" in page and "/static/vendor/bootstrap.min.css" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_history_shows_readable_values_not_raw_codes(demo, client):
    from org.models import Person

    person = Person.objects.get(user__username="sales_hb")
    person.duty_status = Person.DutyStatus.COLLECTION_ONLY
    person.unit = demo.unit("finance")
    person.save()
    client.force_login(demo.user("director"))  # sales_hb moved to Finance: outside sales_hd's scope (issue 8)
    page = client.get(reverse("org:person", args=[person.pk])).content.decode()
    assert "正常 → 专项负责开票、回款" in page
    assert "营销中心 → 财务中心" in page
