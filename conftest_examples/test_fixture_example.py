"""The pytest fixtures: ``smfake`` (a fresh, active fake per test) and ``sm_client``."""

from __future__ import annotations

from typing import Any

import pytest
from app import settings

from smfake import SecretsManagerFake


def test_app_reads_a_secret_added_through_the_fake(
    smfake: SecretsManagerFake, database: dict[str, Any]
) -> None:
    smfake.add_secret(settings.DATABASE_SECRET, database)

    assert settings.database_url() == (
        "postgresql://app:correct horse battery staple@db.internal:5432/orders"
    )


def test_app_reads_a_secret_created_with_sm_client(sm_client: Any) -> None:
    sm_client.create_secret(Name=settings.API_TOKEN_SECRET, SecretString="t0ken")

    assert settings.api_token() == "t0ken"


def test_app_sees_a_new_value_at_once(sm_client: Any) -> None:
    sm_client.create_secret(Name=settings.API_TOKEN_SECRET, SecretString="old")
    assert settings.api_token() == "old"

    sm_client.put_secret_value(SecretId=settings.API_TOKEN_SECRET, SecretString="new")

    assert settings.api_token() == "new"


def test_every_test_starts_empty(sm_client: Any) -> None:
    with pytest.raises(sm_client.exceptions.ResourceNotFoundException):
        settings.api_token()


def test_errors_are_the_real_botocore_errors(sm_client: Any) -> None:
    sm_client.create_secret(Name=settings.API_TOKEN_SECRET, SecretString="t")
    sm_client.delete_secret(SecretId=settings.API_TOKEN_SECRET, RecoveryWindowInDays=7)

    with pytest.raises(sm_client.exceptions.InvalidRequestException) as excinfo:
        settings.api_token()

    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_clock_expires_a_deleted_secret(smfake: SecretsManagerFake, sm_client: Any) -> None:
    smfake.add_secret(settings.API_TOKEN_SECRET, "t")
    sm_client.delete_secret(SecretId=settings.API_TOKEN_SECRET, RecoveryWindowInDays=7)

    smfake.clock.advance(days=7)

    with pytest.raises(sm_client.exceptions.ResourceNotFoundException):
        sm_client.describe_secret(SecretId=settings.API_TOKEN_SECRET)
