"""Demo projects in every stage (called by ``manage.py seed_demo``; safe to run again).

The older contracts below are entered as they would be for data from before the portal: a signed sales contract,
its project registered by the Marketing office, then every fact (acceptance, invoices, receipts, the retention
statement, the Director's decisions, a payout) recorded *on its own date* through the services, with the daily
sweep run on each of those days. Replaying the calendar this way gives the ledger the entries, rule dates,
reminders and notices a live system would have produced — some deductions, one forfeited project with a
suspension proposal waiting for the Director, one owner on mandatory collection-only duty with a compensation
agreement to sign. The replay freezes "today" (``timezone.localdate``) for the services while it runs; it is demo
seeding only. Finally the sweep runs for the real today.

A few projects are dated relative to the day the seed runs (``RELATIVE``), so that Finance's home cards and the
project list have an invoice and receipts due in the current week on first run; they are made once (by title).

Projects of sales contracts signed by the contracts app's demo data open by themselves (the signing signal);
any signed sales contract still without its project is registered here.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from contracts.models import Contract, Customer
from org.models import Region

from . import services
from .engine import sweep_receivables
from .models import Acceptance, DutyProposal, Project, RetentionStatement

CUSTOMERS = [
    ("华北电力建设工程有限公司", "91110000MA01AB12C", "HB"),
    ("河北冀能新能源开发有限公司", "91130100MA0CD3456", "HB"),
    ("上海浦江智能电气股份有限公司", "91310000MA1FL8KQ3", "HD"),
    ("广东粤海城市轨道交通有限公司", "91440300MA5EF7890", "HN"),
    ("陕西秦川光伏电力有限公司", "91610000MA6GH2345", "XB"),
    ("江苏苏电配网工程有限公司", "91320000MA1RC0011", "HD"),
    ("甘肃陇电新能源有限公司", "91620000MA7RC0022", "XB"),
]

W = Decimal("10000")  # amounts below in units of 10,000 yuan (万元)

# title, owner, customer index, amount (万元), signed on, retention %, warranty months, actions (date, what, *args)
PROJECTS = [
    ("苏电开发区10kV配电房改造工程", "sales_hd", 5, 86, date(2026, 9, 20), "5", 12, [
        # signed, works under way: awaiting acceptance
    ]),
    ("华北电建南苑开关站扩建工程", "sales_hb", 0, 158, date(2026, 6, 8), "5", 12, [
        (date(2026, 11, 10), "accept"),  # invoice deadline 2026-12-10: within time, reminders coming
    ]),
    ("浦江智能张江园区箱变工程", "sales_hd", 2, 232, date(2026, 3, 16), "5", 12, [
        (date(2026, 7, 20), "accept"), (date(2026, 7, 22), "ack"),  # not invoiced: three 5 % steps so far
    ]),
    ("粤海地铁车辆段供电改造工程", "sales_hn", 3, 415, date(2025, 11, 3), "5", 24, [
        (date(2026, 3, 2), "accept"), (date(2026, 3, 4), "ack"),  # not invoiced by 2026-09-02: forfeited, proposal
    ]),
    ("秦川光伏二期升压站工程", "rm_xb", 4, 367, date(2025, 4, 14), "5", 12, [
        (date(2025, 8, 11), "accept"), (date(2025, 8, 12), "ack"),  # 12 months on: agreement, mandatory duty
    ]),
    ("冀能风电场集电线路工程", "sales_hb", 1, 128, date(2026, 5, 18), "5", 12, [
        (date(2026, 9, 1), "accept"), (date(2026, 9, 3), "ack"), (date(2026, 9, 20), "invoice", 128),
        (date(2026, 10, 30), "receipt", 50),  # being collected, within time
    ]),
    ("浦江智能二期配电自动化工程", "sales_hd", 2, 276, date(2025, 12, 1), "5", 12, [
        (date(2026, 3, 10), "accept"), (date(2026, 3, 12), "ack"), (date(2026, 4, 5), "invoice", 276),
        (date(2026, 5, 20), "receipt", 100),  # collection overdue: steps from 2026-07-04
    ]),
    ("粤海地铁三号线环网柜安装工程", "sales_hn", 3, 195, date(2025, 10, 9), "5", 12, [
        (date(2026, 2, 2), "accept"), (date(2026, 2, 4), "ack"), (date(2026, 2, 15), "invoice", 195),
        (date(2026, 3, 20), "receipt", Decimal("185.25")),  # collected; retention under warranty to 2027-02-02
    ]),
    ("华北电建丰台变电站改造工程", "sales_hb", 0, 240, date(2025, 2, 10), "5", 12, [
        (date(2025, 6, 16), "accept"), (date(2025, 6, 18), "ack"), (date(2025, 7, 1), "invoice", 240),
        (date(2025, 8, 15), "receipt", 228), (date(2026, 6, 20), "issue"), (date(2026, 6, 22), "notify"),
        # retention not collected: 5 % steps of the retention clock from 2026-09-18
    ]),
    ("陇电光伏电站送出线路工程", "sales_xb", 6, 182, date(2025, 7, 1), "5", 12, [
        (date(2025, 11, 3), "accept"), (date(2025, 11, 5), "ack"), (date(2025, 11, 20), "invoice", 182),
        (date(2026, 1, 9), "receipt", Decimal("172.90")),  # warranty ended 2026-11-03: statement for Finance
    ]),
    ("华北电建临时变电所工程", "sales_hb", 0, 96, date(2024, 12, 2), "5", 12, [
        (date(2025, 3, 3), "accept"), (date(2025, 3, 5), "ack"), (date(2025, 3, 20), "invoice", 96),
        (date(2025, 5, 1), "receipt", Decimal("91.2")), (date(2025, 6, 10), "payout"),
        (date(2026, 3, 5), "issue"), (date(2026, 3, 9), "notify"), (date(2026, 3, 20), "receipt", Decimal("4.8")),
    ]),
    ("苏电工业园区电缆改造工程", "sales_hd", 5, 64, date(2025, 9, 1), "5", 12, [
        (date(2025, 12, 1), "accept"), (date(2025, 12, 3), "ack"), (date(2026, 2, 16), "invoice", 64),
        (date(2026, 3, 30), "receipt", Decimal("60.8")),  # invoiced late (one step), collected in time
        (date(2026, 4, 10), "adjust"),
    ]),
]


# Dated from the day the seed runs: title, owner, customer index, amount (万元), what falls due this week
# ("invoice": accepted a month before, not yet invoiced; "collect": invoiced in full 60 days before, part received).
RELATIVE = [
    ("华北电建石景山配电室增容工程", "sales_hb", 0, 72, "invoice"),
    ("冀能光伏园区升压站扩容工程", "sales_hb", 1, 134, "collect"),
    ("苏电高新区环网柜改造工程", "sales_hd", 5, 98, "collect"),
]


def _code(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + text.encode() + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@contextmanager
def _on(day: date):
    """Services and the sweep see ``day`` as today (demo replay only)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


