"""``with mock_secretsmanager() as fake:`` and ``start()``/``stop()``."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from app import settings
from botocore.exceptions import ClientError

from smfake import SecretsManagerFake, mock_secretsmanager


def test_context_manager() -> None:
    with mock_secretsmanager() as fake:
        fake.add_secret(settings.API_TOKEN_SECRET, "inside")

        assert settings.api_token() == "inside"


def test_nested_block_starts_empty_and_the_outer_comes_back() -> None:
    with mock_secretsmanager(secrets={settings.API_TOKEN_SECRET: "outer"}):
        with mock_secretsmanager() as inner:
            with pytest.raises(ClientError):
                settings.api_token()
            inner.add_secret(settings.API_TOKEN_SECRET, "inner")
            assert settings.api_token() == "inner"

        assert settings.api_token() == "outer"


def test_nested_block_can_share_the_outer_state() -> None:
    with mock_secretsmanager() as outer:
        with mock_secretsmanager(fake=outer):
            outer.add_secret(settings.API_TOKEN_SECRET, "shared")

        assert settings.api_token() == "shared"


@pytest.fixture
def started_fake() -> Iterator[SecretsManagerFake]:
    mock = mock_secretsmanager(secrets={settings.API_TOKEN_SECRET: "started"})
    fake = mock.start()
    try:
        yield fake
    finally:
        mock.stop()


def test_start_and_stop_in_a_fixture(started_fake: SecretsManagerFake) -> None:
    assert settings.api_token() == "started"


def test_other_regions_are_separate() -> None:
    with mock_secretsmanager(region="eu-west-1") as fake:
        fake.add_secret(settings.API_TOKEN_SECRET, "european")
        europe = boto3.client("secretsmanager", region_name="eu-west-1")

        assert europe.get_secret_value(SecretId=settings.API_TOKEN_SECRET)["SecretString"] == (
            "european"
        )
        with pytest.raises(ClientError):
            settings.api_token()
