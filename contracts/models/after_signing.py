"""After signing (SPEC CON-8…12): milestones, non-performance, objections, inability, hand-overs, loans
of originals, disputes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    OPEN_LOAN_STATES,
    DeadlineBasis,
    DisputeStatus,
    HandoverStatus,
    LoanState,
    NonPerformanceStatus,
    ObjectionStatus,
)
from .contracts import Contract

User = settings.AUTH_USER_MODEL


class Milestone(models.Model):
    """A performance milestone the handler records (art. 11)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="milestones",
                                 verbose_name=_("contract"))
    title = models.CharField(_("milestone"), max_length=120)
    due_on = models.DateField(_("planned date"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "due_on", "pk"]
        verbose_name = _("performance milestone")
        verbose_name_plural = _("performance milestones")

    def __str__(self):
        return self.title


class NonPerformance(models.Model):
    """Non-performance by the counterparty flagged by any staff member (art. 12).

    The handler must send a written objection by ``objection_due_on`` (statutory, agreed or the
    policy's reasonable period) and record it.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="non_performances",
                                 verbose_name=_("contract"))
    noticed_on = models.DateField(_("noticed on"))
    description = models.TextField(_("what was not performed"))
    deadline_basis = models.CharField(_("deadline basis"), max_length=12, choices=DeadlineBasis.choices)
    objection_due_on = models.DateField(_("objection letter due"))
    policy_version = models.PositiveIntegerField(_("policy version"))
    status = models.CharField(_("status"), max_length=10, choices=NonPerformanceStatus.choices,
                              default=NonPerformanceStatus.OPEN)
    objection_sent_on = models.DateField(_("objection letter sent on"), null=True, blank=True)
    objection_text = models.TextField(_("objection letter"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    flagged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("flagged by"))
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-noticed_on", "-pk"]
        verbose_name = _("non-performance")
        verbose_name_plural = _("non-performances")
        constraints = [
            models.CheckConstraint(condition=Q(objection_due_on__gte=F("noticed_on")),
                                   name="nonperformance_due_after_notice"),
            models.CheckConstraint(condition=Q(status=NonPerformanceStatus.OPEN) | Q(objection_sent_on__isnull=False)
                                   | Q(status=NonPerformanceStatus.RESOLVED), name="nonperformance_objection_dated"),
        ]

    def __str__(self):
        return _("Non-performance of %(contract)s") % {"contract": self.contract}


class IncomingObjection(models.Model):
    """An objection received from the counterparty; the handler answers within its deadline (art. 12)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="incoming_objections",
                                 verbose_name=_("contract"))
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("objection"))
    deadline_basis = models.CharField(_("deadline basis"), max_length=12, choices=DeadlineBasis.choices)
    reply_due_on = models.DateField(_("reply due"))
    policy_version = models.PositiveIntegerField(_("policy version"))
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("objection received")
        verbose_name_plural = _("objections received")
        constraints = [
            models.CheckConstraint(condition=Q(reply_due_on__gte=F("received_on")), name="objection_due_after_receipt"),
            models.CheckConstraint(condition=Q(status=ObjectionStatus.OPEN) | Q(replied_on__isnull=False),
                                   name="objection_answer_dated"),
        ]

    def __str__(self):
        return _("Objection to %(contract)s") % {"contract": self.contract}


class InabilityReport(models.Model):
    """Our side cannot perform (art. 13): reported to the department and the counterparty told the same day."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="inability_reports",
                                 verbose_name=_("contract"))
    occurred_on = models.DateField(_("became known on"))
    description = models.TextField(_("what cannot be performed"))
    remedy_plan = models.TextField(_("remedy plan"))
    counterparty_notified_on = models.DateField(_("counterparty notified on"))
    notified_how = models.CharField(_("how the counterparty was notified"), max_length=120)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("inability report")
        verbose_name_plural = _("inability reports")
        constraints = [
            models.CheckConstraint(condition=Q(counterparty_notified_on__gte=F("occurred_on")),
                                   name="inability_notified_after_known"),
        ]

    def __str__(self):
        return _("Inability to perform %(contract)s") % {"contract": self.contract}

    @property
    def notified_same_day(self) -> bool:
        return self.counterparty_notified_on == self.occurred_on


class HandlerChange(models.Model):
    """Hand-over between handlers (art. 14): open items listed, both confirm, then the handler changes."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="handler_changes",
                                 verbose_name=_("contract"))
    from_handler = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("handing over"))
    to_handler = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("taking over"))
    reason = models.CharField(_("reason"), max_length=200)
    open_items = models.TextField(_("open items"))
    status = models.CharField(_("status"), max_length=10, choices=HandoverStatus.choices,
                              default=HandoverStatus.PENDING)
    from_confirmed_at = models.DateTimeField(_("confirmed by the previous handler"), null=True, blank=True)
    to_confirmed_at = models.DateTimeField(_("confirmed by the new handler"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("arranged by"))
    created_at = models.DateTimeField(_("arranged at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("handler hand-over")
        verbose_name_plural = _("handler hand-overs")
        constraints = [
            models.CheckConstraint(condition=~Q(from_handler=F("to_handler")), name="handover_to_someone_else"),
            models.UniqueConstraint(fields=["contract"], condition=Q(status=HandoverStatus.PENDING),
                                    name="handover_one_pending_per_contract"),
        ]

    def __str__(self):
        return _("Hand-over of %(contract)s") % {"contract": self.contract}


class Loan(models.Model):
    """Borrowing of a contract original (art. 18): request → approval → lent → returned; one open loan."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="loans", verbose_name=_("contract"))
    borrower = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("borrower"))
    purpose = models.CharField(_("purpose"), max_length=200)
    return_due_on = models.DateField(_("to be returned by"))
    state = models.CharField(_("state"), max_length=10, choices=LoanState.choices, default=LoanState.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("approved or refused by"))
    decided_on_behalf_of = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+", verbose_name=_("on behalf of"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.CharField(_("comment"), max_length=200, blank=True)
    lent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("handed out by"))
    lent_at = models.DateTimeField(_("handed out at"), null=True, blank=True)
    returned_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("received back by"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("loan of an original")
        verbose_name_plural = _("loans of originals")
        constraints = [
            models.UniqueConstraint(fields=["contract"], condition=Q(state__in=OPEN_LOAN_STATES),
                                    name="loan_one_open_per_original"),
            models.CheckConstraint(condition=~Q(state=LoanState.LENT) | Q(lent_at__isnull=False),
                                   name="loan_lent_has_time"),
            models.CheckConstraint(condition=~Q(state=LoanState.RETURNED) | Q(returned_at__isnull=False),
                                   name="loan_returned_has_time"),
        ]

    def __str__(self):
        return _("Loan of %(contract)s") % {"contract": self.contract}


class Dispute(models.Model):
    """A contract dispute (art. 23): prompt handling, negotiation first, protect the company's lawful rights."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="disputes",
                                 verbose_name=_("contract"))
    opened_on = models.DateField(_("arose on"))
    subject = models.CharField(_("subject"), max_length=150)
    description = models.TextField(_("description"))
    our_position = models.TextField(_("our position and lawful rights to protect"), blank=True)
    negotiation_log = models.TextField(_("negotiation record"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DisputeStatus.CLOSED) | Q(closed_on__isnull=False) & ~Q(outcome=""),
                name="dispute_closed_has_outcome",
            ),
        ]

    def __str__(self):
        return self.subject
