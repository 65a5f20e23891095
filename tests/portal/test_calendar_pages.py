"""The calendar page: year view with provisional days, paste → preview → save, upload, confirm, banner (CAL-2)."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing_portal import periods
from marketing_portal.context_processors import calendar_warnings
from marketing_portal.models import CalendarDay, CalendarYear
from marketing_portal.services import calendar_day_set, calendar_year_confirm

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
NOTICE_2031 = (FIXTURES / "notice-2031-made-up.txt").read_text()


def test_the_year_view_marks_the_provisional_statutory_days(demo, client):
    client.force_login(demo.user("sales_hb"))
    page = client.get(reverse("calendar"), {"year": 2027}).content.decode()
    assert 'data-day="2027-02-05" class="cal-provisional"' in page and 'title="春节（暂定）"' in page
    assert 'id="provisional-days"' in page and "02-05 春节" in page and "09-15 中秋节" in page
    assert 'data-day="2027-02-09" class=""' in page  # 初四: a working day under the statutory days
    assert 'id="notice-form"' not in page  # a salesperson sees the calendar, does not enter it


def test_the_deadline_calculator_marks_a_provisional_answer(demo, client):
    client.force_login(demo.user("sales_hb"))
    page = client.get(reverse("calendar"), {"start": "2026-12-31", "days": "1", "months": "0"}).content.decode()
    assert "2027-01-04" in page and "按暂定日历" in page
    page = client.get(reverse("calendar"), {"start": "2026-09-30", "days": "1", "months": "0"}).content.decode()
    assert "2026-10-08" in page and "按暂定日历" not in page


def test_paste_preview_save_and_confirm_a_year(demo, client):
    client.force_login(demo.user("mgmt_manager"))
    # paste: the preview shows the days and stores nothing
    response = client.post(reverse("calendar-preview", args=[2031]), {"text": NOTICE_2031})
    page = response.content.decode()
    assert response.status_code == 200 and "预览" in page
    assert "28 个休息日" in page and "6 个调休上班日" in page and "尚未保存" in page
    assert 'data-day="2031-01-19" class="cal-makeup cal-entered"' in page
    assert CalendarDay.objects.count() == 0
    carry = response.context["carry"].initial
    # save
    response = client.post(reverse("calendar-import", args=[2031]), carry)
    assert response.status_code == 302 and CalendarDay.objects.filter(day__year=2031).count() == 34
    periods.invalidate_calendar_cache()
    assert periods.is_workday(date(2031, 6, 28)) is True
    page = client.get(reverse("calendar"), {"year": 2031}).content.decode()
    assert "已保存" in page and 'id="confirm-form"' in page and "尚未确认" in page
    # confirm
    response = client.post(reverse("calendar-confirm", args=[2031]), {"notice": "国办发明电〔2030〕9号"})
    assert response.status_code == 302
    page = client.get(reverse("calendar"), {"year": 2031}).content.decode()
    assert "国办发明电〔2030〕9号" in page and "林静" in page and 'id="confirm-form"' not in page
    assert CalendarYear.objects.get(year=2031).confirmed_by == demo.user("mgmt_manager")


def test_a_malformed_notice_is_shown_with_its_line_and_nothing_is_stored(demo, client):
    client.force_login(demo.user("sysadmin"))
    text = "一、元旦：1月1日（周三）放假1天。\n二、春节：1月22日至29日放家调休，共8天。"
    response = client.post(reverse("calendar-preview", args=[2031]), {"text": text})
    page = response.content.decode()
    assert response.status_code == 200 and "第2行" in page and "无法识别" in page
    assert text.splitlines()[1] in page  # the pasted text is still there to correct
    assert CalendarDay.objects.count() == 0


def test_upload_a_csv_preview_and_save(demo, client):
    client.force_login(demo.user("admin_head"))
    upload = SimpleUploadedFile("2031.csv", "date,kind,name\n2031-01-01,holiday,元旦\n".encode(), "text/csv")
    response = client.post(reverse("calendar-preview", args=[2031]), {"file": upload})
    assert response.status_code == 200 and "2031.csv" in response.content.decode()
    client.post(reverse("calendar-import", args=[2031]), response.context["carry"].initial)
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [date(2031, 1, 1)]


def test_an_upload_with_an_unknown_kind_is_refused_with_its_line(demo, client):
    client.force_login(demo.user("admin_head"))
    upload = SimpleUploadedFile("2031.csv", b"date,kind,name\n2031-01-01,holiday,x\n2031-01-02,rest,x\n", "text/csv")
    page = client.post(reverse("calendar-preview", args=[2031]), {"file": upload}).content.decode()
    assert "第3行：类型“rest”无效" in page and CalendarDay.objects.count() == 0


def test_a_tampered_save_is_checked_like_any_input(demo, client):
    client.force_login(demo.user("sysadmin"))
    response = client.post(reverse("calendar-preview", args=[2031]), {"text": NOTICE_2031})
    carry = dict(response.context["carry"].initial, payload="date,kind,name\n2031-01-01,workday,x\n")
    response = client.post(reverse("calendar-import", args=[2031]), carry, follow=True)
    assert "2031-01-01 是星期三" in response.content.decode() and CalendarDay.objects.count() == 0


def test_who_may_preview_save_and_confirm(demo, client):
    # anonymous → login; no right → 403 on every write; nothing stored
    assert client.post(reverse("calendar-preview", args=[2031]), {"text": NOTICE_2031}).status_code == 302
    client.force_login(demo.user("sales_hb"))
    assert client.post(reverse("calendar-preview", args=[2031]), {"text": NOTICE_2031}).status_code == 403
    assert client.post(reverse("calendar-import", args=[2031]), {}).status_code == 403
    assert client.post(reverse("calendar-confirm", args=[2031]), {"notice": "x"}).status_code == 403
    assert client.get(reverse("calendar-preview", args=[2031])).status_code == 403
    client.force_login(demo.user("sysadmin"))
    assert client.get(reverse("calendar-preview", args=[2031])).status_code == 405  # a preview is a POST
    assert CalendarDay.objects.count() == 0 and not CalendarYear.objects.filter(confirmed_at__isnull=False).exists()


# --- The administrators' banner --------------------------------------------------------------------------


def years_warned(today):
    return [year for year, _message in calendar_warnings(today=today)]


def test_the_banner_warns_about_next_year_from_the_first_of_november(demo):
    assert years_warned(date(2026, 10, 31)) == []  # 2026 is the package's
    assert years_warned(date(2026, 11, 1)) == [2027]
    assert years_warned(date(2027, 3, 1)) == [2027]  # this year, unconfirmed
    assert years_warned(date(2027, 11, 1)) == [2027, 2028]


def test_one_entered_day_does_not_silence_the_banner_but_confirming_does(demo):
    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2027, 2, 20), kind="workday", name="春节", by=admin)
    periods.invalidate_calendar_cache()
    [(year, message)] = calendar_warnings(today=date(2026, 12, 1))
    assert year == 2027 and "尚未确认" in message
    calendar_year_confirm(year=2027, notice="国办发明电〔2026〕1号", by=admin)
    periods.invalidate_calendar_cache()
    assert years_warned(date(2026, 12, 1)) == []


def test_the_banner_warns_about_any_later_year_in_use(demo):
    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2030, 1, 1), kind="holiday", name="元旦", by=admin)  # a year someone started on
    periods.invalidate_calendar_cache()
    assert years_warned(date(2026, 12, 1)) == [2027, 2030]


def test_admins_see_the_banner_on_every_page_and_others_do_not(demo, client):
    from django.utils import timezone

    expected = years_warned(timezone.localdate())
    assert expected, "no year to warn about: this test needs one the package does not know (2027 from 2026-11-01)"
    client.force_login(demo.user("sysadmin"))
    page = client.get(reverse("home")).content.decode()
    for year in expected:
        assert f'id="calendar-warning-{year}"' in page and f"{year} 年的节假日安排尚未确认" in page
    client.force_login(demo.user("sales_hb"))
    assert "calendar-warning" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("date,kind,name\n2031-01-01,holiday,元旦\n2031-01-02,rest,元旦\n", "第3行：类型“rest”无效"),  # unknown kind
        ("date,kind,name\n2032-01-01,holiday,元旦\n", "第2行：2032-01-01 不在正在录入的 2031 年内"),  # outside the year
        ("date,kind,name\n2031-01-03,workday,元旦\n", "第2行：2031-01-03 是星期五：调休上班日只能是周六或周日"),
        ("date,kind,name\n2031-01-04,holiday,元旦\n2031-01-04,workday,元旦\n", "第3行：2031-01-04 已在第2行录为休息日"),
    ],
)
def test_bad_days_at_save_are_refused_with_their_line_and_nothing_stored_changes(demo, client, payload, message):
    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2031, 3, 3), kind="holiday", name="地方假日", by=admin)
    calendar_year_confirm(year=2031, notice="国办发明电〔2030〕9号", by=admin)
    before = list(CalendarDay.objects.values_list("day", "kind", "name"))
    client.force_login(admin)
    fingerprint = client.post(reverse("calendar-preview", args=[2031]), {"text": NOTICE_2031}).context[
        "carry"].initial["fingerprint"]
    response = client.post(reverse("calendar-import", args=[2031]),
                           {"payload": payload, "source": "file", "fingerprint": fingerprint}, follow=True)
    assert message in response.content.decode()
    assert list(CalendarDay.objects.values_list("day", "kind", "name")) == before
    assert CalendarYear.objects.get(year=2031).confirmed_at is not None  # the confirmation stands


def test_the_calendar_page_reads_a_bounded_number_of_queries(demo, client, django_assert_max_num_queries):
    admin = demo.user("sysadmin")
    for day in range(1, 21):
        calendar_day_set(day=date(2031, 1, day), kind="holiday", name="元旦", by=admin)
    client.force_login(admin)
    client.get(reverse("calendar"), {"year": 2031})  # warm the per-process calendar cache
    with django_assert_max_num_queries(17):  # the same for any number of entered days
        assert client.get(reverse("calendar"), {"year": 2031}).status_code == 200
