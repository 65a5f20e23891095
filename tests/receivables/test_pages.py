"""The pages, exports, PDF and downloads: the four access cases on each (anonymous → login, no right → 404,
someone else's record → 404, right → 200), POST-only state changes with CSRF, fixed query counts on lists,
the aging buckets and the exported figures."""

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from marketing_portal.files import attachments_of
from receivables.engine import sweep_receivables
from receivables.models import Acceptance, DutyProposal, ImportBatch, RetentionStatement
from receivables.selectors import aging_of, bucket_of

from .conftest import xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rcv, on_day, demo):
    """Two regions' projects: HB (张伟) with a retention statement and a proposal, HD (刘洋) late to invoice."""
    on_day(date(2025, 3, 1))
    hb = rcv.project(accepted_on=date(2025, 1, 6))
    rcv.invoice(hb, date(2025, 1, 20))
    rcv.receipt(hb, date(2025, 2, 20), Decimal("950000.00"))
    on_day(date(2026, 1, 7))
    sweep_receivables()
    statement = RetentionStatement.objects.get(project=hb)
    on_day(date(2026, 7, 7))
    hd = rcv.project(accepted_on=date(2026, 1, 5), owner="sales_hd")
    batch = services_import(demo, hd)
    return {"hb": hb, "hd": hd, "statement": statement, "proposal": DutyProposal.objects.get(project=hd),
            "batch": batch, "acceptance": Acceptance.objects.get(project=hb)}


def services_import(demo, project):
    from receivables.imports import import_check

    rows = [["回款", project.number, "", date(2026, 2, 1), 10, "", "BK-9", "", ""]]  # not invoiced: an error row
    header = ["类型", "项目编号", "合同编号", "日期", "金额", "发票号码", "银行流水号", "付款单位", "备注"]
    return import_check(upload=xlsx_file(rows, header=header), kind="accounting", by=demo.user("finance"))


def urls(w):
    hb, statement, batch = w["hb"], w["statement"], w["batch"]
    report = attachments_of(w["acceptance"], "report").first()
    return {
        "list": reverse("receivables:project-list"),
        "export": reverse("receivables:project-export"),
        "detail": hb.get_absolute_url(),
        "aging": reverse("receivables:aging"),
        "aging-owner": reverse("receivables:aging") + "?by=owner",
        "aging-export": reverse("receivables:aging-export") + "?by=customer",
        "ledger": reverse("receivables:ledger"),
        "ledger-export": reverse("receivables:ledger-export"),
        "statement": statement.get_absolute_url(),
        "statement-pdf": reverse("receivables:statement-pdf", args=[statement.pk]),
        "statement-xlsx": reverse("receivables:statement-xlsx", args=[statement.pk]),
        "statements": reverse("receivables:statement-list"),
        "duty": reverse("receivables:proposal-list"),
        "imports": reverse("receivables:import-list"),
        "import": batch.get_absolute_url(),
        "import-errors": reverse("receivables:import-errors", args=[batch.pk]),
        "template": reverse("receivables:import-template"),
        "payouts": reverse("receivables:payouts"),
        "register": reverse("receivables:project-register"),
        "report-download": reverse("attachment-download", args=[report.pk]),
    }


# who -> pages answering 200 (all others: 404). The HB project is 张伟's (sales_hb) in region HB.
ALLOWED = {
    "sales_hb": {"list", "export", "detail", "aging", "aging-owner", "aging-export", "ledger", "ledger-export",
                 "statement", "statement-pdf", "statement-xlsx", "statements", "report-download"},
    "rm_hb": {"list", "export", "detail", "aging", "aging-owner", "aging-export", "ledger", "ledger-export",
              "statement", "statement-pdf", "statement-xlsx", "statements", "report-download"},
    "finance": set(),  # everything (filled below)
    "xxx_head": {"list", "export", "detail", "aging", "aging-owner", "aging-export", "statements",
                 "report-download", "statement", "statement-pdf", "statement-xlsx"},
    "sales_hd": {"list", "export", "aging", "aging-owner", "aging-export", "ledger", "ledger-export", "statements",
                 "duty"},
    "tech_repair": set(),
}


