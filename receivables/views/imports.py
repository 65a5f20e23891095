"""Importing invoices and receipts from Excel (RCV-11)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketing_portal.documents import xlsx_response
from marketing_portal.files import attachments_of
from marketing_portal.web import apply_errors, require_perm, show_errors

from .. import forms, imports, selectors

PAGE_SIZE = 25


# Import (RCV-11)
# --------------------------------------------------------------------------------------------------
@login_required
def import_list(request):
    user = request.user
    require_perm(request, "receivables.see_imports")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_perm(request, "receivables.upload_import")
        if form.is_valid():
            try:
                batch = imports.import_check(upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"], by=user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if batch.errors:
                    messages.error(request, _("The file has %(count)s errors; nothing can be imported until they "
                                              "are corrected.") % {"count": len(batch.errors)})
                else:
                    messages.info(request, _("The file was checked: %(count)s rows. Check the preview, then "
                                             "confirm the import.") % {"count": batch.row_count})
                return redirect(batch)
    batches = selectors.import_batches_visible_to(user).select_related("uploaded_by__person")[:50]
    return render(request, "receivables/imports.html", {
        "form": form, "batches": batches, "tab": "imports"})


@login_required
def import_detail(request, pk):
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user).select_related(
        "uploaded_by__person", "imported_by__person"), pk=pk)
    errors_by_row = {}
    for error in batch.errors:
        errors_by_row.setdefault(error["row"], []).append(error)
    rows = [{**row, "errors": errors_by_row.get(row["row"], [])} for row in batch.rows]
    file_errors = errors_by_row.get(None, [])
    total = sum((Decimal(r["amount"]) for r in batch.rows if r.get("amount")), Decimal("0"))
    return render(request, "receivables/import_detail.html", {
        "batch": batch, "rows": rows, "file_errors": file_errors,
        "row_total_count": len(batch.rows), "total": total, "files": attachments_of(batch),
        "tab": "imports"})


@login_required
@require_POST
def import_confirm_view(request, pk):
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user), pk=pk)
    try:
        imports.import_confirm(batch_id=batch.pk, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("%(count)s rows imported.") % {"count": batch.row_count})
    return redirect(batch)


@login_required
def import_errors_export(request, pk):
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user), pk=pk)
    rows = ([e["row"] or "", e["column"], e["message"]] for e in batch.errors)
    return xlsx_response(_("Import errors %(name)s.xlsx") % {"name": batch.file_name.rsplit(".", 1)[0]},
                         sheet_title=_("Errors"), headers=[_("Row"), _("Column"), _("Problem")], rows=rows,
                         widths=[8, 16, 90])


@login_required
def import_template(request):
    require_perm(request, "receivables.see_imports")
    example = [["发票", "XM2026-00001", "", timezone.localdate(), "100000.00", "44010000", "", "", "首期发票"],
               ["回款", "XM2026-00001", "", timezone.localdate(), "95000.00", "", "BANK20260001", "某某供电公司", ""]]
    return xlsx_response(_("Import template.xlsx"), sheet_title=_("Invoices and receipts"),
                         headers=imports.TEMPLATE_HEADERS, rows=example, widths=[8, 16, 16, 12, 14, 14, 18, 24, 20])
