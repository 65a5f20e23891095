"""Projects with money (the receivables factory) and API clients holding a token of a given person."""

from __future__ import annotations

import pytest

from tests.receivables.conftest import TODAY, Factory


@pytest.fixture
def today(clock):
    return clock.set(TODAY)


@pytest.fixture
def rcv(demo):
    return Factory(demo)


@pytest.fixture
def api(demo):
    """``api("finance", scopes=["read", "write:money"])`` → an APIClient sending that person's new token."""
    from rest_framework.test import APIClient

    from integrations.services import token_issue

    def _client(who, scopes=("read",), days=30, user=None):
        user = user or demo.user(who)
        token, raw = token_issue(user=user, by=user if user.has_usable_password() else demo.user("sysadmin"),
                                 name="test", scopes=list(scopes), days=days)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.token, client.raw = token, raw
        return client

    return _client


@pytest.fixture
def robot_server(settings):
    """A running local robot endpoint; the webhook check admits its address (test-only setting)."""
    from .robot_server import SECRETS, RobotServer

    with RobotServer() as server:
        settings.ROBOT_WEBHOOK_TEST_HOSTS = (server.host,)
        settings.ROBOT_RETRY_SECONDS = 0.05
        yield server
    SECRETS.clear()


@pytest.fixture
def rep_factory(demo):
    from tests.repairs.conftest import Repairs

    return Repairs(demo)
