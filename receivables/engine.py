"""The receivables engine: the rules core (``receivables.policy``) applied to stored projects (RCV-9, 10, 12).

Three modules, by what they do: ``receivables.ledger`` (facts, assessment, the commission ledger),
``receivables.consequences`` (proposals, agreements, statements, notices, lifting) and ``receivables.sweep`` (one
project after each fact, every project due each night). This module keeps the names other code imports.

Services (``receivables.services``) call ``project_refresh`` after every fact they record, inside their
transaction and with the project row locked, so pages are right at once and the nightly sweep only moves clocks.
"""

from __future__ import annotations

from .consequences import (
    blocking_projects,
    consider_lifting,
    directors,
    finance_people,
    management_managers,
    marketing_receivers,
    people_cached,
    statement_due_on,
)
from .ledger import (
    EARNING_KINDS,
    Ledger,
    ProjectAssessment,
    assess_project,
    derive_facts,
    derive_stage,
    reconcile_ledger,
    statement_of,
    warranty_end,
)
from .sweep import SweepResult, project_refresh, sweep_receivables

__all__ = [
    "SweepResult", "derive_facts", "derive_stage", "assess_project", "project_refresh", "sweep_receivables",
    "consider_lifting", "blocking_projects", "warranty_end", "statement_of", "Ledger", "ProjectAssessment",
    "reconcile_ledger", "EARNING_KINDS", "directors", "finance_people", "marketing_receivers",
    "management_managers", "people_cached", "statement_due_on",
]
