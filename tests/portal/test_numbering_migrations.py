"""The data migrations that moved liaison-sheet and project numbers onto the numbering service."""

import pytest

from marketing_portal.models import NumberCounter
from marketing_portal.numbering import next_number, seed_counters_from_numbers

pytestmark = pytest.mark.django_db


def test_counters_start_above_the_numbers_already_issued():
    highest = seed_counters_from_numbers(
        NumberCounter, series="liaison-test", regex=r"^JL-(\d{4})-(\d+)$",
        numbers=["JL-2025-0009", "JL-2025-9999", "JL-2026-0003", "not a number", None])
    assert highest == {2025: 9999, 2026: 3}
    # the 10,000th sheet of 2025 follows the 9,999th (the old Max() over the text would give 9999 again)
    assert next_number("liaison-test", 2025) == 10000
    assert next_number("liaison-test", 2026) == 4


def test_seeding_never_moves_a_counter_back():
    seed_counters_from_numbers(NumberCounter, series="project-test", numbers=["XM2026-00120"],
                               regex=r"^XM(\d{4})-(\d+)$")
    seed_counters_from_numbers(NumberCounter, series="project-test", numbers=["XM2026-00007"],
                               regex=r"^XM(\d{4})-(\d+)$")
    assert NumberCounter.objects.get(series="project-test", year=2026).last == 120
