"""Pages, PDFs, exports and downloads of the repairs app: the four access cases on each (anonymous → log-in,
no right → 404, right → 200), forms that keep what was typed on bad input, and the documents read back."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing_portal.files import attachments_of
from repairs.choices import TicketState

from .conftest import photo_upload, signature_data_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(rep):
    """A ticket solved on site with a photo and the customer's signature, then the return call."""
    ticket = rep.onsite()
    rep.report(ticket, photos=[photo_upload()])
    ticket.refresh_from_db()
    return ticket


def _urls(ticket):
    visit = ticket.visits.get()
    sheet = ticket.sheets.get()
    signature = attachments_of(visit, "signature").get()
    photo = attachments_of(visit, "photo").get()
    return [
        reverse("repairs:detail", args=[ticket.pk]),
        reverse("repairs:sheet-pdf", args=[sheet.pk]),
        reverse("repairs:visit-pdf", args=[visit.pk]),
        reverse("attachment-download", args=[signature.pk]),
        reverse("attachment-download", args=[photo.pk]),
    ]


@pytest.mark.parametrize("who, status", [("cs", 200), ("repair_supervisor", 200), ("tech_repair", 200),
                                         ("rm_hb", 200), ("tech_rnd", 404), ("sales_hd", 404), ("finance", 404),
                                         ("production_head", 404)])
def test_detail_pdfs_and_files_follow_the_access_rule(client, rep, done, who, status):
    urls = _urls(done)
    for url in urls:
        client.logout()
        assert client.get(url).status_code == 302  # anonymous → log-in
        client.force_login(rep.u(who))
        assert client.get(url).status_code == status, url


def test_lists_and_exports_show_only_visible_tickets(client, rep, done):
    other = rep.ticket()  # nobody but the desk and the supervisor sees it
    client.force_login(rep.u("tech_repair"))
    page = client.get(reverse("repairs:list")).content.decode()
    assert done.number in page and other.number not in page
    mine = client.get(reverse("repairs:list") + "?mine=1").content.decode()
    assert done.number in mine
    export = client.get(reverse("repairs:export"))
    assert export.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    numbers = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert numbers == {done.number}
    client.force_login(rep.u("finance"))
    assert client.get(reverse("repairs:list")).status_code == 404
    assert client.get(reverse("repairs:export")).status_code == 404
    client.logout()
    assert client.get(reverse("repairs:list")).status_code == 302


def test_metrics_page_and_excel_for_managers_only(client, rep, done, django_assert_max_num_queries):
    from repairs.services import return_call_record

    return_call_record(by=rep.u("cs"), ticket_id=done.pk, fixed=True, satisfaction=4)
    client.force_login(rep.u("director"))
    with django_assert_max_num_queries(25):
        page = client.get(reverse("repairs:metrics"))
    assert page.status_code == 200 and "维修服务指标" in page.content.decode()
    export = client.get(reverse("repairs:metrics-export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    for who in ("tech_repair", "sales_hb", "finance"):
        client.force_login(rep.u(who))
        assert client.get(reverse("repairs:metrics")).status_code == 404
        assert client.get(reverse("repairs:metrics-export")).status_code == 404
    client.logout()
    assert client.get(reverse("repairs:metrics")).status_code == 302


def test_intake_form_keeps_what_was_typed_and_says_why(client, rep):
    client.force_login(rep.u("cs"))
    assert client.get(reverse("repairs:create")).status_code == 200
    response = client.post(reverse("repairs:create"), {"category": "repair", "unit_name": "华北电网某某供电公司",
                                                       "contact_name": "", "contact_phone": "", "fault": "跳闸"})
    body = response.content.decode()
    assert response.status_code == 200 and "请填写准确的联系电话" in body and "华北电网某某供电公司" in body
    response = client.post(reverse("repairs:create"), {"category": "repair", "unit_name": "华北电网某某供电公司",
                                                       "contact_name": "李工", "contact_phone": "010-66668888",
                                                       "fault": "跳闸"})
    assert response.status_code == 302
    client.force_login(rep.u("tech_repair"))
    assert client.get(reverse("repairs:create")).status_code == 404


def test_salesperson_relays_from_the_customer_page(client, rep):
    customer = rep.customer()  # created by sales_hb, region HB
    client.force_login(rep.u("sales_hb"))
    page = client.get(customer.get_absolute_url()).content.decode()
    relay = reverse("repairs:relay", args=[customer.pk])
    assert relay in page
    response = client.post(relay, {"category": "repair", "contact_name": "王经理", "contact_phone": "13900002222",
                                   "fault": "断路器无法合闸"})
    assert response.status_code == 302
    ticket = customer.repair_tickets.get()
    assert ticket.source == "sales_relay" and ticket.relayed_by == rep.u("sales_hb")
    assert ticket.number in client.get(customer.get_absolute_url()).content.decode()
    client.force_login(rep.u("sales_hd"))
    assert client.get(relay).status_code == 404  # not a customer sales_hd may see


def test_actions_are_post_only_and_refusals_change_nothing(client, rep):
    ticket = rep.assigned()
    url = reverse("repairs:respond", args=[ticket.pk])
    client.force_login(rep.u("tech_repair"))
    assert client.get(url).status_code == 405
    client.force_login(rep.u("tech_rnd"))
    assert client.post(url, {"solved": "yes", "notes": "好了"}).status_code == 404  # cannot see it
    client.force_login(rep.u("cs"))
    response = client.post(url, {"solved": "yes", "notes": "好了"}, follow=True)
    assert "不是此工单" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ASSIGNED


def test_report_form_on_the_phone_with_a_bad_photo_keeps_the_text(client, rep):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = rep.onsite()
    client.force_login(rep.u("tech_repair"))
    url = reverse("repairs:report", args=[ticket.pk])
    page = client.get(url).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page and "signature_pad" in page
    now = timezone.localtime()
    data = {"arrived_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "departed_at": now.strftime("%Y-%m-%dT%H:%M"), "findings": "机构卡涩", "work_done": "清洁润滑",
            "solved": "yes", "signer_name": "王经理", "signature": signature_data_url(),
            "photos": [SimpleUploadedFile("a.jpg", b"not a jpeg at all", content_type="image/jpeg")]}
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200 and "不是照片" in body and "机构卡涩" in body
    data["photos"] = [photo_upload()]
    assert client.post(url, data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED


def test_feedback_pdf_prints_the_signature_and_reads_back(rep, done, client, artifacts):
    client.force_login(rep.u("cs"))
    visit = done.visits.get()
    pdf = b"".join(client.get(reverse("repairs:visit-pdf", args=[visit.pk])))
    assert pdf.startswith(b"%PDF")
    path = artifacts / "repairs-feedback-sheet.pdf"
    path.write_bytes(pdf)
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed to read the PDF"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "维修信息反馈单" in text and done.number in text and "王经理" in text and "真空断路器" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) >= 4  # header lines + the signature and the photo
    sheet = b"".join(client.get(reverse("repairs:sheet-pdf", args=[done.sheets.get().pk])))
    (artifacts / "repairs-liaison-sheet.pdf").write_bytes(sheet)
    text = subprocess.run(["pdftotext", "-", "-"], input=sheet, capture_output=True, check=True).stdout.decode()
    assert "内部事务联络单" in text and "维修中心" in text


def test_ticket_list_queries_do_not_grow_with_rows(client, rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rep.assigned()
    client.force_login(rep.u("cs"))
    url = reverse("repairs:list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        rep.assigned(technician="tech_rnd")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
