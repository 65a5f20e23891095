"""The four access cases (X-2) on every page, PDF, export and download of the planning app: anonymous → log-in,
no right → 404, right → 200; lists show only what the user may see."""

from datetime import timedelta

import pytest
from django.urls import reverse

from marketing_portal.files import attachments_of
from org.services import person_duty_set
from planning import services
from tests.planning.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(demo, pln):
    report = services.report_file(by=demo.user("sales_hb"), kind="weekly", period="2026-W24", work_done="拜访客户",
                                  next_plan="投标")
    version = pln.plan(region="HB", by="rm_hb", rows=[("HB", "sales_hb", "month", 6, 300000)], approve=False)
    tender = pln.tender(state="review", opening_on=TODAY + timedelta(days=10))
    return {"report": report, "plan": version.plan, "version": version, "tender": tender,
            "file": attachments_of(tender, "bid").first()}


def _url(name, records, query=""):
    args = {"report": [records["report"].pk], "report-comment": [records["report"].pk],
            "plan": [records["plan"].pk], "plan-targets": [records["plan"].pk],
            "tender": [records["tender"].pk]}.get(name, [])
    return reverse(f"planning:{name}", args=args) + query


# page, query, who may not (404), who may (200)
PAGES = [
    ("reports", "", "tech_repair", ["sales_hb", "rm_hb", "director", "mgmt_manager"]),
    ("report-export", "?region=HB&sort=-signed", "tech_repair", ["sales_hb", "rm_hb", "director", "mgmt_manager"]),
    ("report-new", "", "finance", ["sales_hb"]),
    ("report", "", "sales_hd", ["sales_hb", "rm_hb", "director", "gm"]),
    ("report-compile", "?kind=weekly&period=2026-W24&region=HB", "rm_hd", ["rm_hb", "mgmt_manager", "director"]),
    ("report-compile", "?kind=weekly&period=2026-W24", "rm_hb", ["mgmt_manager", "director"]),
    ("report-compile-pdf", "?kind=weekly&period=2026-W24&region=HB", "sales_hb", ["rm_hb", "mgmt_manager"]),
    ("report-compile-xlsx", "?kind=weekly&period=2026-W24", "rm_hb", ["mgmt_manager"]),
    ("plans", "", "finance", ["sales_hb", "rm_hb", "director"]),
    ("plan-export", "?year=", "finance", ["sales_hb", "rm_hb", "director"]),
    ("plan-new", "", "sales_hb", ["mgmt_manager", "rm_hb"]),
    ("plan", "", "rm_hd", ["rm_hb", "director", "mgmt_manager", "gm"]),
    ("plan-targets", "", "director", ["rm_hb", "mgmt_manager"]),
    ("tenders", "", "finance", ["sales_hb", "clerk", "rm_hb", "director"]),
    ("tender-export", "", "finance", ["sales_hb", "mgmt_manager"]),
    ("tender-new", "", "finance", ["sales_hb", "clerk", "rm_hb"]),
    ("tender", "", "sales_hd", ["sales_hb", "clerk", "design_clerk", "rm_hb", "mgmt_manager", "gm"]),
]


@pytest.mark.parametrize("name,query,outsider,insiders", PAGES)
def test_four_access_cases(client, demo, records, name, query, outsider, insiders):
    url = _url(name, records, query)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(demo.user(outsider))
    assert client.get(url).status_code == 404
    for login in insiders:
        client.force_login(demo.user(login))
        response = client.get(url)
        assert response.status_code == 200, login
        if name.endswith("pdf"):
            assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        if name.endswith("xlsx") or name.endswith("export"):
            assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_bid_documents_download_only_for_who_sees_the_bid(client, demo, records):
    url = reverse("attachment-download", args=[records["file"].pk])
    assert client.get(url).status_code == 302
    client.force_login(demo.user("sales_hd"))
    assert client.get(url).status_code == 404
    for login in ("sales_hb", "clerk", "mgmt_manager"):
        client.force_login(demo.user(login))
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("name,args_of", [("report-comment", "report"), ("tender-submit", "tender"),
                                          ("tender-cancel", "tender"), ("tender-upload", "tender"),
                                          ("plan-submit", "plan"), ("plan-revise", "plan")])
def test_actions_on_unseen_records_answer_404_and_need_post(client, demo, records, name, args_of):
    url = reverse(f"planning:{name}", args=[records[args_of].pk])
    client.force_login(demo.user("sales_hd"))
    assert client.post(url, {"body": "x", "reason": "x"}).status_code == 404
    client.force_login(demo.user("sales_hb"))
    assert client.get(url).status_code == 405


def test_lists_show_only_what_the_user_may_see(client, demo, records, pln):
    other = pln.tender(by="sales_hd")
    client.force_login(demo.user("sales_hb"))
    page = client.get(reverse("planning:tenders")).content.decode()
    assert records["tender"].number in page and other.number not in page
    client.force_login(demo.user("rm_hd"))
    page = client.get(reverse("planning:tenders")).content.decode()
    assert other.number in page and records["tender"].number not in page
    client.force_login(demo.user("sales_hd"))
    assert "拜访客户" not in client.get(reverse("planning:reports")).content.decode()


def test_a_step_is_decided_only_by_whom_it_waits_for(client, demo, records):
    version = records["version"]
    services.plan_submit(version_id=version.pk, by=demo.user("rm_hb"))
    step = version.steps.get()
    url = reverse("planning:plan-decide", args=[step.pk])
    client.force_login(demo.user("rm_hd"))
    assert client.post(url, {"decision": "approve"}).status_code == 404  # cannot see the plan
    client.force_login(demo.user("mgmt_manager"))
    client.post(url, {"decision": "approve"})  # sees it, but the step waits for the director
    step.refresh_from_db()
    assert step.status == "pending"
    client.force_login(demo.user("director"))
    page = client.get(records["plan"].get_absolute_url()).content.decode()
    assert 'id="decide-director"' in page
    client.post(url, {"decision": "approve", "comment": "同意"})
    step.refresh_from_db()
    assert step.status == "approved" and step.decided_by == demo.user("director")


def test_collection_only_duty_shows_the_reason_instead_of_the_bid_form(client, demo):
    person = demo.user("sales_hb").person
    person_duty_set(person_id=person.pk, collection_only=True, reason="回款逾期", by=demo.user("director"))
    client.force_login(demo.user("sales_hb"))
    response = client.get(reverse("planning:tender-new"))
    assert response.status_code == 403
    assert "回款逾期" in response.content.decode() and 'id="tender-form"' not in response.content.decode()
    assert 'id="collection-only"' in client.get(reverse("planning:tenders")).content.decode()


def test_filing_a_report_through_the_page_and_a_second_time(client, demo, today):
    client.force_login(demo.user("sales_hb"))
    url = reverse("planning:report-new")
    data = {"kind": "weekly", "period": "2026-W24", "work_done": "拜访三家客户", "next_plan": "完成投标"}
    response = client.post(url, data)
    assert response.status_code == 302
    again = client.post(url, data)
    assert again.status_code == 200 and "每个期间只能提交一次" in again.content.decode()
