"""Misuse of the test API: a UsageError (or UsageTypeError) that says what to do, at once."""

from __future__ import annotations

import re

import boto3
import pytest

from smfake import SecretsManagerFake, mock_secretsmanager
from smfake.errors import UsageError, UsageTypeError


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"secrets": ["a"]}, UsageTypeError, "secrets= takes a mapping of names to values"),
        ({"secrets": "a"}, UsageTypeError, "secrets= takes a mapping of names to values"),
        ({"secrets": {"a": 1}}, UsageTypeError, "secret 'a': a value is str, bytes or a JSON"),
        ({"secrets": {1: "a"}}, UsageTypeError, "a secret's name is a str, got 1"),
        ({"secrets": {"a": {"x": object()}}}, UsageTypeError, "must be JSON-serialisable"),
        ({"seed": [1]}, UsageTypeError, "seed is an int (or None for a random one), got [1]"),
        ({"seed": True}, UsageTypeError, "seed is an int"),
        ({"region": "us-est-1"}, UsageError, "no AWS Region is named 'us-est-1' (did you mean"),
        ({"region": "us-east-9"}, UsageError, "no AWS Region is named 'us-east-9'"),
        ({"region": "US-EAST-1"}, UsageError, "region must look like 'us-east-1'"),
        ({"fast_path": "no"}, UsageTypeError, "fast_path is True or False, got 'no'"),
        ({"enforce_access": 1}, UsageTypeError, "enforce_access is True or False"),
    ],
)
def test_misuse_bad_options_are_refused_when_mock_secretsmanager_is_called(options, error, message):
    with pytest.raises(error, match=re.escape(message)):
        mock_secretsmanager(**options)


def test_misuse_bad_options_with_a_shared_fake_are_refused_at_once():
    shared = SecretsManagerFake()
    with pytest.raises(UsageTypeError, match="a value is str, bytes"):
        mock_secretsmanager(fake=shared, secrets={"a": 1.5})


def test_misuse_every_region_botocore_knows_is_accepted():
    session = boto3.session.Session()
    for partition in session.get_available_partitions():
        for region in session.get_available_regions("secretsmanager", partition):
            SecretsManagerFake(region=region)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((123, "v"), {}, UsageTypeError, "a secret's name is a str, got 123"),
        (("s", 1.5), {}, UsageTypeError, "secret 's': a value is str, bytes or a JSON"),
        (("s", "v"), {"region": "eu-wst-1"}, UsageError, "did you mean 'eu-west-1'?"),
        (("s", "v"), {"description": 7}, UsageTypeError, "description is a str, got 7"),
        (("s", "v"), {"tags": "k=v"}, UsageTypeError, "tags is a mapping {key: value} or"),
        (("s", "v"), {"tags": [("k", "v")]}, UsageTypeError, "got an item ('k', 'v')"),
        (("s", "v"), {"tags": {"k": 1}}, UsageTypeError, "tag keys and values are str"),
        (("bad name!", "v"), {}, UsageError, "cannot add secret 'bad name!'"),
    ],
)
def test_misuse_add_secret(fake, args, kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        fake.add_secret(*args, **kwargs)
    assert fake.events.count() == 0
    assert repr(fake).endswith("secrets=0)")


def test_add_secret_takes_boto3_tag_lists_and_mappings(fake, client):
    fake.add_secret("listed", "v", tags=[{"Key": "team", "Value": "db"}, {"Key": "env"}])
    fake.add_secret("mapped", "v", tags={"team": "db"})
    assert client.describe_secret(SecretId="listed")["Tags"] == [
        {"Key": "team", "Value": "db"},
        {"Key": "env", "Value": ""},
    ]
    assert client.describe_secret(SecretId="mapped")["Tags"] == [{"Key": "team", "Value": "db"}]


@pytest.mark.parametrize("value", [None, ""])
def test_add_secret_without_a_value_makes_a_secret_with_no_version(fake, client, value):
    # As CreateSecret without SecretString or SecretBinary: the secret exists, with no version.
    arn = fake.add_secret("empty", value)
    described = client.describe_secret(SecretId=arn)
    assert "VersionIdsToStages" not in described
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_secret_value(SecretId=arn)


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (lambda event: None, "(event) cannot be (too many positional arguments)"),
        (lambda: None, "() cannot be (too many positional arguments)"),
        (lambda event, context, extra: None, "missing a required argument: 'extra'"),
        (lambda *, event, context: None, "too many positional arguments"),
    ],
)
def test_misuse_rotation_handler_with_the_wrong_signature_is_refused(fake, handler, message):
    with pytest.raises(UsageTypeError, match=re.escape(message)):
        fake.register_rotation_function("rotate", handler)
    assert "handler(event, context)" in str(
        pytest.raises(UsageTypeError, fake.register_rotation_function, "rotate", handler).value
    )


@pytest.mark.parametrize(
    "handler",
    [
        lambda event, context: None,
        lambda event, context=None: None,
        lambda *args: None,
        lambda event, *args, **kwargs: None,
    ],
)
def test_rotation_handlers_that_lambda_can_call_are_accepted(fake, handler):
    assert fake.register_rotation_function("rotate", handler).endswith(":function:rotate")


def test_misuse_kms_key_in_a_region_that_does_not_exist(fake):
    with pytest.raises(UsageError, match=re.escape("no AWS Region is named 'eu-west-12'")):
        fake.kms.create_key(region="eu-west-12")


def test_misuse_stopping_a_mock_that_was_never_started_is_refused():
    # The usual mistake: stopping a new object instead of the one that was started.
    active = mock_secretsmanager()
    active.start()
    try:
        with pytest.raises(UsageError, match=re.escape("was never started, so stop()")):
            mock_secretsmanager().stop()
    finally:
        active.stop()
    active.stop()  # once started, a second stop does nothing: cleanup code may stop twice


def test_stop_inside_a_with_block_leaves_nothing_for_the_exit():
    mock = mock_secretsmanager()
    with mock:
        mock.stop()
    assert mock.fake is None
