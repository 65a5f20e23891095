"""Receivers of other apps' signals."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError

from contracts.choices import SIGNED_STATES, Direction

logger = logging.getLogger(__name__)


def on_contract_state_changed(sender, contract, old_state, new_state, by=None, **kwargs):
    """A sales contract that becomes signed opens its project (sent after the contract's transaction commits)."""
    if contract.direction != Direction.SALES or contract.parent_id is not None:
        return
    if new_state not in SIGNED_STATES or old_state in SIGNED_STATES:
        return
    from contracts.models import Contract

    from .services import project_register

    if not Contract.objects.filter(pk=contract.pk, state__in=SIGNED_STATES).exists():
        return  # terminated again before this (after-commit) signal arrived: nothing is carried out
    try:
        project_register(contract_id=contract.pk, by=None)
    except ValidationError as exc:  # e.g. terminated again before the commit; never fail the signer's request
        logger.warning("project of contract %s not registered: %s", contract.pk, " ".join(exc.messages))


def on_contract_handler_changed(sender, contract, change, by=None, **kwargs):
    """The project follows a confirmed change of the contract's handler (CON-9)."""
    from .services import project_follow_handler_change

    project_follow_handler_change(contract_id=contract.pk, change=change, by=by)
