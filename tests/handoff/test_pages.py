"""The pages a real user uses: forms in Chinese, bad input answered with a clear message and everything typed kept,
the printable liaison sheet, the register export, the on-time dashboard, "my work"."""

import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from handoff.choices import CostingState, HandoffState
from handoff.models import Costing, Handoff
from handoff.selectors import on_time_rates
from handoff.services import costing_submit, costing_suggest, deadlines_sweep

from .conftest import COSTS, at, pdf_upload

pytestmark = pytest.mark.django_db


def formset(prefix, rows, fields):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "1", f"{prefix}-MAX_NUM_FORMS": "200"}
    for i, row in enumerate(rows):
        for field in fields:
            data[f"{prefix}-{i}-{field}"] = row.get(field, "")
    return data


SCOPE_FIELDS = ("description", "specification", "quantity", "unit", "notes")
COST_FIELDS = ("category", "description", "quantity", "unit", "unit_price")


def sheet_post(today, **overrides):
    data = {"site": "丰台科技园变电站", "site_contact": "李工", "requirements": "按甲方技术规范书施工",
            "planned_start": today.isoformat(), "planned_finish": today.replace(year=today.year + 1).isoformat(),
            "schedule_notes": ""}
    data.update(formset("scope", [{"description": "箱变安装", "quantity": "2", "unit": "台"}], SCOPE_FIELDS))
    data.update(overrides)
    return data


def test_marketing_issues_a_sheet_from_the_orders_page(login, demo, hf, today):
    contract = hf.signed_contract(line_amounts=("100000.00", "50000.00"))
    client = login(demo.user("sales_hb"))
    orders = client.get(reverse("handoff:orders")).content.decode()
    lines = list(contract.lines.order_by("position"))
    assert reverse("handoff:create", args=[lines[0].pk]) in orders
    form = client.get(reverse("handoff:create", args=[lines[0].pk])).content.decode()
    assert "技术联络单" in form and lines[0].description in form  # prefilled with the order line
    data = sheet_post(today)
    data["attachments"] = pdf_upload("总平面图.pdf")
    response = client.post(reverse("handoff:create", args=[lines[0].pk]), data)
    handoff = Handoff.objects.get(line=lines[0])
    assert response.status_code == 302 and response["Location"] == handoff.get_absolute_url()
    page = client.get(handoff.get_absolute_url()).content.decode()
    assert "待XXX核算" in page and "总平面图.pdf" in page and "箱变安装" in page
    # the line is no longer offered, the other one still is
    orders = client.get(reverse("handoff:orders")).content.decode()
    assert reverse("handoff:create", args=[lines[0].pk]) not in orders
    assert reverse("handoff:create", args=[lines[1].pk]) in orders


