"""Contracts, their order lines and the steps of the approval chain (SPEC CON-1…7)."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.approvals import ApprovalStepBase, step_constraints

from ..choices import (
    ContractKind,
    ContractState,
    Direction,
    DraftedBy,
    Relation,
    StepKind,
    StepStatus,
)
from .customers import Customer, DueDiligence
from .templates import TemplateVersion

User = settings.AUTH_USER_MODEL


class Contract(models.Model):
    """A contract (any kind of art. 0) from draft through the approval chain to the numbered archive.

    ``state`` is the only state field; ``version`` goes up when a rejected draft is submitted again,
    which restarts the chain. The flags (major, foreign-related, long term) and the legal waiver are
    fixed at submission together with the policy version they used.
    """

    title = models.CharField(_("title"), max_length=150)
    kind = models.CharField(_("kind"), max_length=14, choices=ContractKind.choices, default=ContractKind.CONTRACT)
    direction = models.CharField(_("direction"), max_length=14, choices=Direction.choices, default=Direction.SALES)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts",
                                 verbose_name=_("customer"))
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="contracts",
                               verbose_name=_("region"))
    handler = models.ForeignKey(User, on_delete=models.PROTECT, related_name="handled_contracts",
                                verbose_name=_("handler"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    state = models.CharField(_("state"), max_length=16, choices=ContractState.choices, default=ContractState.DRAFT,
                             db_index=True)
    # The contract's own number from its first draft on (合同序号 on the approval form, CON-13), from the numbering
    # service: HT-2026-00042. The archive number comes later, per region, when the original is filed (CON-7).
    serial_number = models.CharField(_("contract number"), max_length=20, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Drafting (CON-2)
    template_version = models.ForeignKey(TemplateVersion, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="contracts", verbose_name=_("template and version"))
    non_standard_reason = models.CharField(_("reason for a non-standard text"), max_length=300, blank=True)
    drafted_by = models.CharField(_("drafted by"), max_length=14, choices=DraftedBy.choices, default=DraftedBy.OURS)
    # Participants (CON-4)
    is_foreign = models.BooleanField(_("foreign-related"), default=False)
    legal_participant = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("legal participant"))
    technical_participant = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="+", verbose_name=_("technical participant"))
    payment_terms = models.TextField(_("payment terms"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # 抄送: people copied on the submission and on the final decision, besides the region's manager (policy switch).
    cc = models.ManyToManyField(User, blank=True, related_name="contracts_copied", verbose_name=_("copied to"))
    # Fixed at submission
    # The draft text the approvers read (slot "text"): each version is submitted with its own text.
    text = models.ForeignKey("portal.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("draft text of the version under review"))
    is_major = models.BooleanField(_("major contract"), default=False)
    is_long_term = models.BooleanField(_("term over the limit"), default=False)
    legal_waived = models.BooleanField(_("legal review waived"), default=False)
    policy_version = models.PositiveIntegerField(_("policy version"), null=True, blank=True)
    due_diligence = models.ForeignKey(DueDiligence, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="contracts", verbose_name=_("due-diligence record"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    content_hash = models.CharField(_("hash of the submitted version"), max_length=64, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Signing, registration, archive (CON-6, CON-7)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    counterparty_signed_on = models.DateField(_("counterparty signed on"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    register_notes = models.CharField(_("registration notes"), max_length=200, blank=True)
    archive_number = models.CharField(_("archive number"), max_length=40, unique=True, null=True, blank=True)
    archive_year = models.PositiveIntegerField(_("archive year"), null=True, blank=True)
    archive_seq = models.PositiveIntegerField(_("archive sequence"), null=True, blank=True)
    archive_cabinet = models.CharField(_("cabinet"), max_length=40, blank=True)
    archive_box = models.CharField(_("box"), max_length=40, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    # Receivables (RCV-7) use these.
    retention_percent = models.DecimalField(_("retention money (%)"), max_digits=5, decimal_places=2)
    warranty_months = models.PositiveIntegerField(_("warranty period (months)"))
    # Change and termination (CON-11)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments",
                               verbose_name=_("original contract"))
    relation = models.CharField(_("relation to the original"), max_length=14, choices=Relation.choices, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[cc])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        permissions = [("view_all_contracts", "Can see every contract")]
        constraints = [
            # A termination agreement may settle without any payment; every other contract has an amount.
            models.CheckConstraint(condition=Q(amount__gt=0) | Q(relation=Relation.TERMINATION, amount__gte=0),
                                   name="contract_amount_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="contract_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(direction=Direction.SALES, customer__isnull=False)
                           | Q(direction=Direction.CONSTRUCTION, customer__isnull=True)),
                name="contract_counterparty_matches_direction",
            ),
            models.CheckConstraint(
                condition=Q(template_version__isnull=False) | ~Q(non_standard_reason=""),
                name="contract_template_or_reason",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, relation="") | Q(parent__isnull=False) & ~Q(relation=""),
                name="contract_relation_with_parent",
            ),
            models.CheckConstraint(condition=Q(retention_percent__gte=0, retention_percent__lte=100),
                                   name="contract_retention_percent_range"),
            models.CheckConstraint(
                condition=Q(archive_number__isnull=True) | Q(archive_seq__isnull=False, archive_year__isnull=False),
                name="contract_archive_number_has_sequence",
            ),
            models.UniqueConstraint(fields=["region", "archive_year", "archive_seq"],
                                    condition=Q(archive_seq__isnull=False), name="contract_archive_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["region", "state"]),
            models.Index(fields=["handler", "state"]),
            # The list's order: the first pages are read from the index instead of sorting every contract.
            models.Index(fields=["-created_at", "-id"], name="contract_list_order_idx"),
            # XXX sees the construction sub-contracts (``contracts.selectors.contract_id_sources``): a few of
            # the whole register, read in the list's order.
            models.Index(fields=["-created_at", "-id"], condition=Q(direction=Direction.CONSTRUCTION),
                         name="contract_construction_idx"),
            # The dashboard's signed amount (``planning.selectors.target_vs_actual``): the sales originals signed in
            # a period, their region, handler and amount read from the index alone on PostgreSQL (``include``;
            # elsewhere a plain index on the date). Ten years: 37 ms -> 6 ms for this year's figures.
            models.Index(fields=["signed_on"], include=["state", "region", "handler", "amount"],
                         condition=Q(direction=Direction.SALES, parent__isnull=True),
                         name="contract_signed_sales_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("contracts:detail", args=[self.pk])

    @property
    def counterparty_name(self) -> str:
        if self.customer_id:
            return self.customer.name
        return str(_("XXX (engineering subsidiary)"))

    @property
    def is_standard(self) -> bool:
        return self.template_version_id is not None

    @property
    def is_in_force(self) -> bool:
        from ..choices import SIGNED_STATES

        return self.state in SIGNED_STATES

    def compute_hash(self) -> str:
        """SHA-256 of everything a reviewer approves: the terms, the counterparty, the lines, the files."""
        from marketing_portal.files import attachments_of

        data = {
            "title": self.title, "kind": self.kind, "direction": self.direction, "customer": self.customer_id,
            "region": self.region_id, "handler": self.handler_id, "amount": str(self.amount),
            "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat(),
            "template_version": self.template_version_id, "non_standard_reason": self.non_standard_reason,
            "drafted_by": self.drafted_by, "is_foreign": self.is_foreign, "payment_terms": self.payment_terms,
            "retention_percent": str(self.retention_percent), "warranty_months": self.warranty_months,
            "legal_participant": self.legal_participant_id, "technical_participant": self.technical_participant_id,
            "lines": [
                [ln.description, ln.specification, str(ln.quantity), ln.unit, str(ln.unit_price), str(ln.amount)]
                for ln in self.lines.order_by("position", "pk")
            ],
            "files": sorted(a.sha256 for a in attachments_of(self, "draft")) if self.pk else [],
        }
        if self.text_id:
            # The text the approvers read; absent from contracts submitted before it was required (same hash).
            data["text"] = self.text.sha256
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def delete(self, *args, **kwargs):
        # X-7 and CON-8: nothing is hard-deleted; a draft is withdrawn instead (contract_withdraw).
        raise ValidationError(_("Contracts are never deleted; withdraw a draft instead."))


class ContractLine(models.Model):
    """An order line of a contract; the hand-off app raises one liaison sheet per line."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="lines", verbose_name=_("contract"))
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    description = models.CharField(_("description"), max_length=200)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=12)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "position", "pk"]
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="contract_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="contract_line_price_not_negative"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_line_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.description} × {self.quantity.normalize()}{self.unit}"


