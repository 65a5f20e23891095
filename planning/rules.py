"""Who may see and do what with reports, plans and bids (SPEC RPT-2…4, X-2), built from ``org.rules``.

Permissions (``rules.add_perm``, a superuser passes) say what a role may do; named-person rules
(``rules.add_rule``, asked with ``{% test_rule %}``) are the approval steps, which only the people the org
chart names or their delegates may decide — through the approval kernel (``org.approvals``).
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy

from org import approvals
from org import rules as org

from .choices import OPEN_TENDER_STATES, PlanState, PlanStepKind, TenderState, TenderStepKind

# --------------------------------------------------------------------------------------------------
# Roles
# --------------------------------------------------------------------------------------------------
# Leadership reads every report, plan and bid of the centre; the GM's office approves plans.
sees_all_planning = org.is_marketing_leadership | org.is_executive | org.is_sysadmin
files_reports = org.is_salesperson | org.is_regional_manager
# Who drafts and submits plans: the Management Manager, the Sales Manager, a regional manager (their region).
drafts_plans = org.is_management_manager | org.is_sales_manager | org.is_regional_manager
drafts_centre_plans = org.is_management_manager | org.is_sales_manager
# Clerks prepare the bid documents (ORG-3 招投标文件的制作); salespeople and managers start bids.
prepares_bids = org.is_sales_clerk | org.is_design_clerk
starts_bids = org.is_salesperson | org.is_regional_manager | org.is_marketing_office
compiles_reports = org.is_management_manager | org.is_marketing_director | org.is_sales_manager


@rules.predicate
def manages_region_of(user, record) -> bool:
    from org.selectors import regions_of

    return bool(org.is_regional_manager(user) and record.region_id
                and record.region_id in {r.pk for r in regions_of(user)})


# --------------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------------
@rules.predicate
def is_report_author(user, report) -> bool:
    return report.person_id == user.pk


comments_reports = manages_region_of | org.is_marketing_director | org.is_sales_manager | org.is_management_manager


# --------------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------------
@rules.predicate
def may_draft_plan_of(user, plan) -> bool:
    """The centre's plan: the Management Manager / Sales Manager; a region's: they or its regional manager."""
    if plan.region_id is None:
        return drafts_centre_plans(user)
    return bool(drafts_centre_plans(user) or manages_region_of(user, plan))


@rules.predicate
def plan_has_no_open_version(user, plan) -> bool:
    return not plan.versions.filter(state__in=[PlanState.DRAFT, PlanState.REVIEW]).exists()


@rules.predicate
def version_is_draft(user, version) -> bool:
    return version.state == PlanState.DRAFT


@rules.predicate
def may_edit_version(user, version) -> bool:
    return may_draft_plan_of(user, version.plan)


def plan_conflicted(version) -> set[int]:
    """Nobody approves a plan they submitted (ORG-7), delegated or not."""
    return {pk for pk in (version.submitted_by_id,) if pk}


PLAN_CHAIN = approvals.Chain(
    step_model="planning.PlanStep",
    owner_field="plan_version",
    conflicted=plan_conflicted,
    kind_label=lambda kind: PlanStepKind(kind).label,
    is_current=lambda step: step.plan_version.state == PlanState.REVIEW,
    own_message=gettext_lazy("Nobody may approve a plan they submitted, delegated or not."),
    notice=gettext_lazy("Sales plan “%(title)s”: %(step)s is waiting for you"),
)


@rules.predicate
def may_decide_plan_step(user, step) -> bool:
    return approvals.may_act(PLAN_CHAIN, user, step)


# --------------------------------------------------------------------------------------------------
# Bids
# --------------------------------------------------------------------------------------------------
@rules.predicate
def is_tender_owner(user, tender) -> bool:
    return tender.owner_id == user.pk


@rules.predicate
def is_tender_clerk(user, tender) -> bool:
    return tender.clerk_id == user.pk


def _tender_is(*states):
    @rules.predicate(name=f"tender_is_{'_'.join(states)}")
    def check(user, tender) -> bool:
        return tender.state in states

    return check


@rules.predicate
def tender_has_no_contract(user, tender) -> bool:
    return tender.contract_id is None


def tender_conflicted(tender) -> set[int]:
    """The Management Manager does not review documents they prepared themselves."""
    return {pk for pk in (tender.clerk_id, tender.created_by_id) if pk}


TENDER_CHAIN = approvals.Chain(
    step_model="planning.TenderStep",
    owner_field="tender",
    conflicted=tender_conflicted,
    kind_label=lambda kind: TenderStepKind(kind).label,
    is_current=lambda step: step.round == step.tender.round and step.tender.state == TenderState.REVIEW,
    own_message=gettext_lazy("Nobody may review bid documents they prepared themselves, delegated or not."),
    notice=gettext_lazy("Bid “%(title)s”: %(step)s is waiting for you"),
)


@rules.predicate
def may_decide_tender_step(user, step) -> bool:
    return approvals.may_act(TENDER_CHAIN, user, step)


works_on_tender = is_tender_owner | is_tender_clerk | manages_region_of | org.is_marketing_office

# --------------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------------
PERMISSIONS = {
    # reports (RPT-2)
    "planning.file_report": files_reports,
    "planning.comment_report": comments_reports,
    "planning.compile_reports": compiles_reports | org.is_regional_manager,
    "planning.compile_centre_reports": compiles_reports,
    # plans and targets (RPT-3)
    "planning.create_plan": drafts_plans,
    "planning.revise_plan": may_draft_plan_of & plan_has_no_open_version,
    "planning.edit_plan_version": version_is_draft & may_edit_version,
    "planning.submit_plan_version": version_is_draft & may_edit_version,
    "planning.see_all_targets": sees_all_planning,
    # bids (RPT-4)
    "planning.create_tender": starts_bids,
    "planning.prepare_tender": _tender_is(TenderState.PREPARING) & (works_on_tender | prepares_bids),
    "planning.send_tender_to_review": _tender_is(TenderState.PREPARING) & (works_on_tender | prepares_bids),
    "planning.submit_tender": _tender_is(TenderState.READY) & works_on_tender,
    "planning.record_tender_result": _tender_is(TenderState.SUBMITTED) & (is_tender_owner | manages_region_of
                                                                           | org.is_marketing_leadership),
    "planning.cancel_tender": _tender_is(*OPEN_TENDER_STATES) & (is_tender_owner | manages_region_of
                                                                 | org.is_marketing_leadership),
    "planning.start_contract_from_tender": _tender_is(TenderState.WON) & tender_has_no_contract
    & (is_tender_owner | manages_region_of | org.is_marketing_office),
}

NAMED_PERSON_RULES = {
    "planning.decide_plan_step": may_decide_plan_step,
    "planning.review_tender": may_decide_tender_step,
}

for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
for _name, _predicate in NAMED_PERSON_RULES.items():
    rules.add_rule(_name, _predicate)


def allowed(user, name: str, obj=None) -> bool:
    """Ask one rule of this module, whichever kind it is."""
    if not getattr(user, "is_authenticated", False):
        return False
    if name in NAMED_PERSON_RULES:
        return bool(rules.test_rule(name, user, obj))
    return bool(user.has_perm(name, obj))
