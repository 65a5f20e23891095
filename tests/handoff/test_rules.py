"""handoff.rules: a table of (role, hand-off in a state, action) → allowed; a new rule is one row."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGE_RULES = [
    ("sales_hb", "handoff.use_handoffs", True),
    ("finance", "handoff.use_handoffs", True),
    ("xxx_estimator", "handoff.use_handoffs", True),
    ("gm", "handoff.use_handoffs", True),
    ("legal", "handoff.use_handoffs", False),
    ("archivist", "handoff.use_handoffs", False),
    ("tech_repair", "handoff.use_handoffs", False),
]


@pytest.mark.parametrize(("username", "perm", "allowed"), PAGE_RULES)
def test_page_rules(demo, username, perm, allowed):
    assert demo.user(username).has_perm(perm) is allowed


# state of the hand-off: "costing" (just raised), "review" (costed), "negotiation" (Finance suggested)
HANDOFF_RULES = [
    ("xxx_estimator", "costing", "handoff.cost_handoff", True),
    ("xxx_negotiator", "costing", "handoff.cost_handoff", False),
    ("xxx_estimator", "review", "handoff.cost_handoff", False),     # no step twice
    ("finance", "review", "handoff.review_costing", True),
    ("finance_head", "review", "handoff.review_costing", True),
    ("finance", "costing", "handoff.review_costing", False),
    ("sales_hb", "review", "handoff.review_costing", False),
    ("xxx_negotiator", "negotiation", "handoff.negotiate_handoff", True),
    ("sales_hb", "negotiation", "handoff.negotiate_handoff", True),
    ("finance", "negotiation", "handoff.negotiate_handoff", False),
    ("sales_hb", "negotiation", "handoff.decide_handoff", True),    # the contract's handler
    ("director", "negotiation", "handoff.decide_handoff", True),    # Marketing leadership
    ("xxx_negotiator", "negotiation", "handoff.decide_handoff", False),
    ("sales_hd", "negotiation", "handoff.decide_handoff", False),
    ("sales_hb", "costing", "handoff.cancel_handoff", True),
    ("clerk", "review", "handoff.cancel_handoff", True),
    ("rm_hb", "costing", "handoff.cancel_handoff", True),           # the region's manager
    ("rm_hd", "costing", "handoff.cancel_handoff", False),
    ("xxx_estimator", "costing", "handoff.cancel_handoff", False),
    ("sales_hb", "costing", "handoff.attach_to_handoff", True),
    ("finance", "costing", "handoff.attach_to_handoff", False),
    ("sales_hb", "costing", "handoff.see_sales_contract", True),
    ("finance", "costing", "handoff.see_sales_contract", True),
    ("xxx_estimator", "costing", "handoff.see_sales_contract", False),  # no Party A price for XXX
]


@pytest.mark.parametrize(("username", "state", "perm", "allowed"), HANDOFF_RULES)
def test_handoff_rules(hf, demo, username, state, perm, allowed):
    handoff = {"costing": hf.handoff, "review": hf.costed, "negotiation": hf.suggested}[state]()
    assert handoff.state == state
    assert demo.user(username).has_perm(perm, handoff) is allowed


def test_a_delegate_may_cost_for_the_estimator_on_leave(hf, demo):
    from django.utils import timezone

    from org.services import delegation_create

    handoff = hf.handoff()
    today = timezone.localdate()
    assert not demo.user("xxx_negotiator").has_perm("handoff.cost_handoff", handoff)
    delegation_create(principal=demo.user("xxx_estimator"), delegate=demo.user("xxx_negotiator"), starts_on=today,
                      ends_on=today, reason="年假", by=demo.user("xxx_estimator"))
    assert demo.user("xxx_negotiator").has_perm("handoff.cost_handoff", handoff)


def test_raising_a_sheet_for_a_contract(hf, demo):
    contract = hf.signed_contract(by="sales_hb")
    for username, allowed in (("sales_hb", True), ("clerk", True), ("rm_hb", True), ("rm_hd", False),
                              ("sales_hd", False), ("xxx_head", False)):
        assert demo.user(username).has_perm("handoff.raise_for_contract", contract) is allowed
