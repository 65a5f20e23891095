"""Every write of the repairs app (SPEC REP-1…10), one module per part of the flow chart.

Each service takes keyword-only arguments, runs in one transaction, locks the ticket (or sheet) row it
changes, checks the state and then the rule of ``repairs/rules.py`` for the person acting (delegation through
``org.selectors.acting_for``), raises ``RepairError`` (a translated ``ValidationError``) when anything is
wrong — nothing is stored then — and sends notices after the commit, each once by key. ``now`` exists for
tests and demo data; pages never pass it.
"""

from .closure import complaint_answer, return_call_record, ticket_sign
from .common import RepairError
from .field import PHOTOS, analysis_decide, escalation_resolve, visit_report
from .intake import (
    equipment_record,
    sheet_accept,
    sheet_issue,
    ticket_assign,
    ticket_cancel,
    ticket_register,
    ticket_respond,
)
from .levels import service_levels_sweep, waiting_on

__all__ = [
    "PHOTOS", "RepairError", "analysis_decide", "complaint_answer", "equipment_record", "escalation_resolve",
    "return_call_record", "service_levels_sweep", "sheet_accept", "sheet_issue", "ticket_assign", "ticket_cancel",
    "ticket_register", "ticket_respond", "ticket_sign", "visit_report", "waiting_on",
]
