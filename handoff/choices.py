"""States and fixed choices of the hand-off to XXX (SPEC HND)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoffState(models.TextChoices):
    """One field on the hand-off; the order is the order of the regulation's five articles."""

    COSTING = "costing", _("Waiting for XXX costing")
    REVIEW = "review", _("Waiting for Finance review")
    NEGOTIATION = "negotiation", _("Negotiation and Marketing decision")
    CONTRACTING = "contracting", _("Construction contract in approval")
    COMPLETED = "completed", _("Completed (construction contract signed)")
    CANCELLED = "cancelled", _("Withdrawn")


# A hand-off in one of these states holds its order line: a second liaison sheet for it is refused.
ACTIVE_STATES = (HandoffState.COSTING, HandoffState.REVIEW, HandoffState.NEGOTIATION, HandoffState.CONTRACTING,
                 HandoffState.COMPLETED)
# Marketing may withdraw a sheet until the construction contract exists.
CANCELLABLE_STATES = (HandoffState.COSTING, HandoffState.REVIEW, HandoffState.NEGOTIATION)


class CostingState(models.TextChoices):
    OPEN = "open", _("Being costed by XXX")
    SUBMITTED = "submitted", _("Submitted, in Finance review")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Reviewed, amount suggested")
    CANCELLED = "cancelled", _("Closed (hand-off withdrawn)")


# A hand-off has at most one costing in these states at a time.
LIVE_COSTING_STATES = (CostingState.OPEN, CostingState.SUBMITTED)


class CostCategory(models.TextChoices):
    """The usual heads of a Chinese construction cost estimate (工程造价)."""

    MATERIAL = "material", _("Materials")
    LABOUR = "labour", _("Labour")
    MACHINERY = "machinery", _("Machinery")
    SUBCONTRACT = "subcontract", _("Sub-contracted work")
    MEASURES = "measures", _("Site measures")
    MANAGEMENT = "management", _("Management fee")
    TAX = "tax", _("Taxes and fees")
    OTHER = "other", _("Other")


class Party(models.TextChoices):
    """The parties of a hand-off, for negotiation rounds and on-time rates."""

    MARKETING = "marketing", _("Marketing Center")
    XXX = "xxx", _("XXX")
    FINANCE = "finance", _("Finance Center")


class DecisionState(models.TextChoices):
    CURRENT = "current", _("In force")
    SUPERSEDED = "superseded", _("Superseded (construction contract withdrawn)")
