"""Pages of the receivables app, one module per sub-capability. Thin: records are looked up through the selectors
(unseen → 404), pages and actions are guarded by ``receivables.rules`` (``require_perm``; templates ask the same
rules with ``{% has_perm %}``), the form is parsed, one service is called and its message shown; exports and PDFs
go through the same selectors."""

from .aging import aging_export, aging_view
from .duty import adjustment_decide_view, agreement_upload_view, duty_lift_view, proposal_decide, proposal_list
from .imports import import_confirm_view, import_detail, import_errors_export, import_list, import_template
from .ledger import ledger_export, ledger_view, payout_view
from .projects import project_action, project_detail, project_export, project_list_view, project_register_view
from .statements import statement_action, statement_detail, statement_list, statement_pdf, statement_xlsx

__all__ = [
    "aging_export", "aging_view", "adjustment_decide_view", "agreement_upload_view", "duty_lift_view",
    "proposal_decide", "proposal_list", "import_confirm_view", "import_detail", "import_errors_export", "import_list",
    "import_template", "ledger_export", "ledger_view", "payout_view", "project_action", "project_detail",
    "project_export", "project_list_view", "project_register_view", "statement_action", "statement_detail",
    "statement_list", "statement_pdf", "statement_xlsx",
]
