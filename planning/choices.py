"""Fixed choices of reports, plans and bids (SPEC RPT-2…4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")


class PlanState(models.TextChoices):
    """The state of one version of a plan."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Awaiting approval")
    APPROVED = "approved", _("Approved, in force")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a later version")


class PlanStepKind(models.TextChoices):
    DIRECTOR = "director", _("Marketing Director approval")
    GM = "gm", _("General manager approval")


class TargetPeriod(models.TextChoices):
    YEAR = "year", _("Annual")
    QUARTER = "quarter", _("Quarterly")
    MONTH = "month", _("Monthly")


class TenderState(models.TextChoices):
    PREPARING = "preparing", _("Preparing the bid documents")
    REVIEW = "review", _("Awaiting review by the Management Manager")
    READY = "ready", _("Reviewed, budget and proposal to be submitted")
    SUBMITTED = "submitted", _("Submitted, awaiting the opening")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TENDER_STATES = (TenderState.PREPARING, TenderState.REVIEW, TenderState.READY, TenderState.SUBMITTED)
CLOSED_TENDER_STATES = (TenderState.WON, TenderState.LOST, TenderState.CANCELLED)


class TenderStepKind(models.TextChoices):
    REVIEW = "review", _("Review of the bid documents, budget and drawings")


class TenderResult(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled by the tendering party")
