"""Signals other apps listen to.

``contract_state_changed(sender=Contract, contract=, old_state=, new_state=, by=)`` is sent after the
transaction commits, once for every transition (the hand-off app completes when its construction
contract is signed; receivables opens a project when a sales contract is signed).
"""

from django.dispatch import Signal

contract_state_changed = Signal()

# ``contract_handler_changed(sender=Contract, contract=, change=, by=)``: sent after the transaction commits
# when both handlers confirmed a hand-over (CON-9); receivables moves the project to the new handler.
contract_handler_changed = Signal()