def run(stdout=None) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _run(stdout)


def _run(stdout=None) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    needed = {"clerk", "xxx_head", "finance", "mgmt_manager", "director", "sales_hb", "sales_hd", "sales_hn",
              "sales_xb", "rm_xb"}
    if not needed <= set(users):
        return  # the org seed has not run
    made = 0
    if not Contract.objects.filter(title=PROJECTS[0][0]).exists():
        made = _replay(users)
    # Older signed sales contracts (e.g. demo contracts signed before this app existed) get their project.
    from .selectors import contracts_without_project

    for contract in contracts_without_project(users["clerk"]):
        services.project_register(contract_id=contract.pk, by=users["clerk"])
    made += _relative(users, timezone.localdate())
    result = sweep_receivables()
    if stdout:
        stdout.write(f"receivables: {made} demo projects replayed, {Project.objects.count()} projects, "
                     f"sweep assessed {result.assessed} and posted {result.entries} entries")


def _replay(users) -> int:
    regions = {r.code: r for r in Region.objects.all()}
    customers = []
    for name, body, region in CUSTOMERS:
        customer = Customer.objects.filter(name=name).first()
        if customer is None:
            customer = Customer.objects.create(name=name, credit_code=_code(body), region=regions[region],
                                               created_by=users["clerk"], industry="电力", address="")
        customers.append(customer)
    projects: dict[str, Project] = {}
    actions = []
    for title, owner, customer_index, amount, signed_on, retention, warranty, steps in PROJECTS:
        customer = customers[customer_index]
        contract = Contract.objects.create(
            title=title, direction="sales", customer=customer, region=customer.region, handler=users[owner],
            amount=amount * W, starts_on=signed_on, ends_on=signed_on + timedelta(days=360), state="filed",
            non_standard_reason="系统启用前签订的合同（历史数据补录）", retention_percent=Decimal(retention),
            warranty_months=warranty, created_by=users["clerk"], signed_on=signed_on, counterparty_signed_on=signed_on)
        contract._change_reason = "历史合同补录"
        actions.append((signed_on, 0, "register", title, contract))
        for order, (day, what, *args) in enumerate(steps, start=1):
            actions.append((day, order, what, title, args))
    actions.sort(key=lambda a: (a[0], a[1]))
    swept: date | None = None
    for day, _order, what, title, args in actions:
        with _on(day):
            if swept != day:
                sweep_receivables()
                swept = day
            if what == "register":
                projects[title] = services.project_register(contract_id=args.pk, by=users["clerk"])
                Project.objects.filter(pk=projects[title].pk).update(registered_at=_at(day, 9))
                continue
            project = Project.objects.get(pk=projects[title].pk)
            _do(what, project, day, args, users)
    # Times of day as they would have been (the replay ran them all now): the sweep at 00:30, people at work.
    for proposal in DutyProposal.objects.filter(project__in=list(projects.values())):
        day = proposal.cause_date or timezone.localdate()
        DutyProposal.objects.filter(pk=proposal.pk).update(
            created_at=_at(day, 0, 30), decided_at=_at(day, 0, 30) if proposal.decided_at else None)
    # The Director's pending decision stays pending (the forfeited project); one adjustment waits for approval.
    return len(PROJECTS)


