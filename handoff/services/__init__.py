"""Every write of the hand-off to XXX (SPEC HND-1...6), one module per step: ``sheets`` (HND-1), ``costing``
(HND-2, 3), ``decisions`` (HND-4, 5), ``reminders`` (HND-6).

Each service takes keyword-only arguments, runs in one transaction, locks the hand-off row it changes
(``select_for_update``), checks the state and who acts (delegation through ``org.selectors.acting_for``),
raises a translated ``ValidationError`` when anything is wrong — in which case nothing is stored — and
sends notifications after the commit. ``now`` exists for tests and demo data (the moment the event
happened); pages never pass it.

Deadlines (CAL-3): XXX's costing is due ``period_end(received, days=policy.handoff_costing_days)`` and
Finance's review ``period_end(submitted, days=policy.handoff_review_days)``, with dates taken in
Asia/Shanghai; each period stores the policy version it used. A return for revision opens the next
costing version, whose period starts on the return date.

Reminders (``deadlines_sweep``, run hourly by Celery beat): on the due day at the policy's hours
(default 09:00 and 15:00 Beijing time) the party that must act is reminded; once the due day has ended
the late party's head and the Marketing Director (and the party itself) are alerted. Each notice has its
own key (hand-off costing version, stage, kind), so it is sent once however often the sweep runs.
"""

from ._common import HandoffError
from .costing import clean_cost_lines, costing_return, costing_submit, costing_suggest
from .decisions import (
    construction_contract_changed,
    construction_template_version,
    handoff_decide,
    negotiation_record,
    on_contract_state_changed,
)
from .reminders import deadlines_sweep
from .sheets import SHEET_NUMBER, SHEET_SERIES, handoff_attach, handoff_cancel, handoff_create, raise_problems

__all__ = [
    "HandoffError", "clean_cost_lines", "costing_return", "costing_submit", "costing_suggest",
    "construction_contract_changed", "construction_template_version", "handoff_decide", "negotiation_record",
    "on_contract_state_changed", "deadlines_sweep", "SHEET_NUMBER", "SHEET_SERIES", "handoff_attach",
    "handoff_cancel", "handoff_create", "raise_problems",
]
