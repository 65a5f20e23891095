"""seed_bench (issue 13): refuses the demo and test databases; at a tiny scale its data is consistent.

The full data set (scale 1, millions of rows) is built by ``manage.py seed_bench`` for the benchmarks, never in
the suite; here every app's ``bench.run`` writes scale 0.002 into the test database, and the rows are checked
against the rules the services keep.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from decimal import Decimal
from importlib import import_module
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone

from marketing_portal.benchdata import BenchContext
from marketing_portal.management.commands.seed_bench import check_target, forbidden_names

pytestmark = pytest.mark.django_db


def test_refuses_sqlite_the_test_and_the_system_databases(settings):
    with pytest.raises(CommandError, match="PostgreSQL only"):
        check_target("sqlite:///var/db.sqlite3")
    test_db = settings.DATABASES["default"]["NAME"]  # pytest-django's test_ database (test_…_gw0 under xdist)
    configured = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")  # this clone's, from .env.test
    for name in (test_db, configured, "postgres", "template1", "test_anything"):
        with pytest.raises(CommandError, match="refuses"):
            check_target(f"postgres://postgres@127.0.0.1:5432/{name}")
    assert configured in forbidden_names()
    check_target("postgres://postgres@127.0.0.1:5432/bench")  # a database of its own is accepted


def test_command_refuses_without_a_database_and_with_a_bad_scale():
    with pytest.raises(CommandError, match="Name the benchmark database"):
        call_command("seed_bench")
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_bench", "--scale", "0", "--database-url", "postgres://postgres@127.0.0.1/bench")


@pytest.fixture
def bench_data(demo):
    ctx = BenchContext(scale=0.002, rng=random.Random(5), today=timezone.localdate())
    for app in ("org", "contracts", "receivables", "repairs", "planning"):
        import_module(f"{app}.bench").run(ctx)
    return ctx


def test_tiny_scale_is_consistent(bench_data):
    from contracts.models import ApprovalStep, Contract, Customer
    from marketing_portal.models import NumberCounter
    from org.models import Person, Region
    from planning.models import SalesPlan, Target, Tender
    from receivables.models import CommissionEntry, Invoice, Project, Receipt
    from repairs.models import Ticket

    ctx = bench_data
    assert Region.objects.count() == 20
    bench_people = Person.objects.filter(user__username__startswith="bench_")
    assert bench_people.count() == 16 + 1  # a manager for each new region, one salesperson at this scale
    assert all(p.user.groups.exists() for p in bench_people)
    assert Customer.objects.filter(credit_code__contains="MB").count() == 10
    contracts = Contract.objects.filter(customer__credit_code__contains="MB")
    assert contracts.count() == 100
    first = ctx.first_day
    assert all(first <= c.created_at.date() <= ctx.today for c in contracts)
    # Ten years: the contracts are spread over them, and the older ones have run through the chain.
    assert contracts.filter(created_at__date__lt=ctx.today - timedelta(days=3 * 365)).exists()
    for c in contracts.prefetch_related("steps"):
        steps = [s for s in c.steps.all() if s.version == c.version]
        pending = [s for s in steps if s.status == "pending"]
        if c.state == "draft":
            assert not pending
        elif c.state in ("filed", "terminated"):
            assert not pending and {s.kind for s in steps} >= {"leader", "finance", "legal", "gm", "sign", "register",
                                                                 "archive", "copy_finance", "copy_marketing"}
            assert c.archive_number and c.signed_on
        elif c.state == "leader_review":
            assert [s.kind for s in pending] == ["leader"]
        elif c.state == "gm_review":
            assert [s.kind for s in pending] == ["gm"]
        elif c.state == "approved":
            assert [s.kind for s in pending] == ["sign"] and c.approved_at and not c.signed_on
        # Every step names who must act; a decided one who decided (a waived legal review no one).
        for s in steps:
            assert s.assignees.exists(), (c.state, s.kind)
            assert (s.decided_at is None) == (s.status == "pending")
        if c.state in ("leader_review", "joint_review", "gm_review", "long_term_review"):
            assert c.content_hash == c.compute_hash()  # so it can be approved as usual
        assert c.history.filter(history_type="+").count() == 1
        assert sum((ln.amount for ln in c.lines.all()), Decimal(0)) == c.amount
    # Numbers issued later by the services follow the benchmark's.
    last = NumberCounter.objects.get(series="contract", year=ctx.today.year).last
    assert not Contract.objects.filter(serial_number__gt=f"HT-{ctx.today.year}-{last:05d}",
                                       serial_number__startswith=f"HT-{ctx.today.year}-").exists()
    assert ApprovalStep.objects.filter(contract__in=contracts).count() > 500

    projects = Project.objects.filter(customer__credit_code__contains="MB")
    assert projects.count() == min(80, contracts.filter(signed_on__isnull=False,
                                                        state__in=["signed", "registered", "archived", "filed",
                                                                   "terminated"]).count())
    for p in projects.annotate(invoiced=Sum("invoices__amount")):
        assert p.contract.signed_on and p.contract.customer_id == p.customer_id
        received = p.receipts.aggregate(s=Sum("amount"))["s"] or 0
        assert (p.invoiced or 0) <= p.amount and received <= p.amount
        if p.stage == "settled":
            assert p.invoiced == p.amount and received == p.amount and p.next_check_on is None
        if p.invoiced_on:
            assert p.invoiced == p.amount and p.accepted_on <= p.invoiced_on < ctx.today
        if p.accepted_on:
            assert CommissionEntry.objects.filter(project=p, kind="base").count() == 1
        else:
            assert p.stage == "awaiting_acceptance" and not p.invoices.exists()
    # The sweep caught the open ones up as of yesterday: none is due before today.
    assert not projects.filter(next_check_on__lt=ctx.today).exists()
    assert Invoice.objects.filter(project__in=projects).count() + Receipt.objects.filter(project__in=projects).count() \
        > projects.count()

    tickets = Ticket.objects.filter(equipment__contract__customer__credit_code__contains="MB")
    assert tickets.count() == 200
    assert not tickets.filter(state="closed", signed_at__isnull=True).exists()
    assert not tickets.exclude(state="new").filter(technician__isnull=True).exists()
    assert not tickets.filter(visits__isnull=False).exclude(visit_count__gt=0).exists()
    assert tickets.filter(state="closed").count() > tickets.count() / 2
    per_year = tickets.values("received_at__year").annotate(n=Count("pk"))
    assert len(per_year) >= 8  # ten years of them

    assert SalesPlan.objects.filter(versions__in_force=True).count() >= 20 * 10
    assert Target.objects.filter(version__in_force=True, period="month").count() >= 20 * 10 * 12
    assert Tender.objects.filter(number__startswith="ZB-").count() >= 16
