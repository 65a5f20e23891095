"""Counting the SQL queries of a page, for the tests that pin them (a page's count must not grow with the data)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(client, url) -> int:
    """The queries of a second request of ``url`` (the first warms the per-process caches: content types, policy,
    roles); the page must answer 200."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
