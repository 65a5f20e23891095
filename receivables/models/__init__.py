"""Projects, acceptance, invoices and receipts, retention, the commission ledger and its consequences (SPEC RCV).

Invariants that must hold whatever code writes the rows are database constraints: one project per sales
contract, unique invoice numbers and bank references, positive amounts, one ledger entry per rule event
(project, stage/kind/step key, revision) — the sweep's idempotency backstop —, one reversal per entry, one
proposal per cause, one compensation agreement per stage. Ledger entries are append-only: the model refuses
updates and deletes, and a database trigger (migration 0002) refuses them from any other code as well.
Writes go through ``receivables.services``.
"""

from .commission import (
    AdjustmentRequest,
    CommissionEntry,
    CompensationAgreement,
    DutyProposal,
    EntryQuerySet,
    Payout,
)
from .projects import (
    STAGE_CHOICES,
    SUSPENSION_CHOICES,
    SWEEP_FIELDS,
    ZERO,
    Acceptance,
    ImportBatch,
    Invoice,
    OwnerHandover,
    Project,
    Receipt,
    RetentionStatement,
)

__all__ = [
    "STAGE_CHOICES", "SUSPENSION_CHOICES", "SWEEP_FIELDS", "ZERO", "Acceptance", "AdjustmentRequest", "CommissionEntry",
    "CompensationAgreement", "DutyProposal", "EntryQuerySet", "ImportBatch", "Invoice", "OwnerHandover", "Payout",
    "Project", "Receipt", "RetentionStatement",
]
