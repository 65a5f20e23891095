from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.access import get_visible_or_404, visible_to

from .forms import DelegationForm
from .models import Delegation, Person
from .selectors import org_chart
from .services import delegation_create, delegation_revoke


@login_required
def chart(request):
    return render(request, "org/chart.html", {"roots": org_chart()})


@login_required
def person_detail(request, pk):
    person = get_visible_or_404(Person, request.user, pk=pk)
    return render(request, "org/person.html", {"person": person, "history": person.history.all()[:50]})


@login_required
def delegations(request):
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delegation_create(principal=request.user, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your approvals are delegated for the period given."))
            return redirect("org:delegations")
    rows = visible_to(Delegation, request.user).select_related("principal__person", "delegate__person")
    return render(request, "org/delegations.html", {"form": form, "delegations": rows})


@login_required
@require_POST
def delegation_revoke_view(request, pk):
    delegation = get_visible_or_404(Delegation, request.user, pk=pk)
    try:
        delegation_revoke(delegation_id=delegation.pk, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The delegation was revoked."))
    return redirect("org:delegations")
