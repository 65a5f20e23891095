"""Pages of customers and contracts. Thin: look up through the selectors (unseen → 404), call a service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import ContractTemplate


@login_required
def contract_list_view(request):
    qs = selectors.contract_list(request.user, search=request.GET.get("q", "").strip())
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "contracts/list.html", {"page": page})


@login_required
def contract_detail(request, pk):
    contract = get_object_or_404(selectors.contracts_visible_to(request.user), pk=pk)
    return render(request, "contracts/detail.html", {"contract": contract})


@login_required
def customer_list(request):
    page = Paginator(selectors.customers_visible_to(request.user).select_related("region"), 25).get_page(
        request.GET.get("page"))
    return render(request, "contracts/customer_list.html", {"page": page})


@login_required
def customer_detail(request, pk):
    customer = get_object_or_404(selectors.customers_visible_to(request.user), pk=pk)
    return render(request, "contracts/customer_detail.html", {"customer": customer})


@login_required
def due_diligence_detail(request, pk):
    record = get_object_or_404(selectors.due_diligences_visible_to(request.user), pk=pk)
    return render(request, "contracts/dd_detail.html", {"record": record})


@login_required
def template_detail(request, pk):
    template = get_object_or_404(ContractTemplate.objects.all(), pk=pk)
    return render(request, "contracts/template_detail.html", {"template": template})
