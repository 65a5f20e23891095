"""The REST API: read customers, contracts, projects, invoices, receipts, tickets and the ledger; record invoices
and receipts. Every queryset is the app's own ``*_visible_to`` selector (``marketing_portal.access``), so a record
one may not see answers 404; writes go through the receivables services, with the same checks as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from contracts.models import Contract, Customer
from marketing_portal.access import get_visible_or_404, visible_to
from org.rules import holds
from receivables import rules as receivables_rules
from receivables.models import CommissionEntry, Invoice, Project, Receipt
from receivables.services import invoice_record, receipt_record
from repairs.models import Ticket

from ..choices import Scope
from . import serializers as s

PROJECT_FILTER = OpenApiParameter("project", int, description="Only the records of this project.")


class VisibleViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only list and detail of what the token's person or service account may see."""

    model = None
    related: tuple[str, ...] = ()
    filter_by_project = False

    def get_queryset(self):
        qs = visible_to(self.model, self.request.user).order_by("pk")
        if self.related:
            qs = qs.select_related(*self.related)
        if self.filter_by_project and self.request.query_params.get("project", "").isdigit():
            qs = qs.filter(project_id=int(self.request.query_params["project"]))
        return qs


@extend_schema_view(list=extend_schema(summary="Customers"), retrieve=extend_schema(summary="One customer"))
class CustomerViewSet(VisibleViewSet):
    model, related, serializer_class = Customer, ("region",), s.CustomerSerializer


@extend_schema_view(list=extend_schema(summary="Contracts"), retrieve=extend_schema(summary="One contract"))
class ContractViewSet(VisibleViewSet):
    model, related, serializer_class = Contract, ("region", "handler"), s.ContractSerializer


@extend_schema_view(list=extend_schema(summary="Projects (receivables)"), retrieve=extend_schema(summary="One project"))
class ProjectViewSet(VisibleViewSet):
    model, related, serializer_class = Project, ("region", "owner"), s.ProjectSerializer


@extend_schema_view(list=extend_schema(summary="Repair tickets"), retrieve=extend_schema(summary="One ticket"))
class TicketViewSet(VisibleViewSet):
    model, serializer_class = Ticket, s.TicketSerializer


@extend_schema_view(list=extend_schema(summary="Commission ledger entries", parameters=[PROJECT_FILTER]),
                    retrieve=extend_schema(summary="One ledger entry"))
class LedgerViewSet(VisibleViewSet):
    model, related, serializer_class, filter_by_project = CommissionEntry, ("owner",), s.LedgerEntrySerializer, True


class MoneyViewSet(mixins.CreateModelMixin, VisibleViewSet):
    """Recording money: the project must be visible (else 404), then the receivables service decides."""

    write_scope = Scope.WRITE_MONEY
    filter_by_project = True
    create_serializer = None
    key_field = ""  # the field that makes a second post of the same record harmless
    same_fields: tuple[str, ...] = ()

    def record(self, project, data):  # pragma: no cover - defined by each viewset
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        incoming = self.create_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        project = get_visible_or_404(Project, request.user, pk=data["project"])
        existing = self.model.objects.filter(**{self.key_field: data[self.key_field].strip()}).first()
        if existing is not None:
            return self.replay(existing, project, data)
        try:
            record = self.record(project, data)
        except ValidationError as exc:
            existing = self.model.objects.filter(**{self.key_field: data[self.key_field].strip()}).first()
            if existing is not None and self.key_field in getattr(exc, "error_dict", {}):
                return self.replay(existing, project, data)  # the same record posted at the same moment
            raise
        return Response(self.serializer_class(record).data, status=status.HTTP_201_CREATED)

    def replay(self, existing, project, data):
        """Posted again: the record as it was stored (200) if it is the same, a conflict (409) if it is not."""
        if not holds(self.request.user, receivables_rules.records_money):
            raise ValidationError(_("Only Finance records invoices and receipts."), code="not_allowed")
        same = existing.project_id == project.pk and all(
            getattr(existing, name) == data[name] for name in self.same_fields)
        if not same:
            return Response({"code": "duplicate_conflict", "detail": _(
                "%(field)s %(value)s is already recorded with other details; nothing was changed.") % {
                "field": self.model._meta.get_field(self.key_field).verbose_name,
                "value": data[self.key_field]}}, status=status.HTTP_409_CONFLICT)
        response = Response(self.serializer_class(existing).data, status=status.HTTP_200_OK)
        response["Idempotent-Replay"] = "true"
        return response


@extend_schema_view(
    list=extend_schema(summary="Invoices", parameters=[PROJECT_FILTER]),
    retrieve=extend_schema(summary="One invoice"),
    create=extend_schema(summary="Record an invoice", request=s.InvoiceCreateSerializer,
                         responses={201: s.InvoiceSerializer,
                                    200: OpenApiResponse(s.InvoiceSerializer, description="Already recorded"),
                                    409: OpenApiResponse(description="The number is recorded with other details")}),
)
class InvoiceViewSet(MoneyViewSet):
    model, serializer_class, create_serializer = Invoice, s.InvoiceSerializer, s.InvoiceCreateSerializer
    key_field, same_fields = "number", ("issued_on", "amount")

    def record(self, project, data):
        return invoice_record(project_id=project.pk, by=self.request.user, number=data["number"],
                              issued_on=data["issued_on"], amount=str(data["amount"]), note=data["note"])


@extend_schema_view(
    list=extend_schema(summary="Receipts", parameters=[PROJECT_FILTER]),
    retrieve=extend_schema(summary="One receipt"),
    create=extend_schema(summary="Record a receipt", request=s.ReceiptCreateSerializer,
                         responses={201: s.ReceiptSerializer,
                                    200: OpenApiResponse(s.ReceiptSerializer, description="Already recorded"),
                                    409: OpenApiResponse(description="The bank reference is recorded with other "
                                                                     "details")}),
)
class ReceiptViewSet(MoneyViewSet):
    model, serializer_class, create_serializer = Receipt, s.ReceiptSerializer, s.ReceiptCreateSerializer
    key_field, same_fields = "bank_reference", ("received_on", "amount")

    def record(self, project, data):
        return receipt_record(project_id=project.pk, by=self.request.user, received_on=data["received_on"],
                              amount=str(data["amount"]), bank_reference=data["bank_reference"],
                              payer=data["payer"], note=data["note"])
