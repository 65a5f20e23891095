"""Sales reports, plans with their targets, and bids (SPEC RPT-2…4)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.approvals import ApprovalStepBase, step_constraints

from .choices import PlanState, PlanStepKind, ReportKind, TargetPeriod, TenderState, TenderStepKind

User = settings.AUTH_USER_MODEL


class NeverDeleted(models.Model):
    """X-7: business records are never hard-deleted."""

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Records are never deleted."))


# --------------------------------------------------------------------------------------------------
# Sales weekly / monthly reports (RPT-2)
# --------------------------------------------------------------------------------------------------
class SalesReport(NeverDeleted):
    """A salesperson's weekly or monthly report (销售周报 / 月报), filed once per person and period.

    ``figures`` is the snapshot of the person's own numbers of the period (contracts, invoices, receipts,
    hand-offs, tickets) taken when the report was filed, so a later correction elsewhere never rewrites a
    filed report; ``due_on`` and ``policy_version`` record the deadline the policy set.
    """

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="sales_reports", verbose_name=_("filed by"))
    region = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    work_done = models.TextField(_("work done"))
    customers_visited = models.TextField(_("customers visited"), blank=True)
    opportunities = models.TextField(_("opportunities"), blank=True)
    next_plan = models.TextField(_("plan for the next period"))
    problems = models.TextField(_("problems and support needed"), blank=True)
    figures = models.JSONField(_("figures of the period"), default=dict)
    due_on = models.DateField(_("due on"))
    filed_at = models.DateTimeField(_("filed at"))
    is_late = models.BooleanField(_("filed late"), default=False)
    policy_version = models.PositiveIntegerField(_("policy version"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "person", "pk"]
        verbose_name = _("sales report")
        verbose_name_plural = _("sales reports")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "period_start"], name="sales_report_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="sales_report_period_order"),
        ]
        indexes = [models.Index(fields=["kind", "period_start", "region"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_label}"

    def get_absolute_url(self):
        return reverse("planning:report", args=[self.pk])

    @property
    def period_label(self) -> str:
        from .periods import label_of

        return label_of(self.kind, self.period_start)


class ReportComment(NeverDeleted):
    """A comment of the regional manager or the director on a report (review, RPT-2). Never edited."""

    report = models.ForeignKey(SalesReport, on_delete=models.PROTECT, related_name="comments",
                               verbose_name=_("report"))
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="report_comment_not_empty")]

    def __str__(self):
        return f"{self.report} · {self.author}"


# --------------------------------------------------------------------------------------------------
# Plans and targets (RPT-3)
# --------------------------------------------------------------------------------------------------
class SalesPlan(NeverDeleted):
    """The sales plan of one year for the centre (no region) or one region; its targets live in versions.

    A revision is a new version that goes through approval again; the approved version in force is the one
    the dashboard reads (``PlanVersion.in_force``).
    """

    number = models.CharField(_("plan number"), max_length=20, unique=True)
    year = models.PositiveIntegerField(_("year"))
    region = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"), help_text=_("Empty for the plan of the whole centre."))
    title = models.CharField(_("title"), max_length=120)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "region__code", "pk"]
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], condition=Q(region__isnull=False),
                                    name="sales_plan_once_per_region_year"),
            models.UniqueConstraint(fields=["year"], condition=Q(region__isnull=True),
                                    name="sales_plan_once_per_centre_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="sales_plan_year_range"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:plan", args=[self.pk])


class PlanVersion(NeverDeleted):
    """One version of a plan: its targets, submitted and approved (or rejected) as a whole."""

    plan = models.ForeignKey(SalesPlan, on_delete=models.PROTECT, related_name="versions", verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=PlanState.choices, default=PlanState.DRAFT)
    in_force = models.BooleanField(_("in force"), default=False)
    note = models.TextField(_("explanation of the plan or of the revision"), blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    content_hash = models.CharField(_("hash of the submitted targets"), max_length=64, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.UniqueConstraint(fields=["plan"], condition=Q(in_force=True), name="plan_one_version_in_force"),
            models.UniqueConstraint(fields=["plan"], condition=Q(state__in=["draft", "review"]),
                                    name="plan_one_open_version"),
            models.CheckConstraint(condition=Q(in_force=False) | Q(state=PlanState.APPROVED),
                                   name="plan_in_force_is_approved"),
        ]

    def __str__(self):
        return f"{self.plan} v{self.number}"

    def get_absolute_url(self):
        return reverse("planning:plan", args=[self.plan_id]) + f"?v={self.number}"

    def compute_hash(self) -> str:
        import hashlib
        import json

        rows = [[t.region_id, t.person_id, t.period, t.period_no, str(t.amount)]
                for t in self.targets.order_by("region_id", "person_id", "period", "period_no")]
        return hashlib.sha256(json.dumps([self.plan_id, self.number, rows]).encode()).hexdigest()


class Target(NeverDeleted):
    """A target amount for a region (and optionally one person) for the year, a quarter or a month."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="targets",
                                verbose_name=_("plan version"))
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    person = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("salesperson"), help_text=_("Empty for the region as a whole."))
    period = models.CharField(_("period"), max_length=8, choices=TargetPeriod.choices)
    period_no = models.PositiveSmallIntegerField(_("quarter or month"), default=0)
    amount = models.DecimalField(_("target (yuan)"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "region__code", "person_id", "period", "period_no"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(period=TargetPeriod.YEAR, period_no=0)
                | Q(period=TargetPeriod.QUARTER, period_no__gte=1, period_no__lte=4)
                | Q(period=TargetPeriod.MONTH, period_no__gte=1, period_no__lte=12),
                name="target_period_number_range"),
            models.UniqueConstraint(fields=["version", "region", "person", "period", "period_no"],
                                    condition=Q(person__isnull=False), name="target_once_per_person"),
            models.UniqueConstraint(fields=["version", "region", "period", "period_no"],
                                    condition=Q(person__isnull=True), name="target_once_per_region"),
        ]

    def __str__(self):
        return f"{self.region} {self.get_period_display()} {self.period_no or ''}"


