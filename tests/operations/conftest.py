"""Helpers shared by the per-operation tests."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.config import Config

from smfake import SecretsManagerFake
from tests.parity.plugin import parity_of

ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
T0 = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)

NOT_FOUND = ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 400)
MARKED_FOR_DELETION = (
    "InvalidRequestException",
    "You can't perform this operation on the secret because it was marked for deletion.",
    400,
)
INVALID_NAME = (
    "ValidationException",
    "Invalid name. Must be a valid name containing alphanumeric characters, "
    "or any of the following: -/_+=.@!",
    400,
)
TOKEN_REQUIRED = (
    "InvalidRequestException",
    "You must provide a ClientRequestToken value. We recommend a UUID-type value.",
    400,
)
BOTH_VALUES = (
    "InvalidParameterException",
    "You can't specify both a binary secret value and a string secret value in the same secret.",
    400,
)
VALUE_REQUIRED = (
    "InvalidRequestException",
    "You must provide either SecretString or SecretBinary.",
    400,
)
INVALID_NAMES = ["Inv Name", " Inv Name", " Inv*Name? ", " Inv *?!]Name\\-"]
IDENTIFIER_KINDS = ["name", "full ARN", "partial ARN"]


def token(label: str) -> str:
    """A ClientRequestToken (36 chars, like a UUID) that shows where it came from."""
    return f"{label}-".ljust(36, "0")


def identifier(kind: str, created: dict[str, Any]) -> str:
    """The SecretId of the given kind for a CreateSecret response."""
    return {
        "name": created["Name"],
        "full ARN": created["ARN"],
        "partial ARN": created["ARN"][:-7],
    }[kind]


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def assert_no_output(client: Any, operation: str, response: dict[str, Any]) -> None:
    """For operations whose model has no output shape, where tests.conftest.assert_shape
    cannot be used: the response carries nothing but ResponseMetadata."""
    assert client.meta.service_model.operation_model(operation).output_shape is None
    assert body(response) == {}


def snapshot(client: Any, secret_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Everything DescribeSecret and ListSecretVersionIds show about a secret."""
    described = body(client.describe_secret(SecretId=secret_id))
    versions = body(client.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True))
    return described, versions


def stages(client: Any, secret_id: str) -> dict[str, list[str]]:
    """Every version of the secret that AWS shows, with its sorted labels: the deprecated ones
    (ListSecretVersionIds) and the labelled ones (DescribeSecret, which alone shows the empty
    AWSPENDING version of a running rotation: ListSecretVersionIds lists only versions that
    hold a value)."""
    listed = client.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True)
    found = {v["VersionId"]: sorted(v.get("VersionStages", [])) for v in listed["Versions"]}
    described = client.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})
    return {**found, **{version: sorted(labels) for version, labels in described.items()}}


def _drop_token(params: dict[str, Any], **_: Any) -> None:
    params.pop("ClientRequestToken", None)


@pytest.fixture
def tokenless_client(make_client: Any) -> Any:
    """A client whose requests reach the wire without a ClientRequestToken, as raw HTTP can."""
    raw = make_client()
    raw.meta.events.register_last("before-parameter-build", _drop_token)
    return raw


@pytest.fixture
def no_retry_client(make_client: Any) -> Any:
    """A client that does not retry LimitExceededException (botocore's default retries it)."""
    return make_client(config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def unvalidated_client(make_client: Any) -> Any:
    """A client without botocore's own parameter checks, so that values it would refuse
    (such as SecretString="") reach the service."""
    return make_client(config=Config(parameter_validation=False))


@pytest.fixture
def t0(request: pytest.FixtureRequest) -> datetime:
    """Freezes the fake clock at T0. In parity mode (no clock to freeze) it does nothing, and
    a test that takes ``t0`` itself, to compare dates with it, is fake-only."""
    if parity_of(request.config) is None:
        fake: SecretsManagerFake = request.getfixturevalue("fake")
        fake.clock.set(T0)
    return T0


CUSTOMER_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(autouse=True)
def customer_key(request: pytest.FixtureRequest) -> str | None:
    """The customer managed key the tests name as KEY_ARN, in every fake they use."""
    if parity_of(request.config) is not None or not (
        {"fake", "make_client"} & set(request.fixturenames)
    ):
        return None
    fake: SecretsManagerFake = request.getfixturevalue("fake")
    return fake.kms.create_key(key_id=CUSTOMER_KEY_ID, alias="alias/customer")
