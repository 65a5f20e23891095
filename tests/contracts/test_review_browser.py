"""Issue 12, points 1 and 3, in real Chromium: no blind approvals (the draft text is required, the approver opens
it on the step), the route before and during approval, withdrawing (撤回) before the first decision, the
rejection reason on the handler's panel, and 抄送 to the region's manager."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser import DESKTOP, PHONE, chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"review-{name}.png"), full_page=True)


def test_the_draft_text_is_required_and_the_approver_opens_it_on_the_step(live_server, tmake, artifacts, tmp_path):
    from playwright.sync_api import expect

    from contracts.models import Contract

    # given: a draft without its text
    contract = tmake.contract(by="sales_hb", text=False, title="京能开关柜供货合同")
    url = f"{live_server.url}{contract.get_absolute_url()}"
    text = tmp_path / "京能开关柜供货合同（草案）.pdf"
    text.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%draft text\n%%EOF\n")

    with chromium_page(viewport=DESKTOP) as page:
        log_in(page, live_server.url, "sales_hb")
        page.goto(url)
        # the page says what is missing before the user tries, and the rule refuses the submission
        expect(page.locator("#draft-text-state")).to_contain_text("尚未上传合同文本")
        expect(page.locator("#submission-problems [data-code=no_text]")).to_be_visible()
        _shot(page, artifacts, "1-draft-without-text")
        page.click("#submit-contract")
        expect(page.locator(".alert-danger")).to_contain_text("提交前请上传合同文本")
        # the text is uploaded; the submission goes through
        page.set_input_files("#id_text_file", str(text))
        page.click("#draft-text button[type=submit]")
        expect(page.locator(".alert-success")).to_contain_text("合同文本已上传")
        expect(page.locator("#submission-problems")).to_have_count(0)
        page.click("#submit-contract")
        expect(page.locator("#contract-flags")).to_contain_text("部门领导审核")

        # the department leader sees the text on the step they decide and opens it in the browser
        page.context.clear_cookies()
        log_in(page, live_server.url, "director")
        page.goto(url)
        link = page.locator(".pending-step[data-kind=leader] .step-text a")
        expect(link).to_have_text("京能开关柜供货合同（草案）.pdf")
        _shot(page, artifacts, "1-approver-sees-text")
        response = page.request.get(live_server.url + link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("inline")  # the browser's own PDF viewer
        page.set_viewport_size(PHONE)
        page.goto(url)
        expect(link).to_be_visible()
        _shot(page, artifacts, "1-approver-phone")

    contract = Contract.objects.get(pk=contract.pk)
    leader = contract.steps.get(kind="leader", version=1)
    assert contract.text is not None and leader.text_id == contract.text_id
    assert contract.text.original_name == "京能开关柜供货合同（草案）.pdf"


def test_route_withdraw_rejection_reason_and_copies(live_server, tmake, transactional_demo, artifacts):
    from django.utils import timezone
    from playwright.sync_api import expect

    from contracts.models import Contract
    from marketing_portal.models import Notification
    from org.services import delegation_create

    d = transactional_demo
    director, assistant = d.user("director"), d.user("mgmt_manager")
    today = timezone.localdate()
    # given: the director is on leave and delegated to 林静; a draft of 张伟 (华北) copying the legal counsel
    delegation_create(principal=director, delegate=assistant, starts_on=today, ends_on=today + timedelta(days=3),
                      reason="休假", by=director)
    contract = tmake.contract(by="sales_hb", title="冀北风电箱变采购合同", cc=[d.user("legal")])
    url = f"{live_server.url}{contract.get_absolute_url()}"

    with chromium_page(viewport=DESKTOP) as page:
        log_in(page, live_server.url, "sales_hb")
        page.goto(url)
        route = page.locator("#approval-route")
        # before submission: who will decide each step, from the org chart today, with the delegation
        expect(route.locator("[data-kind=leader]")).to_contain_text("周明")
        expect(route.locator("[data-kind=leader]")).to_contain_text("今日委托 林静")
        expect(route.locator("[data-kind=finance]")).to_contain_text("冯倩")
        expect(route.locator("[data-kind=gm]")).to_contain_text("沈国华")
        expect(route.locator("[data-kind=register]")).to_contain_text("陈芳")
        expect(page.locator("#route-copied")).to_contain_text("赵刚")
        expect(page.locator("#route-copied")).to_contain_text("曹律")
        _shot(page, artifacts, "3-route-before")
        page.set_viewport_size(PHONE)
        page.goto(url)
        _shot(page, artifacts, "3-route-before-phone")
        page.set_viewport_size(DESKTOP)

        # submitted: the leader step waits; nobody has decided, so the submitter may withdraw (撤回)
        page.click("#submit-contract")
        expect(route.locator("[data-kind=leader]")).to_have_attribute("data-status", "pending")
        page.click("#recall summary")
        page.fill("#recall input[name=reason]", "金额有误")
        page.click("#recall-contract")
        expect(page.locator(".alert-success")).to_contain_text("已撤回")
        expect(page.locator("#contract-flags")).to_contain_text("草稿")
        _shot(page, artifacts, "3-withdrawn")

        # submitted again (version 2); the director's delegate rejects it with a reason
        page.click("#submit-contract")
        expect(page.locator("#contract-flags")).to_contain_text("第 2 版")
        page.context.clear_cookies()
        log_in(page, live_server.url, "mgmt_manager")
        page.goto(url)
        expect(page.locator("#recall")).to_have_count(0)  # only the submitter withdraws
        page.fill(".decision-form textarea[name=comment]", "付款比例与框架协议不符，请调整")
        page.click(".decision-form button[value=reject]")
        expect(page.locator(".alert-success")).to_contain_text("驳回")

        # the handler's panel says why
        page.context.clear_cookies()
        log_in(page, live_server.url, "sales_hb")
        page.goto(url)
        expect(page.locator("#rejection-reason")).to_contain_text("付款比例与框架协议不符，请调整")
        expect(page.locator("#rejection-reason")).to_contain_text("第2版")
        expect(page.locator("#submission-problems [data-code=text_not_renewed]")).to_be_visible()
        _shot(page, artifacts, "3-rejection-reason")
        page.set_viewport_size(PHONE)
        page.goto(url)
        _shot(page, artifacts, "3-rejection-reason-phone")

    contract = Contract.objects.get(pk=contract.pk)
    assert contract.state == "draft" and contract.version == 2
    v1 = contract.steps.get(version=1, kind="leader")
    assert v1.status == "cancelled" and "金额有误" in v1.comment
    rejected = contract.steps.get(version=2, kind="leader")
    assert rejected.decided_by == assistant and rejected.on_behalf_of == director
    # 抄送: the regional manager and the person named on the draft, on each submission and on the decision
    for username in ("rm_hb", "legal"):
        keys = set(Notification.objects.filter(recipient=d.user(username), url=contract.get_absolute_url())
                   .values_list("key", flat=True))
        assert any(k.startswith("contract-cc-submitted") and k.endswith("|1") for k in keys), (username, keys)
        assert any(k.startswith("contract-cc-submitted") and k.endswith("|2") for k in keys), (username, keys)
        assert any(k.startswith("contract-cc-rejected") for k in keys), (username, keys)
    assert not Notification.objects.filter(recipient=d.user("sales_hb"), key__startswith="contract-cc").exists()
