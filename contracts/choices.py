"""Kinds, states and other fixed choices of customers and contracts (SPEC CUS, CON)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.approvals import StepStatus  # noqa: F401  (re-exported: contracts.choices.StepStatus)


class ContractKind(models.TextChoices):
    """Art. 0: 协议、合约、契约、订单、确认书 are all contracts."""

    CONTRACT = "contract", _("Contract")
    AGREEMENT = "agreement", _("Agreement")
    COVENANT = "covenant", _("Covenant")
    DEED = "deed", _("Deed")
    ORDER = "order", _("Order")
    CONFIRMATION = "confirmation", _("Confirmation")


class Direction(models.TextChoices):
    SALES = "sales", _("Sales contract with a customer")
    CONSTRUCTION = "construction", _("Construction sub-contract with XXX")


class DraftedBy(models.TextChoices):
    """Art. 2: the draft should be written by us or mainly by us."""

    OURS = "ours", _("Our side")
    MAINLY_OURS = "mainly_ours", _("Mainly our side")
    COUNTERPARTY = "counterparty", _("Counterparty")


class Relation(models.TextChoices):
    """How a contract relates to its parent (arts. 19-22)."""

    SUPPLEMENTARY = "supplementary", _("Supplementary agreement")
    TERMINATION = "termination", _("Termination agreement")


class ContractState(models.TextChoices):
    """One field; the order is the order of the chain (art. 9 and the flow chart)."""

    DRAFT = "draft", _("Draft")
    LEADER_REVIEW = "leader_review", _("Department leader review")
    JOINT_REVIEW = "joint_review", _("Finance and legal review")
    GM_REVIEW = "gm_review", _("General manager review")
    # Art. 3: only a contract whose term is over the limit; after the GM review, before approval.
    LONG_TERM_REVIEW = "long_term_review", _("Long-term contract sign-off")
    APPROVED = "approved", _("Approved, awaiting signature")
    SIGNED = "signed", _("Signed, awaiting registration")
    REGISTERED = "registered", _("Registered, awaiting archiving")
    ARCHIVED = "archived", _("Archived, copies being acknowledged")
    FILED = "filed", _("Filed (copies acknowledged)")
    TERMINATED = "terminated", _("Terminated")
    CANCELLED = "cancelled", _("Withdrawn")


# States in which the contract is in force between the parties (signed and not terminated).
SIGNED_STATES = (ContractState.SIGNED, ContractState.REGISTERED, ContractState.ARCHIVED, ContractState.FILED)
# States during which the approval chain runs.
REVIEW_STATES = (ContractState.LEADER_REVIEW, ContractState.JOINT_REVIEW, ContractState.GM_REVIEW,
                 ContractState.LONG_TERM_REVIEW)


class StepKind(models.TextChoices):
    """Each step of the chain; the approvals first, then the work after approval."""

    LEADER = "leader", _("Department leader review")
    FINANCE = "finance", _("Finance review")
    LEGAL = "legal", _("Legal review")
    GM = "gm", _("General manager approval")
    # Art. 3: the extra, final approval of a long-term contract by the GM or the deputy GM in charge.
    LONG_TERM = "long_term", _("Long-term contract sign-off")
    SIGN = "sign", _("Signing (scan and dates uploaded)")
    REGISTER = "register", _("Registration by the marketing clerk")
    ARCHIVE = "archive", _("Archiving by Administration")
    COPY_FINANCE = "copy_finance", _("Copy received by Finance")
    COPY_MARKETING = "copy_marketing", _("Copy received by Marketing")


APPROVAL_KINDS = (StepKind.LEADER, StepKind.FINANCE, StepKind.LEGAL, StepKind.GM, StepKind.LONG_TERM)


# The statuses of a step are the approval kernel's (org.approvals), shared by every chain.


class Rating(models.TextChoices):
    GOOD = "good", _("Satisfactory")
    CONCERN = "concern", _("Some concerns")
    BAD = "bad", _("Unsatisfactory")


class Conclusion(models.TextChoices):
    PASS = "pass", _("May contract")
    CONDITIONAL = "conditional", _("May contract with precautions")
    FAIL = "fail", _("Do not contract")


# The eight points of art. 8, in the regulation's order: (field name, label).
DUE_DILIGENCE_POINTS = (
    ("subject_qualification", _("Subject qualification")),
    ("credit_standing", _("Credit standing")),
    ("performance_capacity", _("Capacity to perform")),
    ("operating_status", _("Operating status")),
    ("market_demand", _("Market demand")),
    ("product", _("Product")),
    ("service_quality", _("Service quality")),
    ("price", _("Price")),
)


class DeadlineBasis(models.TextChoices):
    """Art. 12: the period for an objection is the statutory, the agreed, or a reasonable one."""

    STATUTORY = "statutory", _("Statutory period")
    AGREED = "agreed", _("Period agreed in the contract")
    REASONABLE = "reasonable", _("Reasonable period (policy)")


class NonPerformanceStatus(models.TextChoices):
    OPEN = "open", _("Objection letter due")
    OBJECTED = "objected", _("Objection letter sent")
    RESOLVED = "resolved", _("Resolved")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Reply due")
    ANSWERED = "answered", _("Answered")


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed by both")
    CANCELLED = "cancelled", _("Cancelled")


class LoanState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved, to be handed out")
    LENT = "lent", _("Lent out")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Refused")
    CANCELLED = "cancelled", _("Withdrawn")


OPEN_LOAN_STATES = (LoanState.REQUESTED, LoanState.APPROVED, LoanState.LENT)


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    NEGOTIATING = "negotiating", _("Negotiating")
    MEDIATION = "mediation", _("Mediation")
    ARBITRATION = "arbitration", _("Arbitration")
    LITIGATION = "litigation", _("Litigation")
    CLOSED = "closed", _("Closed")


# The attachment slot of a contract's draft text (the file the approvers read, CON-6); related documents are "draft".
TEXT_SLOT = "text"
