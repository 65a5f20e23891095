"""Pages of the hand-off to XXX, one module per part. Thin: records are looked up through the selectors (unseen →
404), pages and steps are guarded by ``handoff.rules`` (templates ask the same rules with ``{% has_perm %}``), the
form is parsed, one service is called, its message is shown; on bad input the page comes back with everything
the user typed."""

from .actions import attach_view, cancel_view, costing_view, decide_view, review_view, round_view
from .dashboard import dashboard, dashboard_export
from .detail import handoff_detail, sheet_pdf
from .register import handoff_create_view, handoff_export, handoff_list_view, orders_view

__all__ = [
    "attach_view", "cancel_view", "costing_view", "decide_view", "review_view", "round_view", "dashboard",
    "dashboard_export", "handoff_detail", "sheet_pdf", "handoff_create_view", "handoff_export", "handoff_list_view",
    "orders_view",
]