def _start_for(deadline_of, today: date) -> date | None:
    """The latest day on or before ``today`` whose deadline (``deadline_of(day)``, a calendar period end) falls
    in the rest of this week (today to Sunday), or None (a Saturday or Sunday with no working day left)."""
    sunday = today + timedelta(days=6 - today.weekday())
    for back in range(0, 120):
        day = today - timedelta(days=back)
        if today <= deadline_of(day) <= sunday:
            return day
    return None


def _relative(users, today: date) -> int:
    """The ``RELATIVE`` projects not made yet: an invoice deadline or a collection deadline this week."""
    from marketing_portal.periods import period_end
    from marketing_portal.policy import current_policy

    policy = current_policy()
    customers = {i: Customer.objects.filter(name=CUSTOMERS[i][0]).first() for *_x, i, _a, _k in RELATIVE}
    made = 0
    for title, owner, customer_index, amount, kind in RELATIVE:
        customer = customers[customer_index]
        if customer is None or Contract.objects.filter(title=title).exists():
            continue
        if kind == "invoice":
            accepted = _start_for(lambda d: period_end(d, months=policy.invoice_deadline_months), today)
            invoiced = None
        else:
            invoiced = _start_for(lambda d: period_end(d, days=policy.collection_deadline_days), today)
            accepted = invoiced - timedelta(days=12) if invoiced else None
        if accepted is None:
            continue
        signed_on = accepted - timedelta(days=120)
        contract = Contract.objects.create(
            title=title, direction="sales", customer=customer, region=customer.region, handler=users[owner],
            amount=amount * W, starts_on=signed_on, ends_on=signed_on + timedelta(days=360), state="filed",
            non_standard_reason="系统启用前签订的合同（历史数据补录）", retention_percent=Decimal("5"),
            warranty_months=12, created_by=users["clerk"], signed_on=signed_on, counterparty_signed_on=signed_on)
        contract._change_reason = "历史合同补录"
        steps = [(accepted, "accept", ()), (accepted + timedelta(days=2), "ack", ())]
        if invoiced:
            steps += [(invoiced, "invoice", (amount,)),
                      (min(today, invoiced + timedelta(days=25)), "receipt", (Decimal(amount) * Decimal("0.4"),))]
        with _on(signed_on):
            project = services.project_register(contract_id=contract.pk, by=users["clerk"])
        Project.objects.filter(pk=project.pk).update(registered_at=_at(signed_on, 9))
        for day, what, args in steps:
            with _on(day):
                _do(what, Project.objects.get(pk=project.pk), day, args, users)
        made += 1
    return made


def _at(day: date, hour: int, minute: int = 0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _do(what: str, project: Project, day: date, args, users) -> None:
    if what == "accept":
        services.acceptance_submit(project_id=project.pk, by=users["xxx_head"], report_date=day,
                                   notice=f"{project.name}已全部完工，经甲方组织验收合格，特此书面通告。",
                                   report_scan=_pdf("验收报告.pdf", project.name),
                                   notice_scan=_pdf("完工通告.pdf", project.name))
        Acceptance.objects.filter(project=project).update(submitted_at=_at(day, 10))
    elif what == "ack":
        services.acceptance_acknowledge(project_id=project.pk, by=users["mgmt_manager"], part="original")
        services.acceptance_acknowledge(project_id=project.pk, by=users["finance"], part="copy")
        Acceptance.objects.filter(project=project).update(original_received_at=_at(day, 9, 30),
                                                          copy_received_at=_at(day, 14))
    elif what == "invoice":
        number = f"{day:%y%m%d}{project.pk:04d}"
        services.invoice_record(project_id=project.pk, by=users["finance"], number=f"44{number}", issued_on=day,
                                amount=Decimal(args[0]) * W, note="增值税专用发票")
    elif what == "receipt":
        services.receipt_record(project_id=project.pk, by=users["finance"], received_on=day,
                                amount=(Decimal(args[0]) * W).quantize(Decimal("0.01")),
                                bank_reference=f"ICBC{day:%Y%m%d}{project.pk:05d}", payer=project.customer.name,
                                note="银行回单")
    elif what == "issue":
        statement = RetentionStatement.objects.get(project=project)
        services.statement_issue(statement_id=statement.pk, by=users["finance"], issued_on=day)
    elif what == "notify":
        statement = RetentionStatement.objects.get(project=project)
        services.statement_notify_owner(statement_id=statement.pk, by=users["mgmt_manager"])
    elif what == "payout":
        services.commission_payout(owner=project.owner, by=users["finance"], paid_on=day, reference=f"TC{day:%Y%m}")
    elif what == "adjust":
        services.adjustment_request(project_id=project.pk, by=users["mgmt_manager"], amount="500.00",
                                    reason="客户书面表扬，申请奖励提成")

