"""conftest.py for an application that builds its boto3 client at import time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# app.settings builds its client here, while pytest collects, before any fake is active. On a
# machine with no AWS credentials botocore would ask the EC2 instance metadata service for
# some (a network call); smfake's plugin switches that service off for the run first, unless
# the machine is an EC2 instance (see docs/pytest.md#pytest).
from app import settings

DATABASE = {
    "username": "app",
    "password": "correct horse battery staple",
    "host": "db.internal",
    "port": 5432,
    "dbname": "orders",
}


@pytest.fixture(autouse=True)
def fresh_settings_cache() -> Iterator[None]:
    """Every test gets its own fake, so nothing the app cached may outlive a test."""
    settings.database_config.cache_clear()
    yield
    settings.database_config.cache_clear()


@pytest.fixture
def database() -> dict[str, object]:
    return dict(DATABASE)
