"""States and kinds of projects, the commission ledger and the records around them (SPEC RCV)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStage(models.TextChoices):
    """Where a project's money stands; derived from its dates and amounts by the services (never typed in)."""

    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("Awaiting acceptance")
    INVOICING = "invoicing", _("To be invoiced")
    COLLECTING = "collecting", _("Being collected")
    WARRANTY = "warranty", _("Collected, retention under warranty")
    RETENTION = "retention", _("Retention being collected")
    SETTLED = "settled", _("Settled")


OPEN_STAGES = (ProjectStage.INVOICING, ProjectStage.COLLECTING, ProjectStage.WARRANTY, ProjectStage.RETENTION)


class EntryKind(models.TextChoices):
    """Commission ledger entries (RCV-9). Amounts are signed: what the owner is owed goes up (+) or down (-)."""

    BASE = "base", _("Base commission")
    BASE_CHANGE = "base_change", _("Commission base or rate changed")
    DEDUCTION = "deduction", _("Deduction")
    FORFEITURE = "forfeiture", _("Forfeiture")
    REVERSAL = "reversal", _("Reversal")
    ADJUSTMENT = "adjustment", _("Approved manual adjustment")
    TRANSFER_OUT = "transfer_out", _("Handed over to the new owner")
    TRANSFER_IN = "transfer_in", _("Taken over from the previous owner")
    PAYOUT = "payout", _("Payout")
    CLAWBACK = "clawback", _("Claw-back from a payout")


RULE_KINDS = (EntryKind.DEDUCTION, EntryKind.FORFEITURE)


class ProposalKind(models.TextChoices):
    IMPOSE = "impose", _("Put on collection-only duty")
    LIFT = "lift", _("Lift collection-only duty")


class ProposalState(models.TextChoices):
    PENDING = "pending", _("Waiting for the Marketing Director")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn (cause no longer applies)")


class AgreementState(models.TextChoices):
    REQUIRED = "required", _("Required, not yet signed")
    SIGNED = "signed", _("Signed and uploaded")
    CANCELLED = "cancelled", _("No longer required")


class StatementState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted, to be issued by Finance")
    ISSUED = "issued", _("Issued to Marketing, owner to be notified")
    NOTIFIED = "notified", _("Owner notified")


class AdjustmentState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved and posted")
    REJECTED = "rejected", _("Rejected")


class ImportKind(models.TextChoices):
    BANK = "bank", _("Bank statement (receipts)")
    ACCOUNTING = "accounting", _("Accounting export (invoices and receipts)")


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    REJECTED = "rejected", _("Has errors, nothing imported")
    IMPORTED = "imported", _("Imported")


class RowKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    RECEIPT = "receipt", _("Receipt")


# Aging buckets of RCV-13: (label, lowest day, highest day or None).
AGING_BUCKETS = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    (">365", 366, None),
)
