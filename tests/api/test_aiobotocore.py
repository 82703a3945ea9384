"""aiobotocore and aioboto3 clients reach the fake exactly as botocore clients do: same answers,
same errors, dummy credentials when none are configured, retries without back-off sleeps."""

from __future__ import annotations

import asyncio
import importlib
import os

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from smfake import mock_secretsmanager
from smfake._domain.messages import SECRET_NOT_FOUND
from smfake._wire import hook
from tests.conftest import assert_shape, error_of


def _require(name):
    # aiobotocore pins botocore below the newest release, so the main environment (newest
    # boto3) cannot have it and skips this module; CI runs it in a second environment with
    # SMFAKE_REQUIRE_AIO=1, where a missing package must fail instead of skipping silently.
    if os.environ.get("SMFAKE_REQUIRE_AIO") == "1":
        return importlib.import_module(name)
    return pytest.importorskip(name)


aiobotocore_session = _require("aiobotocore.session")
aiobotocore_config = _require("aiobotocore.config")
aioboto3 = _require("aioboto3")

REGION = "us-east-1"
# max_attempts counts retries after the first attempt (botocore's Config semantics).
STANDARD = aiobotocore_config.AioConfig(retries={"mode": "standard", "max_attempts": 3})
LEGACY = aiobotocore_config.AioConfig(retries={"mode": "legacy", "max_attempts": 4})


def aio_client(session=None, **kwargs):
    """An aiobotocore client context (``async with``), from a new session unless given one."""
    session = session or aiobotocore_session.get_session()
    return session.create_client("secretsmanager", region_name=REGION, **kwargs)


