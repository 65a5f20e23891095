"""The demo data: tickets in every state, built through the services, and a second run adds nothing."""

import pytest

from repairs.choices import TicketState
from repairs.models import Ticket

pytestmark = pytest.mark.django_db


def test_seed_builds_every_state_once(demo):
    from contracts import seed as contracts_seed
    from repairs import seed

    contracts_seed.run()
    seed.run()
    states = set(Ticket.objects.values_list("state", flat=True))
    assert states == set(TicketState.values)
    count = Ticket.objects.count()
    assert Ticket.objects.filter(escalation_count__gt=0).exists()
    assert Ticket.objects.filter(reopen_count__gt=0).exists()
    assert Ticket.objects.filter(source="sales_relay").exists()
    assert Ticket.objects.filter(category="complaint", state=TicketState.ARCHIVED).exists()
    seed.run()
    assert Ticket.objects.count() == count
