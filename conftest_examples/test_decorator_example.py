"""``@mock_secretsmanager`` on test functions, coroutines and classes, without the fixtures."""

from __future__ import annotations

import asyncio
import json
import unittest

import boto3
from app import settings

from smfake import current_fake, mock_secretsmanager

DATABASE = json.dumps(
    {"username": "app", "password": "pw", "host": "localhost", "port": 5432, "dbname": "test"}
)


@mock_secretsmanager(secrets={settings.DATABASE_SECRET: DATABASE})
def test_decorator_with_seeded_secrets() -> None:
    assert settings.database_url() == "postgresql://app:pw@localhost:5432/test"


@mock_secretsmanager
def test_decorator_without_options() -> None:
    current_fake().add_secret(settings.API_TOKEN_SECRET, "from-current-fake")

    assert settings.api_token() == "from-current-fake"


def test_decorated_coroutine() -> None:
    @mock_secretsmanager(secrets={settings.API_TOKEN_SECRET: "async-token"})
    async def read_token() -> str:
        await asyncio.sleep(0)
        return await asyncio.to_thread(settings.api_token)

    assert asyncio.run(read_token()) == "async-token"


@mock_secretsmanager(secrets={settings.API_TOKEN_SECRET: "class-token"})
class TestDecoratedClass:
    """Each test method gets its own activation, seeded again from ``secrets=``."""

    def test_reads_the_seeded_token(self) -> None:
        assert settings.api_token() == "class-token"

    def test_changes_stay_in_this_method(self) -> None:
        client = boto3.client("secretsmanager", region_name="us-east-1")
        client.put_secret_value(SecretId=settings.API_TOKEN_SECRET, SecretString="changed")

        assert settings.api_token() == "changed"


@mock_secretsmanager(secrets={settings.API_TOKEN_SECRET: "unittest-token"})
class TestUnittestStyle(unittest.TestCase):
    """On a TestCase, one activation spans setUp, the test and tearDown."""

    def setUp(self) -> None:
        self.client = boto3.client("secretsmanager", region_name="us-east-1")
        self.client.create_secret(Name="prod/app/feature-flags", SecretString='{"beta": true}')

    def test_sees_what_setup_created(self) -> None:
        flags = self.client.get_secret_value(SecretId="prod/app/feature-flags")
        self.assertEqual(json.loads(flags["SecretString"]), {"beta": True})
        self.assertEqual(settings.api_token(), "unittest-token")
