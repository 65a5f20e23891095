"""Policy values: every number the regulation sets, versioned (SPEC introduction).

``FIELDS`` lists each value with its type, limits and the regulation's default. ``current_policy()``
returns the newest version as a read-only ``Policy``; ``policy_update()`` validates a change and
stores it as a new version. Computed consequences (deadlines, deductions) record ``policy.version``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PolicyField:
    key: str
    label: str
    kind: str  # "int", "decimal", "bool", "str", "int_list"
    default: Any
    group: str
    min_value: Any = None
    max_value: Any = None
    help_text: str = ""
    unit: str = ""
    check: Callable[[Any], Any] | None = None  # a further check of an entered value (raises ValidationError)
    choices: dict | None = None  # names of the codes a "str" value takes (shown instead of the code)
    example: Callable[[Any], str] | None = None  # what a pattern gives (a numbering pattern's first number)
    ascending: bool = False  # an "int_list" shown smallest first (clock hours: 9、15 点; days before: 7、3、1 天)

    def parse(self, raw: Any) -> Any:
        """Turn a stored or entered value into its Python value; ``ValidationError`` in the user's language."""
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on", "是"}:
                return True
            if text in {"0", "false", "no", "off", "否", ""}:
                return False
            raise ValidationError(_("%(label)s: enter yes or no.") % {"label": self.label})
        if self.kind == "str":
            value = str(raw).strip()
            if not value:
                raise ValidationError(_("%(label)s: this value cannot be empty.") % {"label": self.label})
            return value
        if self.kind == "int_list":
            items = raw if isinstance(raw, list | tuple) else str(raw).replace("，", ",").split(",")
            try:
                values = sorted({int(str(item).strip()) for item in items if str(item).strip()}, reverse=True)
            except ValueError:
                raise ValidationError(
                    _("%(label)s: enter whole numbers separated by commas, e.g. 7,3,1.") % {"label": self.label}
                ) from None
            for value in values:
                self._check_range(value)
            return values
        try:
            if self.kind == "int":
                if isinstance(raw, float) or (isinstance(raw, str) and not raw.strip().lstrip("-").isdigit()):
                    raise ValueError
                value = int(raw)
            else:
                value = Decimal(str(raw).strip())
                if not value.is_finite():
                    raise InvalidOperation
        except (ValueError, InvalidOperation, TypeError):
            kind = _("a whole number") if self.kind == "int" else _("a number")
            raise ValidationError(
                _("%(label)s: “%(value)s” is not %(kind)s.") % {"label": self.label, "value": raw, "kind": kind}
            ) from None
        self._check_range(value)
        return value

    def _check_range(self, value):
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("%(label)s must be at least %(min)s.") % {"label": self.label, "min": self.min_value}
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                _("%(label)s must be at most %(max)s.") % {"label": self.label, "max": self.max_value}
            )

    def dump(self, value: Any) -> Any:
        """The JSON form stored in a version (decimals as strings, never floats)."""
        return str(value) if self.kind == "decimal" else value

    def display(self, value: Any) -> str:
        """The value as people read it, with its unit: 是/否, “7、3、1 天”, ¥1,000,000.00, a code's name, a pattern with
        its example. ``value`` may be the stored form (a past version)."""
        from django.utils.translation import gettext, pgettext

        from .money import format_yuan

        try:
            value = self.parse(value)
        except ValidationError:
            return str(value)  # a value stored before a check existed: shown as it is
        if self.kind == "bool":
            return gettext("Yes") if value else gettext("No")
        if self.kind == "decimal" and str(self.unit) == str(YUAN):
            return format_yuan(value)
        if self.kind == "int_list":
            text = pgettext("list separator", ", ").join(str(v) for v in sorted(value, reverse=not self.ascending))
        elif self.kind == "decimal":
            text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
        elif self.choices and value in self.choices:
            text = f"{self.choices[value]}（{value}）"
        else:
            text = str(value)
        if self.example is not None:
            text = gettext("%(value)s (e.g. %(example)s)") % {"value": text, "example": self.example(value)}
        unit = str(self.unit)
        if not unit:
            return text
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _archive_pattern_check(value: str) -> None:
    """Archive numbers are per region and year (CON-7): a pattern without {seq} or {region} would repeat."""
    from .numbering import check_pattern

    check_pattern(value, allowed={"region", "year", "seq"}, required={"region", "seq"})


