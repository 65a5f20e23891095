"""Customers and contracts (SPEC CUS-1...3, CON-1...13).

Invariants that must hold whatever code writes the rows are database constraints: unique customer
names and credit codes, a positive amount, a term that does not end before it starts, the sales /
construction counterparty rule, one step of each kind per version, unique archive numbers (taken gap-free from
``marketing_portal.numbering``, one series per region), at most one open loan per original. Writes go through
``contracts.services``; nothing here is ever hard-deleted once it has left the draft.
"""

from .after_signing import Dispute, HandlerChange, InabilityReport, IncomingObjection, Loan, Milestone, NonPerformance
from .contracts import ApprovalStep, Contract, ContractLine
from .customers import Customer, CustomerContact, DueDiligence, validate_credit_code
from .templates import ContractTemplate, TemplateVersion

__all__ = [
    "ApprovalStep", "Contract", "ContractLine", "ContractTemplate", "Customer", "CustomerContact", "Dispute",
    "DueDiligence", "HandlerChange", "InabilityReport", "IncomingObjection", "Loan", "Milestone", "NonPerformance",
    "TemplateVersion", "validate_credit_code",
]
