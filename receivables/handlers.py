"""Receivers of other apps' signals."""

from __future__ import annotations

from django.db import transaction

from contracts.choices import SIGNED_STATES, Direction


def on_contract_state_changed(sender, contract, old_state, new_state, by=None, **kwargs):
    """A sales contract that becomes signed opens its project: a retried, idempotent Celery task queued on commit
    (``project_open_task``), so the signer's request never waits for it nor fails because of it, and a failure is
    retried and shown to administrators instead of only logged."""
    if contract.direction != Direction.SALES or contract.parent_id is not None:
        return
    if new_state not in SIGNED_STATES or old_state in SIGNED_STATES:
        return
    from .tasks import project_open_task

    contract_id = contract.pk
    transaction.on_commit(lambda: project_open_task.delay(contract_id))


def on_contract_handler_changed(sender, contract, change, by=None, **kwargs):
    """The project follows a confirmed change of the contract's handler (CON-9)."""
    from .services import project_follow_handler_change

    project_follow_handler_change(contract_id=contract.pk, change=change, by=by)
