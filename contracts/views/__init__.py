"""Pages of customers and contracts, one module per part. Thin: records are looked up through the selectors
(unseen → 404), a page or an action that the user may not use at all answers 404 (``contracts.rules``), the form
is parsed and one service called, whose refusal is shown in the user's language."""

from .actions import contract_action
from .contracts import (
    amendment_create_view,
    contract_create_view,
    contract_edit_view,
    contract_list_view,
    register_export,
)
from .customers import (
    customer_contact_add_view,
    customer_contact_retire_view,
    customer_create_view,
    customer_detail,
    customer_edit_view,
    customer_export,
    customer_list,
    due_diligence_create_view,
    due_diligence_detail,
)
from .detail import contract_detail
from .outputs import approval_form_pdf, archive_label_pdf
from .templates import template_detail, template_list

__all__ = [
    "amendment_create_view", "approval_form_pdf", "archive_label_pdf", "contract_action", "contract_create_view",
    "contract_detail", "contract_edit_view", "contract_list_view", "customer_contact_add_view",
    "customer_contact_retire_view", "customer_create_view", "customer_detail", "customer_edit_view", "customer_export",
    "customer_list",
    "due_diligence_create_view", "due_diligence_detail", "register_export", "template_detail", "template_list",
]