def test_four_access_cases_on_every_page_export_pdf_and_download(world, client, demo):
    pages = urls(world)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    allowed = dict(ALLOWED, finance=set(pages) - {"register", "duty"})
    for username, names in allowed.items():
        client.force_login(demo.user(username))
        for name, url in pages.items():
            response = client.get(url)
            expected = 200 if name in names else 404
            assert response.status_code == expected, (username, name, response.status_code)
        client.logout()


def test_someone_elses_project_is_not_found_and_forms_do_not_leak_it(world, client, demo):
    hd = world["hd"]
    for username in ("sales_hb", "rm_hb", "tech_repair"):
        client.force_login(demo.user(username))
        assert client.get(hd.get_absolute_url()).status_code == 404
        response = client.post(reverse("receivables:project-action", args=[hd.pk, "invoice"]),
                               {"number": "X1", "issued_on": "2026-07-01", "amount": "1"})
        assert response.status_code == 404
    assert not hd.invoices.exists()


def test_leadership_and_xxx_see_what_they_should_on_the_project_page(world, client, demo):
    hb = world["hb"]
    client.force_login(demo.user("xxx_head"))
    page = client.get(hb.get_absolute_url()).content.decode()
    assert "销售提成" not in page and 'id="ledger"' not in page  # XXX sees no commission
    client.force_login(demo.user("director"))
    page = client.get(hb.get_absolute_url()).content.decode()
    assert 'id="ledger"' in page and "调整提成" in page


def test_state_changes_only_by_post_with_csrf(world, demo):
    from django.test import Client

    hb = world["hb"]
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(demo.user("finance"))
    url = reverse("receivables:project-action", args=[hb.pk, "receipt"])
    assert csrf_client.get(url).status_code == 405
    response = csrf_client.post(url, {"received_on": "2026-07-07", "amount": "10", "bank_reference": "R"})
    assert response.status_code == 403
    assert hb.receipts.count() == 1