YUAN = _("yuan")
G_CONTRACT = _("Contracts")
G_HANDOFF = _("Hand-off to XXX")
G_RECEIVABLE = _("Receivables and commission")
G_REPAIR = _("Repairs")
G_PLANNING = _("Plans and reports")
G_SYSTEM = _("System")


def _clock_check(value: str) -> None:
    """A working-day boundary is a clock time such as 08:30."""
    from .worktime import parse_clock

    try:
        parse_clock(value)
    except ValueError:
        raise ValidationError(_("Enter a time of day such as 08:30.")) from None


REPAIR_UNITS = ("repair", "rnd", "production")
REPAIR_UNIT_NAMES = {"repair": _("Repair Center"), "rnd": _("R&D"), "production": _("Production")}


def _archive_example(pattern: str) -> str:
    from django.utils import timezone

    from .numbering import format_number

    return format_number(pattern, region="HB", year=timezone.localdate().year, seq=1)


def _repair_unit_check(value: str) -> None:
    """A liaison sheet goes to the Repair Center, R&D or Production (REP-5): their unit codes."""
    if value not in REPAIR_UNITS:
        raise ValidationError(_("Enter one of the unit codes repair, rnd or production."))

FIELDS: tuple[PolicyField, ...] = (
    # Contracts (合同管理制度)
    PolicyField("contract_max_term_months", _("Longest term without GM approval"), "int", 12, G_CONTRACT, 1, 120,
                _("Art. 3: a longer term needs the general manager or the deputy GM in charge."), _("months")),
    PolicyField("major_contract_threshold", _("Major contract threshold"), "decimal", Decimal("1000000.00"),
                G_CONTRACT, Decimal("0.01"), None,
                _("Art. 7: from this amount legal and technical staff join the negotiation."), YUAN),
    PolicyField("legal_review_waiver", _("Legal review may be waived for simple contracts"), "bool", True,
                G_CONTRACT, help_text=_("Only for a standard template drafted by us, non-major, domestic, "
                                        "with a term within the limit.")),
    PolicyField("contract_cc_enabled", _("Copy the regional manager on contract approvals"), "bool", True,
                G_CONTRACT, help_text=_("The regional manager of the contract's region and the people named on "
                                        "the draft are told of the submission and of the final decision.")),
    PolicyField("due_diligence_valid_months", _("Due-diligence record valid for"), "int", 12, G_CONTRACT, 1, 60,
                _("Art. 8: a valid record is needed before submission."), _("months")),
    PolicyField("objection_deadline_days", _("Objection letter deadline"), "int", 15, G_CONTRACT, 1, 365,
                _("Art. 12: reasonable period when law and contract set none."), _("days")),
    PolicyField("objection_reply_days", _("Reply to an objection within"), "int", 15, G_CONTRACT, 1, 365,
                _("Art. 12."), _("days")),
    PolicyField("loan_max_days", _("Longest loan of a contract original"), "int", 30, G_CONTRACT, 1, 365,
                _("Art. 18."), _("days")),
    PolicyField("archive_number_pattern", _("Archive number pattern"), "str", "{region}-{year}-{seq:04d}",
                G_CONTRACT, help_text=_("Art. 16: {region}, {year} and {seq} are filled in."),
                check=_archive_pattern_check, example=_archive_example),
    # Hand-off (合同对接制度)
    PolicyField("handoff_costing_days", _("XXX costing period"), "int", 1, G_HANDOFF, 1, 30,
                _("Art. 2: costing within 1 day of receiving the liaison sheet."), _("days")),
    PolicyField("handoff_review_days", _("Finance review period"), "int", 1, G_HANDOFF, 1, 30,
                _("Art. 3: review within 1 day of submission."), _("days")),
    PolicyField("handoff_reminder_hours", _("Hand-off reminders on the due day at"), "int_list", [9, 15], G_HANDOFF,
                0, 23, _("Hours (Beijing time) of the due day at which the party that must act is reminded, comma "
                         "separated; overdue alerts go out once the due day has ended."), _("o'clock"), ascending=True),
    # Receivables and commission (工程回款制度)
    PolicyField("invoice_deadline_months", _("Invoice within"), "int", 1, G_RECEIVABLE, 1, 24,
                _("Art. 2: months after acceptance."), _("months")),
    PolicyField("deduction_step_days", _("Deduction step"), "int", 30, G_RECEIVABLE, 1, 365,
                _("Every full step of days late deducts the step percentage."), _("days")),
    PolicyField("deduction_step_percent", _("Deduction per step"), "decimal", Decimal("5"), G_RECEIVABLE,
                Decimal("0"), Decimal("100"), _("Percent of the project's sales commission."), "%"),
    PolicyField("invoice_forfeit_months", _("Commission forfeited when not invoiced by"), "int", 6, G_RECEIVABLE,
                1, 60, _("Months after acceptance."), _("months")),
    PolicyField("invoice_compensation_months", _("Compensation agreement when not invoiced by"), "int", 12,
                G_RECEIVABLE, 1, 120, _("Months after acceptance."), _("months")),
    PolicyField("collection_deadline_days", _("Collect within"), "int", 60, G_RECEIVABLE, 1, 365,
                _("Art. 3: days after invoicing."), _("days")),
    PolicyField("collection_forfeit_months", _("Commission forfeited when not collected by"), "int", 8,
                G_RECEIVABLE, 1, 60, _("Months after invoicing."), _("months")),
    PolicyField("collection_compensation_months", _("Compensation agreement when not collected by"), "int", 12,
                G_RECEIVABLE, 1, 120, _("Months after invoicing."), _("months")),
    PolicyField("commission_rate_percent", _("Default sales commission rate"), "decimal", Decimal("2.00"),
                G_RECEIVABLE, Decimal("0"), Decimal("100"), _("Percent of the commission base."), "%"),
    PolicyField("retention_percent", _("Default retention money"), "decimal", Decimal("5.00"), G_RECEIVABLE,
                Decimal("0"), Decimal("100"), _("Percent of the contract amount."), "%"),
    PolicyField("warranty_months", _("Default warranty period"), "int", 12, G_RECEIVABLE, 0, 120,
                _("Months after acceptance."), _("months")),
    PolicyField("reminder_days_before", _("Reminders before a deadline"), "int_list", [7, 3, 1], G_RECEIVABLE,
                0, 365, _("Days before each deadline, comma separated."), _("days")),
    # Repairs (客户报修处理流程图): service levels in working hours of the CAL calendar
    PolicyField("repair_workday_start", _("Working day starts at"), "str", "08:30", G_REPAIR,
                help_text=_("Service levels count working hours only, from this time on working days."),
                check=_clock_check),
    PolicyField("repair_workday_end", _("Working day ends at"), "str", "17:30", G_REPAIR, check=_clock_check),
    PolicyField("repair_response_hours", _("Phone response within"), "int", 2, G_REPAIR, 1, 200,
                _("Working hours from the customer's call to the technician's call back."), _("working hours")),
    PolicyField("repair_visit_hours", _("On-site visit within"), "int", 16, G_REPAIR, 1, 400,
                _("Working hours from a phone response that did not solve it to the technician's arrival."),
                _("working hours")),
    PolicyField("repair_close_hours", _("Ticket closed within"), "int", 40, G_REPAIR, 1, 2000,
                _("Working hours from the call to the archived feedback sheet."), _("working hours")),
    PolicyField("repair_second_escalation_hours", _("Second escalation after"), "int", 4, G_REPAIR, 1, 200,
                _("Working hours after the head was alerted, the Repair Center supervisor is alerted too."),
                _("working hours")),
    PolicyField("repair_unit_in_warranty", _("Liaison sheet in warranty to"), "str", "production", G_REPAIR,
                help_text=_("Unit code: repair (Repair Center), rnd (R&D) or production (Production)."),
                check=_repair_unit_check, choices=REPAIR_UNIT_NAMES),
    PolicyField("repair_unit_out_of_warranty", _("Liaison sheet out of warranty to"), "str", "repair", G_REPAIR,
                help_text=_("Unit code: repair (Repair Center), rnd (R&D) or production (Production)."),
                check=_repair_unit_check, choices=REPAIR_UNIT_NAMES),
    PolicyField("repair_unit_unknown_warranty", _("Liaison sheet, warranty unknown, to"), "str", "repair",
                G_REPAIR, help_text=_("Unit code: repair (Repair Center), rnd (R&D) or production (Production)."),
                check=_repair_unit_check, choices=REPAIR_UNIT_NAMES),
    # Plans and reports (RPT-2)
    PolicyField("weekly_report_due_days", _("Weekly report due"), "int", 1, G_PLANNING, 1, 14,
                _("Days after the Sunday that ends the week (1: the Monday; the next working day if it is a rest "
                  "day)."), _("days")),
    PolicyField("monthly_report_due_workdays", _("Monthly report due"), "int", 3, G_PLANNING, 1, 20,
                _("The report is due on this working day of the following month."), _("working days")),
    # System
    PolicyField("upload_max_mb", _("Largest upload"), "int", 20, G_SYSTEM, 1, 200, "", "MB"),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}


