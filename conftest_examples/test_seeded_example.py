"""``@pytest.mark.smfake(...)``: options for the ``smfake`` fixture, set per module, class or
test. Each option comes from the closest marker that sets it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from app import settings

from smfake import SecretsManagerFake

DATABASE = {"username": "app", "password": "pw", "host": "db", "port": 5432, "dbname": "app"}

pytestmark = pytest.mark.smfake(
    secrets={settings.DATABASE_SECRET: DATABASE, settings.API_TOKEN_SECRET: "seeded-token"}
)


def test_module_marker_seeds_every_test(smfake: SecretsManagerFake) -> None:
    assert settings.database_config() == DATABASE
    assert settings.api_token() == "seeded-token"


@pytest.mark.smfake(seed=7)
def test_options_from_different_markers_combine(smfake: SecretsManagerFake) -> None:
    assert smfake.seed == 7
    assert settings.api_token() == "seeded-token"


@pytest.mark.smfake(secrets={settings.API_TOKEN_SECRET: "only-this"})
def test_closest_marker_replaces_an_option(sm_client: Any) -> None:
    assert settings.api_token() == "only-this"
    with pytest.raises(sm_client.exceptions.ResourceNotFoundException):
        settings.database_config()


@pytest.mark.smfake(account_id="111122223333", secrets={"binary/key": b"\x00\x01\x02"})
class TestSeededClass:
    def test_class_marker_applies(self, sm_client: Any) -> None:
        got = sm_client.get_secret_value(SecretId="binary/key")

        assert got["SecretBinary"] == b"\x00\x01\x02"
        assert got["ARN"].startswith("arn:aws:secretsmanager:us-east-1:111122223333:secret:")

    def test_values_may_be_text_bytes_or_mappings(self, smfake: SecretsManagerFake) -> None:
        smfake.add_secret("json/value", {"nested": {"list": [1, 2]}})
        text = settings.secrets_client.get_secret_value(SecretId="json/value")["SecretString"]

        assert json.loads(text) == {"nested": {"list": [1, 2]}}
