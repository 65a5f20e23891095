"""The contract hand-off to the engineering subsidiary XXX (SPEC HND-1...6, 合同对接制度).

A ``Handoff`` is one technical liaison sheet (技术联络单) raised by Marketing on one order line of a
signed sales contract. XXX costs it (``Costing`` with ``CostLine`` rows, 1-day period), Finance reviews
the costing (1-day period) and suggests the project amount or returns it — a return opens the next
costing version and restarts XXX's clock. The parties then negotiate (``NegotiationRound``) and
Marketing decides (``Decision``), which drafts the construction contract in the contracts app; the
hand-off completes when that contract is signed.

Invariants that must hold whatever code writes the rows are database constraints: one active sheet per
order line, one live costing per hand-off, one decision in force, positive amounts, deadlines not before
their start, a reason on every return and withdrawal. Writes go through ``handoff.services``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    ACTIVE_STATES,
    LIVE_COSTING_STATES,
    CostCategory,
    CostingState,
    DecisionState,
    HandoffState,
    Party,
)

User = settings.AUTH_USER_MODEL


class Handoff(models.Model):
    """A technical liaison sheet and everything that follows it, up to the signed construction contract.

    ``state`` is the only state field. The sheet's contents (Party A's requirements) are fixed once it is
    issued: XXX's clock runs from that moment, so a changed requirement means withdrawing the sheet and
    issuing a new one.
    """

    number = models.CharField(_("sheet number"), max_length=20, unique=True, null=True, blank=True)
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="handoffs",
                                 verbose_name=_("sales contract"))
    line = models.ForeignKey("contracts.ContractLine", on_delete=models.PROTECT, related_name="handoffs",
                             verbose_name=_("order line"))
    state = models.CharField(_("state"), max_length=12, choices=HandoffState.choices, default=HandoffState.COSTING,
                             db_index=True)
    # Party A's requirements (HND-1)
    party_a = models.CharField(_("Party A"), max_length=120)
    site = models.CharField(_("site"), max_length=200)
    site_contact = models.CharField(_("site contact and phone"), max_length=100, blank=True)
    requirements = models.TextField(_("Party A's specific requirements"))
    planned_start = models.DateField(_("planned start"))
    planned_finish = models.DateField(_("planned completion"))
    schedule_notes = models.CharField(_("schedule notes"), max_length=300, blank=True)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    # The end of the story
    construction_contract = models.OneToOneField(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="handoff_source",
        verbose_name=_("construction contract"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("withdrawn by"))
    cancel_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(state__in=ACTIVE_STATES),
                                    name="handoff_one_active_sheet_per_line"),
            models.CheckConstraint(condition=Q(planned_finish__gte=F("planned_start")),
                                   name="handoff_finish_after_start"),
            models.CheckConstraint(condition=~Q(state=HandoffState.CANCELLED)
                                   | Q(cancelled_at__isnull=False) & ~Q(cancel_reason=""),
                                   name="handoff_withdrawal_has_reason"),
            models.CheckConstraint(condition=~Q(state__in=[HandoffState.CONTRACTING, HandoffState.COMPLETED])
                                   | Q(construction_contract__isnull=False),
                                   name="handoff_contracting_has_contract"),
            models.CheckConstraint(condition=~Q(state=HandoffState.COMPLETED) | Q(completed_at__isnull=False),
                                   name="handoff_completed_has_time"),
        ]
        indexes = [models.Index(fields=["contract", "state"])]

    def __str__(self):
        return f"{self.number or _('(unnumbered)')} {self.line.description}"

    def get_absolute_url(self):
        return reverse("handoff:detail", args=[self.pk])

    @property
    def title(self) -> str:
        return f"{self.contract.title} · {self.line.description}"

    @property
    def is_open(self) -> bool:
        return self.state not in (HandoffState.COMPLETED, HandoffState.CANCELLED)

    def delete(self, *args, **kwargs):
        # nothing is hard-deleted; a sheet is withdrawn instead (handoff_cancel).
        raise ValidationError(_("Hand-offs are never deleted; withdraw the sheet instead."))


class ScopeItem(models.Model):
    """One scope item of the liaison sheet: what XXX is to build, its specification and quantity."""

    handoff = models.ForeignKey(Handoff, on_delete=models.PROTECT, related_name="scope_items",
                                verbose_name=_("hand-off"))
    position = models.PositiveSmallIntegerField(_("item"), default=1)
    description = models.CharField(_("scope item"), max_length=200)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=12)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["handoff", "position", "pk"]
        verbose_name = _("scope item")
        verbose_name_plural = _("scope items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="scope_item_quantity_positive"),
            models.UniqueConstraint(fields=["handoff", "position"], name="scope_item_position_unique"),
        ]

    def __str__(self):
        return f"{self.description} × {self.quantity.normalize()}{self.unit}"


class Costing(models.Model):
    """One version of XXX's costing (核算工程款) and Finance's review of it.

    It carries two periods, each stored with the policy version that computed it: XXX's (from receipt of
    the sheet, or of the return) and Finance's (from submission). A return closes this version and opens
    the next one with a new XXX period.
    """

    handoff = models.ForeignKey(Handoff, on_delete=models.PROTECT, related_name="costings",
                                verbose_name=_("hand-off"))
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=CostingState.choices, default=CostingState.OPEN)
    # XXX's period (HND-2)
    opened_at = models.DateTimeField(_("received by XXX at"))
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("costing due"))
    policy_version = models.PositiveIntegerField(_("policy version of the costing period"))
    total = models.DecimalField(_("costed total (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    notes = models.TextField(_("costing notes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("submitted on behalf of"))
    # Finance's period (HND-3)
    review_received_on = models.DateField(_("received by Finance on"), null=True, blank=True)
    review_due_on = models.DateField(_("review due"), null=True, blank=True)
    review_policy_version = models.PositiveIntegerField(_("policy version of the review period"), null=True,
                                                        blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("reviewed on behalf of"))
    suggested_amount = models.DecimalField(_("suggested project amount (yuan)"), max_digits=14, decimal_places=2,
                                           null=True, blank=True)
    review_comment = models.TextField(_("review opinion"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["handoff", "version"]
        verbose_name = _("costing")
        verbose_name_plural = _("costings")
        constraints = [
            models.UniqueConstraint(fields=["handoff", "version"], name="costing_version_unique"),
            models.UniqueConstraint(fields=["handoff"], condition=Q(state__in=LIVE_COSTING_STATES),
                                    name="costing_one_live_per_handoff"),
            models.CheckConstraint(condition=Q(due_on__gte=F("received_on")), name="costing_due_after_receipt"),
            models.CheckConstraint(condition=Q(review_due_on__isnull=True)
                                   | Q(review_due_on__gte=F("review_received_on")),
                                   name="costing_review_due_after_submission"),
            models.CheckConstraint(condition=Q(total__isnull=True) | Q(total__gte=0),
                                   name="costing_total_not_negative"),
            models.CheckConstraint(condition=Q(state=CostingState.OPEN) | Q(state=CostingState.CANCELLED)
                                   | Q(submitted_at__isnull=False, total__isnull=False, review_due_on__isnull=False),
                                   name="costing_submitted_is_complete"),
            models.CheckConstraint(condition=~Q(state=CostingState.ACCEPTED)
                                   | Q(suggested_amount__gt=0, reviewed_at__isnull=False),
                                   name="costing_accepted_has_suggestion"),
            models.CheckConstraint(condition=~Q(state=CostingState.RETURNED)
                                   | Q(reviewed_at__isnull=False) & ~Q(review_comment=""),
                                   name="costing_return_has_reason"),
        ]
        indexes = [models.Index(fields=["state", "due_on"]), models.Index(fields=["state", "review_due_on"])]

    def __str__(self):
        return _("Costing v%(v)s of %(sheet)s") % {"v": self.version, "sheet": self.handoff.number}

    def get_absolute_url(self):
        return f"{self.handoff.get_absolute_url()}#costing-{self.version}"

    @staticmethod
    def _on_time(done_at, due_on) -> bool | None:
        if done_at is None or due_on is None:
            return None
        return timezone.localdate(done_at) <= due_on

    @property
    def costing_on_time(self) -> bool | None:
        """Whether XXX submitted by the end (24:00) of the due day; None while not submitted."""
        return self._on_time(self.submitted_at, self.due_on)

    @property
    def review_on_time(self) -> bool | None:
        return self._on_time(self.reviewed_at, self.review_due_on)


class CostLine(models.Model):
    """A line of a costing: head of cost, what, quantity, unit price, amount (quantity × unit price)."""

    costing = models.ForeignKey(Costing, on_delete=models.PROTECT, related_name="lines", verbose_name=_("costing"))
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    category = models.CharField(_("cost head"), max_length=12, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=12)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["costing", "position", "pk"]
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cost_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="cost_line_price_not_negative"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_line_amount_not_negative"),
            models.UniqueConstraint(fields=["costing", "position"], name="cost_line_position_unique"),
        ]

    def __str__(self):
        return f"{self.description} {self.amount}"


class NegotiationRound(models.Model):
    """One round of the negotiation between XXX and Marketing (HND-4): who proposed what amount, and notes."""

    handoff = models.ForeignKey(Handoff, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("hand-off"))
    number = models.PositiveSmallIntegerField(_("round"))
    held_on = models.DateField(_("held on"))
    proposer = models.CharField(_("proposed by"), max_length=10,
                                choices=[(Party.MARKETING, Party.MARKETING.label), (Party.XXX, Party.XXX.label)])
    amount = models.DecimalField(_("proposed amount (yuan)"), max_digits=14, decimal_places=2)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["handoff", "number"]
        verbose_name = _("negotiation round")
        verbose_name_plural = _("negotiation rounds")
        constraints = [
            models.UniqueConstraint(fields=["handoff", "number"], name="negotiation_round_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="negotiation_amount_positive"),
        ]

    def __str__(self):
        return _("Round %(n)s of %(sheet)s") % {"n": self.number, "sheet": self.handoff.number}

    def get_absolute_url(self):
        return f"{self.handoff.get_absolute_url()}#negotiation"


def margin_of(main_amount: Decimal, amount: Decimal) -> tuple[Decimal, Decimal | None]:
    """What XX keeps of the main-contract amount when XXX is paid ``amount``: (yuan, percent of main)."""
    margin = (main_amount - amount).quantize(Decimal("0.01"))
    if not main_amount:
        return margin, None
    return margin, (margin * 100 / main_amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Decision(models.Model):
    """Marketing's decision of the construction amount (HND-4) and the construction contract it drafted (HND-5).

    The main-contract amount and Finance's suggestion are copied in when the decision is taken, so the
    record shows what the decision weighed even if anything changes later.
    """

    handoff = models.ForeignKey(Handoff, on_delete=models.PROTECT, related_name="decisions",
                                verbose_name=_("hand-off"))
    state = models.CharField(_("state"), max_length=10, choices=DecisionState.choices, default=DecisionState.CURRENT)
    costing = models.ForeignKey(Costing, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("reviewed costing"))
    amount = models.DecimalField(_("decided construction amount (yuan)"), max_digits=14, decimal_places=2)
    main_amount = models.DecimalField(_("main-contract amount of the order line (yuan)"), max_digits=14,
                                      decimal_places=2)
    suggested_amount = models.DecimalField(_("Finance's suggested amount (yuan)"), max_digits=14, decimal_places=2)
    notes = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    decided_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("decided on behalf of"))
    decided_at = models.DateTimeField(_("decided at"))
    construction_contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="handoff_decision",
        verbose_name=_("construction contract"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["handoff", "-decided_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["handoff"], condition=Q(state=DecisionState.CURRENT),
                                    name="decision_one_in_force_per_handoff"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="decision_amount_positive"),
            models.CheckConstraint(condition=Q(suggested_amount__gt=0), name="decision_has_suggestion"),
        ]

    def __str__(self):
        return _("Decision on %(sheet)s") % {"sheet": self.handoff.number}

    def get_absolute_url(self):
        return f"{self.handoff.get_absolute_url()}#decision"

    @property
    def margin(self) -> Decimal:
        return margin_of(self.main_amount, self.amount)[0]

    @property
    def margin_percent(self) -> Decimal | None:
        return margin_of(self.main_amount, self.amount)[1]
