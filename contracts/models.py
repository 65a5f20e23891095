"""Customers and contracts (SPEC CUS-1...3, CON-1...13).

Invariants that must hold whatever code writes the rows are database constraints: unique customer
names and credit codes, a positive amount, a term that does not end before it starts, the sales /
construction counterparty rule, one step of each kind per version, unique archive numbers (taken gap-free from
``marketing_portal.numbering``, one series per region), at most one open loan per original. Writes go through
``contracts.services``; nothing here is ever hard-deleted once it has left the draft.
"""

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

from .choices import (
    DUE_DILIGENCE_POINTS,
    OPEN_LOAN_STATES,
    Conclusion,
    ContractKind,
    ContractState,
    DeadlineBasis,
    Direction,
    DisputeStatus,
    DraftedBy,
    HandoverStatus,
    LoanState,
    NonPerformanceStatus,
    ObjectionStatus,
    Rating,
    Relation,
    StepKind,
    StepStatus,
)

User = settings.AUTH_USER_MODEL


def validate_credit_code(value: str) -> None:
    """统一社会信用代码: 18 characters with a check digit (GB 32100-2015)."""
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        uscc.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("The check digit of the unified social credit code “%(code)s” is wrong; check the code again."),
            code="checksum", params={"code": value},
        ) from None
    except StdnumError:
        raise ValidationError(
            _("“%(code)s” is not a unified social credit code (18 digits and capital letters)."),
            code="invalid", params={"code": value},
        ) from None


# --------------------------------------------------------------------------------------------------
# Customers (CUS)
# --------------------------------------------------------------------------------------------------
class Customer(models.Model):
    """A customer unit (客户档案, CUS-1): legal name and credit code, each unique."""

    name = models.CharField(_("full legal name"), max_length=120, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="customers", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contracts:customer-detail", args=[self.pk])


class CustomerContact(models.Model):
    """A contact person at a customer (CUS-1)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts",
                                 verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=40)
    position = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("current"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "-active", "name"]
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        constraints = [
            models.CheckConstraint(condition=~Q(phone="") | ~Q(mobile=""), name="contact_has_a_phone"),
        ]

    def __str__(self):
        return f"{self.name}（{self.position}）" if self.position else self.name


class DueDiligence(models.Model):
    """The background investigation of art. 8 (CUS-2): eight points, evidence, valid for a policy period."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="due_diligences",
                                 verbose_name=_("customer"))
    investigated_on = models.DateField(_("investigated on"))
    valid_until = models.DateField(_("valid until"))
    policy_version = models.PositiveIntegerField(_("policy version"))
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=Conclusion.choices)
    summary = models.TextField(_("summary"), blank=True)
    subject_qualification_rating = models.CharField(_("subject qualification"), max_length=8, choices=Rating.choices)
    subject_qualification = models.TextField(_("subject qualification: assessment"))
    credit_standing_rating = models.CharField(_("credit standing"), max_length=8, choices=Rating.choices)
    credit_standing = models.TextField(_("credit standing: assessment"))
    performance_capacity_rating = models.CharField(_("capacity to perform"), max_length=8, choices=Rating.choices)
    performance_capacity = models.TextField(_("capacity to perform: assessment"))
    operating_status_rating = models.CharField(_("operating status"), max_length=8, choices=Rating.choices)
    operating_status = models.TextField(_("operating status: assessment"))
    market_demand_rating = models.CharField(_("market demand"), max_length=8, choices=Rating.choices)
    market_demand = models.TextField(_("market demand: assessment"))
    product_rating = models.CharField(_("product"), max_length=8, choices=Rating.choices)
    product = models.TextField(_("product: assessment"))
    service_quality_rating = models.CharField(_("service quality"), max_length=8, choices=Rating.choices)
    service_quality = models.TextField(_("service quality: assessment"))
    price_rating = models.CharField(_("price"), max_length=8, choices=Rating.choices)
    price = models.TextField(_("price: assessment"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("investigated by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "-investigated_on", "-pk"]
        verbose_name = _("due-diligence record")
        verbose_name_plural = _("due-diligence records")
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("investigated_on")), name="dd_valid_after_date"),
        ]
        indexes = [models.Index(fields=["customer", "valid_until"])]

    def __str__(self):
        return _("Due diligence of %(customer)s on %(date)s") % {
            "customer": self.customer, "date": self.investigated_on.isoformat()}

    def get_absolute_url(self):
        return reverse("contracts:dd-detail", args=[self.pk])

    def points(self):
        """[(label, rating display, assessment)] in the regulation's order."""
        return [
            (label, getattr(self, f"get_{name}_rating_display")(), getattr(self, f"{name}_rating"), getattr(self, name))
            for name, label in DUE_DILIGENCE_POINTS
        ]

    def is_valid_on(self, day) -> bool:
        return self.conclusion != Conclusion.FAIL and self.investigated_on <= day <= self.valid_until


# --------------------------------------------------------------------------------------------------
# Templates (CON-2)
# --------------------------------------------------------------------------------------------------
class ContractTemplate(models.Model):
    """A standard or model contract text (标准/示范文本, arts. 1-2); its texts are versioned."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=14, choices=ContractKind.choices, default=ContractKind.CONTRACT)
    direction = models.CharField(_("direction"), max_length=14, choices=Direction.choices, default=Direction.SALES)
    active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contracts:template-detail", args=[self.pk])

    def current_version(self):
        return self.versions.filter(active=True).order_by("-number").first()


class TemplateVersion(models.Model):
    """One version of a template's text (the file is an attachment in slot ``text``)."""

    template = models.ForeignKey(ContractTemplate, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name=_("template"))
    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    changes = models.TextField(_("what changed"), blank=True)
    active = models.BooleanField(_("may be used"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self):
        return f"{self.template.name} v{self.number}"


# --------------------------------------------------------------------------------------------------
# Contracts (CON)
# --------------------------------------------------------------------------------------------------
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
    # Fixed at submission
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
    history = HistoricalRecords()

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
        from .choices import SIGNED_STATES

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


class ApprovalStep(models.Model):
    """One step of the chain for one version of a contract (CON-6).

    ``assignees`` are the people the org chart named when the step opened (who must act); a delegate
    acts ``on_behalf_of`` one of them. A decided step is never changed again: the service locks the
    contract, checks the step is still waiting and records who, when, for whom, the comment and the
    hash of the version reviewed.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="steps", verbose_name=_("contract"))
    version = models.PositiveIntegerField(_("contract version"))
    kind = models.CharField(_("step"), max_length=16, choices=StepKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING)
    assignees = models.ManyToManyField(User, blank=True, related_name="contract_steps", verbose_name=_("must act"))
    opened_at = models.DateTimeField(_("waiting since"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    on_behalf_of = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("on behalf of"))
    comment = models.TextField(_("opinion"), blank=True)
    content_hash = models.CharField(_("hash of the version reviewed"), max_length=64, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[assignees])

    class Meta:
        ordering = ["contract", "version", "opened_at", "pk"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.UniqueConstraint(fields=["contract", "version", "kind"], name="approval_step_once_per_version"),
            models.CheckConstraint(
                condition=Q(status=StepStatus.PENDING, decided_at__isnull=True)
                | ~Q(status=StepStatus.PENDING) & Q(decided_at__isnull=False),
                name="approval_step_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=StepStatus.REJECTED) | ~Q(comment=""), name="approval_step_reject_has_comment"
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self):
        return f"{self.contract} v{self.version} · {self.get_kind_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == StepStatus.PENDING


# --------------------------------------------------------------------------------------------------
# After signing (CON-8...12)
# --------------------------------------------------------------------------------------------------
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
