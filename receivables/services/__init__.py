"""Every write of the receivables app (SPEC RCV-1 … RCV-13), one module per sub-capability.

Each service takes keyword-only arguments, runs in one transaction, locks the project row it changes
(``select_for_update``), checks who acts (``receivables.rules``) and the transition, raises a ``ValidationError``
in the acting user's language — in which case nothing is stored — and brings the project up to date with
``engine.project_refresh`` before it commits, so the page shows the new deadlines and ledger at once. What it
stores in records (history comments, ledger reasons, notices) is written in the portal's language
(``stored_texts``). E-mails go out after the commit (``notify``).
"""

from ._common import ReceivablesError, stored_texts
from .acceptance import acceptance_acknowledge, acceptance_submit
from .commission import adjustment_decide, adjustment_request, commission_payout, payable_for
from .duty import agreement_upload, duty_lift, duty_proposal_decide
from .invoicing import invoice_problems, invoice_record, project_recompute, receipt_problems, receipt_record
from .projects import (
    project_commission_change,
    project_follow_handler_change,
    project_open_on_signing,
    project_reassign,
    project_register,
)
from .retention import statement_issue, statement_notify_owner

__all__ = [
    "ReceivablesError", "stored_texts", "project_register", "project_commission_change", "project_reassign",
    "project_follow_handler_change", "project_open_on_signing", "acceptance_submit", "acceptance_acknowledge",
    "invoice_problems",
    "receipt_problems", "invoice_record", "receipt_record", "project_recompute", "statement_issue",
    "statement_notify_owner", "duty_proposal_decide", "duty_lift", "agreement_upload", "adjustment_request",
    "adjustment_decide", "payable_for", "commission_payout",
]
