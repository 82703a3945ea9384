"""The test-facing objects expose only their documented names: a new public attribute is a
decision (documented in docs/, pinned here), never an accident of implementation."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smfake import mock_secretsmanager
from smfake.errors import UsageError
from tests.conftest import error_of

SURFACE = {
    "fake": [
        "access",
        "account_id",
        "add_secret",
        "client",
        "clock",
        "enforce_access",
        "events",
        "fast_path",
        "faults",
        "http",
        "kms",
        "load_state",
        "organizations",
        "principals",
        "region",
        "register_partner_rotator",
        "register_rotation_function",
        "reset",
        "rotations",
        "save_state",
        "seed",
        "unregister_partner_rotator",
        "unregister_rotation_function",
        "verify_signatures",
    ],
    "clock": ["advance", "freeze", "frozen", "now", "set"],
    # A Sequence of events: index and count come with it (count is the log's own).
    "events": ["clear", "count", "filter", "index", "names", "to_cloudtrail"],
    "faults": ["clear", "inject", "pending"],
    "kms": [
        "add_alias",
        "cancel_deletion",
        "create_key",
        "disable",
        "enable",
        "key_policy",
        "put_key_policy",
        "schedule_deletion",
        "state",
    ],
    "principals": ["add", "get", "remove"],
    "organizations": ["DEFAULT_ORGANIZATION", "of", "place"],
    "access": ["check", "decisions", "last_denial"],
    "http": ["add_to", "extension", "handle", "remove_from"],
    "mock": ["fake", "start", "stop"],
}


def public(obj: object) -> list[str]:
    return [name for name in dir(obj) if not name.startswith("_")]


def surfaces(mock, fake):
    return {
        "fake": fake,
        "clock": fake.clock,
        "events": fake.events,
        "faults": fake.faults,
        "kms": fake.kms,
        "principals": fake.principals,
        "organizations": fake.organizations,
        "access": fake.access,
        "http": fake.http,
        "mock": mock,
    }


@pytest.mark.parametrize("name", SURFACE)
def test_each_test_facing_object_exposes_only_its_documented_names(name):
    mock = mock_secretsmanager()
    with mock as fake:
        assert public(surfaces(mock, fake)[name]) == SURFACE[name]


def test_unregister_rotation_function_forgets_the_handler(fake, client):
    client.create_secret(Name="s", SecretString="v")
    arn = fake.register_rotation_function("rotate", lambda event, context: None)
    fake.unregister_rotation_function("rotate")
    # As with a function that does not exist: AWS cannot invoke it.
    with pytest.raises(ClientError) as caught:
        client.rotate_secret(SecretId="s", RotationLambdaARN=arn)
    assert error_of(caught)[0] == "AccessDeniedException"
    with pytest.raises(UsageError, match="no rotation function is registered as .*:rotate"):
        fake.unregister_rotation_function(arn)


def test_unregister_rotation_function_stops_scheduled_rotations(fake, client):
    calls = []
    arn = fake.register_rotation_function("rotate", lambda event, context: calls.append(event))
    client.create_secret(Name="s", SecretString="v")
    client.rotate_secret(
        SecretId="s",
        RotationLambdaARN=arn,
        RotationRules={"AutomaticallyAfterDays": 1},
        RotateImmediately=False,
    )
    calls.clear()
    fake.unregister_rotation_function(arn)
    fake.clock.advance(days=3)
    assert calls == []


def test_renamed_names_still_work_with_a_deprecation_warning(fake):
    with pytest.warns(DeprecationWarning, match="fake.enforce_access"):
        fake.access.enabled = True
    assert fake.enforce_access is True
    with pytest.warns(DeprecationWarning, match="fake.enforce_access"):
        assert fake.access.enabled is True
    with pytest.warns(DeprecationWarning, match="seed_secrets"):
        fake.seed_secrets({"seeded": "v"})
    assert fake.add_secret("other", "w")
    with pytest.raises(AttributeError):
        _ = fake.no_such_name
