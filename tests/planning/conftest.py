"""Records for the planning tests, built through the services like users build them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

TODAY = date(2026, 6, 15)  # a working Monday: last week is 2026-W24 (8–14 June)


def pdf_upload(name="商务标.pdf", text=b"bid"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n" + text + b"\n%%EOF\n",
                              content_type="application/pdf")


def codes(exc) -> set:
    """The codes of a refusal, whether it names fields or not."""
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors} | {getattr(exc, "code", None)} - {None}
    return {e.code for e in exc.error_list}


class Planning:
    """Signed contracts, projects with money, plans in force and bids in a given state."""

    def __init__(self, demo, make):
        self.demo, self.make, self.n = demo, make, 0

    def signed(self, *, owner="sales_hb", amount, signed_on: date, region=None):
        user = self.demo.user(owner)
        contract = self.make.contract(by=owner, amount=Decimal(amount), on=signed_on, starts_on=signed_on,
                                      ends_on=signed_on + timedelta(days=300),
                                      region_code=region or user.person.regions.first().code)
        return self.make.advance(contract, to="signed", signed_on=signed_on, on=signed_on)

    def project(self, contract, accepted_on):
        from receivables.services import acceptance_submit, project_register

        project = project_register(contract_id=contract.pk, by=None)
        acceptance_submit(project_id=project.pk, by=self.demo.user("xxx_head"), report_date=accepted_on,
                          notice="工程已于验收日全部完工，特此通知。", report_scan=pdf_upload("验收报告.pdf"))
        project.refresh_from_db()
        return project

    def invoice(self, project, issued_on, amount):
        from receivables.services import invoice_record

        self.n += 1
        return invoice_record(project_id=project.pk, by=self.demo.user("finance"), number=f"PLN{self.n:05d}",
                              issued_on=issued_on, amount=Decimal(amount))

    def receipt(self, project, received_on, amount):
        from receivables.services import receipt_record

        self.n += 1
        return receipt_record(project_id=project.pk, by=self.demo.user("finance"), received_on=received_on,
                              amount=Decimal(amount), bank_reference=f"PB{self.n:06d}")

    def plan(self, *, year=2026, region=None, by="mgmt_manager", rows, approve=True):
        """A plan with ``rows`` = [(region code, login or None, period, period_no, amount)], approved by the
        director and the general manager unless ``approve=False`` (then left as a draft)."""
        from planning import services

        by = self.demo.user(by)
        plan = services.plan_create(by=by, year=year, region=self.demo.region(region) if region else None)
        version = plan.versions.get()
        services.plan_targets_set(version_id=version.pk, by=by, targets=[
            {"region": self.demo.region(code), "person": self.demo.user(login) if login else None, "period": period,
             "period_no": no, "amount": str(amount)} for code, login, period, no, amount in rows])
        if approve:
            services.plan_submit(version_id=version.pk, by=by)
            for login in ("director", "gm"):
                step = version.steps.get(status="pending")
                services.plan_approve(step_id=step.pk, by=self.demo.user(login))
        version.refresh_from_db()
        return version

    def tender(self, *, state="preparing", by="sales_hb", opening_on=None, customer=None, budget="800000"):
        from planning import services

        owner = self.demo.user(by)
        customer = customer or self.make.customer(region=owner.person.regions.first().code, by=by)
        opening_on = opening_on or TODAY + timedelta(days=10)
        tender = services.tender_create(by=owner, title=f"测试招标项目{customer.pk}", customer=customer, budget=budget,
                                        documents_due_on=opening_on - timedelta(days=3), opening_on=opening_on,
                                        clerk=self.demo.user("clerk"))
        if state == "preparing":
            return tender
        clerk = self.demo.user("clerk")
        services.tender_document_add(tender_id=tender.pk, by=clerk, upload=pdf_upload())
        services.tender_update(tender_id=tender.pk, by=clerk, quoted_amount="760000")
        services.tender_send_to_review(tender_id=tender.pk, by=clerk)
        if state == "review":
            return tender
        step = tender.steps.get(status="pending")
        services.tender_review(step_id=step.pk, by=self.demo.user("mgmt_manager"), approve=True)
        if state == "ready":
            return tender
        services.tender_submit(tender_id=tender.pk, by=owner)
        tender.refresh_from_db()
        return tender


@pytest.fixture
def today(clock):
    return clock.set(TODAY)


@pytest.fixture
def pln(demo, make, today):
    return Planning(demo, make)


@pytest.fixture
def tpln(transactional_demo, tmake, clock):
    """``pln`` for transactional tests (threads, the browser): everything committed."""
    clock.set(TODAY)
    return Planning(transactional_demo, tmake)
