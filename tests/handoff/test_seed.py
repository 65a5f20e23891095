"""Demo data: hand-offs in every state, some overdue, history for the rates; running it again adds nothing."""

import pytest
from django.utils import timezone

from handoff.choices import CostingState, HandoffState
from handoff.models import Costing, Handoff
from handoff.selectors import on_time_rates

pytestmark = pytest.mark.django_db


def test_seed_makes_every_state_and_is_idempotent(demo):
    from handoff import seed

    seed.run()
    states = set(Handoff.objects.values_list("state", flat=True))
    assert states == set(HandoffState.values)
    today = timezone.localdate()
    assert Costing.objects.filter(state=CostingState.OPEN, due_on__lt=today).exists()         # XXX overdue
    assert Costing.objects.filter(state=CostingState.SUBMITTED, review_due_on__lt=today).exists()  # Finance overdue
    assert Costing.objects.filter(state=CostingState.RETURNED).exists()
    # history months back (possibly last year): some periods were kept, some were late
    years = [on_time_rates(demo.user("director"), year=y) for y in (today.year - 1, today.year)]
    for party in ("xxx", "finance"):
        assert sum(r[party]["total"]["on_time"] for r in years) >= 3
        assert sum(r[party]["total"]["late"] + r[party]["total"]["overdue"] for r in years) >= 2
    counts = (Handoff.objects.count(), Costing.objects.count())
    seed.run()
    assert (Handoff.objects.count(), Costing.objects.count()) == counts