def test_sheet_form_bad_input_keeps_what_was_typed(login, demo, hf, today):
    contract = hf.signed_contract()
    line = contract.lines.get()
    client = login(demo.user("sales_hb"))
    data = sheet_post(today, requirements="", site="朝阳区某站")
    data.update(formset("scope", [{"description": "电缆敷设", "quantity": "三百", "unit": "米"}], SCOPE_FIELDS))
    response = client.post(reverse("handoff:create", args=[line.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写甲方的具体要求" in page
    assert "“三百”不是有效数量" in page
    assert "朝阳区某站" in page and "电缆敷设" in page and "三百" in page  # nothing typed is lost
    assert not Handoff.objects.filter(line=line).exists()


def test_second_sheet_for_the_same_line_sends_the_user_to_the_first(login, demo, hf):
    handoff = hf.handoff()
    response = login(demo.user("clerk")).get(reverse("handoff:create", args=[handoff.line_id]), follow=True)
    assert response.redirect_chain[-1][0] == handoff.get_absolute_url()
    assert "不能重复下发" in response.content.decode()


def test_collection_only_person_sees_the_reason_and_no_form(login, demo, hf):
    contract = hf.signed_contract()
    person = demo.user("sales_hb").person
    person.duty_status, person.duty_status_reason = "collection_only", "华北电建项目超过6个月未开票"
    person.save()
    client = login(demo.user("sales_hb"))
    page = client.get(reverse("handoff:orders")).content.decode()
    assert 'id="collection-only"' in page and "华北电建项目超过6个月未开票" in page
    assert reverse("handoff:create", args=[contract.lines.get().pk]) not in page
    response = client.get(reverse("handoff:create", args=[contract.lines.get().pk]), follow=True)
    assert "华北电建项目超过6个月未开票" in response.content.decode()
    response = client.post(reverse("handoff:create", args=[contract.lines.get().pk]), sheet_post(timezone.localdate()),
                           follow=True)
    assert "专项负责开票、回款" in response.content.decode()
    assert not Handoff.objects.filter(contract=contract).exists()


def test_costing_page_keeps_bad_lines_and_names_them(login, demo, hf):
    handoff = hf.handoff()
    client = login(demo.user("xxx_estimator"))
    url = reverse("handoff:costing", args=[handoff.pk])
    assert "填写核算" in client.get(handoff.get_absolute_url()).content.decode()
    rows = [dict(c) for c in COSTS]
    rows[0]["unit_price"] = "-180"
    rows[2]["quantity"] = "两"
    data = formset("lines", rows, COST_FIELDS)
    data["notes"] = "含税"
    page = client.post(url, data).content.decode()
    assert "核算明细第1行，单价不能为负数" in page
    assert "核算明细第3行，数量：“两”不是有效数量" in page
    assert "-180" in page and "两" in page and "安装人工" in page
    assert Costing.objects.get(handoff=handoff).state == CostingState.OPEN
    # corrected, it goes to Finance
    rows = [dict(c) for c in COSTS]
    response = client.post(url, {**formset("lines", rows, COST_FIELDS), "notes": "含税",
                                 "costing": str(handoff.costings.get().pk)})
    assert response.status_code == 302
    costing = Costing.objects.get(handoff=handoff)
    assert costing.state == CostingState.SUBMITTED and costing.total == Decimal("86000.00")


def test_review_page_suggest_and_return(login, demo, hf):
    handoff = hf.costed()
    client = login(demo.user("finance"))
    page = client.get(handoff.get_absolute_url()).content.decode()
    assert 'id="review-form"' in page
    # a return without a reason: the form comes back with the message
    page = client.post(reverse("handoff:review", args=[handoff.pk]), {"decision": "return", "comment": ""})
    assert "请写明XXX需要修改的内容" in page.content.decode()
    # a suggestion that is not a number
    page = client.post(reverse("handoff:review", args=[handoff.pk]),
                       {"decision": "suggest", "suggested_amount": "九万二"}).content.decode()
    assert "“九万二”不是有效金额" in page and "九万二" in page
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.REVIEW
    response = client.post(reverse("handoff:review", args=[handoff.pk]),
                           {"decision": "suggest", "suggested_amount": "92000", "comment": "同意"}, follow=True)
    assert "建议工程款 ¥92,000.00 已告知营销中心和XXX" in response.content.decode()
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.NEGOTIATION


def test_negotiation_and_decision_pages(login, demo, hf, today):
    handoff = hf.suggested(amount="92000.00")
    xxx = login(demo.user("xxx_negotiator"))
    page = xxx.get(handoff.get_absolute_url()).content.decode()
    assert 'id="round-form"' in page and 'id="decision-form"' not in page
    response = xxx.post(reverse("handoff:round", args=[handoff.pk]),
                        {"held_on": today.isoformat(), "proposer": "xxx", "amount": "99000", "notes": "钢材涨价"})
    assert response.status_code == 302
    marketing = login(demo.user("sales_hb"))
    page = marketing.get(handoff.get_absolute_url()).content.decode()
    assert 'id="decision-form"' in page and 'id="comparison"' in page
    # main-contract amount, XXX's costing, Finance's suggestion and the last round side by side, with margins
    assert "¥300,000.00" in page and "¥86,000.00" in page and "¥92,000.00" in page and "¥99,000.00" in page
    assert "¥208,000.00" in page and "69.33%" in page  # margin at Finance's suggestion
    response = marketing.post(reverse("handoff:decide", args=[handoff.pk]), {"amount": "95000", "notes": "工期紧"},
                              follow=True)
    page = response.content.decode()
    assert "已确定工程款 ¥95,000.00" in page
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.CONTRACTING
    assert handoff.construction_contract.get_absolute_url() in page


def test_decision_page_says_why_without_a_suggestion(login, demo, hf):
    handoff = hf.costed()
    response = login(demo.user("sales_hb")).post(reverse("handoff:decide", args=[handoff.pk]), {"amount": "1"},
                                                 follow=True)
    assert "须先有财务中心的建议工程款" in response.content.decode()
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.REVIEW


def test_withdraw_from_the_page(login, demo, hf):
    handoff = hf.handoff()
    client = login(demo.user("sales_hb"))
    page = client.post(reverse("handoff:cancel", args=[handoff.pk]), {"reason": ""}).content.decode()
    assert "请填写撤回原因" in page
    client.post(reverse("handoff:cancel", args=[handoff.pk]), {"reason": "甲方取消订单"})
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.CANCELLED


def test_sheet_pdf_is_a_chinese_document(login, demo, hf, tmp_path, artifacts):
    handoff = hf.handoff(attachments=[pdf_upload("施工图.pdf")])
    response = login(demo.user("xxx_estimator")).get(reverse("handoff:sheet-pdf", args=[handoff.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    (artifacts / "handoff-liaison-sheet.pdf").write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("技术联络单", handoff.number, "甲方具体要求", "箱变基础及安装", "施工图.pdf", handoff.party_a):
        assert expected in text, expected


def test_register_export_lists_visible_hand_offs(login, demo, hf):
    handoff = hf.suggested()
    response = login(demo.user("finance")).get(reverse("handoff:export"))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert header[0] == "联络单号" and row[0] == handoff.number
    assert row[header.index("建议工程款（元）")] == Decimal("92000") or row[header.index("建议工程款（元）")] == 92000


def test_on_time_rates_per_party_and_month(demo, hf):
    # XXX: March on time, March late, April overdue and still open; Finance: March on time, April late
    a = hf.handoff(now=at(2026, 3, 4, 9))                            # due 03-05
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=a.pk, lines=COSTS, now=at(2026, 3, 5, 20))
    costing_suggest(by=demo.user("finance"), handoff_id=a.pk, suggested_amount="1", now=at(2026, 3, 6, 9))
    b = hf.handoff(now=at(2026, 3, 10, 9))                           # due 03-11, submitted late
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=b.pk, lines=COSTS, now=at(2026, 3, 12, 9))
    costing_suggest(by=demo.user("finance"), handoff_id=b.pk, suggested_amount="1", now=at(2026, 4, 1, 9))  # due 03-13
    hf.handoff(now=at(2026, 4, 7, 9))                                # due 04-08, never costed
    rates = on_time_rates(demo.user("director"), year=2026, today=timezone.localdate())
    xxx, finance = rates["xxx"], rates["finance"]
    march, april = xxx["months"][2], xxx["months"][3]
    assert (march["on_time"], march["late"], march["overdue"], march["rate"]) == (1, 1, 0, Decimal("50.0"))
    assert (april["on_time"], april["late"], april["overdue"], april["rate"]) == (0, 0, 1, Decimal("0.0"))
    assert xxx["total"]["rate"] == Decimal("33.3")
    assert finance["months"][2]["on_time"] == 1 and finance["months"][2]["late"] == 1
    assert finance["total"]["rate"] == Decimal("50.0")
    # a region filter and the user's visibility narrow the figures
    assert on_time_rates(demo.user("director"), year=2026, region="HD")["xxx"]["total"]["rated"] == 0
    assert on_time_rates(demo.user("sales_hd"), year=2026)["xxx"]["total"]["rated"] == 0


def test_dashboard_page_and_export(login, demo, hf, artifacts):
    a = hf.handoff(now=at(2026, 3, 4, 9))
    costing_submit(by=demo.user("xxx_estimator"), handoff_id=a.pk, lines=COSTS, now=at(2026, 3, 5, 20))
    client = login(demo.user("director"))
    page = client.get(reverse("handoff:dashboard") + "?year=2026").content.decode()
    assert "合同对接按时率" in page and 'id="rates-chart"' in page and "echarts.min.js" in page
    assert "<script>" not in page  # no inline script: the data in json_script, the drawing in js/charts.js
    assert 'id="rate-xxx">100.0%' in page
    response = client.get(reverse("handoff:dashboard-export") + "?year=2026")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "责任方及环节"
    march = next(r for r in rows if r[0] == "XXX核算" and r[1] == "2026-03")
    assert march[2:] == (1, 0, 0, 0, 100)


def test_my_work_lists_what_waits_with_due_dates(login, demo, hf):
    late = hf.handoff(now=at(2026, 3, 4, 9))
    fresh = hf.handoff()
    home = login(demo.user("xxx_estimator")).get(reverse("home")).content.decode()
    assert f"核算技术联络单 {late.number}" in home and f"核算技术联络单 {fresh.number}" in home
    assert "已逾期" in home and "2026-03-05" in home
    hf.costed(handoff=fresh)
    home = login(demo.user("finance")).get(reverse("home")).content.decode()
    assert f"审核 {fresh.number} 的工程款核算" in home
    handoff = hf.suggested()
    for name in ("sales_hb", "mgmt_manager"):
        assert f"协商并确定 {handoff.number} 的工程款" in login(demo.user(name)).get(reverse("home")).content.decode()
    home = login(demo.user("xxx_negotiator")).get(reverse("home")).content.decode()
    assert f"与营销中心协商 {handoff.number}" in home
    # nothing of this for other people
    assert handoff.number not in login(demo.user("sales_hd")).get(reverse("home")).content.decode()


def test_overdue_alert_is_in_the_directors_inbox(login, demo, hf):
    handoff = hf.handoff(now=at(2026, 3, 4, 9))
    deadlines_sweep(now=at(2026, 3, 6, 0, 30))
    inbox = login(demo.user("director")).get(reverse("inbox")).content.decode()
    assert f"逾期：{handoff.number} 的XXX核算已于 2026-03-05 到期" in inbox


def test_customer_page_lists_its_hand_offs_to_those_who_may_see_them(login, demo, hf):
    handoff = hf.handoff()
    url = handoff.contract.customer.get_absolute_url()
    page = login(demo.user("sales_hb")).get(url).content.decode()
    assert handoff.number in page and handoff.get_absolute_url() in page
    # a customer-service specialist sees the customer (and its contracts) but has no part in hand-offs
    response = login(demo.user("cs")).get(url)
    assert response.status_code == 200 and handoff.number not in response.content.decode()
