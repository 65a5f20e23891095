"""Benchmark projects and their money (``manage.py seed_bench``): 40,000 projects, 150,000 invoices and receipts.

One project per signed sales contract (the most recent first to miss out: their project is being opened),
registered a few days after signing, accepted months later; invoiced in one to three invoices, paid in one to
three receipts, the retention money collected after the warranty. Most owners and customers keep the
deadlines, some are late; old projects are settled, recent ones stand at every stage. Each accepted project has
its base commission entry. The open ones are then brought up to date by the real sweep as of yesterday (as the
nightly runs would have), so deductions, statements and notices are what the rules core makes of these facts.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from contracts.choices import SIGNED_STATES
from contracts.models import Contract
from marketing_portal.benchdata import BenchContext, Numbers, bulk, history, stored_dates
from marketing_portal.money import to_amount
from marketing_portal.policy import current_policy

from .choices import ProjectStage
from .ledger import warranty_end
from .models import Acceptance, CommissionEntry, Invoice, Project, Receipt
from .services.projects import PROJECT_NUMBER, PROJECT_SERIES


def _split(total: Decimal, parts: int, rng) -> list[Decimal]:
    if parts == 1:
        return [total]
    shares = [Decimal(rng.randint(20, 60)) for _ in range(parts)]
    amounts = [to_amount(total * s / sum(shares)) for s in shares[:-1]]
    return [*amounts, total - sum(amounts)]


def run(ctx: BenchContext) -> None:
    rng = ctx.rng
    User = get_user_model()
    finance = list(User.objects.filter(username__in=["finance", "finance_head"]))
    xxx = User.objects.get(username="xxx_head")
    policy = current_policy()
    today = ctx.today
    contracts = list(Contract.objects.filter(direction="sales", state__in=[*SIGNED_STATES, "terminated"],
                                             signed_on__isnull=False, project__isnull=True)
                     .select_related("customer").order_by("signed_on", "pk"))
    wanted = ctx.n(40_000)
    contracts = contracts[:wanted]
    numbers = Numbers(PROJECT_SERIES)
    projects, plans = [], []
    for c in contracts:
        registered = ctx.moment(c.signed_on + timedelta(days=rng.randint(0, 5)))
        if registered.date() > today:
            registered = timezone.now() - timedelta(hours=1)
        accepted_on = c.signed_on + timedelta(days=rng.randint(60, 300))
        late = rng.random() < 0.15
        invoiced_on = accepted_on + timedelta(days=rng.randint(30, 300) if late else rng.randint(1, 40))
        collected_on = invoiced_on + timedelta(days=rng.randint(61, 400) if late else rng.randint(5, 60))
        if accepted_on >= today or c.state == "terminated" and rng.random() < 0.5:
            accepted_on = invoiced_on = collected_on = None
        if invoiced_on and invoiced_on >= today:
            invoiced_on = collected_on = None
        if collected_on and collected_on >= today:
            collected_on = None
        retention = to_amount(c.amount * c.retention_percent / 100)
        ends = warranty_end(accepted_on, c.warranty_months) if accepted_on else None
        retention_on = None
        if collected_on and ends and ends < today:
            retention_on = ends + timedelta(days=rng.randint(10, 90) if not late else rng.randint(60, 300))
            if retention_on >= today:
                retention_on = None
        if accepted_on is None:
            stage = ProjectStage.AWAITING_ACCEPTANCE
        elif invoiced_on is None:
            stage = ProjectStage.INVOICING
        elif collected_on is None:
            stage = ProjectStage.COLLECTING
        elif retention_on is None:
            stage = ProjectStage.WARRANTY if ends >= today else ProjectStage.RETENTION
        else:
            stage = ProjectStage.SETTLED
        year = registered.year
        projects.append(Project(
            number=PROJECT_NUMBER.format(year=year, seq=numbers.take(year)), contract=c, name=c.title,
            customer_id=c.customer_id, region_id=c.region_id, owner_id=c.handler_id, amount=c.amount,
            retention_percent=c.retention_percent, retention_amount=retention, warranty_months=c.warranty_months,
            commission_base=c.amount, commission_rate_percent=Decimal("2.00"),
            commission_policy_version=policy.version, stage=stage, accepted_on=accepted_on, warranty_ends_on=ends,
            invoiced_on=invoiced_on, collected_on=collected_on, retention_collected_on=retention_on,
            registered_at=registered, registered_by=rng.choice(finance),
            # Open projects are caught up by the sweep below (from their acceptance on); the others wait.
            next_check_on=accepted_on if stage not in (ProjectStage.AWAITING_ACCEPTANCE, ProjectStage.SETTLED)
            else None, swept_on=today - timedelta(days=1) if stage == ProjectStage.SETTLED else None))
        plans.append(late)
    with stored_dates(Project):
        bulk(ctx, Project, projects)
    numbers.save()
    acceptances, entries, invoices, receipts, histories = [], [], [], [], []
    inv_seq = 0
    for p in projects:
        who = rng.choice(finance)
        histories.append(history(p, when=p.registered_at, by=who, reason="合同签订后登记项目",
                                 stage=ProjectStage.AWAITING_ACCEPTANCE, accepted_on=None, warranty_ends_on=None,
                                 invoiced_on=None, collected_on=None, retention_collected_on=None))
        if p.accepted_on is None:
            continue
        accepted_at = ctx.moment(p.accepted_on)
        acceptances.append(Acceptance(project=p, report_date=p.accepted_on, notice="工程已竣工，验收合格。",
                                      submitted_by=xxx, submitted_at=accepted_at, original_received_by_id=p.owner_id,
                                      original_received_at=accepted_at + timedelta(days=1), copy_received_by=who,
                                      copy_received_at=accepted_at + timedelta(days=2)))
        commission = p.commission
        entries.append(CommissionEntry(project=p, owner_id=p.owner_id, kind="base", key="base",
                                       entry_date=p.accepted_on, amount=commission, commission=commission,
                                       policy_version=policy.version, reason="基础提成", created_at=accepted_at))
        histories.append(history(p, when=accepted_at, by=who, kind="~", reason="验收", stage=ProjectStage.INVOICING,
                                 invoiced_on=None, collected_on=None, retention_collected_on=None))
        if p.invoiced_on:
            parts = _split(p.amount, rng.choice([1, 1, 2, 3]), rng)
            first = p.accepted_on + timedelta(days=1)
            span = max(0, (p.invoiced_on - first).days)
            days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in parts[:-1]) + [p.invoiced_on]
            for amount, day in zip(parts, days, strict=True):
                inv_seq += 1
                invoices.append(Invoice(number=f"{day.year}{inv_seq:08d}", project=p, issued_on=day, amount=amount,
                                        created_by=who, created_at=ctx.moment(day)))
        if p.collected_on:
            parts = _split(p.main_target, rng.choice([1, 1, 2, 3]), rng)
            first = p.invoiced_on
            span = max(0, (p.collected_on - first).days)
            days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in parts[:-1]) + [p.collected_on]
            for amount, day in zip(parts, days, strict=True):
                receipts.append(Receipt(project=p, received_on=day, amount=amount, payer=p.contract.customer.name,
                                        bank_reference=f"HD{p.pk:07d}{len(receipts):08d}", created_by=who,
                                        created_at=ctx.moment(day)))
        if p.retention_collected_on and p.retention_amount > 0:
            receipts.append(Receipt(project=p, received_on=p.retention_collected_on, amount=p.retention_amount,
                                    bank_reference=f"ZB{p.pk:07d}", note="质保金", created_by=who,
                                    created_at=ctx.moment(p.retention_collected_on)))
        if p.stage == ProjectStage.SETTLED:
            histories.append(history(p, when=ctx.moment(p.retention_collected_on), by=who, kind="~",
                                     reason="质保金收回，项目结清"))
    with stored_dates(Acceptance, CommissionEntry, Invoice, Receipt):
        bulk(ctx, Acceptance, acceptances)
        bulk(ctx, CommissionEntry, entries)
        bulk(ctx, Invoice, invoices)
        bulk(ctx, Receipt, receipts)
    bulk(ctx, Project.history.model, histories, label="receivables_historicalproject")
    bulk(ctx, Invoice.history.model, [history(i, when=i.created_at, by=i.created_by_id) for i in invoices],
         label="receivables_historicalinvoice")
    bulk(ctx, Receipt.history.model, [history(r, when=r.created_at, by=r.created_by_id) for r in receipts],
         label="receivables_historicalreceipt")
    open_count = sum(1 for p in projects if p.next_check_on)
    ctx.log(f"receivables: {len(projects)} projects ({open_count} open), {len(invoices)} invoices, "
            f"{len(receipts)} receipts; catching the open ones up as of yesterday …")
    from .sweep import sweep_receivables

    result = sweep_receivables(as_of=today - timedelta(days=1))
    ctx.log(f"receivables: catch-up sweep {result.seconds} s, {result.assessed} assessed, {result.entries} entries, "
            f"{result.statements} statements, {result.notices} notices")
