"""Issue 12 point 6: participant pickers list only the staff who can take the part, grouped by unit and searchable;
the service refuses anyone else; technicians do not see a 合同 menu that could only be empty for them."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _options(page: str, field: str) -> dict[str, list[str]]:
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {label: re.findall(r"<option[^>]*>([^<]+)</option>", body)
            for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)}


def test_the_pickers_list_legal_staff_for_legal_and_technical_staff_for_technical(demo, login):
    page = login(demo.user("sales_hb")).get(reverse("contracts:create")).content.decode()
    legal = _options(page, "legal_participant")
    assert [name for names in legal.values() for name in names] == ["曹律"]
    technical = _options(page, "technical_participant")
    everyone = {name for names in technical.values() for name in names}
    assert {"马超", "罗斌", "宋杰", "高翔", "梁栋", "吕强"} == everyone  # technicians and their heads
    assert set(technical) == {"维修中心", "开发部", "生产部"}  # grouped by unit
    assert 'data-searchable="1"' in page and "select_search.js" in page


def test_the_service_refuses_someone_who_cannot_take_the_part(make, demo):
    with pytest.raises(ValidationError) as refused:
        make.contract(legal_participant=demo.user("sales_hd"))
    assert refused.value.message_dict["legal_participant"] == ["刘洋不是法务人员，不能担任法务参与人。"]
    with pytest.raises(ValidationError) as refused:
        make.contract(technical_participant=demo.user("finance"))
    assert refused.value.message_dict["technical_participant"] == ["冯倩不是技术人员，不能担任技术参与人。"]


def test_a_technician_sees_the_contracts_menu_only_while_named_on_a_contract(make, demo, login):
    menu = f'href="{reverse("contracts:list")}"'
    assert menu not in login(demo.user("tech_production")).get(reverse("home")).content.decode()
    make.submitted(technical_participant=demo.user("tech_production"))  # named: sees it from submission on
    assert menu in login(demo.user("tech_production")).get(reverse("home")).content.decode()
    # XXX staff work on construction contracts; salespeople always have the menu
    assert menu in login(demo.user("xxx_estimator")).get(reverse("home")).content.decode()
    assert menu in login(demo.user("sales_hb")).get(reverse("home")).content.decode()
