"""Policy values: regulation defaults, changes as new versions, malformed values refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketing_portal.models import PolicyVersion
from marketing_portal.policy import current_policy, policy_update, policy_version

pytestmark = pytest.mark.django_db


def test_first_version_holds_the_regulation_values():
    policy = current_policy()
    assert policy.version == 1
    assert policy.invoice_deadline_months == 1
    assert policy.deduction_step_days == 30
    assert policy.deduction_step_percent == Decimal("5")
    assert policy.invoice_forfeit_months == 6
    assert policy.collection_deadline_days == 60
    assert policy.collection_forfeit_months == 8
    assert policy.invoice_compensation_months == policy.collection_compensation_months == 12
    assert policy.handoff_costing_days == policy.handoff_review_days == 1
    assert policy.reminder_days_before == [7, 3, 1]


def test_a_change_is_a_new_version_and_the_old_one_is_kept(demo):
    director = demo.user("director")
    current_policy()
    new = policy_update(changes={"deduction_step_percent": "4.5"}, by=director, reason="董事会决议")
    assert new.version == 2
    assert current_policy().deduction_step_percent == Decimal("4.5")
    assert policy_version(1).deduction_step_percent == Decimal("5")  # history is not rewritten
    assert PolicyVersion.objects.get(version=2).created_by == director


@pytest.mark.parametrize(
    ("key", "raw"),
    [("collection_deadline_days", "六十"), ("collection_deadline_days", "-3"), ("deduction_step_percent", "120"),
     ("reminder_days_before", "7,x"), ("collection_deadline_days", "1.5"), ("deduction_step_percent", "NaN")],
)
def test_malformed_values_are_refused_and_nothing_is_stored(demo, key, raw):
    current_policy()
    with pytest.raises(ValidationError) as excinfo:
        policy_update(changes={key: raw}, by=demo.user("director"), reason="试验")
    assert key in excinfo.value.error_dict
    assert PolicyVersion.objects.count() == 1


def test_change_page_shows_chinese_errors_and_keeps_the_version(demo, login):
    client = login(demo.user("director"))
    current_policy()
    page = client.get(reverse("policy-change"))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"collection_deadline_days": "六十天", "reason": "调整"})
    response = client.post(reverse("policy-change"), data)
    assert response.status_code == 200
    assert "不是整数" in response.content.decode()
    assert PolicyVersion.objects.count() == 1

    data["collection_deadline_days"] = "45"
    response = client.post(reverse("policy-change"), data)
    assert response.status_code == 302
    assert current_policy().collection_deadline_days == 45


def test_only_authorised_roles_may_change_the_policy(demo, login):
    client = login(demo.user("sales_hb"))
    assert client.get(reverse("policy")).status_code == 200  # everyone may read the rules
    assert client.get(reverse("policy-change")).status_code == 403
    assert client.post(reverse("policy-change"), {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("pattern", ["{year}-{seq:04d}", "{region}-{year}", "HB-{seq:04d}-{n}", "{region}-{seq:04d"])
def test_an_archive_pattern_that_could_repeat_numbers_is_refused_when_saved(demo, pattern):
    # given a pattern without {region} or {seq} (or malformed), which archiving would otherwise replace silently
    before = current_policy().version
    # when it is saved
    with pytest.raises(ValidationError) as caught:
        policy_update(changes={"archive_number_pattern": pattern}, by=demo.user("sysadmin"), reason="改编号")
    # then nothing is stored and the field says why
    assert "archive_number_pattern" in caught.value.message_dict
    assert current_policy().version == before


def test_the_policy_page_speaks_chinese(demo, login):
    """Issue 12 point 7: 是/否, “7、3、1 天”, ¥1,000,000.00, the numbering pattern with an example, a Chinese note."""
    from django.utils import timezone

    page = login(demo.user("sales_hb")).get("/policy/").content.decode()
    assert "¥1,000,000.00" in page and "1000000.00 元" not in page
    assert "7、3、1 天" in page and "9、15 点" in page
    year = timezone.localdate().year
    assert "{region}-{year}-{seq:04d}" + f"（例：HB-{year}-0001）" in page
    assert ">是<" in page and "True" not in page
    assert "生产部" in page or "生产" in page
    assert "regulation defaults" not in page and "制度规定的初始值" in page
    assert "5%" in page  # the deduction per step, not “5.00 %”


def test_a_past_version_shows_its_values_as_people_read_them(demo, login):
    from marketing_portal.policy import policy_update

    policy_update(changes={"reminder_days_before": [10, 5, 2], "legal_review_waiver": False},
                  by=demo.user("director"), reason="调整提醒天数")
    client = login(demo.user("sales_hb"))
    page = client.get("/policy/v2/").content.decode()
    assert "10、5、2 天" in page and "7、3、1 天" in page
    assert ">否<" in page and "False" not in page and "[7, 3, 1]" not in page
    assert client.get("/policy/v99/").status_code == 404
