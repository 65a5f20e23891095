"""Every write of the planning app (re-exported: ``from planning.services import report_file``)."""

from .common import PlanningError
from .plans import plan_approve, plan_create, plan_reject, plan_revise, plan_submit, plan_targets_set
from .reports import missing_reporters, report_comment, report_file, report_reminders_send
from .tenders import (
    tender_cancel,
    tender_create,
    tender_document_add,
    tender_record_result,
    tender_review,
    tender_send_to_review,
    tender_start_contract,
    tender_submit,
    tender_update,
)

__all__ = [
    "PlanningError", "missing_reporters", "plan_approve", "plan_create", "plan_reject", "plan_revise",
    "plan_submit", "plan_targets_set", "report_comment", "report_file", "report_reminders_send", "tender_cancel",
    "tender_create", "tender_document_add", "tender_record_result", "tender_review", "tender_send_to_review",
    "tender_start_contract", "tender_submit", "tender_update",
]
