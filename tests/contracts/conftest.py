"""Fixtures of the contracts tests; the factories themselves are shared (``tests/factories.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def today(clock):
    """Tests that work with dates run on the shared frozen clock (a working Monday in 2026), not on the real one."""
    return clock.today
