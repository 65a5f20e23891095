"""Customers, their contacts and due diligence (SPEC CUS-1, CUS-2)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    DUE_DILIGENCE_POINTS,
    Conclusion,
    Rating,
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
