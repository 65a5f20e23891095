"""The receivables app's permission layer (django-rules): who sees and who does what with projects, money,
commission and collection-only duty (SPEC RCV, X-2).

Role predicates say *who* (``records_money``: Finance); the perms registered below add the record's state where
a page needs both (``receivables.record_money`` on a project: Finance, and the project is accepted). Services
check the role predicate with ``org.rules.holds`` and then the state, each refusal with its own message; views
and templates ask the perms (``{% has_perm "receivables.record_money" user project as may %}``). Selectors
narrow lists with the same role predicates (``sees_all_projects``…).
"""

from __future__ import annotations

import rules

from marketing_portal.memo import remembered
from org.rules import (
    is_executive,
    is_finance,
    is_marketing_director,
    is_marketing_leadership,
    is_marketing_office,
    is_regional_manager,
    is_sales_clerk,
    is_sales_manager,
    is_salesperson,
    is_xxx,
    register_duty_reason_check,
)

from .choices import AdjustmentState, AgreementState, ProjectStage, StatementState

# Who sees what
sees_all_projects = is_marketing_office | is_finance | is_executive
sees_all_commission = is_marketing_leadership | is_finance | is_executive
uses_receivables = sees_all_projects | is_xxx | is_regional_manager | is_salesperson
sees_commission_pages = sees_all_commission | (~is_xxx & (is_regional_manager | is_salesperson))
sees_all_proposals = is_marketing_leadership | is_executive
sees_statements = sees_all_projects | is_regional_manager
imports_money = is_finance | is_marketing_leadership

# Who does what (services ask these, with their own messages)
registers_projects = is_marketing_office          # older contracts; the original acceptance report
submits_acceptance = is_xxx | is_marketing_office  # XXX, or Marketing for an older paper acceptance
receives_original = is_marketing_office
receives_copy = is_finance
records_money = is_finance                         # invoices, receipts, statements, payouts
reassigns_projects = is_marketing_director | is_sales_manager
requests_adjustments = is_marketing_leadership | is_finance
uploads_agreements = is_marketing_leadership | is_sales_clerk
notifies_owners = is_marketing_office


@rules.predicate
def acts_for_director(user) -> bool:
    """The Marketing Director, or whoever the Director delegated to today (ORG-7)."""
    from org.selectors import acting_for

    from .consequences import directors

    return acting_for(user, directors()) is not None


@rules.predicate
def awaits_acceptance(user, project) -> bool:
    return (project is not None and project.stage == ProjectStage.AWAITING_ACCEPTANCE
            and _acceptance(project) is None)


@rules.predicate
def is_accepted(user, project) -> bool:
    return project is not None and project.accepted_on is not None


@rules.predicate
def original_waiting(user, project) -> bool:
    acceptance = _acceptance(project)
    return acceptance is not None and not acceptance.original_received_at


@rules.predicate
def copy_waiting(user, project) -> bool:
    acceptance = _acceptance(project)
    return acceptance is not None and not acceptance.copy_received_at


def _acceptance(project):
    from .models import Acceptance

    if project is None:
        return None
    return remembered(acceptance_key(project), lambda: Acceptance.objects.filter(project=project).first())


def acceptance_key(project) -> tuple:
    """The request memo's key of a project's acceptance (the project page reads it anyway; three rules ask)."""
    return ("receivables.acceptance", project.pk)


@rules.predicate
def adjustment_pending_for_others(user, adjustment) -> bool:
    """Nobody decides an adjustment they requested or that concerns themselves."""
    return (adjustment is not None and adjustment.state == AdjustmentState.PENDING
            and user.pk not in (adjustment.requested_by_id, adjustment.owner_id))


@rules.predicate
def proposal_of_someone_else(user, proposal) -> bool:
    return proposal is not None and proposal.person.user_id != user.pk


@rules.predicate
def agreement_required(user, agreement) -> bool:
    return agreement is not None and agreement.state == AgreementState.REQUIRED


@rules.predicate
def statement_drafted(user, statement) -> bool:
    return statement is not None and statement.state == StatementState.DRAFTED


@rules.predicate
def statement_issued(user, statement) -> bool:
    return statement is not None and statement.state == StatementState.ISSUED


@rules.predicate
def batch_previewed(user, batch) -> bool:
    from .choices import ImportState

    return batch is not None and batch.state == ImportState.PREVIEWED


@rules.predicate
def sees_project_contract(user, project) -> bool:
    from contracts.selectors import visible_contract

    return project is not None and visible_contract(user, project.contract_id).exists()


@rules.predicate
def sees_project_commission(user, project) -> bool:
    from .selectors import entries_visible_to

    return project is not None and (bool(sees_all_commission(user))
                                    or entries_visible_to(user).filter(project=project).exists())


@rules.predicate
def has_duty_records(user) -> bool:
    from .selectors import agreements_visible_to, proposals_visible_to

    return proposals_visible_to(user).exists() or agreements_visible_to(user).exists()


# Pages
rules.add_perm("receivables.use_receivables", uses_receivables)
rules.add_perm("receivables.see_commission", sees_commission_pages)
rules.add_perm("receivables.see_statements", sees_statements)
rules.add_perm("receivables.see_duty", is_marketing_leadership | is_sales_clerk | has_duty_records)
rules.add_perm("receivables.see_payouts", is_finance | is_marketing_leadership)
rules.add_perm("receivables.see_imports", imports_money)
# Actions (object: the record acted on)
rules.add_perm("receivables.register_project", registers_projects)
rules.add_perm("receivables.submit_acceptance", submits_acceptance & awaits_acceptance)
rules.add_perm("receivables.acknowledge_original", receives_original & original_waiting)
rules.add_perm("receivables.acknowledge_copy", receives_copy & copy_waiting)
rules.add_perm("receivables.record_money", records_money & is_accepted)
rules.add_perm("receivables.set_commission", acts_for_director)
rules.add_perm("receivables.reassign_project", reassigns_projects)
rules.add_perm("receivables.request_adjustment", requests_adjustments)
rules.add_perm("receivables.decide_adjustment", acts_for_director & adjustment_pending_for_others)
rules.add_perm("receivables.decide_duty", acts_for_director & proposal_of_someone_else)
rules.add_perm("receivables.lift_duty", acts_for_director)
rules.add_perm("receivables.upload_agreement", uploads_agreements & agreement_required)
rules.add_perm("receivables.issue_statement", records_money & statement_drafted)
rules.add_perm("receivables.notify_owner", notifies_owners & statement_issued)
rules.add_perm("receivables.pay_commission", records_money)
rules.add_perm("receivables.upload_import", records_money)
rules.add_perm("receivables.confirm_import", records_money & batch_previewed)
rules.add_perm("receivables.open_contract", sees_project_contract)
rules.add_perm("receivables.read_commission", sees_project_commission)


def duty_reason_visible(viewer, person) -> bool:
    """org asks (``org.read_duty_reason``): a collection-only reason names overdue projects; it is shown to those
    who see every project it stands on."""
    from .choices import ProposalKind, ProposalState
    from .models import DutyProposal, Project
    from .selectors import projects_visible_to

    causes = DutyProposal.objects.filter(person=person, kind=ProposalKind.IMPOSE,
                                         state=ProposalState.CONFIRMED).values("project_id")
    return not Project.objects.filter(pk__in=causes).exclude(pk__in=projects_visible_to(viewer).values("pk")).exists()


register_duty_reason_check(duty_reason_visible)
