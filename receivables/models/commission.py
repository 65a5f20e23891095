"""The commission ledger and what bears on it: adjustments, payouts, duty proposals and compensation agreements
(RCV-4, 5, 8, 9)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    AdjustmentState,
    AgreementState,
    EntryKind,
    ProposalKind,
    ProposalState,
)
from .projects import STAGE_CHOICES, OwnerHandover, Project, User


class AdjustmentRequest(models.Model):
    """A manual change of an owner's commission (RCV-9): requested with a reason, approved by the Director."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="adjustments",
                                verbose_name=_("project"))
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    amount = models.DecimalField(_("amount (yuan, + adds, - takes away)"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=AdjustmentState.choices,
                             default=AdjustmentState.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("on behalf of"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.CharField(_("comment"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("commission adjustment")
        verbose_name_plural = _("commission adjustments")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(state=AdjustmentState.REJECTED) | ~Q(decision_comment=""),
                                   name="adjustment_rejection_has_comment"),
        ]

    def __str__(self):
        return f"{self.project}: {self.amount}"


class Payout(models.Model):
    """Commission paid to an owner (RCV-9); claw-backs of deductions that arrived after an earlier payout are
    recovered from it (``recovered``), so ``net`` is what the owner actually receives."""

    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="commission_payouts",
                              verbose_name=_("owner"))
    paid_on = models.DateField(_("paid on"))
    gross = models.DecimalField(_("commission paid"), max_digits=14, decimal_places=2)
    recovered = models.DecimalField(_("recovered (claw-back)"), max_digits=14, decimal_places=2)
    net = models.DecimalField(_("net paid"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("commission payout")
        verbose_name_plural = _("commission payouts")
        constraints = [
            models.CheckConstraint(condition=Q(net=F("gross") - F("recovered")), name="payout_net_is_gross_less"),
            models.CheckConstraint(condition=Q(net__gt=0, recovered__gte=0), name="payout_positive"),
        ]

    def __str__(self):
        return f"{self.owner} {self.paid_on} {self.net}"


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Commission ledger entries cannot be changed; append a reversing entry instead."))

    def delete(self):
        raise ValidationError(_("Commission ledger entries cannot be deleted; append a reversing entry instead."))


class CommissionEntry(models.Model):
    """One append-only line of the commission ledger per project and owner (RCV-9).

    Rule entries (deduction, forfeiture) carry the rules core's event: ``key`` (stage:kind:step), stage, step,
    the rule date as ``entry_date`` and the policy version. ``(project, key, revision)`` is unique: a sweep that
    runs twice, or in two processes at once, cannot post the same rule twice. An entry that is no longer due
    (an invoice or receipt entered late with an earlier date) is never changed: a reversal entry cancels it,
    and a later event with the same key becomes revision 1. Balances are sums of ``amount``.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="entries", verbose_name=_("project"))
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="commission_entries",
                              verbose_name=_("owner"))
    kind = models.CharField(_("kind"), max_length=14, choices=EntryKind.choices)
    key = models.CharField(_("rule key"), max_length=40, blank=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    entry_date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    percent = models.DecimalField(_("share of the commission (%)"), max_digits=5, decimal_places=2, null=True,
                                  blank=True)
    commission = models.DecimalField(_("commission the share applies to"), max_digits=14, decimal_places=2,
                                     null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=STAGE_CHOICES, blank=True)
    step = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", verbose_name=_("reverses"))
    payout = models.ForeignKey(Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
                               verbose_name=_("payout"))
    adjustment = models.OneToOneField(AdjustmentRequest, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="entry", verbose_name=_("adjustment"))
    handover = models.ForeignKey(OwnerHandover, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="entries", verbose_name=_("hand-over"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("posted by"))
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["project", "entry_date", "pk"]
        verbose_name = _("commission ledger entry")
        verbose_name_plural = _("commission ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["project", "key", "revision"], condition=~Q(key=""),
                                    name="commission_entry_rule_once"),
            models.CheckConstraint(condition=~Q(kind__in=["deduction", "forfeiture"]) | ~Q(key=""),
                                   name="commission_rule_entry_has_key"),
            models.CheckConstraint(condition=Q(kind=EntryKind.REVERSAL, reverses__isnull=False)
                                   | ~Q(kind=EntryKind.REVERSAL) & Q(reverses__isnull=True),
                                   name="commission_reversal_names_entry"),
            models.CheckConstraint(condition=Q(percent__isnull=True) | Q(percent__gte=-100, percent__lte=100),
                                   name="commission_percent_range"),
        ]
        indexes = [
            models.Index(fields=["owner", "entry_date"]),
            models.Index(fields=["project", "owner"]),
        ]

    def __str__(self):
        return f"{self.project} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("Commission ledger entries cannot be changed; append a reversing entry instead."))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.project.get_absolute_url() + "#ledger"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Commission ledger entries cannot be deleted; append a reversing entry instead."))


class DutyProposal(models.Model):
    """A proposal to put a person on collection-only duty or to lift it (RCV-4, RCV-5, RCV-8).

    RCV-4 (``may_suspend``): the system proposes, the Marketing Director confirms or declines with a reason.
    RCV-5 (``suspension``): mandatory — recorded as confirmed by the system at once (``mandatory``).
    Lifting: proposed by the sweep when the causes are cleared; the Director decides.
    """

    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="duty_proposals",
                               verbose_name=_("person"))
    kind = models.CharField(_("proposal"), max_length=8, choices=ProposalKind.choices)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="duty_proposals", verbose_name=_("project (cause)"))
    cause_key = models.CharField(_("cause"), max_length=40, blank=True)
    cause_date = models.DateField(_("cause arose on"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PENDING)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("on behalf of"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("collection-only duty proposal")
        verbose_name_plural = _("collection-only duty proposals")
        constraints = [
            models.UniqueConstraint(fields=["project", "cause_key"], condition=Q(kind="impose"),
                                    name="duty_proposal_once_per_cause"),
            models.UniqueConstraint(fields=["person"], condition=Q(kind="lift", state="pending"),
                                    name="duty_lift_one_pending"),
            models.CheckConstraint(condition=~Q(state=ProposalState.DECLINED) | ~Q(decision_reason=""),
                                   name="duty_decline_has_reason"),
        ]
        # The director's "my work": the pending proposals, oldest first (the first five, then joined).
        indexes = [models.Index(fields=["created_at"], condition=Q(state=ProposalState.PENDING),
                                name="duty_proposal_pending_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person}"

    def get_absolute_url(self):
        return reverse("receivables:proposal-list") + f"#proposal-{self.pk}"


class CompensationAgreement(models.Model):
    """RCV-5 / RCV-6: not invoiced or collected 12 months on — a compensation agreement (赔偿协议) with the owner,
    tracked until it is signed and its scan uploaded (attachment slot ``agreement``)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="agreements",
                                verbose_name=_("project"))
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales owner"))
    stage = models.CharField(_("stage"), max_length=12, choices=STAGE_CHOICES)
    required_on = models.DateField(_("required since"))
    state = models.CharField(_("state"), max_length=10, choices=AgreementState.choices,
                             default=AgreementState.REQUIRED)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-required_on", "-pk"]
        verbose_name = _("compensation agreement")
        verbose_name_plural = _("compensation agreements")
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="agreement_once_per_stage"),
            models.CheckConstraint(condition=~Q(state=AgreementState.SIGNED)
                                   | Q(signed_on__isnull=False, uploaded_at__isnull=False),
                                   name="agreement_signed_has_date_and_scan"),
        ]

    def __str__(self):
        return _("Compensation agreement: %(project)s") % {"project": self.project}

    def get_absolute_url(self):
        return self.project.get_absolute_url() + "#agreements"