@dataclass(frozen=True)
class Policy:
    """Read-only values of one policy version; attribute access by key (``policy.invoice_deadline_months``)."""

    version: int
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        # Parsed once: the sweep reads these values for every receivable.
        # A value added after this version was made keeps its regulation default.
        parsed = {f.key: f.parse(self.values[f.key]) if f.key in self.values else f.default for f in FIELDS}
        object.__setattr__(self, "_parsed", parsed)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._parsed[key]
        except KeyError:
            raise AttributeError(key) from None

    def as_list(self) -> list[tuple[PolicyField, Any]]:
        return [(f, getattr(self, f.key)) for f in FIELDS]


def default_values() -> dict[str, Any]:
    return {f.key: f.dump(f.default) for f in FIELDS}


def defaults() -> Policy:
    """The regulation's own values (version 0: never stored)."""
    return Policy(version=0, values=default_values())


def _ensure_first_version():
    from .models import PolicyVersion

    try:
        with transaction.atomic():
            from django.conf import settings
            from django.utils import translation

            with translation.override(settings.LANGUAGE_CODE):  # a stored text: in the portal's language
                reason = str(_("Regulation defaults"))
            return PolicyVersion.objects.get_or_create(version=1, defaults={"values": default_values(),
                                                                             "reason": reason})[0]
    except IntegrityError:  # another process made it at the same moment
        return PolicyVersion.objects.get(version=1)


