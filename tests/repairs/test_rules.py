"""repairs.rules: who may do what with a ticket, as a table of (person, record, action) → allowed.

A new rule is one row. Tickets are built through the services along the flow chart (``tests/repairs/conftest``);
the people are the demo organisation's logins (README.md). A technician assigned elsewhere, a salesperson or a
head of another department never passes a step that is not theirs; the state decides "not now".
"""

import pytest

pytestmark = pytest.mark.django_db


def _analysis(rep):
    ticket = rep.onsite()
    rep.report(ticket, solved=False)
    ticket.refresh_from_db()
    return ticket


def _escalated(rep):
    from repairs.services import analysis_decide

    ticket = _analysis(rep)
    analysis_decide(by=rep.u("repair_supervisor"), ticket_id=ticket.pk, escalate=True, report="本部门无解决方案")
    ticket.refresh_from_db()
    return ticket


RECORDS = {
    None: lambda rep: None,
    "new": lambda rep: rep.ticket(),
    "assigned": lambda rep: rep.assigned(),
    "on-site pending": lambda rep: rep.responded(),
    "issued sheet": lambda rep: rep.dispatched().sheets.get(state="issued"),
    "on site": lambda rep: rep.onsite(),
    "analysis": _analysis,
    "escalated": _escalated,
    "resolved": lambda rep: rep.resolved(),
    "resolved complaint": lambda rep: rep.resolved(category="complaint"),
    "new complaint": lambda rep: rep.ticket(category="complaint"),
    "archived": lambda rep: rep.archived(),
}

# (person, record, permission, allowed)
TABLE = [
    # Everyone with a part in the desk uses it; Finance and XXX have nothing to do there.
    ("cs", None, "use_repairs", True),
    ("tech_repair", None, "use_repairs", True),
    ("sales_hb", None, "use_repairs", True),
    ("finance", None, "use_repairs", False),
    ("xxx_estimator", None, "use_repairs", False),
    # REP-1: the specialist registers; salespeople relay a customer's call (销售人员维修告知).
    ("cs", None, "register_ticket", True),
    ("sales_hb", None, "register_ticket", False),
    ("tech_repair", None, "register_ticket", False),
    ("sales_hb", None, "relay_ticket", True),
    ("rm_hb", None, "relay_ticket", True),
    ("tech_repair", None, "relay_ticket", False),
    ("cs", None, "record_equipment", True),
    ("tech_repair", None, "record_equipment", False),
    # REP-2: assignment by the specialist while the ticket is new or assigned.
    ("cs", "new", "assign_ticket", True),
    ("cs", "assigned", "assign_ticket", True),
    ("cs", "on site", "assign_ticket", False),
    ("repair_supervisor", "new", "assign_ticket", False),
    # REP-3/4: only the assigned technician records the call back, and only while assigned.
    ("tech_repair", "assigned", "respond_ticket", True),
    ("tech_rnd", "assigned", "respond_ticket", False),
    ("cs", "assigned", "respond_ticket", False),
    ("tech_repair", "new", "respond_ticket", False),
    ("cs", "on-site pending", "schedule_ticket", True),
    ("cs", "assigned", "schedule_ticket", False),
    # REP-5: the liaison sheet goes to the department by warranty scope; its head (or one of its technicians) takes it.
    ("repair_supervisor", "issued sheet", "accept_sheet", True),
    ("tech_repair", "issued sheet", "accept_sheet", True),
    ("rnd_head", "issued sheet", "accept_sheet", False),
    ("tech_rnd", "issued sheet", "accept_sheet", False),
    ("repair_supervisor", "issued sheet", "staff_sheet", True),
    ("tech_repair", "issued sheet", "staff_sheet", False),
    # REP-6: the feedback sheet is reported by a technician of the visit under way.
    ("tech_repair", "on site", "report_ticket", True),
    ("tech_rnd", "on site", "report_ticket", False),
    ("cs", "on site", "report_ticket", False),
    ("tech_repair", "resolved", "report_ticket", False),
    # REP-7: the department head decides after a failed visit; the GM's Office resolves an escalation.
    ("repair_supervisor", "analysis", "decide_ticket", True),
    ("rnd_head", "analysis", "decide_ticket", False),
    ("tech_repair", "analysis", "decide_ticket", False),
    ("deputy_gm", "escalated", "resolve_ticket", True),
    ("gm", "escalated", "resolve_ticket", True),
    ("repair_supervisor", "escalated", "resolve_ticket", False),
    ("deputy_gm", "analysis", "resolve_ticket", False),
    # REP-8: return call by the specialist (complaints are answered instead); the supervisor signs the archive.
    ("cs", "resolved", "call_back_ticket", True),
    ("cs", "resolved complaint", "call_back_ticket", False),
    ("cs", "on site", "call_back_ticket", False),
    ("tech_repair", "resolved", "call_back_ticket", False),
    ("cs", "new complaint", "answer_ticket", True),
    ("cs", "new", "answer_ticket", False),
    ("sales_hb", "new complaint", "answer_ticket", False),
    ("repair_supervisor", "archived", "sign_ticket", True),
    ("cs", "archived", "sign_ticket", False),
    ("repair_supervisor", "resolved", "sign_ticket", False),
    ("cs", "new", "cancel_ticket", True),
    ("cs", "on site", "cancel_ticket", False),
    ("tech_repair", "new", "cancel_ticket", False),
    # REP-9: metrics for the desk, the heads and leadership, not for technicians or salespeople.
    ("repair_supervisor", None, "see_metrics", True),
    ("director", None, "see_metrics", True),
    ("tech_repair", None, "see_metrics", False),
    ("sales_hb", None, "see_metrics", False),
]


@pytest.mark.parametrize(("username", "record", "perm", "allowed"), TABLE,
                         ids=[f"{u}-{r}-{p}" for u, r, p, _ in TABLE])
def test_rules_table(rep, username, record, perm, allowed):
    obj = RECORDS[record](rep)
    assert rep.u(username).has_perm(f"repairs.{perm}", obj) is allowed


def test_every_repairs_permission_has_a_row():
    import rules

    declared = {name.split(".", 1)[1] for name in rules.permissions.permissions if name.startswith("repairs.")}
    assert declared == {perm for _, _, perm, _ in TABLE}
