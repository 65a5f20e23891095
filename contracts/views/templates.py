"""Pages of the standard contract templates and their versions (CON-2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from marketing_portal.web import apply_errors

from .. import forms, selectors, services
from ..models import TemplateVersion


@login_required
def template_list(request):
    templates = selectors.templates_visible_to(request.user).prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.order_by("-number")))
    form = forms.TemplateForm(request.POST or None) if request.user.has_perm("contracts.manage_templates") else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                template = services.template_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Template created; upload its first version."))
                return redirect(template)
    return render(request, "contracts/template_list.html", {"templates": templates, "form": form})


@login_required
def template_detail(request, pk):
    template = get_object_or_404(selectors.templates_visible_to(request.user), pk=pk)
    may_keep = request.user.has_perm("contracts.manage_templates")
    form = forms.TemplateVersionForm(request.POST or None, request.FILES or None) if may_keep else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.template_version_add(template_id=template.pk, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("New version saved; earlier versions can no longer be chosen."))
                return redirect(template)
    versions = template.versions.select_related("created_by__person")
    return render(request, "contracts/template_detail.html", {"template": template, "versions": versions,
                                                              "form": form})
