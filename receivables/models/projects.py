"""Projects and their money: acceptance, invoices and receipts (and their import), retention statements and
changes of owner (RCV-1, 2, 6, 7, 11)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    ImportKind,
    ImportState,
    ProjectStage,
    StatementState,
)
from ..policy import Stage, Suspension

User = settings.AUTH_USER_MODEL
ZERO = Decimal("0.00")

STAGE_CHOICES = [(Stage.INVOICE.value, _("Invoice")), (Stage.COLLECTION.value, _("Collection")),
                 (Stage.RETENTION.value, _("Retention money"))]
SUSPENSION_CHOICES = [(Suspension.NONE.value, _("None")), (Suspension.MAY_SUSPEND.value, _("May be suspended")),
                      (Suspension.SUSPENDED.value, _("Collection-only duty mandatory"))]

# Fields the sweep keeps up to date for lists and its own scheduling; not business changes, so not in the history.
SWEEP_FIELDS = ["next_check_on", "swept_on", "deduction_percent", "suspension", "next_deadline_on",
                "next_deadline_label"]


class Project(models.Model):
    """A project (工程项目): one per signed sales contract that is carried out (RCV-1 … RCV-13).

    Its dates (``accepted_on``, ``invoiced_on``, ``collected_on``, ``retention_collected_on``) are facts derived
    from the acceptance, invoices and receipts by the services; the rules core turns them into deadlines and
    deductions. ``next_check_on`` is the first day the sweep has anything to do for it (a new rule event or a
    reminder): the daily sweep only looks at projects due, so its cost follows the work, not the project count.
    """

    number = models.CharField(_("project number"), max_length=24, unique=True, null=True, blank=True)
    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT, related_name="project",
                                    verbose_name=_("sales contract"))
    name = models.CharField(_("project name"), max_length=150)
    customer = models.ForeignKey("contracts.Customer", on_delete=models.PROTECT, related_name="projects",
                                 verbose_name=_("customer"))
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="projects",
                               verbose_name=_("region"))
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_projects",
                              verbose_name=_("sales owner"))
    amount = models.DecimalField(_("project amount (yuan)"), max_digits=14, decimal_places=2)
    retention_percent = models.DecimalField(_("retention money (%)"), max_digits=5, decimal_places=2)
    retention_amount = models.DecimalField(_("retention money (yuan)"), max_digits=14, decimal_places=2)
    warranty_months = models.PositiveIntegerField(_("warranty period (months)"))
    commission_base = models.DecimalField(_("commission base (yuan)"), max_digits=14, decimal_places=2)
    commission_rate_percent = models.DecimalField(_("commission rate (%)"), max_digits=5, decimal_places=2)
    commission_policy_version = models.PositiveIntegerField(_("policy version of the commission"))
    stage = models.CharField(_("stage"), max_length=24, choices=ProjectStage.choices,
                             default=ProjectStage.AWAITING_ACCEPTANCE, db_index=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    warranty_ends_on = models.DateField(_("warranty ends on"), null=True, blank=True)
    invoiced_on = models.DateField(_("invoiced in full on"), null=True, blank=True)
    collected_on = models.DateField(_("collected (retention excluded) on"), null=True, blank=True)
    retention_collected_on = models.DateField(_("retention collected on"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("registered by"))
    # Kept by the sweep (see SWEEP_FIELDS); the ledger and the dates above are the record.
    next_check_on = models.DateField(_("next check on"), null=True, blank=True)
    swept_on = models.DateField(_("last assessed on"), null=True, blank=True)
    deduction_percent = models.DecimalField(_("deducted (%)"), max_digits=5, decimal_places=2, default=ZERO)
    suspension = models.CharField(_("collection-only duty"), max_length=12, choices=SUSPENSION_CHOICES,
                                  default=Suspension.NONE.value)
    next_deadline_on = models.DateField(_("next deadline"), null=True, blank=True)
    next_deadline_label = models.CharField(_("next deadline (what)"), max_length=120, blank=True)
    history = HistoricalRecords(excluded_fields=SWEEP_FIELDS)

    class Meta:
        ordering = ["-registered_at", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="project_amount_positive"),
            models.CheckConstraint(condition=Q(retention_percent__gte=0, retention_percent__lte=100),
                                   name="project_retention_percent_range"),
            models.CheckConstraint(condition=Q(retention_amount__gte=0, retention_amount__lte=F("amount")),
                                   name="project_retention_within_amount"),
            models.CheckConstraint(condition=Q(commission_base__gte=0), name="project_commission_base_not_negative"),
            models.CheckConstraint(condition=Q(commission_rate_percent__gte=0, commission_rate_percent__lte=100),
                                   name="project_commission_rate_range"),
            models.CheckConstraint(condition=Q(invoiced_on__isnull=True) | Q(accepted_on__isnull=False),
                                   name="project_invoiced_after_acceptance"),
            models.CheckConstraint(condition=Q(collected_on__isnull=True) | Q(invoiced_on__isnull=False),
                                   name="project_collected_after_invoice"),
        ]
        indexes = [
            models.Index(fields=["next_check_on"], condition=Q(next_check_on__isnull=False),
                         name="project_due_for_sweep"),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["region", "stage"]),
            # The project list's default order (next deadline first, then newest): its first pages read the index
            # instead of joining and sorting every project. PostgreSQL puts NULLs last in an ascending index, as the
            # list wants (an index with NULLS LAST spelled out would not build on SQLite).
            models.Index(fields=["next_deadline_on", "-id"], name="project_list_order"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}" if self.number else self.name

    def get_absolute_url(self):
        return reverse("receivables:project-detail", args=[self.pk])

    @property
    def commission(self) -> Decimal:
        """The full commission of the project: base × rate."""
        from marketing_portal.money import to_amount

        return to_amount(self.commission_base * self.commission_rate_percent / Decimal(100))

    @property
    def main_target(self) -> Decimal:
        """What must be received for the invoice to count as collected: the amount less retention (RCV-6)."""
        return self.amount - self.retention_amount

    @property
    def is_open(self) -> bool:
        return self.stage not in (ProjectStage.AWAITING_ACCEPTANCE, ProjectStage.SETTLED)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Projects are never deleted."))


class Acceptance(models.Model):
    """RCV-1: XXX's written completion notice with the acceptance report; original to Marketing, copy to Finance.

    The acceptance date is the report's date. Scans are attachments in slots ``notice`` and ``report``.
    """

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="acceptance",
                                   verbose_name=_("project"))
    report_date = models.DateField(_("date of the acceptance report"))
    notice = models.TextField(_("completion notice"))
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    original_received_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                             verbose_name=_("original received by (Marketing)"))
    original_received_at = models.DateTimeField(_("original received at"), null=True, blank=True)
    copy_received_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("copy received by (Finance)"))
    copy_received_at = models.DateTimeField(_("copy received at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [
            models.CheckConstraint(
                condition=Q(original_received_by__isnull=True, original_received_at__isnull=True)
                | Q(original_received_by__isnull=False, original_received_at__isnull=False),
                name="acceptance_original_receipt_complete",
            ),
            models.CheckConstraint(
                condition=Q(copy_received_by__isnull=True, copy_received_at__isnull=True)
                | Q(copy_received_by__isnull=False, copy_received_at__isnull=False),
                name="acceptance_copy_receipt_complete",
            ),
        ]
        # "My work" of Finance and Administration: the reports still to acknowledge, a handful of ten years'
        # acceptances, read in the order the home lists them (issue 13: not a scan of every acceptance).
        indexes = [
            models.Index(fields=["submitted_at", "id"], condition=Q(original_received_at__isnull=True),
                         name="acceptance_original_due_idx"),
            models.Index(fields=["submitted_at", "id"], condition=Q(copy_received_at__isnull=True),
                         name="acceptance_copy_due_idx"),
        ]

    def __str__(self):
        return _("Acceptance of %(project)s") % {"project": self.project}

    def get_absolute_url(self):
        return self.project.get_absolute_url() + "#acceptance"


class ImportBatch(models.Model):
    """An Excel file of invoices and/or receipts (RCV-11): checked, previewed, then imported all at once or not at all.

    The uploaded file is an attachment in slot ``file``; ``errors`` keeps the row-level report of the last check.
    """

    kind = models.CharField(_("kind of file"), max_length=12, choices=ImportKind.choices)
    state = models.CharField(_("state"), max_length=12, choices=ImportState.choices, default=ImportState.PREVIEWED)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    rows = models.JSONField(_("rows as read"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    imported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("import file")
        verbose_name_plural = _("import files")

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("receivables:import-detail", args=[self.pk])


class Invoice(models.Model):
    """An invoice issued to the customer (RCV-2, RCV-11), entered by Finance or imported. Never edited or deleted."""

    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("project"))
    issued_on = models.DateField(_("invoice date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="invoices", verbose_name=_("imported from"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "issued_on", "pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return self.project.get_absolute_url() + "#invoices"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Invoices are never deleted."))


class Receipt(models.Model):
    """Money received from the customer (RCV-6, RCV-11). The bank reference, when given, is unique."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("project"))
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    payer = models.CharField(_("payer"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="receipts", verbose_name=_("imported from"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "received_on", "pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.UniqueConstraint(fields=["bank_reference"], condition=~Q(bank_reference=""),
                                    name="receipt_bank_reference_unique"),
        ]

    def __str__(self):
        return self.bank_reference or f"{self.received_on} {self.amount}"

    def get_absolute_url(self):
        return self.project.get_absolute_url() + "#receipts"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Receipts are never deleted."))


class RetentionStatement(models.Model):
    """The retention collection statement (质保金催要材料, RCV-7) with the fields the regulation lists.

    Drafted by the sweep the day after the warranty ends, issued by Finance to Marketing (its issue date starts
    the RCV-6 clock for the retention money), then Marketing notifies the owner.
    """

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="retention_statement",
                                   verbose_name=_("project"))
    warranty_ends_on = models.DateField(_("warranty ended on"))
    drafted_on = models.DateField(_("drafted on"))
    project_name = models.CharField(_("project name"), max_length=150)
    invoicing_unit = models.CharField(_("invoicing unit"), max_length=120)
    project_amount = models.DecimalField(_("project amount"), max_digits=14, decimal_places=2)
    retention_amount = models.DecimalField(_("retention money"), max_digits=14, decimal_places=2)
    collected_amount = models.DecimalField(_("collected amount"), max_digits=14, decimal_places=2)
    receivable_amount = models.DecimalField(_("receivable amount"), max_digits=14, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=StatementState.choices,
                             default=StatementState.DRAFTED)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    notified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("owner notified by"))
    notified_at = models.DateTimeField(_("owner notified at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-drafted_on", "-pk"]
        verbose_name = _("retention collection statement")
        verbose_name_plural = _("retention collection statements")
        constraints = [
            models.CheckConstraint(condition=Q(state=StatementState.DRAFTED) | Q(issued_on__isnull=False),
                                   name="statement_issued_has_date"),
            models.CheckConstraint(condition=Q(issued_on__isnull=True) | Q(issued_on__gte=F("drafted_on")),
                                   name="statement_issued_after_draft"),
        ]
        # "My work": the statements to issue and to pass on, in the home's order (the first five, then joined).
        indexes = [
            models.Index(fields=["drafted_on", "id"], condition=Q(state=StatementState.DRAFTED),
                         name="statement_drafted_idx"),
            models.Index(fields=["issued_on", "id"], condition=Q(state=StatementState.ISSUED),
                         name="statement_issued_idx"),
        ]

    def __str__(self):
        return _("Retention collection statement of %(project)s") % {"project": self.project_name}

    def get_absolute_url(self):
        return reverse("receivables:statement-detail", args=[self.pk])


class OwnerHandover(models.Model):
    """The hand-over record when a project's sales owner is reassigned (its unpaid commission moves along)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("project"))
    from_owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=300)
    open_items = models.TextField(_("open items handed over"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("owner hand-over")
        verbose_name_plural = _("owner hand-overs")
        constraints = [models.CheckConstraint(condition=~Q(from_owner=F("to_owner")),
                                              name="project_handover_to_someone_else")]

    def __str__(self):
        return f"{self.project}: {self.from_owner} → {self.to_owner}"