class ApprovalStep(ApprovalStepBase):
    """One step of the chain for one version of a contract (CON-6), on the approval kernel (``org.approvals``).

    ``assignees`` are the people the org chart named when the step opened (who must act); a delegate
    acts ``on_behalf_of`` one of them. A decided step is never changed again: the service locks the
    contract, checks the step is still waiting and records who, when, for whom, the comment and the
    hash of the version reviewed.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="steps", verbose_name=_("contract"))
    version = models.PositiveIntegerField(_("contract version"))
    kind = models.CharField(_("step"), max_length=16, choices=StepKind.choices)
    assignees = models.ManyToManyField(User, blank=True, related_name="contract_steps", verbose_name=_("must act"))
    # The draft text of the version this step decides on (shown and opened on the step).
    text = models.ForeignKey("portal.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("draft text reviewed"))
    history = HistoricalRecords(m2m_fields=[assignees])

    class Meta:
        ordering = ["contract", "version", "opened_at", "pk"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.UniqueConstraint(fields=["contract", "version", "kind"], name="approval_step_once_per_version"),
            *step_constraints("approval_step"),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            # "My work": the pending steps (a few thousand of ten years' 430,000) in the home's order, with what
            # the current-version test needs read from the index alone on PostgreSQL (``contracts.work._steps``).
            models.Index(fields=["opened_at", "id"], include=["contract", "version"],
                         condition=Q(status=StepStatus.PENDING), name="approval_step_pending_idx"),
        ]

    def __str__(self):
        return f"{self.contract} v{self.version} · {self.get_kind_display()}"
