"""One fake's state shared by every test of this module.

The state lives in a module-scoped ``SecretsManagerFake``; each test activates it again with
``mock_secretsmanager(fake=...)``, so credentials and interception are still set up and taken
down around every test. The tests below depend on running in file order, on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from app import settings

from smfake import SecretsManagerFake, mock_secretsmanager


@pytest.fixture(scope="module")
def shared_state() -> SecretsManagerFake:
    state = SecretsManagerFake(seed=1)
    state.add_secret(settings.API_TOKEN_SECRET, "version-1")
    return state


@pytest.fixture(autouse=True)
def shared_fake(shared_state: SecretsManagerFake) -> Iterator[SecretsManagerFake]:
    with mock_secretsmanager(fake=shared_state) as fake:
        yield fake


def test_first_reads_the_prepared_state() -> None:
    assert settings.api_token() == "version-1"


def test_second_changes_it() -> None:
    settings.secrets_client.put_secret_value(
        SecretId=settings.API_TOKEN_SECRET, SecretString="version-2"
    )

    assert settings.api_token() == "version-2"


def test_third_sees_the_change(shared_fake: SecretsManagerFake) -> None:
    assert settings.api_token() == "version-2"
    versions = settings.secrets_client.list_secret_version_ids(SecretId=settings.API_TOKEN_SECRET)
    assert len(versions["Versions"]) == 2
