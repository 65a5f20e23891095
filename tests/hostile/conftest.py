import pytest


@pytest.fixture
def today(clock):
    from datetime import date

    return clock.set(date(2026, 6, 15))
