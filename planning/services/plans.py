"""Sales plans and targets (RPT-3): drafted, submitted, approved by leadership on the approval kernel,
revised as new versions; the approved version in force is what the dashboard reads."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.audit import audited
from marketing_portal.money import AmountError, parse_amount
from marketing_portal.notifications import event_key, notify_many
from marketing_portal.numbering import format_number, next_number
from marketing_portal.policy import current_policy
from org import approvals
from org.approvals import StepStatus, stored
from org.models import Region

from .. import rules, selectors
from ..choices import PlanState, PlanStepKind, TargetPeriod
from ..models import PlanVersion, SalesPlan, Target
from .common import PlanningError, require

CHAIN = replace(rules.PLAN_CHAIN, error=PlanningError)
STEP_ORDER = (PlanStepKind.DIRECTOR, PlanStepKind.GM)
PERIOD_LIMITS = {TargetPeriod.YEAR: (0, 0), TargetPeriod.QUARTER: (1, 4), TargetPeriod.MONTH: (1, 12)}


@audited
@transaction.atomic
def plan_create(*, by, year: int, region: Region | None = None, title: str = "", note: str = "") -> SalesPlan:
    """A new plan for ``year`` (the centre's, or ``region``'s) with an empty first version."""
    plan = SalesPlan(year=year, region=region, title="", created_by=by, number="")
    require(by, "planning.create_plan", message=_("Only the Management Manager, the Sales Manager and regional "
                                                 "managers draft sales plans."))
    if not rules.may_draft_plan_of(by, plan):
        raise PlanningError(_("A regional manager drafts the plan of their own region; the centre's plan is drafted "
                              "by the Management Manager or the Sales Manager."), code="not_your_region")
    if not 2000 <= int(year) <= 2100:
        raise PlanningError({"year": [_("Enter a year between 2000 and 2100.")]}, code="bad_year")
    if SalesPlan.objects.filter(year=year, region=region).exists():
        raise PlanningError(_("There is already a plan for this year and region; revise it instead."),
                            code="plan_exists")
    seq = next_number("plan", int(year))
    plan.number = format_number("JH-{year}-{seq:03d}", year=year, seq=seq)
    plan.title = title.strip() or (_("%(year)s sales plan of %(region)s") % {"year": year, "region": region}
                                   if region else _("%(year)s sales plan of the marketing centre") % {"year": year})
    plan._change_reason = stored(gettext_lazy("plan drafted"))
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise PlanningError(_("There is already a plan for this year and region; revise it instead."),
                            code="plan_exists") from None
    PlanVersion.objects.create(plan=plan, number=1, note=note.strip(), created_by=by)
    return plan


def _lock_version(version_id: int) -> PlanVersion:
    version = PlanVersion.objects.select_for_update().select_related("plan").filter(pk=version_id).first()
    if version is None:
        raise PlanningError(_("This plan version does not exist."), code="no_such_version")
    return version


def _clean_targets(plan: SalesPlan, rows) -> list[dict]:
    """Check each target row; every problem is reported at once with its row number."""
    errors, clean, seen = [], [], set()
    for index, row in enumerate(rows, start=1):
        region, person, period = row.get("region"), row.get("person"), row.get("period")
        try:
            period_no = int(row.get("period_no") or 0)
        except (TypeError, ValueError):
            period_no = -1
        try:
            amount = parse_amount(row.get("amount"), label=_("target"), allow_zero=True)
        except AmountError as exc:
            errors.append(_("Row %(n)s: %(error)s") % {"n": index, "error": " ".join(exc.messages)})
            continue
        if region is None:
            errors.append(_("Row %(n)s: choose the region.") % {"n": index})
            continue
        if plan.region_id and region.pk != plan.region_id:
            errors.append(_("Row %(n)s: this plan is for %(region)s only.") % {"n": index, "region": plan.region})
            continue
        low, high = PERIOD_LIMITS.get(period, (None, None))
        if low is None or not low <= period_no <= high:
            errors.append(_("Row %(n)s: the period is an annual target, a quarter 1–4 or a month 1–12.")
                          % {"n": index})
            continue
        key = (region.pk, getattr(person, "pk", None), period, period_no)
        if key in seen:
            errors.append(_("Row %(n)s: the same target is given twice.") % {"n": index})
            continue
        seen.add(key)
        clean.append({"region": region, "person": person, "period": period, "period_no": period_no,
                      "amount": amount})
    if errors:
        raise PlanningError({"targets": errors}, code="bad_targets")
    return clean


@audited
@transaction.atomic
def plan_targets_set(*, version_id: int, by, targets) -> PlanVersion:
    """Replace the targets of a draft version (rows of region, person or None, period, period_no, amount)."""
    version = _lock_version(version_id)
    require(by, "planning.edit_plan_version", version,
            message=_("Only a draft version can be changed, by whoever drafts this plan."), code="not_draft")
    rows = _clean_targets(version.plan, targets)
    existing = {(t.region_id, t.person_id, t.period, t.period_no): t for t in version.targets.all()}
    wanted = set()
    for row in rows:
        key = (row["region"].pk, getattr(row["person"], "pk", None), row["period"], row["period_no"])
        wanted.add(key)
        target = existing.get(key)
        if target is None:
            Target.objects.create(version=version, **row)
        elif target.amount != row["amount"]:
            target.amount = row["amount"]
            target.save()
    for key, target in existing.items():
        if key not in wanted and target.amount != Decimal("0"):
            target.amount = Decimal("0.00")  # a line taken out of a draft: kept at zero, never deleted
            target._change_reason = stored(gettext_lazy("taken out of the draft"))
            target.save()
    return version


@audited
@transaction.atomic
def plan_submit(*, version_id: int, by, note: str = "") -> PlanVersion:
    """Submit a draft version for approval: the Marketing Director, then the general manager."""
    version = _lock_version(version_id)
    require(by, "planning.submit_plan_version", version,
            message=_("Only a draft version can be submitted, by whoever drafts this plan."), code="not_draft")
    if not version.targets.filter(amount__gt=0).exists():
        raise PlanningError(_("Enter at least one target before submitting the plan."), code="no_targets")
    _check_no_overlap(version)
    now = timezone.now()
    version.state = PlanState.REVIEW
    version.submitted_by = by
    version.submitted_at = now
    version.note = (note or version.note).strip()
    version.content_hash = version.compute_hash()
    version._change_reason = stored(gettext_lazy("submitted for approval"))
    version.save()
    _open(version, STEP_ORDER[0], now)
    return version


def _check_no_overlap(version: PlanVersion) -> None:
    """A target is set by one plan only: the same region/person/period in another plan in force of the year would
    count twice on the dashboard."""
    others = Target.objects.filter(version__in_force=True, version__plan__year=version.plan.year, amount__gt=0)\
        .exclude(version__plan=version.plan)
    taken = {(t.region_id, t.person_id, t.period, t.period_no): t for t in others.select_related("version__plan")}
    clashes = [t for t in version.targets.filter(amount__gt=0).select_related("region")
               if (t.region_id, t.person_id, t.period, t.period_no) in taken]
    if clashes:
        first = clashes[0]
        other = taken[(first.region_id, first.person_id, first.period, first.period_no)].version.plan
        raise PlanningError(_("%(n)s target(s) are already set by “%(plan)s” (e.g. %(region)s %(period)s); a target "
                              "belongs to one plan only.") % {"n": len(clashes), "plan": other, "region": first.region,
                                                             "period": first.get_period_display()},
                            code="overlapping_targets")


def _open(version: PlanVersion, kind: str, now) -> None:
    approvals.open_step(CHAIN, version, kind, people=selectors.plan_approvers(kind), now=now,
                        key=event_key("plan-step", version, kind), title=str(version),
                        url=version.get_absolute_url())


def _begin(step_id: int, by):
    from ..models import PlanStep

    row = PlanStep.objects.filter(pk=step_id).values("plan_version_id", "kind").first()
    if row is None:
        raise PlanningError(_("This approval step does not exist."), code="no_such_step")
    version = _lock_version(row["plan_version_id"])
    step = approvals.pending_step(CHAIN, version, kind=row["kind"], step_id=step_id,
                                  not_waiting=_("This step is not waiting on this plan now."))
    principal = approvals.step_actor(CHAIN, step, by)
    return version, step, principal


@audited
@transaction.atomic
def plan_approve(*, step_id: int, by, comment: str = "") -> PlanVersion:
    """Approve a step; after the last one the version comes into force and the one before is superseded."""
    version, step, principal = _begin(step_id, by)
    digest = approvals.check_hash(CHAIN, version.compute_hash(), version.content_hash,
                                  message=_("The targets were changed after submission; nothing was approved."))
    now = timezone.now()
    approvals.close_step(CHAIN, step, status=StepStatus.APPROVED, by=by, principal=principal,
                         comment=(comment or "").strip(), now=now, content_hash=digest,
                         policy_version=current_policy().version)
    following = STEP_ORDER[STEP_ORDER.index(step.kind) + 1:]
    if following:
        _open(version, following[0], now)
        return version
    previous = PlanVersion.objects.select_for_update().filter(plan=version.plan, in_force=True).first()
    if previous:
        previous.in_force = False
        previous.state = PlanState.SUPERSEDED
        previous._change_reason = stored(gettext_lazy("superseded by version %(n)s"), n=version.number)
        previous.save()
    version.state = PlanState.APPROVED
    version.in_force = True
    version.approved_at = now
    version._change_reason = stored(gettext_lazy("approved, in force"))
    version.save()
    _tell_submitter(version, "plan-approved", stored(gettext_lazy("Sales plan “%(plan)s” is approved and in force"),
                                                     plan=str(version)))
    return version


@audited
@transaction.atomic
def plan_reject(*, step_id: int, by, comment: str) -> PlanVersion:
    """Reject with a comment: the version is closed; a revision is a new version, approved again."""
    if not (comment or "").strip():
        raise PlanningError({"comment": [_("Say why the plan is rejected, so it can be revised.")]}, code="required")
    version, step, principal = _begin(step_id, by)
    now = timezone.now()
    approvals.close_step(CHAIN, step, status=StepStatus.REJECTED, by=by, principal=principal,
                         comment=comment.strip(), now=now, content_hash=version.compute_hash(),
                         policy_version=current_policy().version)
    approvals.cancel_pending(CHAIN, version, now=now, comment=stored(gettext_lazy("closed by the rejection")))
    version.state = PlanState.REJECTED
    version._change_reason = stored(gettext_lazy("rejected: %(comment)s"), comment=comment.strip())[:100]
    version.save()
    _tell_submitter(version, "plan-rejected", stored(gettext_lazy("Sales plan “%(plan)s” was rejected"),
                                                     plan=str(version)), body=comment.strip())
    return version


def _tell_submitter(version: PlanVersion, event: str, subject: str, body: str = "") -> None:
    recipients = [u for u in (version.submitted_by, version.created_by) if u is not None]
    url = version.get_absolute_url()
    transaction.on_commit(lambda: notify_many(recipients=recipients, key=event_key(event, version), subject=subject,
                                              body=body, url=url))


@audited
@transaction.atomic
def plan_revise(*, plan_id: int, by, note: str = "") -> PlanVersion:
    """A new draft version with the targets of the latest one; it goes through approval again."""
    plan = SalesPlan.objects.select_for_update().filter(pk=plan_id).order_by().first()
    if plan is None:
        raise PlanningError(_("This plan does not exist."), code="no_such_plan")
    require(by, "planning.revise_plan", plan,
            message=_("A plan is revised by whoever drafts it, and only when no version is in draft or awaiting "
                      "approval."), code="open_version")
    latest = plan.versions.order_by("-number").first()
    version = PlanVersion.objects.create(plan=plan, number=latest.number + 1, note=(note or "").strip(),
                                         created_by=by)
    for target in latest.targets.filter(amount__gt=0):
        Target.objects.create(version=version, region_id=target.region_id, person_id=target.person_id,
                              period=target.period, period_no=target.period_no, amount=target.amount)
    return version
