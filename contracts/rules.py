"""Who may see and who may do what with customers and contracts (SPEC X-2, CUS, CON): every rule in one place.

Built from the role predicates of ``org.rules``. Two kinds, registered with django-rules:

* **Permissions** (``rules.add_perm``), asked with ``user.has_perm("contracts.edit_contract", contract)`` or
  ``{% has_perm "contracts.edit_contract" user contract as may %}``: what a role may do. An active superuser
  passes them (Django's rule), as before.
* **Named-person rules** (``rules.add_rule``), asked with ``rules.test_rule(...)`` or ``{% test_rule … %}``:
  deciding a step of the chain, a loan, confirming a hand-over. Only the people the org chart names (or
  their delegates) may act, so even a superuser does not pass them.

Services raise when a rule says no (with a message saying why); selectors narrow lists with the same
role predicates; views and templates only ask. A new rule is one ``add_perm`` line and one row of
``tests/contracts/test_rules.py``.
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy

from marketing_portal.memo import remembered
from org import approvals
from org import rules as org

from .choices import APPROVAL_KINDS, SIGNED_STATES, ContractState, HandoverStatus, LoanState, StepKind

# --------------------------------------------------------------------------------------------------
# Roles (user only)
# --------------------------------------------------------------------------------------------------
# Who keeps the customer archive and drafts contracts: the Marketing office, regional managers, salespeople.
is_marketing_staff = org.is_marketing_office | org.is_regional_manager | org.is_salesperson
# Each needs every contract for its part of the chain, the register or the archive; customer service links
# repair tickets to contracts (warranty status, REP-2).
sees_every_contract = (org.is_superuser | org.is_marketing_office | org.is_finance | org.is_administration
                       | org.is_executive | org.is_legal | org.is_sysadmin | org.is_cs_specialist)
sees_every_customer = sees_every_contract
sees_construction_contracts = org.is_xxx  # the sub-contracts with XXX
may_see_customers = sees_every_customer | is_marketing_staff
is_template_keeper = org.is_marketing_leadership | org.is_legal | org.is_sales_clerk
# Marketing assigns handlers; the Marketing office drafts for any region.
assigns_handlers = org.is_marketing_office | org.is_regional_manager
drafts_for_any_region = org.is_marketing_office
may_handle_contracts = org.is_salesperson | org.is_regional_manager | org.is_sales_manager


@rules.predicate
def is_eligible_handler(user) -> bool:
    """An active on-site salesperson, regional manager or sales manager (who may be a contract's handler)."""
    return bool(user is not None and user.is_active and may_handle_contracts(user))


# --------------------------------------------------------------------------------------------------
# A contract (user, contract)
# --------------------------------------------------------------------------------------------------
@rules.predicate
def is_handler(user, contract) -> bool:
    return contract.handler_id == user.pk


@rules.predicate
def is_author(user, contract) -> bool:
    return contract.created_by_id == user.pk


@rules.predicate
def acts_for_handler(user, contract) -> bool:
    """The handler delegated their work to the user (ORG-7)."""
    from org.selectors import acting_for

    return acting_for(user, [contract.handler]) is not None


@rules.predicate
def manages_region_of(user, record) -> bool:
    """A regional manager of the record's region."""
    from org.selectors import regions_of

    return org.is_regional_manager(user) and record.region_id in {r.pk for r in regions_of(user)}


@rules.predicate
def is_draft(user, contract) -> bool:
    return contract.state == ContractState.DRAFT


@rules.predicate
def is_submitter(user, contract) -> bool:
    return contract.submitted_by_id == user.pk


@rules.predicate
def awaits_first_decision(user, contract) -> bool:
    """Submitted, and nobody has decided a step of this version yet."""
    return contract.state == ContractState.LEADER_REVIEW and approvals.first_decision(
        CHAIN, contract, version=contract.version) is None


@rules.predicate
def is_in_force(user, contract) -> bool:
    """Signed and not terminated (CON-8…12 are recorded only then)."""
    return contract.state in SIGNED_STATES


@rules.predicate
def is_open(user, contract) -> bool:
    return contract.state not in (ContractState.CANCELLED, ContractState.TERMINATED)


@rules.predicate
def is_original(user, contract) -> bool:
    """Not itself a supplementary or termination agreement."""
    return contract.parent_id is None


@rules.predicate
def has_archive_number(user, contract) -> bool:
    return bool(contract.archive_number)


@rules.predicate
def can_see_contract(user, contract) -> bool:
    from .selectors import visible_contract

    return remembered(seen_key(user, contract), lambda: visible_contract(user, contract.pk).exists())


def seen_key(user, contract) -> tuple:
    """The request memo's key of "``user`` may see ``contract``" (the contract page found it through the selector)."""
    return ("contracts.see_contract", user.pk, contract.pk)


# The handler, whoever acts for them, Marketing leadership and the regional manager (CON-8, CON-9).
is_handler_side = is_handler | acts_for_handler | org.is_marketing_leadership | manages_region_of
# Who may change a draft: the handler, the person who drafted it, the Marketing office.
is_editor = is_handler | is_author | org.is_marketing_office
keeps_disputes = org.is_legal | org.is_marketing_leadership | is_handler_side

# --------------------------------------------------------------------------------------------------
# Steps of the chain (user, step): the people the org chart named, or their delegates
# --------------------------------------------------------------------------------------------------
# Clerical steps: nobody decides anything, so the person who submitted or handles the contract may do them
# when nobody else holds the position (the fact is recorded on the step).
CLERICAL_KINDS = (StepKind.REGISTER, StepKind.ARCHIVE, StepKind.COPY_FINANCE, StepKind.COPY_MARKETING)


def conflicted_ids(contract) -> set[int]:
    """Who may not decide a step of ``contract``: its handler and whoever submitted it."""
    return {pk for pk in (contract.handler_id, contract.submitted_by_id) if pk}


# The contract chain as the approval kernel (org.approvals) sees it: one machinery for every chain.
CHAIN = approvals.Chain(
    step_model="contracts.ApprovalStep",
    owner_field="contract",
    conflicted=conflicted_ids,
    kind_label=lambda kind: StepKind(kind).label,
    is_current=lambda step: step.version == step.contract.version,
    clerical_kinds=CLERICAL_KINDS,
    owner_kinds=(StepKind.SIGN,),  # the handler signs
    own_message=gettext_lazy("Nobody may decide a step of a contract they submitted or handle, delegated or not."),
    own_code="own_contract",
    own_fact=gettext_lazy("done by %(by)s, who submitted or handles the contract: nobody else holds the position"),
    notice=gettext_lazy("Contract “%(title)s”: %(step)s is waiting for you"),
)


@rules.predicate
def may_act_on_step(user, step) -> bool:
    return approvals.may_act(CHAIN, user, step)


def _step_of(*kinds):
    @rules.predicate(name=f"step_is_{'_'.join(kinds)}")
    def check(user, step) -> bool:
        return step.kind in kinds

    return check


is_approval_step = _step_of(*APPROVAL_KINDS)
is_sign_step = _step_of(StepKind.SIGN)
is_register_step = _step_of(StepKind.REGISTER)
is_archive_step = _step_of(StepKind.ARCHIVE)
is_copy_step = _step_of(StepKind.COPY_FINANCE, StepKind.COPY_MARKETING)

# --------------------------------------------------------------------------------------------------
# Loans of originals (user, loan) and hand-overs (user, change)
# --------------------------------------------------------------------------------------------------


@rules.predicate
def approves_loans(user) -> bool:
    """The head of Administration or their delegate (art. 18)."""
    from org.selectors import acting_for

    from .selectors import loan_approvers

    return acting_for(user, loan_approvers()) is not None


@rules.predicate
def keeps_originals(user) -> bool:
    """Administration (archivist, head) or their delegate hands originals out and takes them back: one of
    ``selectors.loan_keepers()`` or acting for one, asked without reading who every keeper is."""
    from org.selectors import acts_for_holder

    from .selectors import LOAN_KEEPER_ROLES

    return acts_for_holder(user, *LOAN_KEEPER_ROLES)


def _loan_is(*states):
    @rules.predicate(name=f"loan_is_{'_'.join(states)}")
    def check(user, loan) -> bool:
        return loan.state in states

    return check


@rules.predicate
def is_borrower(user, loan) -> bool:
    return loan.borrower_id == user.pk


@rules.predicate
def approves_own_loan(user, loan) -> bool:
    """The borrower is the user or the person the user would act for."""
    from org.selectors import acting_for

    from .selectors import loan_approvers

    principal = acting_for(user, loan_approvers())
    return loan.borrower_id in {user.pk, getattr(principal, "pk", None)}


@rules.predicate
def handover_pending(user, change) -> bool:
    return change.status == HandoverStatus.PENDING


@rules.predicate
def confirms_pending_side(user, change) -> bool:
    return (user.pk == change.from_handler_id and change.from_confirmed_at is None) or (
        user.pk == change.to_handler_id and change.to_confirmed_at is None)


@rules.predicate
def arranged_handover(user, change) -> bool:
    return change.created_by_id == user.pk


# --------------------------------------------------------------------------------------------------
# Permissions (roles; a superuser passes) …
# --------------------------------------------------------------------------------------------------
PERMISSIONS = {
    # customers and due diligence (CUS)
    "contracts.see_customers": may_see_customers,
    "contracts.create_customer": is_marketing_staff,
    "contracts.edit_customer": is_marketing_staff,
    "contracts.record_due_diligence": is_marketing_staff,
    # templates (CON-2)
    "contracts.manage_templates": is_template_keeper,
    # drafting (CON-1…5)
    "contracts.create_contract": is_marketing_staff,
    "contracts.assign_handler": assigns_handlers,
    "contracts.draft_for_any_region": drafts_for_any_region,
    "contracts.see_contract": can_see_contract,
    "contracts.edit_contract": is_draft & is_editor,
    "contracts.withdraw_contract": is_draft & is_editor,
    "contracts.submit_contract": is_draft & (is_handler | is_author),
    # 撤回: the submitter or the handler takes it back before anybody decided (CON-6)
    "contracts.recall_contract": awaits_first_decision & (is_submitter | is_handler),
    # a supplementary or termination agreement: the handler's side or the Marketing office drafts it (CON-11)
    "contracts.amend_contract": is_in_force & is_original & (is_handler_side | org.is_marketing_office),
    # after signing (CON-8…12)
    "contracts.record_performance": is_in_force & is_handler_side,
    "contracts.follow_up_contract": is_handler_side,  # letters, replies, resolutions of records already made
    "contracts.flag_non_performance": is_in_force,  # any staff member who sees the contract (art. 12)
    "contracts.arrange_handover": is_open & (org.is_marketing_leadership | manages_region_of),
    "contracts.cancel_handover": handover_pending & (arranged_handover | org.is_marketing_leadership),
    "contracts.borrow_contract": has_archive_number,
    "contracts.keep_disputes": keeps_disputes,
    # outputs (CON-13)
    "contracts.export_register": rules.is_active,
    "contracts.print_approval_form": can_see_contract,
    "contracts.print_archive_label": can_see_contract & has_archive_number,
}

# … and named-person rules (only the people the org chart names, or their delegates)
NAMED_PERSON_RULES = {
    "contracts.act_on_step": may_act_on_step,  # the page shows the step's form
    "contracts.approve_contract": is_approval_step & may_act_on_step,
    "contracts.sign_contract": is_sign_step & may_act_on_step,
    "contracts.register_contract": is_register_step & may_act_on_step,
    "contracts.archive_contract": is_archive_step & may_act_on_step,
    "contracts.acknowledge_copy": is_copy_step & may_act_on_step,
    "contracts.approve_loan": _loan_is(LoanState.REQUESTED) & approves_loans & ~approves_own_loan,
    "contracts.hand_out_loan": _loan_is(LoanState.APPROVED) & keeps_originals,
    "contracts.return_loan": _loan_is(LoanState.LENT) & keeps_originals,
    "contracts.cancel_loan": _loan_is(LoanState.REQUESTED, LoanState.APPROVED) & is_borrower,
    "contracts.confirm_handover": handover_pending & confirms_pending_side,
}

for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
for _name, _predicate in NAMED_PERSON_RULES.items():
    rules.add_rule(_name, _predicate)


def allowed(user, name: str, obj=None) -> bool:
    """Ask one rule of this module, whichever kind it is (services, selectors and the rules test use it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if name in NAMED_PERSON_RULES:
        return bool(rules.test_rule(name, user, obj))
    return bool(user.has_perm(name, obj))