def current_policy() -> Policy:
    from .memo import remembered
    from .models import PolicyVersion

    def latest() -> Policy:
        found = PolicyVersion.objects.order_by("-version").first() or _ensure_first_version()
        return Policy(version=found.version, values=found.values)

    return remembered(("policy",), latest)  # once a reading request (memo.py); a write reads it afresh


def policy_version(version: int) -> Policy:
    """The values a past computation used."""
    from .models import PolicyVersion

    if version == 0:
        return defaults()
    record = PolicyVersion.objects.get(version=version)
    return Policy(version=record.version, values=record.values)


def policy_update(*, changes: dict[str, Any], by, reason: str) -> Policy:
    """Store a new version with ``changes`` applied; nothing is stored when any value is malformed."""
    from .models import PolicyVersion

    if not reason.strip():
        raise ValidationError({"reason": _("Say why the policy changes.")})
    errors: dict[str, list] = {}
    parsed: dict[str, Any] = {}
    for key, raw in changes.items():
        spec = FIELDS_BY_KEY.get(key)
        if spec is None:
            errors.setdefault("__all__", []).append(_("Unknown policy value “%(key)s”.") % {"key": key})
            continue
        try:
            value = spec.parse(raw)
            if spec.check is not None:
                spec.check(value)
            parsed[key] = spec.dump(value)
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The unique version number serialises concurrent changes: the loser gets an IntegrityError.
        latest = PolicyVersion.objects.select_for_update().order_by("-version").first() or _ensure_first_version()
        values = {**default_values(), **latest.values, **parsed}
        if values == latest.values:
            raise ValidationError(_("Nothing was changed."))
        created = PolicyVersion.objects.create(
            version=latest.version + 1, values=values, reason=reason.strip(), created_by=by
        )
    return Policy(version=created.version, values=created.values)
