"""One set of factories for every app's tests: records are built *through the services*, the way users do.

Nothing here writes a row with ``objects.create``: a customer is entered and investigated by a
salesperson, a contract is drafted, submitted and decided step by step by the people the org chart
names, signed with a scan, registered, archived and its copies acknowledged. A test therefore never
holds a record in a state the portal could not produce, and a change of a workflow rule shows up in
the tests that depend on it.

Plain functions and one small class rather than factory-boy: factory-boy's model factories write rows
directly (``Model.objects.create``), bypassing the services and their guards — exactly what the tests
must not do — and a counter per factory is all that is needed for unique names.

Fixtures (available in every test directory through ``tests/conftest.py``):

* ``make`` — for ordinary tests (rolled back after each test);
* ``tmake`` — for transactional tests (threads, a real Celery worker, the browser): everything committed.

Examples::

    make.customer(region="HD", by="sales_hd")
    make.contract()                         # a draft (its text uploaded) with a customer with valid due diligence
    make.submitted(amount=Decimal("2e6"))   # major: legal and technical participants are named for you
    make.at_step("legal")                   # waiting for the legal review
    make.filed(on=date(2024, 11, 1))        # the whole chain run on that day (clock travels there)
    make.advance(contract, to="registered") # take an existing contract further
    make.amendment(parent=contract, relation="termination")
    make.loan(state="lent")                 # an archived original, borrowed, approved and handed out
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A valid unified social credit code per index (check digit computed).
_CREDIT_CODE_BASE = "91110000MA0{:06d}"


def credit_code(n: int) -> str:
    from stdnum.cn import uscc

    body = _CREDIT_CODE_BASE.format(n)[:17]
    return body + uscc.calc_check_digit(body)


def pdf_upload(name="scan.pdf", text=b"signed"):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + text + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name="evidence.png"):
    content = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
               b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
               b"\xaeB`\x82")
    return SimpleUploadedFile(name, content, content_type="image/png")


_POINTS = ("subject_qualification", "credit_standing", "performance_capacity", "operating_status", "market_demand",
           "product", "service_quality", "price")
# The eight points of art. 8, all satisfactory.
FINDINGS = {**{f"{name}_rating": "good" for name in _POINTS}, **{name: "核实无异常" for name in _POINTS}}

MAJOR_AMOUNT = Decimal("2000000.00")  # over the policy's major-contract threshold

# Who decides each step by default when the org chart names several people (the demo org's logins).
DEFAULT_ACTORS = {
    "leader": "director", "finance": "finance", "legal": "legal", "gm": "gm", "long_term": "deputy_gm",
    "register": "clerk", "archive": "archivist", "copy_finance": "finance", "copy_marketing": "mgmt_manager",
}


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware moment in Beijing time on ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@contextlib.contextmanager
def clock_at(day: date | datetime | None, *, tick: bool = True):
    """Run the enclosed code on ``day`` (10:00 Beijing time); ``None`` leaves the clock alone.

    The clock keeps ticking by default so that steps opened one after the other keep their order.
    """
    if day is None:
        yield
        return
    import time_machine

    when = day if isinstance(day, datetime) else moment(day)
    with time_machine.travel(when, tick=tick):
        yield


class Factories:
    """Builders of customers, templates, contracts in any reachable state, amendments and loans."""

    def __init__(self, demo):
        self.demo = demo
        self.n = 0

    # -- people and places ------------------------------------------------------------------------
    def user(self, who):
        return self.demo.user(who) if isinstance(who, str) else who

    def _next(self) -> int:
        self.n += 1
        return self.n

    # -- customers (CUS) --------------------------------------------------------------------------
    def customer(self, region="HB", by="sales_hb", name=None, diligence=True, contacts=None):
        """A customer with one contact, investigated today (valid due diligence) unless ``diligence=False``."""
        from contracts.services import customer_create

        n = self._next()
        customer = customer_create(
            by=self.user(by), name=name or f"测试客户{n}有限公司", credit_code=credit_code(n),
            region=self.demo.region(region), address="北京市", industry="电力",
            contacts=[{"name": "王经理", "position": "采购部经理", "phone": "010-88888888"}]
            if contacts is None else contacts,
        )
        if diligence:
            self.due_diligence(customer, by=by)
        return customer

    def due_diligence(self, customer, by="sales_hb", investigated_on=None, conclusion="pass", findings=None):
        from contracts.services import due_diligence_record

        return due_diligence_record(customer_id=customer.pk, by=self.user(by),
                                    investigated_on=investigated_on or timezone.localdate(), conclusion=conclusion,
                                    findings=findings or FINDINGS, evidence=[png_upload()])

    # -- templates (CON-2) ------------------------------------------------------------------------
    def template(self, by="clerk", code=None, name=None, kind="contract", direction="sales",
                 effective_from=None):
        """A standard template with its first version (the text attached); returns the version."""
        from contracts.services import template_create, template_version_add

        n = self._next()
        template = template_create(by=self.user(by), code=code or f"std{n}", name=name or f"标准销售合同{n}",
                                   kind=kind, direction=direction)
        return template_version_add(template_id=template.pk, by=self.user(by),
                                    effective_from=effective_from or timezone.localdate(), changes="首版",
                                    text_file=pdf_upload("标准文本.pdf", b"text"))

    # -- contracts (CON) --------------------------------------------------------------------------
    def contract(self, by="sales_hb", customer=None, amount=None, months=6, participants=False, on=None, text=True,
                 **kw):
        """A draft by ``by`` (a sales contract with a fresh customer unless one is given).

        ``amount`` defaults to 120,000 (or to the sum of ``lines``). ``participants=True`` names the legal and
        technical participants art. 7 requires of a major or foreign-related contract (see ``major()``).
        The draft text the approvers read is uploaded unless ``text=False`` (no submission without it).
        """
        from contracts.services import contract_create

        with clock_at(on):
            user = self.user(by)
            region_code = kw.pop("region_code", None)
            if customer is None and kw.get("direction", "sales") == "sales":
                customer = self.customer(region=region_code or user.person.regions.first().code, by=by)
            if amount is None:
                lines = kw.get("lines") or ()
                amount = sum((Decimal(str(ln["quantity"])) * Decimal(str(ln["unit_price"])) for ln in lines),
                             Decimal("0")) if lines else Decimal("120000.00")
            if participants:
                kw.setdefault("legal_participant", self.user("legal"))
                kw.setdefault("technical_participant", self.user("tech_rnd"))
            start = kw.pop("starts_on", timezone.localdate())
            defaults = dict(title=f"配电设备采购合同{self.n}", amount=amount, starts_on=start,
                            ends_on=kw.pop("ends_on", start + timedelta(days=30 * months - 1)))
            if not kw.get("template_version"):
                defaults["non_standard_reason"] = "客户提供文本"
            defaults.update(kw)
            contract = contract_create(by=user, customer=customer, **defaults)
            if text:
                self.text(contract, by=user)
            return contract

    def text(self, contract, by=None, name="合同文本.pdf"):
        """Upload a draft text to a draft (a resubmitted version needs its own)."""
        from contracts.services import contract_text_add

        return contract_text_add(contract_id=contract.pk, by=self.user(by or contract.handler),
                                 upload=pdf_upload(name, f"text {contract.pk} v{contract.version}".encode()))

    def major(self, **kw):
        """A draft over the major-contract threshold with its legal and technical participants."""
        kw.setdefault("amount", MAJOR_AMOUNT)
        return self.contract(participants=True, **kw)

    def construction(self, by="mgmt_manager", handler="sales_hb", region="HB", amount=Decimal("210000.00"),
                     months=3, on=None, **kw):
        """A construction sub-contract with XXX, drafted by Marketing (as the hand-off app does, HND-5)."""
        with clock_at(on):
            return self.contract(by=by, direction="construction", customer=None, region=self.demo.region(region),
                                 handler=self.user(handler), amount=amount, months=months, **kw)

    def advance(self, contract, *, to=None, until_step=None, actors=None, signed_on=None, on=None):
        """Take ``contract`` forward through the services until it is in state ``to`` (a ContractState value)
        or until a step of kind ``until_step`` waits on it. ``actors`` overrides who decides a step kind."""
        from contracts.choices import ContractState

        if (to is None) == (until_step is None):
            raise TypeError("advance() needs exactly one of to= or until_step=")
        target = ContractState(to) if to is not None else None
        with clock_at(on):
            for _ in range(20):
                contract.refresh_from_db()
                if target is not None and contract.state == target:
                    return contract
                if until_step is not None and contract.steps.filter(
                        version=contract.version, kind=until_step, status="pending").exists():
                    return contract
                self._take_next_step(contract, actors or {}, signed_on)
        raise AssertionError(f"contract {contract.pk} did not reach {to or until_step}: it is {contract.state}")

    def _actor(self, step, contract, actors):
        """Who takes ``step``: the override, else the usual demo login if the org chart named them, else the
        first person named who did not submit or handle the contract (the handler signs)."""
        if step.kind in actors:
            return self.user(actors[step.kind])
        if step.kind == "sign":
            return contract.handler
        assignees = list(step.assignees.order_by("pk"))
        preferred = [u for u in assignees if u.username == DEFAULT_ACTORS.get(step.kind)]
        conflicted = {contract.handler_id, contract.submitted_by_id}
        return (preferred or [u for u in assignees if u.pk not in conflicted] or assignees)[0]

    def _take_next_step(self, contract, actors, signed_on) -> None:
        from contracts import services
        from contracts.choices import APPROVAL_KINDS, ContractState, StepKind

        if contract.state == ContractState.DRAFT:
            if any(p.code == "text_not_renewed" for p in services.submission_problems(contract)):
                self.text(contract, name=f"合同文本（第{contract.version + 1}版）.pdf")  # the corrected text
            services.contract_submit(contract_id=contract.pk, by=self.user(actors.get("submit", contract.handler)))
            return
        step = contract.steps.filter(version=contract.version, status="pending").order_by("opened_at", "pk").first()
        if step is None:
            raise AssertionError(f"nothing waits on contract {contract.pk} in state {contract.state}")
        by = self._actor(step, contract, actors)
        if step.kind in APPROVAL_KINDS:
            services.contract_approve(contract_id=contract.pk, by=by, kind=step.kind, comment="同意")
        elif step.kind == StepKind.SIGN:
            day = signed_on or timezone.localdate()
            services.contract_sign(contract_id=contract.pk, by=by, signed_on=day, counterparty_signed_on=day,
                                   scan=pdf_upload())
        elif step.kind == StepKind.REGISTER:
            services.contract_register(contract_id=contract.pk, by=by)
        elif step.kind == StepKind.ARCHIVE:
            services.contract_archive(contract_id=contract.pk, by=by, cabinet="A1", box="3")
        else:
            services.contract_acknowledge_copy(contract_id=contract.pk, by=by, kind=step.kind)

    def _in_state(self, state, *, actors=None, signed_on=None, on=None, contract=None, **kw):
        with clock_at(on):
            contract = contract or self.contract(**kw)
            return self.advance(contract, to=state, actors=actors, signed_on=signed_on)

    def submitted(self, **kw):
        return self._in_state("leader_review", **kw)

    def at_step(self, kind, *, actors=None, on=None, **kw):
        """A contract on which a step of ``kind`` waits (e.g. ``"legal"``, ``"register"``, ``"copy_marketing"``)."""
        with clock_at(on):
            return self.advance(self.contract(**kw), until_step=kind, actors=actors)

    def approved(self, **kw):
        return self._in_state("approved", **kw)

    def signed(self, **kw):
        return self._in_state("signed", **kw)

    def registered(self, **kw):
        return self._in_state("registered", **kw)

    def archived(self, **kw):
        return self._in_state("archived", **kw)

    def filed(self, **kw):
        """Archived and both copies acknowledged: the end of the chain."""
        return self._in_state("filed", **kw)

    def rejected(self, *, at="leader", comment="请补充付款条件", **kw):
        """Rejected at step ``at``: back to a draft whose next submission is version 2."""
        from contracts.services import contract_reject

        contract = self.at_step(at, **kw)
        by = self._actor(contract.steps.get(version=contract.version, kind=at), contract, {})
        return contract_reject(contract_id=contract.pk, by=by, kind=at, comment=comment)

    # -- change and termination (CON-11) ----------------------------------------------------------
    def amendment(self, parent=None, relation="supplementary", title=None, amount=None, reason="双方协商一致",
                  on=None, text=True, **kw):
        """A draft supplementary (or termination) agreement to a signed contract (a new one unless given)."""
        from contracts.services import contract_amendment_create

        with clock_at(on):
            parent = parent or self.signed()
            today = timezone.localdate()
            termination = relation == "termination"
            if amount is None:
                amount = Decimal("0") if termination else Decimal("10000.00")
            by = self.user(kw.pop("by", parent.handler))
            starts_on = kw.pop("starts_on", today)
            ends_on = kw.pop("ends_on", today if termination else parent.ends_on)
            title = title or ("解除协议" if termination else "补充协议")
            agreement = contract_amendment_create(parent_id=parent.pk, by=by, relation=relation, title=title,
                                                  amount=amount, starts_on=starts_on, ends_on=ends_on, reason=reason,
                                                  **kw)
            if text:
                self.text(agreement, by=by)
            return agreement

    # -- borrowing originals (CON-10) -------------------------------------------------------------
    def loan(self, contract=None, state="requested", by="sales_hb", days=3, purpose="核对条款", on=None):
        """A loan of an archived original in ``state`` (requested, approved, lent, returned, rejected, cancelled)."""
        from contracts import services

        with clock_at(on):
            contract = contract or self.archived()
            borrower = self.user(by)
            loan = services.loan_request(contract_id=contract.pk, by=borrower, purpose=purpose,
                                         return_due_on=timezone.localdate() + timedelta(days=days))
            if state == "requested":
                return loan
            if state == "cancelled":
                return services.loan_cancel(loan_id=loan.pk, by=borrower)
            if state == "rejected":
                return services.loan_decide(loan_id=loan.pk, by=self.user("admin_head"), approve=False,
                                            comment="暂不外借")
            loan = services.loan_decide(loan_id=loan.pk, by=self.user("admin_head"), approve=True)
            if state == "approved":
                return loan
            loan = services.loan_hand_out(loan_id=loan.pk, by=self.user("archivist"))
            if state == "lent":
                return loan
            if state == "returned":
                return services.loan_return(loan_id=loan.pk, by=self.user("archivist"))
            raise ValueError(f"unknown loan state {state!r}")


@pytest.fixture
def make(demo):
    """Factories for ordinary tests (the records are rolled back with the test)."""
    return Factories(demo)


@pytest.fixture
def tmake(transactional_demo):
    """Factories for transactional tests (threads, the worker, the browser): everything is committed."""
    return Factories(transactional_demo)
