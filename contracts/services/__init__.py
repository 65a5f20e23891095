"""Every write of customers and contracts (SPEC CUS, CON), one module per capability.

Each service takes keyword-only arguments, runs in one transaction, locks the row it changes
(``select_for_update``), asks ``contracts.rules`` who may act, checks the transition, raises
``ValidationError`` (translated into the user's language) when anything is wrong — in which case nothing is
stored — and sends notifications and the ``contract_state_changed`` signal only after the commit. Every
service that acts for someone is decorated with ``marketing_portal.audit.audited`` so the history names them.

Other apps import from here (``from contracts.services import contract_create``); the modules are:
``customers`` (CUS-1, CUS-2), ``templates`` (CON-2), ``drafting`` (CON-1…5, CON-11), ``steps`` (the chain's
machinery), ``approval`` (CON-6),
``review`` (the draft text, the route, withdrawing a submission), ``archive`` (signing, registration, archive,
copies: CON-6, CON-7),
``performance`` (CON-8), ``handover`` (CON-9), ``loans`` (CON-10), ``disputes`` (CON-12), ``reminders``.
"""

from .approval import contract_approve, contract_reject
from .archive import (
    archive_series,
    contract_acknowledge_copy,
    contract_archive,
    contract_register,
    contract_sign,
    next_archive_number,
)
from .common import WorkflowError
from .customers import (
    customer_contact_add,
    customer_contact_retire,
    customer_create,
    customer_update,
    due_diligence_record,
)
from .disputes import dispute_open, dispute_update
from .drafting import (
    apply_submission_flags,
    contract_amendment_create,
    contract_create,
    contract_draft_file_add,
    contract_submit,
    contract_update,
    contract_withdraw,
    is_long_term,
    legal_may_be_waived,
    submission_problems,
)
from .handover import handler_change_cancel, handler_change_confirm, handler_change_start
from .loans import loan_approvers, loan_cancel, loan_decide, loan_hand_out, loan_keepers, loan_request, loan_return
from .performance import (
    inability_report,
    milestone_complete,
    milestone_record,
    non_performance_flag,
    non_performance_object,
    non_performance_resolve,
    objection_answer,
    objection_receive,
)
from .reminders import reminders_send
from .review import contract_recall, contract_route, contract_text_add
from .templates import template_create, template_version_add

__all__ = [
    "WorkflowError", "apply_submission_flags", "archive_series",
    "contract_acknowledge_copy", "contract_amendment_create", "contract_approve",
    "contract_archive", "contract_create", "contract_draft_file_add", "contract_register", "contract_reject",
    "contract_recall", "contract_route",
    "contract_sign", "contract_submit", "contract_text_add", "contract_update", "contract_withdraw",
    "customer_contact_add",
    "customer_contact_retire", "customer_create", "customer_update", "dispute_open", "dispute_update",
    "due_diligence_record", "handler_change_cancel", "handler_change_confirm", "handler_change_start",
    "inability_report", "is_long_term", "legal_may_be_waived", "loan_approvers", "loan_cancel", "loan_decide",
    "loan_hand_out", "loan_keepers", "loan_request", "loan_return", "milestone_complete", "milestone_record",
    "next_archive_number", "non_performance_flag", "non_performance_object", "non_performance_resolve",
    "objection_answer", "objection_receive", "reminders_send", "submission_problems", "template_create",
    "template_version_add",
]
