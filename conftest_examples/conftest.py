"""conftest.py for an application that builds its boto3 client at import time."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# app.settings builds its client while test modules are collected, before any fake is active.
# On a machine with no AWS credentials botocore would then ask the EC2 instance metadata
# service for some, which is a network call; the fake supplies credentials once it is active.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

from app import settings  # noqa: E402

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
