"""Entering a whole year (service and ``manage.py calendar_import``), and confirming it (CAL-2)."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from marketing_portal import periods
from marketing_portal.calendar_input import EnteredDay, parse_csv, parse_notice
from marketing_portal.models import CalendarDay, CalendarImport, CalendarYear
from marketing_portal.services import (
    calendar_day_remove,
    calendar_day_set,
    calendar_year_changes,
    calendar_year_confirm,
    calendar_year_import,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def notice_2031():
    return parse_notice((FIXTURES / "notice-2031-made-up.txt").read_text(), year=2031)


def stored(year):
    return sorted(CalendarDay.objects.filter(day__year=year).values_list("day", "kind", "name"))


def test_importing_a_year_replaces_its_provisional_holidays_and_keeps_history(demo):
    admin = demo.user("sysadmin")
    assert periods.year_status(2031) == periods.YEAR_PROVISIONAL
    assert periods.is_workday(date(2031, 1, 30)) is True  # 正月初八: a working day under the statutory rules
    # when the notice is entered
    changes = calendar_year_import(year=2031, days=notice_2031(), by=admin, source="notice", text="…")
    periods.invalidate_calendar_cache()
    # then its 28 rest days and 6 make-up days are the year's calendar, nothing else
    assert (len(changes.added), len(changes.changed), len(changes.removed)) == (34, 0, 0)
    assert periods.year_status(2031) == periods.YEAR_ENTERED
    assert periods.is_workday(date(2031, 1, 29)) is False  # 初七, a bridging day of the notice
    assert periods.is_workday(date(2031, 1, 19)) is True  # a make-up Sunday
    assert periods.source_of(date(2031, 3, 4)) == "weekend"  # no provisional day remains
    entry = CalendarDay.objects.get(day=date(2031, 1, 1))
    assert entry.created_by == admin and entry.history.first().history_user == admin
    assert CalendarImport.objects.get(year=2031).added == 34


def test_importing_again_changes_nothing_and_a_correction_changes_only_what_differs(demo):
    admin = demo.user("sysadmin")
    calendar_year_import(year=2031, days=notice_2031(), by=admin, source="notice")
    before = stored(2031)
    again = calendar_year_import(year=2031, days=notice_2031(), by=admin, source="notice")
    assert again.count == 0 and stored(2031) == before and CalendarImport.objects.count() == 1
    # a corrected arrangement: 1-19 no longer a make-up day, 1-30 added as a rest day
    corrected = [d for d in notice_2031() if d.day != date(2031, 1, 19)]
    corrected += parse_csv("date,kind,name\n2031-01-30,holiday,春节\n", year=2031)
    changes = calendar_year_import(year=2031, days=corrected, by=admin, source="file", file_name="2031.csv")
    assert [d.day for d in changes.added] == [date(2031, 1, 30)]
    assert [d.day for d in changes.removed] == [date(2031, 1, 19)]
    removed = CalendarDay.history.filter(day=date(2031, 1, 19), history_type="-").get()
    assert "2031" in removed.history_change_reason  # the removal is kept in the history


def test_an_import_is_all_or_nothing(demo):
    admin = demo.user("sysadmin")
    calendar_day_set(day=date(2031, 3, 3), kind="holiday", name="地方假日", by=admin)
    bad = [*notice_2031(), EnteredDay(date(2031, 3, 5), "workday", "x", 12)]  # a Wednesday as make-up day
    with pytest.raises(ValidationError) as refused:
        calendar_year_import(year=2031, days=bad, by=admin, source="notice")
    assert "2031-03-05 是星期三" in " ".join(refused.value.messages)
    assert stored(2031) == [(date(2031, 3, 3), "holiday", "地方假日")]


def test_an_import_whose_preview_is_out_of_date_is_refused(demo):
    admin = demo.user("sysadmin")
    preview = calendar_year_changes(year=2031, days=notice_2031())
    calendar_day_set(day=date(2031, 3, 3), kind="holiday", name="地方假日", by=admin)  # someone else, meanwhile
    with pytest.raises(ValidationError, match="预览"):
        calendar_year_import(year=2031, days=notice_2031(), by=admin, source="notice", expected=preview.fingerprint)
    assert stored(2031) == [(date(2031, 3, 3), "holiday", "地方假日")]


def test_only_calendar_keepers_import_and_confirm(demo):
    with pytest.raises(PermissionDenied):
        calendar_year_import(year=2031, days=notice_2031(), by=demo.user("sales_hb"), source="notice")
    calendar_year_import(year=2031, days=notice_2031(), by=demo.user("admin_head"), source="notice")
    with pytest.raises(PermissionDenied):
        calendar_year_confirm(year=2031, notice="国办发明电〔2030〕9号", by=demo.user("finance"))
    assert not CalendarYear.objects.filter(year=2031, confirmed_at__isnull=False).exists()


def test_a_year_is_confirmed_with_its_notice_and_a_later_change_withdraws_it(demo):
    admin = demo.user("mgmt_manager")
    with pytest.raises(ValidationError, match="先录入"):
        calendar_year_confirm(year=2031, notice="国办发明电〔2030〕9号", by=admin)  # nothing entered yet
    with pytest.raises(ValidationError, match="软件包"):
        calendar_year_confirm(year=2026, notice="国办发明电〔2025〕7号", by=admin)  # the package covers 2026
    calendar_year_import(year=2031, days=notice_2031(), by=admin, source="notice")
    with pytest.raises(ValidationError, match="通知"):
        calendar_year_confirm(year=2031, notice="  ", by=admin)
    record = calendar_year_confirm(year=2031, notice="国办发明电〔2030〕9号", by=admin)
    assert (record.confirmed_by, record.notice) == (admin, "国办发明电〔2030〕9号") and record.confirmed_at
    periods.invalidate_calendar_cache()
    assert periods.year_is_settled(2031)
    # re-entering the same notice keeps the confirmation; changing a day withdraws it
    calendar_year_import(year=2031, days=notice_2031(), by=admin, source="notice")
    assert CalendarYear.objects.get(year=2031).confirmed_at is not None
    calendar_day_remove(day_id=CalendarDay.objects.get(day=date(2031, 1, 19)).pk, by=admin)
    record.refresh_from_db()
    assert record.confirmed_at is None and "撤销" in record.history.first().history_change_reason
    periods.invalidate_calendar_cache()
    assert periods.year_status(2031) == periods.YEAR_ENTERED


# --- manage.py calendar_import -----------------------------------------------------------------------------

CSV_2031 = """date,kind,name
2031-01-01,holiday,元旦
2031-01-22,holiday,春节
2031-01-23,holiday,春节
2031-01-19,workday,春节
2032-01-01,holiday,元旦
"""


def run_import(path, *args):
    out = StringIO()
    call_command("calendar_import", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_command_enters_each_year_of_the_file_and_a_second_run_changes_nothing(demo, tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(CSV_2031, encoding="utf-8")
    first = run_import(path)
    assert "2031：新增 4 天，修改 0 天，删除 0 天" in first and "+ 2031-01-19 调休上班日 春节" in first
    assert "2032：新增 1 天" in first
    snapshot = stored(2031) + stored(2032)
    assert len(snapshot) == 5 and CalendarDay.objects.get(day=date(2031, 1, 1)).created_by is None
    second = run_import(path)
    assert "2031：未变（已录入 4 天）" in second and "2032：未变（已录入 1 天）" in second
    assert stored(2031) + stored(2032) == snapshot and CalendarImport.objects.count() == 2


def test_the_command_refuses_a_bad_row_and_stores_nothing(demo, tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(CSV_2031 + "2031-02-08,vacation,春节\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第7行：类型“vacation”无效"):
        run_import(path)
    path.write_text(CSV_2031, encoding="utf-8")
    with pytest.raises(CommandError, match="第6行：2032-01-01 不在正在录入的 2031 年内"):
        run_import(path, "--year", "2031")
    assert CalendarDay.objects.count() == 0


def test_the_command_dry_run_prints_and_stores_nothing(demo, tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(CSV_2031, encoding="utf-8")
    assert "试运行" in run_import(path, "--dry-run", "--by", "sysadmin")
    assert CalendarDay.objects.count() == 0
