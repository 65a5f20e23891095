"""Many open receivables at once, written in bulk (the concurrency tests and benchmarks/receivables_sweep.py).

Rows are what the services would have stored (signed contract, project with its dates, base commission entry,
the invoices that make up its invoice date, the receipts of collected ones), without history or notifications.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from contracts.models import Contract, Customer
from marketing_portal.money import to_amount
from marketing_portal.policy import current_policy
from org.models import Region
from receivables.engine import warranty_end
from receivables.models import CommissionEntry, Invoice, Project, Receipt


def _credit_code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91440000MA2{n:06d}"[:17]
    return body + uscc.calc_check_digit(body)


def build_open_receivables(count: int, *, as_of: date, seed: int = 1, owners=("sales_hb", "sales_hd", "sales_hn",
                           "sales_xb"), max_age_days: int = 900, chunk: int = 5000, tag: str = "BM",
                           late_share: float = 0.15) -> list[int]:
    """Create ``count`` accepted, not yet settled projects accepted up to ``max_age_days`` before ``as_of``.

    Most are invoiced within 45 days and paid within 75 (``late_share`` of them, 15 % by default, take up to 400
    days for each); collected ones still owe their retention, so all are open.
    Returns the project ids. ``next_check_on`` is the acceptance day: the first sweep catches each one up.
    """
    rng = random.Random(seed)
    users = list(get_user_model().objects.filter(username__in=owners).select_related("person"))
    regions = {r.pk: r for r in Region.objects.all()}
    clerk = get_user_model().objects.get(username="clerk")
    policy = current_policy()
    customers = []
    for i in range(20):
        region = users[i % len(users)].person.regions.first() or next(iter(regions.values()))
        customer, _created = Customer.objects.get_or_create(
            name=f"{tag}批量客户{i:02d}有限公司",
            defaults={"credit_code": _credit_code(seed * 100 + i), "region": region, "created_by": clerk})
        customers.append(customer)
    ids: list[int] = []
    for start in range(0, count, chunk):
        size = min(chunk, count - start)
        plans = []
        contracts = []
        for k in range(size):
            owner = users[(start + k) % len(users)]
            customer = customers[(start + k) % len(customers)]
            amount = Decimal(rng.randrange(50_000, 5_000_000)).quantize(Decimal("1.00"))
            accepted_on = as_of - timedelta(days=rng.randint(0, max_age_days))
            signed_on = accepted_on - timedelta(days=rng.randint(30, 200))
            # Most owners invoice within weeks and most customers pay within the 60 days; some are late.
            late = rng.random() < late_share
            invoiced_on = accepted_on + timedelta(days=rng.randint(30, 400) if late else rng.randint(0, 45))
            collected_on = invoiced_on + timedelta(days=rng.randint(60, 400) if late else rng.randint(5, 75))
            if not late and rng.random() < 0.3:
                collected_on = invoiced_on + timedelta(days=rng.randint(76, 120))  # paid a little late
            if invoiced_on > as_of:
                invoiced_on = collected_on = None
            elif collected_on is not None and collected_on > as_of:
                collected_on = None
            plans.append((owner, customer, amount, accepted_on, signed_on, invoiced_on, collected_on))
            contracts.append(Contract(
                title=f"{tag} 配电工程 {start + k:06d}", direction="sales", customer=customer,
                region=customer.region, handler=owner, amount=amount, starts_on=signed_on,
                ends_on=signed_on + timedelta(days=300), state="filed", non_standard_reason="批量数据",
                retention_percent=Decimal("5.00"), warranty_months=12, created_by=owner, signed_on=signed_on))
        Contract.objects.bulk_create(contracts, batch_size=2000)
        projects = []
        for contract, (owner, customer, amount, accepted_on, _s, invoiced_on, collected_on) in zip(
                contracts, plans, strict=True):
            retention = to_amount(amount * Decimal("0.05"))
            stage = "invoicing" if invoiced_on is None else ("collecting" if collected_on is None else "warranty")
            projects.append(Project(
                contract=contract, name=contract.title, customer=customer, region=customer.region, owner=owner,
                amount=amount, retention_percent=Decimal("5.00"), retention_amount=retention, warranty_months=12,
                commission_base=amount, commission_rate_percent=Decimal("2.00"),
                commission_policy_version=policy.version, stage=stage, accepted_on=accepted_on,
                warranty_ends_on=warranty_end(accepted_on, 12), invoiced_on=invoiced_on, collected_on=collected_on,
                next_check_on=accepted_on, number=f"{tag}{contract.pk:08d}"))
        Project.objects.bulk_create(projects, batch_size=2000)
        entries, invoices, receipts = [], [], []
        for project in projects:
            commission = project.commission
            entries.append(CommissionEntry(project=project, owner=project.owner, kind="base", key="base",
                                           entry_date=project.accepted_on, amount=commission, commission=commission,
                                           policy_version=policy.version, reason="基础提成"))
            if project.invoiced_on:
                invoices.append(Invoice(number=f"{tag}-{project.pk}", project=project, issued_on=project.invoiced_on,
                                        amount=project.amount, created_by=clerk))
            if project.collected_on:
                receipts.append(Receipt(project=project, received_on=project.collected_on, amount=project.main_target,
                                        bank_reference=f"{tag}-R{project.pk}", created_by=clerk))
        CommissionEntry.objects.bulk_create(entries, batch_size=5000)
        Invoice.objects.bulk_create(invoices, batch_size=5000)
        Receipt.objects.bulk_create(receipts, batch_size=5000)
        ids.extend(p.pk for p in projects)
    return ids
