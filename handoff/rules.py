"""The hand-off app's permission layer (django-rules): who sees the hand-offs and who takes each step (HND, X-2).

Who acts is resolved from the org chart with delegation (``org.selectors.acting_for``): XXX's estimators cost,
Finance reviews, XXX's negotiator and Marketing negotiate, the handler and Marketing leadership decide, Marketing
withdraws and adds documents. The perms add the hand-off's state (``handoff.review_costing``: Finance, and the
costing is waiting for review). Services check who acts with these predicates and the state with their own
messages; views and templates ask the perms.
"""

from __future__ import annotations

import rules

from org.rules import is_executive, is_finance, is_marketing_office, is_marketing_staff, is_regional_manager, is_xxx

from .choices import CANCELLABLE_STATES, HandoffState


def _acting(user, responsible) -> bool:
    from org.selectors import acting_for

    return acting_for(user, responsible) is not None


@rules.predicate
def acts_for_estimators(user) -> bool:
    from .selectors import estimators

    return _acting(user, estimators())


@rules.predicate
def acts_for_finance_reviewers(user) -> bool:
    from .selectors import finance_reviewers

    return _acting(user, finance_reviewers())


@rules.predicate
def acts_for_xxx_negotiators(user) -> bool:
    from .selectors import xxx_negotiators

    return _acting(user, xxx_negotiators())


@rules.predicate
def acts_for_marketing(user, handoff) -> bool:
    from .selectors import marketing_side

    return handoff is not None and _acting(user, marketing_side(handoff))


@rules.predicate
def acts_for_deciders(user, handoff) -> bool:
    from .selectors import deciders

    return handoff is not None and _acting(user, deciders(handoff))


@rules.predicate
def acts_for_a_negotiating_party(user, handoff) -> bool:
    return bool(acts_for_xxx_negotiators(user)) or bool(acts_for_marketing(user, handoff))


@rules.predicate
def sees_all_handoffs(user) -> bool:
    """Finance reviews every hand-off and XXX receives every one; so does whoever acts for them today (ORG-7)."""
    if is_finance(user) or is_xxx(user):
        return True
    from django.contrib.auth import get_user_model

    from org.roles import FINANCE, XXX
    from org.selectors import delegations_to

    principals = [d.principal_id for d in delegations_to(user)]
    return bool(principals) and get_user_model().objects.filter(pk__in=principals,
                                                                 groups__name__in=FINANCE | XXX).exists()


uses_handoffs = is_marketing_staff | is_finance | is_xxx | is_executive | sees_all_handoffs


@rules.predicate
def raises_for_contract(user, contract) -> bool:
    """Marketing issues the sheet (HND-1): the contract's handler, the Marketing office, or the region's manager."""
    from org.selectors import regions_of

    if contract is None:
        return False
    if user.pk == contract.handler_id or is_marketing_office(user):
        return True
    return bool(is_regional_manager(user)) and contract.region_id in {r.pk for r in regions_of(user)}


@rules.predicate
def has_orders_to_raise(user) -> bool:
    from .selectors import orders_open_for

    return orders_open_for(user).exists()


def _in(*states):
    @rules.predicate(name=f"in_{'_or_'.join(states)}")
    def check(user, handoff) -> bool:
        return handoff is not None and handoff.state in states

    return check


in_costing = _in(HandoffState.COSTING)
in_review = _in(HandoffState.REVIEW)
in_negotiation = _in(HandoffState.NEGOTIATION)
cancellable = _in(*CANCELLABLE_STATES)


@rules.predicate
def is_open(user, handoff) -> bool:
    return handoff is not None and handoff.is_open


@rules.predicate
def sees_sales_contract(user, handoff) -> bool:
    """Party A's price, XX's margin and the link to the sales contract: for those who may see that contract (not
    XXX, X-2)."""
    from contracts.selectors import visible_contract

    return handoff is not None and visible_contract(user, handoff.contract_id).exists()


@rules.predicate
def sees_construction_contract(user, handoff) -> bool:
    from contracts.selectors import visible_contract

    return (handoff is not None and bool(handoff.construction_contract_id)
            and visible_contract(user, handoff.construction_contract_id).exists())


@rules.predicate
def on_collection_only_duty(user) -> bool:
    from org.rules import is_collection_only

    return bool(is_collection_only(user))


rules.add_perm("handoff.use_handoffs", uses_handoffs)
# The "issue a sheet" entry: shown to those with orders to raise, and to those on collection-only duty (who are
# told there why they cannot).
rules.add_perm("handoff.raise_handoff", has_orders_to_raise | on_collection_only_duty)
rules.add_perm("handoff.raise_for_contract", raises_for_contract)
rules.add_perm("handoff.cost_handoff", in_costing & acts_for_estimators)
rules.add_perm("handoff.review_costing", in_review & acts_for_finance_reviewers)
rules.add_perm("handoff.negotiate_handoff", in_negotiation & acts_for_a_negotiating_party)
rules.add_perm("handoff.decide_handoff", in_negotiation & acts_for_deciders)
rules.add_perm("handoff.cancel_handoff", cancellable & acts_for_marketing)
rules.add_perm("handoff.attach_to_handoff", is_open & acts_for_marketing)
rules.add_perm("handoff.see_sales_contract", sees_sales_contract)
rules.add_perm("handoff.open_construction_contract", sees_construction_contract)
