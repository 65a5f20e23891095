"""After approval (SPEC CON-6, CON-7, arts. 10, 15-17): signing with the scan, registration by the clerk, the
numbered archive by Administration, the copies acknowledged by Finance and Marketing."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.files import DOCUMENTS, attachment_add
from marketing_portal.numbering import check_pattern, format_number, next_number
from marketing_portal.policy import current_policy

from ..choices import SIGNED_STATES, ContractState, Relation, StepKind, StepStatus
from ..models import Contract
from .common import WorkflowError, lock_contract, set_state, stored
from .steps import begin_step, close_step, open_step


@audited
@transaction.atomic
def contract_sign(*, contract_id: int, by, signed_on: date, counterparty_signed_on: date, scan,
                  step_id: int | None = None) -> Contract:
    """Both parties signed and stamped: the scan and both signing dates are recorded."""
    contract, step, principal = begin_step(contract_id, StepKind.SIGN, by, step_id)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    approved_on = timezone.localdate(contract.approved_at) if contract.approved_at else today
    if signed_on is None:
        errors["signed_on"] = [_("Enter the date we signed.")]
    elif signed_on > today:
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    elif signed_on < approved_on:
        errors["signed_on"] = [_("We cannot have signed before the approval on %(date)s.") % {
            "date": approved_on.isoformat()}]
    if counterparty_signed_on is None:
        errors["counterparty_signed_on"] = [_("Enter the date the counterparty signed.")]
    elif counterparty_signed_on > today:
        errors["counterparty_signed_on"] = [_("The signing date cannot be in the future.")]
    if scan is None:
        errors["scan"] = [_("Upload the scan of the signed and stamped contract.")]
    if errors:
        raise ValidationError(errors)
    attachment = attachment_add(owner=contract, upload=scan, by=by, slot="signed", allowed=DOCUMENTS)
    now = timezone.now()
    close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now, contract_hash=attachment.sha256,
               comment=stored(gettext_lazy("signed %(ours)s / counterparty %(theirs)s"),
                              ours=signed_on.isoformat(), theirs=counterparty_signed_on.isoformat()))
    set_state(contract, ContractState.SIGNED, by, stored(gettext_lazy("signed")), signed_on=signed_on,
              counterparty_signed_on=counterparty_signed_on)
    open_step(contract, StepKind.REGISTER, now=now)
    if contract.relation == Relation.TERMINATION and contract.parent_id:
        parent = lock_contract(contract.parent_id)
        if parent.state in SIGNED_STATES:
            set_state(parent, ContractState.TERMINATED, by,
                      stored(gettext_lazy("terminated by agreement “%(title)s”"), title=contract.title),
                      terminated_on=signed_on)
    return contract


@audited
@transaction.atomic
def contract_register(*, contract_id: int, by, notes: str = "", step_id: int | None = None) -> Contract:
    """Art. 10, 15: the designated marketing clerk registers the signed contract."""
    contract, step, principal = begin_step(contract_id, StepKind.REGISTER, by, step_id)
    now = timezone.now()
    close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now, comment=notes.strip())
    set_state(contract, ContractState.REGISTERED, by, stored(gettext_lazy("registered")), registered_at=now,
              register_notes=notes.strip()[:200])
    open_step(contract, StepKind.ARCHIVE, now=now)
    return contract


def archive_series(region) -> str:
    """The numbering series of a region's archive numbers (one counter per region and year, CON-7)."""
    return f"archive:{region.pk}"


def next_archive_number(contract: Contract, year: int) -> tuple[str, int]:
    """Take the next number of the contract's region and year (CON-7) from the numbering service. Call inside the
    archiving transaction: the counter stays locked until it commits, and a rollback gives the number back."""
    seq = next_number(archive_series(contract.region), year)
    pattern = current_policy().archive_number_pattern
    try:
        check_pattern(pattern, allowed={"region", "year", "seq"}, required={"region", "seq"})
        return format_number(pattern, region=contract.region.code, year=year, seq=seq), seq
    except ValidationError as exc:
        # Refused when the policy is saved; one stored before that check is refused here, never replaced.
        raise WorkflowError(
            _("The archive number pattern of the policy cannot be used (%(error)s); ask the administrator to "
              "correct it.") % {"error": " ".join(exc.messages)}, code="archive_pattern") from None


@audited
@transaction.atomic
def contract_archive(*, contract_id: int, by, cabinet: str, box: str, step_id: int | None = None) -> Contract:
    """Art. 16: Administration numbers the original and files it by region; copies go to Finance and Marketing."""
    contract, step, principal = begin_step(contract_id, StepKind.ARCHIVE, by, step_id)
    errors = {}
    if not (cabinet or "").strip():
        errors["cabinet"] = [_("Enter the cabinet where the original is kept.")]
    if not (box or "").strip():
        errors["box"] = [_("Enter the box or folder.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    year = timezone.localdate(now).year
    number, seq = next_archive_number(contract, year)
    close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now,
               comment=stored(gettext_lazy("archive number %(number)s, %(cabinet)s / %(box)s"), number=number,
                              cabinet=cabinet.strip(), box=box.strip()))
    set_state(contract, ContractState.ARCHIVED, by, stored(gettext_lazy("archived as %(number)s"), number=number),
              archive_number=number, archive_year=year, archive_seq=seq, archive_cabinet=cabinet.strip(),
              archive_box=box.strip(), archived_at=now)
    open_step(contract, StepKind.COPY_FINANCE, now=now)
    open_step(contract, StepKind.COPY_MARKETING, now=now)
    return contract


@audited
@transaction.atomic
def contract_acknowledge_copy(*, contract_id: int, by, kind: str, step_id: int | None = None) -> Contract:
    """Art. 17: Finance and Marketing each confirm they received their copy; then the contract is filed."""
    if kind not in (StepKind.COPY_FINANCE, StepKind.COPY_MARKETING):
        raise WorkflowError(_("Only a copy can be acknowledged."), code="not_a_copy_step")
    contract, step, principal = begin_step(contract_id, kind, by, step_id)
    now = timezone.now()
    close_step(step, status=StepStatus.DONE, by=by, principal=principal, now=now,
               comment=stored(gettext_lazy("copy received")))
    waiting = contract.steps.filter(version=contract.version, status=StepStatus.PENDING,
                                    kind__in=[StepKind.COPY_FINANCE, StepKind.COPY_MARKETING])
    if not waiting.exists():
        set_state(contract, ContractState.FILED, by, stored(gettext_lazy("both copies acknowledged")))
    return contract
