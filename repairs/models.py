"""Repair tickets (SPEC REP-1…10): the customer's call to the Repair Center supervisor's signed archive.

A ``Ticket`` follows the flow chart 客户报修处理流程图 through ``TicketState``; the internal liaison sheet
(``LiaisonSheet``, 内部事务联络单) sends it to a department, each trip on site is a ``Visit`` with its repair
feedback sheet (维修信息反馈单), a visit that did not solve it gets a cause analysis and the head's decision,
an ``Escalation`` to the GM's Office when the head has no solution, and the return call (``ReturnCall``,
回访) before the supervisor signs. Service-level alerts (``ServiceLevelAlert``) are stored once each.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import AlertStage, Category, Department, Level, SheetState, Source, TicketState, VisitState, Warranty

User = settings.AUTH_USER_MODEL


class Equipment(models.Model):
    """A delivered item at a customer's site (REP-2): model, serial number, site, installed/accepted dates.

    Linked to the contract (and its line) it was sold under where known; its own accepted date, when the
    specialist enters one, wins over the project's acceptance for the warranty.
    """

    customer = models.ForeignKey("contracts.Customer", on_delete=models.PROTECT, related_name="equipment",
                                 verbose_name=_("customer"))
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="equipment", verbose_name=_("contract"))
    contract_line = models.ForeignKey("contracts.ContractLine", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="equipment", verbose_name=_("contract line"))
    model = models.CharField(_("model"), max_length=100)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    site = models.CharField(_("site address"), max_length=200, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    warranty_months = models.PositiveIntegerField(_("warranty period (months)"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id", "model", "serial_number"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [
            models.UniqueConstraint(fields=["model", "serial_number"], condition=~Q(serial_number=""),
                                    name="equipment_serial_unique"),
        ]

    def __str__(self):
        return f"{self.model} {self.serial_number}".strip()


class Ticket(models.Model):
    """A repair ticket (维修工单): one call or relay, from intake to the supervisor's signed archive."""

    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    category = models.CharField(_("service category"), max_length=14, choices=Category.choices)
    source = models.CharField(_("received by"), max_length=12, choices=Source.choices, default=Source.CALL)
    state = models.CharField(_("state"), max_length=16, choices=TicketState.choices, default=TicketState.NEW,
                             db_index=True)
    customer = models.ForeignKey("contracts.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="repair_tickets", verbose_name=_("customer"))
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="repair_tickets", verbose_name=_("contract"))
    equipment = models.ForeignKey(Equipment, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="tickets", verbose_name=_("equipment"))
    unit_name = models.CharField(_("unit's full name"), max_length=120)
    contact_name = models.CharField(_("responsible person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    site_address = models.CharField(_("site address"), max_length=200, blank=True)
    fault = models.TextField(_("specific fault"))
    relayed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("relayed by"))
    warranty = models.CharField(_("warranty"), max_length=8, choices=Warranty.choices, default=Warranty.UNKNOWN)
    warranty_ends_on = models.DateField(_("warranty ends on"), null=True, blank=True)
    department = models.CharField(_("department"), max_length=12, choices=Department.choices,
                                  default=Department.REPAIR)
    technician = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("technician"))
    technicians = models.ManyToManyField(User, blank=True, related_name="repair_tickets",
                                         verbose_name=_("technicians on the ticket"))
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("phone response at"), null=True, blank=True)
    response_notes = models.TextField(_("phone response"), blank=True)
    phone_solved = models.BooleanField(_("solved by phone"), null=True, blank=True)
    onsite_agreed_at = models.DateTimeField(_("agreed on-site time"), null=True, blank=True)
    first_arrival_at = models.DateTimeField(_("first arrival on site"), null=True, blank=True)
    # The arrival that meets the visit level now due: the first one, and after a return call reopened the
    # ticket, the first one since (the on-site level is watched again for the new visit).
    visit_arrival_at = models.DateTimeField(_("arrival for the visit due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("archived by"))
    archive_notes = models.TextField(_("archive notes"), blank=True)
    signed_at = models.DateTimeField(_("signed by the supervisor at"), null=True, blank=True)
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("signed by"))
    supervisor_comment = models.TextField(_("supervisor's comment"), blank=True)
    answer = models.TextField(_("answer given to the customer"), blank=True)
    answer_accepted = models.BooleanField(_("customer accepted the answer"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # Service levels (working hours of the CAL calendar) and the measured figures the metrics add up (REP-9).
    response_due_at = models.DateTimeField(_("phone response due"), null=True, blank=True)
    visit_due_at = models.DateTimeField(_("on-site visit due"), null=True, blank=True)
    close_due_at = models.DateTimeField(_("closure due"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    response_hours = models.DecimalField(_("response time (working hours)"), max_digits=9, decimal_places=2,
                                         null=True, blank=True)
    visit_hours = models.DecimalField(_("time to the visit (working hours)"), max_digits=9, decimal_places=2,
                                      null=True, blank=True)
    close_hours = models.DecimalField(_("time to close (working hours)"), max_digits=9, decimal_places=2,
                                      null=True, blank=True)
    visit_count = models.PositiveSmallIntegerField(_("visits"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("escalations to the GM's Office"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The measured hours are derived from the recorded times (shown on the page, summed by the metrics).
    history = HistoricalRecords(excluded_fields=["updated_at", "response_hours", "visit_hours", "close_hours"])

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("repair ticket")
        verbose_name_plural = _("repair tickets")
        indexes = [
            models.Index(fields=["state", "received_at"], name="ticket_state_received"),
            # The list's order (its first page without a sort of the whole set), and the lookups of the visible
            # set that had no index (``selectors.ticket_id_sources``, issue 13).
            models.Index(F("received_at").desc(), F("id").desc(), name="ticket_received_desc"),
            models.Index(fields=["department"], name="ticket_department"),
            models.Index(fields=["id"], condition=Q(escalation_count__gt=0), name="ticket_escalated"),
            # The visible set read once for the list (``selectors.visible_tickets``: id, technician, customer of the
            # tickets of a technician, of customers): answered from these alone (an index-only scan) once the
            # table is vacuumed, instead of visiting one heap page per ticket (3,500 pages for a technician).
            models.Index(fields=["technician", "customer", "id"], name="ticket_technician_cover"),
            models.Index(fields=["customer", "technician", "id"], name="ticket_customer_cover"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="ticket_satisfaction_1_5"),
            models.CheckConstraint(condition=~Q(contact_phone="") & ~Q(contact_name="") & ~Q(unit_name=""),
                                   name="ticket_has_contact"),
            models.CheckConstraint(condition=Q(phone_solved__isnull=True) | Q(responded_at__isnull=False),
                                   name="ticket_solved_after_response"),
            models.CheckConstraint(condition=~Q(state=TicketState.CLOSED) | Q(signed_at__isnull=False),
                                   name="ticket_closed_is_signed"),
            models.CheckConstraint(condition=~Q(state=TicketState.ASSIGNED) | Q(technician__isnull=False),
                                   name="ticket_assigned_has_technician"),
        ]

    def __str__(self):
        return f"{self.number} {self.unit_name}"

    def get_absolute_url(self):
        return reverse("repairs:detail", args=[self.pk])

    @property
    def is_complaint(self) -> bool:
        return self.category == Category.COMPLAINT

    @property
    def is_open(self) -> bool:
        from .choices import OPEN_STATES

        return self.state in OPEN_STATES


class LiaisonSheet(models.Model):
    """The internal liaison sheet 内部事务联络单 (REP-5): the specialist sends the visit to a department."""

    number = models.CharField(_("sheet number"), max_length=20, unique=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("ticket"))
    department = models.CharField(_("department"), max_length=12, choices=Department.choices)
    onsite_at = models.DateTimeField(_("agreed on-site time"))
    instructions = models.TextField(_("instructions"), blank=True)
    department_reason = models.CharField(_("why this department"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=SheetState.choices, default=SheetState.ISSUED)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("accepted by"))
    accepted_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("accepted on behalf of"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    technicians = models.ManyToManyField(User, blank=True, related_name="repair_sheets",
                                         verbose_name=_("technicians"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("internal liaison sheet")
        verbose_name_plural = _("internal liaison sheets")
        indexes = [models.Index(fields=["department", "ticket"], name="sheet_department_ticket")]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(state=SheetState.ISSUED),
                                    name="sheet_one_issued_per_ticket"),
            models.CheckConstraint(condition=~Q(state=SheetState.ACCEPTED) | Q(accepted_at__isnull=False),
                                   name="sheet_accepted_has_time"),
        ]

    def __str__(self):
        return self.number


class Visit(models.Model):
    """One trip on site with its repair feedback sheet 维修信息反馈单 (REP-6); when not solved, the cause
    analysis to the department head and the head's decision (REP-7)."""

    class Decision(models.TextChoices):
        REVISIT = "revisit", _("Solution found: visit again")
        ESCALATE = "escalate", _("No solution: escalate to the GM's Office")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="visits", verbose_name=_("ticket"))
    sheet = models.ForeignKey(LiaisonSheet, null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
                              verbose_name=_("liaison sheet"))
    seq = models.PositiveSmallIntegerField(_("visit"))
    technicians = models.ManyToManyField(User, related_name="repair_visits", verbose_name=_("technicians"))
    planned_at = models.DateTimeField(_("planned for"), null=True, blank=True)
    plan_notes = models.TextField(_("solution to apply"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=VisitState.choices, default=VisitState.OPEN)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("left at"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    parts_used = models.TextField(_("parts used"), blank=True)
    signer_name = models.CharField(_("signed by (customer)"), max_length=40, blank=True)
    reported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    cause_analysis = models.TextField(_("cause analysis"), blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    decision = models.CharField(_("head's decision"), max_length=10, choices=Decision.choices, blank=True)
    solution = models.TextField(_("solution"), blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("decided on behalf of"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ticket_id", "seq"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "seq"], name="visit_seq_unique"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(state=VisitState.OPEN),
                                    name="visit_one_open_per_ticket"),
            models.CheckConstraint(condition=Q(departed_at__isnull=True) | Q(arrived_at__isnull=False)
                                   & Q(departed_at__gte=F("arrived_at")), name="visit_departs_after_arrival"),
            models.CheckConstraint(condition=Q(state=VisitState.OPEN) | Q(arrived_at__isnull=False),
                                   name="visit_reported_has_arrival"),
        ]

    def __str__(self):
        return f"{self.ticket.number} #{self.seq}"


class Escalation(models.Model):
    """The head had no solution (REP-7): the GM's Office allocates technical resources and gives one."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="escalations",
                               verbose_name=_("ticket"))
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="escalation", verbose_name=_("visit"))
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by"))
    raised_at = models.DateTimeField(_("raised at"))
    report = models.TextField(_("report to the GM's Office"))
    resources = models.TextField(_("technical resources allocated"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("answered by"))
    resolved_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("answered on behalf of"))
    resolved_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    technicians = models.ManyToManyField(User, blank=True, related_name="repair_escalations",
                                         verbose_name=_("technicians allocated"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = _("escalation to the GM's Office")
        verbose_name_plural = _("escalations to the GM's Office")

    def __str__(self):
        return f"{self.ticket.number} → #{self.visit.seq}"


class ReturnCall(models.Model):
    """The return call 回访 (REP-8): fixed or not, satisfaction 1–5, comments; not fixed reopens the ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="return_calls",
                               verbose_name=_("ticket"))
    called_at = models.DateTimeField(_("called at"))
    called_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by"))
    fixed = models.BooleanField(_("confirmed fixed"))
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"))
    comments = models.TextField(_("comments"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["called_at", "pk"]
        verbose_name = _("return call")
        verbose_name_plural = _("return calls")
        constraints = [models.CheckConstraint(condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                                              name="return_call_satisfaction_1_5")]

    def __str__(self):
        return f"{self.ticket.number} {self.called_at:%Y-%m-%d}"


class ServiceLevelAlert(models.Model):
    """A service level missed and who was alerted (once per ticket, level and stage)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("ticket"))
    level = models.CharField(_("service level"), max_length=10, choices=Level.choices)
    stage = models.CharField(_("alerted"), max_length=12, choices=AlertStage.choices)
    state = models.CharField(_("ticket state"), max_length=16, choices=TicketState.choices)
    due_at = models.DateTimeField(_("was due"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.CharField(_("recipients"), max_length=300)
    # 0, or for the on-site level of a reopened ticket the reopening it follows (each round alerts once).
    round = models.PositiveSmallIntegerField(_("round"), default=0)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("service-level alert")
        verbose_name_plural = _("service-level alerts")
        constraints = [models.UniqueConstraint(fields=["ticket", "level", "stage", "round"], name="alert_once")]

    def __str__(self):
        return f"{self.ticket.number} {self.level} {self.stage}"
