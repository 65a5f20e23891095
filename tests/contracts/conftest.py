"""Fixtures of the contracts tests; the factories themselves are shared (``tests/factories.py``)."""

from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.fixture
def today():
    return timezone.localdate()