@pytest.fixture
def async_sleeps(monkeypatch):
    """Every delay asyncio.sleep is awaited with, recorded; the sleep itself still happens, so
    a back-off that was not skipped shows up here as a positive delay."""
    real_sleep = asyncio.sleep
    delays = []

    async def spy(delay, *args, **kwargs):
        delays.append(delay)
        return await real_sleep(delay, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", spy)
    return delays


def backoffs(delays):
    return [delay for delay in delays if delay > 0]


def test_aiobotocore_round_trip(fake):
    async def scenario():
        async with aio_client() as client:
            created = await client.create_secret(Name="app/db", SecretString="first")
            assert_shape(client, "CreateSecret", created)
            got = await client.get_secret_value(SecretId="app/db")
            assert_shape(client, "GetSecretValue", got)
            assert (got["SecretString"], got["ARN"]) == ("first", created["ARN"])
            put = await client.put_secret_value(SecretId=created["ARN"], SecretString="second")
            assert_shape(client, "PutSecretValue", put)
            current = await client.get_secret_value(SecretId="app/db")
            assert (current["SecretString"], current["VersionId"]) == ("second", put["VersionId"])
            listed = await client.list_secrets()
            assert_shape(client, "ListSecrets", listed)
            assert [s["Name"] for s in listed["SecretList"]] == ["app/db"]
            described = await client.describe_secret(SecretId="app/db")
            assert_shape(client, "DescribeSecret", described)
            assert sorted(described["VersionIdsToStages"].values()) == [
                ["AWSCURRENT"],
                ["AWSPREVIOUS"],
            ]
            await client.create_secret(Name="blob", SecretBinary=b"\x00\xffbin")
            binary = await client.get_secret_value(SecretId="blob")
            assert binary["SecretBinary"] == b"\x00\xffbin"
            assert "SecretString" not in binary
            return got["ResponseMetadata"]

    metadata = asyncio.run(scenario())
    assert (metadata["HTTPStatusCode"], metadata["RetryAttempts"]) == (200, 0)
    assert fake.events.names() == [
        "CreateSecret",
        "GetSecretValue",
        "PutSecretValue",
        "GetSecretValue",
        "ListSecrets",
        "DescribeSecret",
        "CreateSecret",
        "GetSecretValue",
    ]


def test_aiobotocore_errors_have_the_exact_code_message_and_status(fake):
    async def scenario():
        async with aio_client() as client:
            with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
                await client.get_secret_value(SecretId="missing")
            return excinfo

    excinfo = asyncio.run(scenario())
    assert isinstance(excinfo.value, ClientError)
    assert error_of(excinfo) == ("ResourceNotFoundException", SECRET_NOT_FOUND, 400)
    assert fake.events.count("GetSecretValue", error="ResourceNotFoundException") == 1


def test_aioboto3_client_hits_the_fake(fake):
    async def scenario():
        async with aioboto3.Session().client("secretsmanager", region_name=REGION) as client:
            await client.create_secret(Name="from-aioboto3", SecretString="v")
            return (await client.get_secret_value(SecretId="from-aioboto3"))["SecretString"]

    assert asyncio.run(scenario()) == "v"
    assert fake.events.count("GetSecretValue", secret="from-aioboto3") == 1


def test_aiobotocore_session_and_client_created_before_activation_hit_the_fake(
    no_aws_credentials,
):
    async def scenario():
        session = aiobotocore_session.get_session()
        async with aio_client(session) as early:
            with mock_secretsmanager(secrets={"seeded": "v"}) as fake:
                assert (await early.get_secret_value(SecretId="seeded"))["SecretString"] == "v"
                async with aio_client(session) as late:
                    assert (await late.get_secret_value(SecretId="seeded"))["SecretString"] == "v"
            return fake.events.count("GetSecretValue")

    assert asyncio.run(scenario()) == 2


@mock_secretsmanager(secrets={"decorated": "v"})
async def read_decorated():
    async with aio_client() as client:
        return (await client.get_secret_value(SecretId="decorated"))["SecretString"]


def test_aiobotocore_under_a_decorated_coroutine():
    assert asyncio.run(read_decorated()) == "v"


def test_aiobotocore_and_botocore_clients_share_the_fake(fake):
    # Both kinds in one task, alternating: each gets the response type its endpoint reads.
    sync_client = boto3.client("secretsmanager", region_name=REGION)
    sync_client.create_secret(Name="shared", SecretString="from-botocore")

    async def scenario():
        async with aio_client() as client:
            await client.put_secret_value(SecretId="shared", SecretString="from-aiobotocore")
            seen_by_botocore = sync_client.get_secret_value(SecretId="shared")["SecretString"]
            seen_by_aiobotocore = (await client.get_secret_value(SecretId="shared"))["SecretString"]
            return seen_by_botocore, seen_by_aiobotocore

    assert asyncio.run(scenario()) == ("from-aiobotocore", "from-aiobotocore")
    assert sync_client.get_secret_value(SecretId="shared")["SecretString"] == "from-aiobotocore"


def test_aiobotocore_client_without_credentials_signs_with_dummy_ones_while_active(
    no_aws_credentials,
):
    async def scenario():
        async with aio_client() as client:
            with pytest.raises(NoCredentialsError):
                await client.get_secret_value(SecretId="seeded")
            with mock_secretsmanager(secrets={"seeded": "v"}):
                value = (await client.get_secret_value(SecretId="seeded"))["SecretString"]
                async with aio_client() as inside:
                    assert (await inside.get_secret_value(SecretId="seeded"))["SecretString"] == "v"
            with pytest.raises(NoCredentialsError):
                await client.get_secret_value(SecretId="seeded")
            return value

    assert asyncio.run(scenario()) == "v"


@pytest.mark.parametrize("config", [STANDARD, LEGACY], ids=["standard", "legacy"])
def test_aiobotocore_throttling_is_retried_without_back_off(fake, async_sleeps, config):
    async def scenario():
        async with aio_client(config=config) as client:
            await client.create_secret(Name="app", SecretString="v")
            fake.faults.inject("GetSecretValue", "ThrottlingException", count=2)
            return await client.get_secret_value(SecretId="app")

    response = asyncio.run(scenario())
    assert response["SecretString"] == "v"
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert backoffs(async_sleeps) == []
    assert fake.events.count("GetSecretValue") == 3
    assert fake.events.count("GetSecretValue", error="ThrottlingException") == 2
    assert fake.faults.pending == []


def test_aiobotocore_more_failures_than_attempts_surface_the_error(fake, async_sleeps):
    async def scenario():
        async with aio_client(config=STANDARD) as client:
            await client.create_secret(Name="app", SecretString="v")
            fake.faults.inject("GetSecretValue", "ThrottlingException", count=5)
            with pytest.raises(ClientError) as excinfo:
                await client.get_secret_value(SecretId="app")
            return excinfo

    excinfo = asyncio.run(scenario())
    assert error_of(excinfo) == ("ThrottlingException", "Rate exceeded", 400)
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 3
    assert backoffs(async_sleeps) == []
    assert fake.events.count("GetSecretValue", error="ThrottlingException") == 4


def test_aiobotocore_other_sleeps_are_real(fake, async_sleeps):
    # The stand-in skips only the back-off that follows the fake's error in the same task: a
    # task that merely runs alongside one that is about to retry still sleeps.
    async def scenario():
        async with aio_client() as client:
            await client.list_secrets()  # the first answer installs the stand-in
        endpoint_module = importlib.import_module("aiobotocore.endpoint")
        throttled = hook._aio_response_type()("https://x", 400, {}, hook._AsyncBody(b""))
        answered, slept = asyncio.Event(), asyncio.Event()

        async def about_to_retry():
            hook.note_retry_decision(response=(throttled, {}))
            answered.set()
            await slept.wait()
            await endpoint_module.asyncio.sleep(0.02)  # skipped: follows the fake's error

        async def bystander():
            await answered.wait()
            await endpoint_module.asyncio.sleep(0.01)  # real: no fake error in this task
            slept.set()

        await asyncio.gather(about_to_retry(), bystander())
        await endpoint_module.asyncio.sleep(0.03)  # real: the note was not carried over
        assert endpoint_module.asyncio.get_running_loop() is asyncio.get_running_loop()

    asyncio.run(scenario())
    assert backoffs(async_sleeps) == [0.01, 0.03]
