"""What the API shows of each record, and what it accepts to record money.

Input serializers refuse fields they do not know (``StrictSerializer``): a typo must not be silently dropped.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contracts.models import Contract, Customer
from receivables.models import CommissionEntry, Invoice, Project, Receipt
from repairs.models import Ticket


class CustomerSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "credit_code", "region", "address", "industry", "created_at", "updated_at"]


class ContractSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    handler = serializers.CharField(source="handler.username", read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "serial_number", "title", "kind", "direction", "state", "customer", "region", "handler",
                  "amount", "starts_on", "ends_on", "version", "is_major"]


class ProjectSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "number", "name", "contract", "customer", "region", "owner", "amount", "retention_amount",
                  "warranty_months", "stage", "accepted_on", "warranty_ends_on", "invoiced_on", "collected_on",
                  "retention_collected_on", "next_deadline_on", "next_deadline_label", "url"]

    def get_url(self, obj) -> str:
        return f"{settings.PORTAL_BASE_URL.rstrip('/')}{obj.get_absolute_url()}"


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["id", "number", "project", "issued_on", "amount", "note", "created_at"]


class ReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Receipt
        fields = ["id", "project", "received_on", "amount", "bank_reference", "payer", "note", "created_at"]


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "number", "category", "state", "customer", "contract", "unit_name", "fault", "department",
                  "received_at", "response_due_at", "visit_due_at", "close_due_at", "resolved_at", "archived_at"]


class LedgerEntrySerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = CommissionEntry
        fields = ["id", "project", "owner", "kind", "key", "revision", "entry_date", "amount", "percent", "stage",
                  "step", "policy_version", "reason", "reverses", "created_at"]


class StrictSerializer(serializers.Serializer):
    """Refuses a field it does not know, naming it."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {name: [serializers.ErrorDetail(str(_("Unknown field.")), code="unknown_field")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                errors = {**exc.detail, **errors}
            else:
                raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


AMOUNT = dict(max_digits=14, decimal_places=2, min_value=None, coerce_to_string=True)


class InvoiceCreateSerializer(StrictSerializer):
    project = serializers.IntegerField(label=_("project"), help_text=_("The project's id (from /api/projects/)."))
    number = serializers.CharField(label=_("invoice number"), max_length=40)
    issued_on = serializers.DateField(label=_("invoice date"))
    amount = serializers.DecimalField(label=_("amount (yuan)"), **AMOUNT)
    note = serializers.CharField(label=_("note"), max_length=200, required=False, allow_blank=True, default="")


class ReceiptCreateSerializer(StrictSerializer):
    project = serializers.IntegerField(label=_("project"), help_text=_("The project's id (from /api/projects/)."))
    received_on = serializers.DateField(label=_("received on"))
    amount = serializers.DecimalField(label=_("amount (yuan)"), **AMOUNT)
    bank_reference = serializers.CharField(
        label=_("bank reference"), max_length=60,
        help_text=_("Required: a receipt posted again with the same bank reference is recorded once."))
    payer = serializers.CharField(label=_("payer"), max_length=120, required=False, allow_blank=True, default="")
    note = serializers.CharField(label=_("note"), max_length=200, required=False, allow_blank=True, default="")