def test_bad_input_on_the_page_shows_chinese_errors_next_to_the_fields_and_stores_nothing(world, client, demo):
    hb = world["hb"]
    client.force_login(demo.user("finance"))
    response = client.post(reverse("receivables:project-action", args=[hb.pk, "receipt"]),
                           {"received_on": "2026-07-07", "amount": "50000.01", "bank_reference": "R-1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "未保存：请修改标出的内容。" in page
    assert "¥50,000.01 超过应收金额 ¥50,000.00" in page
    assert hb.receipts.count() == 1


def test_finance_records_an_invoice_through_the_page(world, client, demo):
    hd = world["hd"]
    client.force_login(demo.user("finance"))
    response = client.post(reverse("receivables:project-action", args=[hd.pk, "invoice"]),
                           {"number": "44999", "issued_on": "2026-07-07", "amount": "1000000.00"}, follow=True)
    assert "发票已登记。" in response.content.decode()
    hd.refresh_from_db()
    assert hd.stage == "collecting"


def test_project_list_query_count_does_not_grow_with_the_number_of_projects(rcv, on_day, client, demo,
                                                                            django_assert_max_num_queries):
    on_day(date(2026, 7, 7))
    for _ in range(3):
        rcv.project(accepted_on=date(2026, 6, 1))
    client.force_login(demo.user("director"))
    # 16: the totals are three queries (count and amount; invoiced; received)
    with django_assert_max_num_queries(16) as few:
        assert client.get(reverse("receivables:project-list")).status_code == 200
    for _ in range(12):
        rcv.project(accepted_on=date(2026, 6, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("receivables:project-list")).status_code == 200


def test_aging_buckets_settle_the_oldest_invoices_first():
    assert [bucket_of(d) for d in (0, 30, 31, 60, 61, 90, 91, 180, 181, 365, 366, 2000)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "91-180", "91-180", "181-365", "181-365", ">365", ">365"]
    row = aging_of(Decimal("1000"), Decimal("50"), [(date(2026, 1, 1), Decimal("400")), (date(2026, 5, 1),
                                                                                        Decimal("600"))],
                   Decimal("500"), date(2026, 7, 1))
    # 500 received: the January invoice (400) is paid, 100 of May's; 500 of May's is 61 days old
    assert row["outstanding"] == Decimal("500") and row["buckets"]["61-90"] == Decimal("500")
    assert sum(row["buckets"].values()) == row["outstanding"] and row["not_invoiced"] == Decimal("0")


def test_aging_page_and_excel_export_by_customer(world, client, demo):
    from openpyxl import load_workbook

    client.force_login(demo.user("finance"))
    page = client.get(reverse("receivables:aging")).content.decode()
    assert "¥50,000.00" in page  # the HB project's retention is outstanding, invoiced 2025-01-20: >365 days
    response = client.get(reverse("receivables:aging-export") + "?by=customer")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "客户" and ">365 天" in rows[0]
    by_customer = {r[0]: r for r in rows[1:]}
    hb_row = by_customer[world["hb"].customer.name]
    assert hb_row[5] == 50000 and hb_row[rows[0].index(">365 天")] == 50000


def test_ledger_export_lists_each_entry_with_rule_and_policy(world, client, demo):
    from openpyxl import load_workbook

    client.force_login(demo.user("sales_hd"))
    response = client.get(reverse("receivables:ledger-export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[-1][0] == "合计"  # the totals row closes the sheet
    rows = rows[:-1]
    kinds = [r[4] for r in rows[1:]]
    assert kinds.count("扣减") == 5 and kinds.count("不予支付") == 1 and "基础提成" in kinds
    assert {r[3] for r in rows[1:]} == {"刘洋"}  # only their own entries


def test_statement_pdf_has_the_fields_of_the_regulation_in_chinese(world, client, demo, artifacts):
    client.force_login(demo.user("finance"))
    response = client.get(reverse("receivables:statement-pdf", args=[world["statement"].pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    (artifacts / "retention-statement.pdf").write_bytes(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        for words in ("质保金催要材料", "项目名称", "开票单位", "项目金额", "回款金额", "应收金额", "伍万元整"):
            assert words in text.replace(" ", ""), words


def test_statement_excel_has_the_same_fields(world, client, demo):
    from openpyxl import load_workbook

    client.force_login(demo.user("mgmt_manager"))
    response = client.get(reverse("receivables:statement-xlsx", args=[world["statement"].pk]))
    rows = dict(list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
        values_only=True))[1:])
    assert rows["项目名称"] == world["hb"].name
    assert rows["开票单位"] == world["hb"].customer.name
    assert (rows["项目金额"], rows["回款金额"], rows["应收金额"]) == (1000000, 950000, 50000)


def test_import_pages_show_the_row_level_report(world, client, demo):
    client.force_login(demo.user("finance"))
    page = client.get(world["batch"].get_absolute_url()).content.decode()
    assert "第 2 行" in page and "尚未登记发票" in page
    assert 'id="confirm-import"' not in page  # a file with errors cannot be imported
    header = ["类型", "项目编号", "合同编号", "日期", "金额", "发票号码", "银行流水号", "付款单位", "备注"]
    upload = xlsx_file([["回款", "XM-NONE", "", "2026-07-01", 5, "", "B", "", ""]], header=header)
    response = client.post(reverse("receivables:import-list"), {"kind": "accounting", "file": upload}, follow=True)
    assert "项目编号“XM-NONE”不存在。" in response.content.decode()
    assert ImportBatch.objects.count() == 2


def test_director_decides_a_proposal_on_the_duty_page(world, client, demo):
    proposal = world["proposal"]
    client.force_login(demo.user("director"))
    page = client.get(reverse("receivables:proposal-list")).content.decode()
    assert f'id="proposal-{proposal.pk}"' in page
    client.post(reverse("receivables:proposal-decide", args=[proposal.pk]), {"reason": "同意", "decision": "confirm"})
    proposal.refresh_from_db()
    assert proposal.state == "confirmed"


def test_my_work_lists_what_waits_on_each_role(world, client, demo):
    client.force_login(demo.user("finance"))
    page = client.get(reverse("home")).content.decode()
    assert "出具质保金催要材料" in page and "签收验收报告复印件" in page
    client.force_login(demo.user("director"))
    assert "决定：是否暂停 刘洋" in client.get(reverse("home")).content.decode()
    client.force_login(demo.user("sales_hd"))
    page = client.get(reverse("home")).content.decode()
    assert "开具发票：" in page and "overdue" in page


def test_customer_page_shows_the_customers_projects(world, client, demo):
    client.force_login(demo.user("finance"))
    response = client.get(reverse("contracts:customer-detail", args=[world["hb"].customer_id]))
    assert response.status_code == 200
    assert 'id="customer-projects"' in response.content.decode()
    client.force_login(demo.user("sales_hd"))
    page = client.get(reverse("contracts:customer-detail", args=[world["hd"].customer_id])).content.decode()
    assert world["hd"].name in page


def test_payout_page_pays_what_is_payable(world, client, demo):
    client.force_login(demo.user("finance"))
    response = client.post(reverse("receivables:payouts"), {"owner": demo.user("sales_hb").pk,
                                                             "paid_on": "2026-07-07", "reference": "PAY-1"},
                           follow=True)
    assert "已登记发放" in response.content.decode()
    client.force_login(demo.user("mgmt_manager"))
    assert client.post(reverse("receivables:payouts"), {"owner": demo.user("sales_hb").pk,
                                                        "paid_on": "2026-07-07"}).status_code == 404


def test_xxx_sees_the_projects_of_its_hand_offs_and_not_the_others(rcv, today, demo, client):
    from django.utils import timezone

    from contracts.models import ContractLine
    from handoff.models import Handoff

    handed_off, other, withdrawn = rcv.project(), rcv.project(), rcv.project()
    for project, state in ((handed_off, "costing"), (withdrawn, "cancelled")):
        line = ContractLine.objects.create(contract=project.contract, description="箱变安装", quantity=1, unit="台",
                                           unit_price=project.amount, amount=project.amount)
        Handoff.objects.create(
            contract=project.contract, line=line, state=state, party_a=project.customer.name, site="现场",
            requirements="按图施工", planned_start=today, planned_finish=today, issued_by=demo.user("clerk"),
            issued_at=timezone.now(), cancelled_at=timezone.now() if state == "cancelled" else None,
            cancel_reason="客户取消" if state == "cancelled" else "")
    client.force_login(demo.user("xxx_estimator"))
    assert client.get(handed_off.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(withdrawn.get_absolute_url()).status_code == 404
    # XXX submits the completion notice of its project from the page
    from .conftest import pdf_upload

    response = client.post(reverse("receivables:project-action", args=[handed_off.pk, "accept"]),
                           {"report_date": "2026-11-20", "notice": "已完工", "report_scan": pdf_upload()}, follow=True)
    assert "完工通告和验收报告已递交" in response.content.decode()
    handed_off.refresh_from_db()
    assert handed_off.accepted_on == date(2026, 11, 20)


def test_ledger_page_query_count_does_not_grow_with_entries(rcv, on_day, client, demo,
                                                            django_assert_max_num_queries):
    on_day(date(2026, 7, 7))
    rcv.project(accepted_on=date(2026, 1, 5))
    client.force_login(demo.user("director"))
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("receivables:ledger")).status_code == 200
    for _ in range(5):
        rcv.project(accepted_on=date(2026, 1, 5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("receivables:ledger")).status_code == 200



def test_contract_page_links_to_its_project(world, client, demo):
    hb = world["hb"]
    client.force_login(demo.user("finance"))
    page = client.get(hb.contract.get_absolute_url()).content.decode()
    assert hb.get_absolute_url() in page and 'id="customer-projects"' in page
    customer_page = client.get(reverse("contracts:customer-detail", args=[hb.customer_id])).content.decode()
    assert hb.get_absolute_url() in customer_page  # the panel lists the project itself, not an empty table
