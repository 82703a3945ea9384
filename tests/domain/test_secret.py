from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smfake._domain.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from smfake._domain.kms import Sealed
from smfake._domain.secret import (
    AWSCURRENT,
    AWSPENDING,
    AWSPREVIOUS,
    MAX_VERSIONS,
    Secret,
    SecretValue,
    SecretVersion,
)

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def make_secret(*version_ids: str) -> Secret:
    secret = Secret(
        arn="arn:aws:secretsmanager:us-east-1:1:secret:s-abcdef",
        name="s",
        created=T0,
        last_changed=T0,
    )
    for vid in version_ids:
        add(secret, vid)
    return secret


def add(secret: Secret, vid: str, stages=None, when: datetime = T0) -> None:
    version = SecretVersion(vid, when, None)
    secret.add_version(version, secret.plan_new_version(vid, stages), when)


def view(secret: Secret) -> dict[str, list[str]]:
    return {vid: sorted(v.stages) for vid, v in secret.versions.items()}


def test_secret_value_repr_hides_the_data():
    assert "hunter2" not in repr(SecretValue(text="hunter2"))
    assert "hunter2" not in repr(SecretValue(binary=b"hunter2"))
    sealed = Sealed("key", False, b"n" * 12, b"hunter2")
    version = SecretVersion("v", T0, sealed)
    assert "hunter2" not in repr(version) + repr(sealed)


def test_secret_default_put_hands_current_to_previous():
    secret = make_secret("v1", "v2", "v3")
    assert view(secret) == {"v1": [], "v2": [AWSPREVIOUS], "v3": [AWSCURRENT]}


def test_secret_first_version_is_current_even_with_explicit_stages():
    secret = make_secret()
    add(secret, "v1", [AWSPENDING])
    assert view(secret) == {"v1": [AWSCURRENT, AWSPENDING]}


def test_secret_recorded_sequence_one():
    secret = make_secret("v1")
    add(secret, "v2", [AWSPENDING])
    secret.apply_labels(secret.plan_move(AWSCURRENT, move_to="v2", remove_from="v1"))
    assert view(secret) == {"v1": [AWSPREVIOUS], "v2": [AWSCURRENT, AWSPENDING]}
    add(secret, "v3")
    assert view(secret) == {"v1": [], "v2": [AWSPREVIOUS], "v3": [AWSCURRENT]}


def test_secret_recorded_sequence_two():
    secret = make_secret("v1")
    add(secret, "v2", [AWSPENDING, "AWSSOMETHING", "PUT1"])
    secret.apply_labels(secret.plan_move(AWSCURRENT, move_to="v2", remove_from="v1"))
    add(secret, "v3", [AWSPENDING, "PUT2"])
    assert view(secret) == {
        "v1": [AWSPREVIOUS],
        "v2": sorted([AWSCURRENT, "AWSSOMETHING", "PUT1"]),
        "v3": [AWSPENDING, "PUT2"],
    }
    secret.apply_labels(secret.plan_move(AWSCURRENT, move_to="v3", remove_from="v2"))
    assert view(secret) == {
        "v1": [],
        "v2": sorted([AWSPREVIOUS, "AWSSOMETHING", "PUT1"]),
        "v3": sorted([AWSCURRENT, AWSPENDING, "PUT2"]),
    }


def test_secret_stage_order_is_stable_insertion_order():
    secret = make_secret("v1")
    add(secret, "v2", ["one", "two", "three"])
    assert secret.versions["v2"].stages == ("one", "two", "three")


@pytest.mark.parametrize(
    ("label", "move_to", "remove_from", "error", "text"),
    [
        (AWSCURRENT, "v2", None, InvalidParameterException, "can't be empty"),
        (AWSCURRENT, "v2", "v2", InvalidParameterException, "it must be set to the version"),
        (AWSCURRENT, None, "v1", InvalidParameterException, "can\u2019t be completely removed"),
        (AWSCURRENT, None, None, InvalidParameterException, "it must be set to the version"),
        ("custom", None, "v1", InvalidParameterException, "it must be set to the version"),
        (AWSCURRENT, "nope" * 9, "v1", ResourceNotFoundException, "VersionId: nope"),
        (AWSCURRENT, "v2", "nope" * 9, ResourceNotFoundException, "VersionId: nope"),
    ],
)
def test_secret_plan_move_refusals_change_nothing(label, move_to, remove_from, error, text):
    secret = make_secret("v1")
    add(secret, "v2", ["other"])
    before = view(secret), dict(secret.labels)
    with pytest.raises(error) as excinfo:
        secret.plan_move(label, move_to=move_to, remove_from=remove_from)
    assert text in excinfo.value.message
    assert (view(secret), dict(secret.labels)) == before


def test_secret_label_quota_is_twenty_per_secret():
    secret = make_secret("v1")
    add(secret, "v2", [f"L{i}" for i in range(18)])
    assert len(secret.labels) == 19
    add(secret, "v3", ["L18"])
    before = view(secret)
    with pytest.raises(LimitExceededException):
        add(secret, "v4", ["L19", "L20"])
    assert view(secret) == before and "v4" not in secret.versions


def test_secret_version_quota_prunes_old_deprecated_versions_only():
    secret = make_secret()
    for i in range(MAX_VERSIONS):
        add(secret, f"v{i}", when=T0)
    with pytest.raises(LimitExceededException):
        add(secret, "young", when=T0 + timedelta(hours=23))
    assert len(secret.versions) == MAX_VERSIONS
    add(secret, "later", when=T0 + timedelta(hours=24))
    assert len(secret.versions) == MAX_VERSIONS
    assert "v0" not in secret.versions
    assert secret.labels[AWSCURRENT] == "later"
    assert secret.labels[AWSPREVIOUS] == f"v{MAX_VERSIONS - 1}"