class PlanStep(ApprovalStepBase):
    """A leadership approval step of one plan version, on the approval kernel (``org.approvals``)."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="steps",
                                     verbose_name=_("plan version"))
    kind = models.CharField(_("step"), max_length=10, choices=PlanStepKind.choices)
    assignees = models.ManyToManyField(User, blank=True, related_name="plan_steps", verbose_name=_("must act"))
    history = HistoricalRecords(m2m_fields=[assignees])

    class Meta:
        ordering = ["plan_version", "opened_at", "pk"]
        verbose_name = _("plan approval step")
        verbose_name_plural = _("plan approval steps")
        constraints = [
            models.UniqueConstraint(fields=["plan_version", "kind"], name="plan_step_once_per_version"),
            *step_constraints("plan_step"),
        ]

    def __str__(self):
        return f"{self.plan_version} · {self.get_kind_display()}"


# --------------------------------------------------------------------------------------------------
# Bids (RPT-4)
# --------------------------------------------------------------------------------------------------
class Tender(NeverDeleted):
    """A tender project (招标项目) and our bid for it, from preparation to the result.

    Bid documents are attachments in the slot ``bid`` (each upload a new version); ``round`` goes up each
    time the documents are sent back from review, and a review step belongs to one round.
    """

    number = models.CharField(_("bid number"), max_length=20, unique=True)
    title = models.CharField(_("tender project"), max_length=150)
    customer = models.ForeignKey("contracts.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("tendering party (customer)"))
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("sales owner"))
    clerk = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("clerk preparing the documents"))
    tender_reference = models.CharField(_("tender reference"), max_length=60, blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)
    documents_due_on = models.DateField(_("bid documents due"))
    opening_on = models.DateField(_("bid opening date"))
    state = models.CharField(_("state"), max_length=10, choices=TenderState.choices, default=TenderState.PREPARING,
                             db_index=True)
    round = models.PositiveIntegerField(_("review round"), default=1)
    quoted_amount = models.DecimalField(_("our bid price (yuan)"), max_digits=14, decimal_places=2, null=True,
                                        blank=True)
    submitted_at = models.DateTimeField(_("budget and proposal submitted at"), null=True, blank=True)
    result_on = models.DateField(_("result date"), null=True, blank=True)
    winning_amount = models.DecimalField(_("winning price (yuan)"), max_digits=14, decimal_places=2, null=True,
                                         blank=True)
    winner = models.CharField(_("winning bidder"), max_length=120, blank=True)
    result_note = models.TextField(_("notes on the result"), blank=True)
    contract = models.OneToOneField("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="tender", verbose_name=_("contract draft"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="tender_budget_positive"),
            models.CheckConstraint(condition=Q(opening_on__gte=F("documents_due_on")),
                                   name="tender_opening_after_documents"),
            models.CheckConstraint(condition=~Q(state=TenderState.WON) | Q(winning_amount__gt=0),
                                   name="tender_won_has_price"),
            models.CheckConstraint(condition=Q(result_on__isnull=True) | Q(result_on__gte=F("opening_on")),
                                   name="tender_result_after_opening"),
        ]
        indexes = [models.Index(fields=["region", "state"]), models.Index(fields=["owner", "state"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("planning:tender", args=[self.pk])

    def compute_hash(self) -> str:
        """What the Management Manager reviews: the budget, price, dates and the documents' SHA-256."""
        import hashlib
        import json

        from marketing_portal.files import attachments_of

        data = [self.title, self.customer_id, str(self.budget), str(self.quoted_amount),
                self.documents_due_on.isoformat(), self.opening_on.isoformat(),
                sorted(a.sha256 for a in attachments_of(self, "bid")) if self.pk else []]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


class TenderStep(ApprovalStepBase):
    """The Management Manager's review of one round of bid documents (招投标文件、预算图纸审核), on the kernel."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="steps", verbose_name=_("bid"))
    round = models.PositiveIntegerField(_("review round"))
    kind = models.CharField(_("step"), max_length=10, choices=TenderStepKind.choices, default=TenderStepKind.REVIEW)
    assignees = models.ManyToManyField(User, blank=True, related_name="tender_steps", verbose_name=_("must act"))
    history = HistoricalRecords(m2m_fields=[assignees])

    class Meta:
        ordering = ["tender", "round", "pk"]
        verbose_name = _("bid review")
        verbose_name_plural = _("bid reviews")
        constraints = [
            models.UniqueConstraint(fields=["tender", "round", "kind"], name="tender_step_once_per_round"),
            *step_constraints("tender_step"),
        ]

    def __str__(self):
        return f"{self.tender} · {self.round}"
