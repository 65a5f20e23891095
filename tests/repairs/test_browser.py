"""The whole flow chart in a real Chromium: the specialist takes the call, the technician calls back on his
phone, the liaison sheet goes to the Repair Center, the first visit fails (photo, cause analysis), the head
escalates to the GM's Office, which sends two technicians, the second visit succeeds and the customer signs
with the mouse on the phone screen, the return call is made, the supervisor signs; the feedback sheet PDF is
read back. Screenshots at 375 × 812 and 1280 px go to test-artifacts/."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from marketing_portal.files import attachments_of
from repairs.choices import TicketState
from repairs.models import Ticket
from tests.browser import PHONE, chromium_page, log_in, log_out

from .conftest import photo_upload

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page the POST redirects to."""
    with page.expect_navigation():
        page.click(selector)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_whole_repair_flow_in_the_browser(live_server, trep, artifacts, tmp_path):
    customer = trep.customer()
    now = timezone.localtime()
    onsite = (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    arrived = (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    left = (now - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(photo_upload().read())
    base = live_server.url

    def phone(page, user):
        log_out(page)
        page.set_viewport_size(PHONE)
        log_in(page, base, user)

    def desk(page, user):
        log_out(page)
        page.set_viewport_size(WIDE)
        log_in(page, base, user)

    with chromium_page(viewport=WIDE) as page:
        # 1. The specialist takes the call; without a phone number the form says why and keeps the text.
        desk(page, "cs")
        page.goto(f"{base}/repairs/new/")
        page.select_option("#id_customer", str(customer.pk))
        page.fill("#id_unit_name", customer.name)
        page.fill("#id_contact_name", "王经理")
        page.fill("#id_fault", "10kV开关柜合闸后跳闸，无法送电")
        submit(page, "#ticket-form button[type=submit]:not([name])")
        assert "请填写准确的联系电话" in page.content()
        assert page.input_value("#id_fault") == "10kV开关柜合闸后跳闸，无法送电"
        page.fill("#id_contact_phone", "13800001111")
        page.fill("#id_site_address", "北京市海淀区学院路1号配电室")
        page.click("#ticket-form button[type=submit]:not([name])")
        page.wait_for_url("**/repairs/*/")
        ticket_url = page.url
        page.select_option("#assign-form select[name=technician]", label="马超（维修中心）")
        submit(page, "#assign-form button")
        page.screenshot(path=str(artifacts / "repairs-ticket-1280.png"), full_page=True)

        # 2. 马超 calls back on his phone: not solved.
        phone(page, "tech_repair")
        page.goto(f"{base}/repairs/?mine=1&state=open")
        page.screenshot(path=str(artifacts / "repairs-my-tickets-375.png"), full_page=True)
        assert no_horizontal_scroll(page)
        page.click("#ticket-list a")
        assert page.get_attribute("#call-customer", "href") == "tel:13800001111"
        assert page.get_attribute("#map-link", "href").startswith("geo:0,0?q=")
        page.screenshot(path=str(artifacts / "repairs-ticket-375.png"), full_page=True)
        assert no_horizontal_scroll(page)
        page.fill("#respond-form textarea", "电话指导复位后仍跳闸")
        submit(page, "#respond-form button[value=no]")

        # 3. The specialist agrees the on-site time and issues the liaison sheet.
        desk(page, "cs")
        page.goto(ticket_url)
        page.fill("#id_onsite_at", onsite)
        submit(page, "#schedule-form button")
        assert "联络单已下发" in page.content()

        # 4. The Repair Center supervisor accepts it and sends 马超.
        desk(page, "repair_supervisor")
        page.goto(ticket_url)
        page.check("#accept-form input[name=technicians] >> nth=0")
        submit(page, "#accept-form button")

        # 5. First visit on the phone: not solved, with a photo and the cause analysis.
        phone(page, "tech_repair")
        page.goto(ticket_url)
        page.click("#fill-feedback")
        page.fill("#id_arrived_at", arrived)
        page.fill("#id_departed_at", left)
        page.fill("#id_findings", "操作机构卡涩")
        page.fill("#id_work_done", "清洁润滑，更换分闸线圈")
        page.set_input_files("#id_photos", str(photo))
        page.click("label[for=solved-no]")
        page.fill("#id_cause_analysis", "更换线圈后仍跳闸，怀疑保护定值错误")
        submit(page, "#submit-report")
        assert page.url == ticket_url, page.locator(".invalid-feedback, .alert-danger").all_inner_texts()

        # 6. No solution in the department: escalated to the GM's Office.
        desk(page, "repair_supervisor")
        page.goto(ticket_url)
        page.fill("#id_report", "本部门无法确定保护定值问题，需开发部支持")
        submit(page, "#decide-form button[value=yes]")

        # 7. The GM's Office (deputy GM) allocates R&D and the repair technician.
        desk(page, "deputy_gm")
        page.goto(ticket_url)
        page.fill("#id_resources", "开发部罗斌携带继电保护测试仪")
        page.fill("#id_gm_solution", "重新整定保护定值并做传动试验")
        for label in ("马超", "罗斌"):
            page.locator("#resolve-form label", has_text=label).locator("input").check()
        submit(page, "#resolve-form button")

        # 8. Second visit: solved, the customer signs with the mouse on the phone screen.
        phone(page, "tech_repair")
        page.goto(f"{ticket_url}report/")
        page.fill("#id_arrived_at", arrived)
        page.fill("#id_departed_at", left)
        page.fill("#id_findings", "保护定值整定错误")
        page.fill("#id_work_done", "重新整定定值，传动试验合格")
        page.fill("#id_signer_name", "王经理")
        page.locator("#signature-pad").scroll_into_view_if_needed()
        box = page.locator("#signature-pad").bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 100)
        page.mouse.down()
        for x, y in ((60, 40), (100, 120), (150, 50), (200, 110), (260, 60), (310, 90)):
            page.mouse.move(box["x"] + x, box["y"] + y, steps=5)
        page.mouse.up()
        page.screenshot(path=str(artifacts / "repairs-feedback-375.png"), full_page=True)
        assert no_horizontal_scroll(page)
        submit(page, "#submit-report")
        assert page.url == ticket_url, page.locator(".invalid-feedback, .alert-danger").all_inner_texts()

        # 9. Return call, 10. the supervisor signs the archive.
        desk(page, "cs")
        page.goto(ticket_url)
        page.select_option("#id_satisfaction", "5")
        page.fill("#id_comments", "设备运行正常")
        submit(page, "#return-call-form button")
        desk(page, "repair_supervisor")
        page.goto(ticket_url)
        page.fill("#sign-form input[name=comment]", "同意存档")
        submit(page, "#sign-form button")
        page.screenshot(path=str(artifacts / "repairs-closed-1280.png"), full_page=True)
        pdf_href = page.get_attribute("#visit-2 a[href$='feedback.pdf']", "href")
        pdf = page.request.get(f"{base}{pdf_href}").body()

    # then (ORM after the browser): closed with two visits, one escalation, the signature stored as a PNG
    ticket = Ticket.objects.get(customer=customer)
    assert ticket.state == TicketState.CLOSED and ticket.visit_count == 2 and ticket.escalation_count == 1
    second = ticket.visits.get(seq=2)
    assert attachments_of(second, "signature").get().mime_type == "image/png"
    assert attachments_of(ticket.visits.get(seq=1), "photo").count() == 1
    path = artifacts / "repairs-feedback-browser.pdf"
    path.write_bytes(pdf)
    assert shutil.which("pdftotext")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "维修信息反馈单" in text and ticket.number in text and "王经理" in text and "保护定值整定错误" in text
