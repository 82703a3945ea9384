from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    INVALID_NAME,
    INVALID_NAMES,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    body,
    identifier,
    snapshot,
    stages,
    token,
)

V1, V2, V3 = token("v1"), token("v2"), token("v3")
CUR, PREV, PEND = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"


def remove_from_required(label, version_id):
    return (
        "InvalidParameterException",
        f"The parameter RemoveFromVersionId can't be empty. Staging label {label} is currently "
        f"attached to version {version_id}, so you must explicitly reference that version in "
        "RemoveFromVersionId.",
        400,
    )


def remove_from_mismatch(label):
    return (
        "InvalidParameterException",
        f"When you move staging label {label}, if you specify RemoveFromVersionId, it must be "
        f"set to the version that currently has the staging label {label}.",
        400,
    )


def version_not_found(version_id):
    return (
        "ResourceNotFoundException",
        f"Secrets Manager can't find the specified secret value for VersionId: {version_id}",
        400,
    )


@pytest.fixture
def secret(client, t0):
    """v1: AWSCURRENT, v2: AWSPENDING."""
    created = client.create_secret(Name="s", SecretString="one", ClientRequestToken=V1)
    client.put_secret_value(
        SecretId="s", SecretString="two", ClientRequestToken=V2, VersionStages=[PEND]
    )
    return created


def uvs(client, label, move_to=None, remove_from=None, secret_id="s"):
    params = {"SecretId": secret_id, "VersionStage": label}
    if move_to is not None:
        params["MoveToVersionId"] = move_to
    if remove_from is not None:
        params["RemoveFromVersionId"] = remove_from
    response = client.update_secret_version_stage(**params)
    assert_shape(client, "UpdateSecretVersionStage", response)
    return response


def put(client, version_id, value, labels=None):
    params = {"SecretId": "s", "SecretString": value, "ClientRequestToken": version_id}
    if labels is not None:
        params["VersionStages"] = labels
    return client.put_secret_value(**params)


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_update_secret_version_stage_moves_current_onto_pending(client, secret, kind):
    response = uvs(client, CUR, move_to=V2, remove_from=V1, secret_id=identifier(kind, secret))

    assert body(response) == {"ARN": secret["ARN"], "Name": "s"}
    assert stages(client, "s") == {V1: [PREV], V2: [CUR, PEND]}
    assert client.get_secret_value(SecretId="s")["SecretString"] == "two"


def test_update_secret_version_stage_worked_sequence_rotation(client, t0):
    client.create_secret(Name="s", SecretString="one", ClientRequestToken=V1)
    assert stages(client, "s") == {V1: [CUR]}

    put(client, V2, "two", [PEND])
    assert stages(client, "s") == {V1: [CUR], V2: [PEND]}

    uvs(client, CUR, move_to=V2, remove_from=V1)
    assert stages(client, "s") == {V1: [PREV], V2: [CUR, PEND]}

    put(client, V3, "three")
    assert stages(client, "s") == {V1: [], V2: [PREV], V3: [CUR]}


def test_update_secret_version_stage_worked_sequence_custom_labels(client, t0):
    client.create_secret(Name="s", SecretString="one", ClientRequestToken=V1)
    put(client, V2, "two", [PEND, "AWSSOMETHING", "PUT1"])
    uvs(client, CUR, move_to=V2, remove_from=V1)
    assert stages(client, "s") == {V1: [PREV], V2: sorted([CUR, PEND, "AWSSOMETHING", "PUT1"])}

    put(client, V3, "three", [PEND, "PUT2"])
    assert stages(client, "s") == {
        V1: [PREV],
        V2: sorted([CUR, "AWSSOMETHING", "PUT1"]),
        V3: sorted([PEND, "PUT2"]),
    }

    uvs(client, CUR, move_to=V3, remove_from=V2)
    assert stages(client, "s") == {
        V1: [],
        V2: sorted([PREV, "AWSSOMETHING", "PUT1"]),
        V3: sorted([CUR, PEND, "PUT2"]),
    }


def test_update_secret_version_stage_removes_pending_after_rotation(client, secret):
    uvs(client, CUR, move_to=V2, remove_from=V1)

    uvs(client, PEND, remove_from=V2)

    assert stages(client, "s") == {V1: [PREV], V2: [CUR]}


def test_update_secret_version_stage_rolls_back_to_previous(client, t0):
    client.create_secret(Name="s", SecretString="one", ClientRequestToken=V1)
    put(client, V2, "two")

    uvs(client, CUR, move_to=V1, remove_from=V2)

    assert stages(client, "s") == {V1: [CUR], V2: [PREV]}
    assert client.get_secret_value(SecretId="s")["SecretString"] == "one"


def test_update_secret_version_stage_moving_current_strips_previous_elsewhere(client, t0):
    client.create_secret(Name="s", SecretString="one", ClientRequestToken=V1)
    put(client, V2, "two")
    put(client, V3, "three", ["NEXT"])

    uvs(client, CUR, move_to=V3, remove_from=V2)

    assert stages(client, "s") == {V1: [], V2: [PREV], V3: sorted([CUR, "NEXT"])}


def test_update_secret_version_stage_attaches_new_custom_label(client, secret):
    uvs(client, "BLUE", move_to=V1)

    assert stages(client, "s") == {V1: sorted([CUR, "BLUE"]), V2: [PEND]}
    assert client.get_secret_value(SecretId="s", VersionStage="BLUE")["VersionId"] == V1


def test_update_secret_version_stage_moves_custom_label(client, secret):
    uvs(client, "BLUE", move_to=V1)

    uvs(client, "BLUE", move_to=V2, remove_from=V1)

    assert stages(client, "s") == {V1: [CUR], V2: sorted([PEND, "BLUE"])}


def test_update_secret_version_stage_removing_last_label_deprecates_version(client, secret):
    uvs(client, PEND, remove_from=V2)

    assert stages(client, "s") == {V1: [CUR], V2: []}
    assert client.describe_secret(SecretId="s")["VersionIdsToStages"] == {V1: [CUR]}


@pytest.mark.parametrize(
    ("label", "move_to", "remove_from"),
    [(CUR, V1, None), (CUR, V1, V1), (PEND, V2, None), (PEND, V2, V2)],
    ids=["current", "current-with-remove", "pending", "pending-with-remove"],
)
def test_update_secret_version_stage_onto_its_holder_changes_nothing(
    client, secret, label, move_to, remove_from
):
    before = stages(client, "s")

    uvs(client, label, move_to=move_to, remove_from=remove_from)

    assert stages(client, "s") == before


def test_update_secret_version_stage_updates_last_changed_date(client, fake, secret, t0):
    fake.clock.advance(hours=4)

    uvs(client, "BLUE", move_to=V2)

    assert client.describe_secret(SecretId="s")["LastChangedDate"] == t0 + timedelta(hours=4)


@pytest.mark.parametrize(
    ("label", "move_to", "remove_from", "expected"),
    [
        (CUR, V2, None, remove_from_required(CUR, V1)),
        (PEND, V1, None, remove_from_required(PEND, V2)),
        (
            CUR,
            None,
            V1,
            (
                "InvalidParameterException",
                "You can only move staging label AWSCURRENT to a different secret version. "
                "It can\u2019t be completely removed.",
                400,
            ),
        ),
    ],
    ids=["current-without-remove-from", "pending-without-remove-from", "detach-current"],
)
def test_update_secret_version_stage_label_rules(
    client, secret, label, move_to, remove_from, expected
):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        uvs(client, label, move_to=move_to, remove_from=remove_from)

    assert error_of(excinfo) == expected
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("label", "move_to", "remove_from"),
    [
        (CUR, V2, V2),
        (PEND, V1, V1),
        (PEND, None, V1),
        ("NOWHERE", None, V1),
        ("NOWHERE", V1, V2),
    ],
    ids=[
        "move-current-remove-from-target",
        "move-pending-remove-from-target",
        "detach-pending-from-wrong-version",
        "detach-absent-label",
        "attach-absent-label-remove-from-other",
    ],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_update_secret_version_stage_remove_from_mismatch(
    client, secret, label, move_to, remove_from
):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        uvs(client, label, move_to=move_to, remove_from=remove_from)

    assert error_of(excinfo) == remove_from_mismatch(label)
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    ("move_to", "remove_from", "missing"),
    [
        (token("nope"), V1, token("nope")),
        (V2, token("nope"), token("nope")),
        (None, token("nope"), token("nope")),
    ],
    ids=["unknown-move-to", "unknown-remove-from", "unknown-remove-from-only"],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_update_secret_version_stage_unknown_version(client, secret, move_to, remove_from, missing):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        uvs(client, CUR, move_to=move_to, remove_from=remove_from)

    assert error_of(excinfo) == version_not_found(missing)
    assert snapshot(client, "s") == before


def test_update_secret_version_stage_up_to_20_labels_per_secret(client, secret):
    for index in range(18):
        uvs(client, f"L{index}", move_to=V1)

    assert len(client.describe_secret(SecretId="s")["VersionIdsToStages"][V1]) == 19


# The LimitExceededException text is unverified (AWS_SPEC §20).
def test_update_secret_version_stage_more_than_20_labels_per_secret(
    client, no_retry_client, secret
):
    for index in range(18):
        uvs(client, f"L{index}", move_to=V1)
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        no_retry_client.update_secret_version_stage(
            SecretId="s", VersionStage="ONE-TOO-MANY", MoveToVersionId=V2
        )

    assert error_of(excinfo) == (
        "LimitExceededException",
        "You can't attach more than 20 staging labels to the versions of a secret.",
        400,
    )
    assert snapshot(client, "s") == before


def test_update_secret_version_stage_moving_existing_label_at_the_quota(client, secret):
    for index in range(18):
        uvs(client, f"L{index}", move_to=V1)

    uvs(client, "L0", move_to=V2, remove_from=V1)

    assert "L0" in client.describe_secret(SecretId="s")["VersionIdsToStages"][V2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"VersionStage": "S" * 257, "MoveToVersionId": V1},
            f"1 validation error detected: Value '{'S' * 257}' at 'versionStage' failed to "
            "satisfy constraint: Member must have length less than or equal to 256",
        ),
        (
            {"VersionStage": "X", "MoveToVersionId": "m" * 65},
            f"1 validation error detected: Value '{'m' * 65}' at 'moveToVersionId' failed to "
            "satisfy constraint: Member must have length less than or equal to 64",
        ),
        (
            {"VersionStage": "X", "RemoveFromVersionId": "r" * 65},
            f"1 validation error detected: Value '{'r' * 65}' at 'removeFromVersionId' failed "
            "to satisfy constraint: Member must have length less than or equal to 64",
        ),
    ],
    ids=["stage-257", "move-to-65", "remove-from-65"],
)
def test_update_secret_version_stage_constraint_violation(client, secret, params, message):
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        client.update_secret_version_stage(SecretId="s", **params)

    assert error_of(excinfo) == ("ValidationException", message, 400)
    assert snapshot(client, "s") == before


def test_update_secret_version_stage_scheduled_for_deletion(client, secret):
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    with pytest.raises(ClientError) as excinfo:
        uvs(client, CUR, move_to=V2, remove_from=V1)

    assert error_of(excinfo) == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before


@pytest.mark.parametrize(
    "secret_id",
    ["missing", ARN_PREFIX + "missing-AbC123", ARN_PREFIX + "missing"],
    ids=["name", "full-arn", "partial-arn"],
)
def test_update_secret_version_stage_unknown_secret(client, secret_id):
    with pytest.raises(ClientError) as excinfo:
        uvs(client, CUR, move_to=V1, secret_id=secret_id)

    assert error_of(excinfo) == NOT_FOUND


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize("name", INVALID_NAMES)
def test_update_secret_version_stage_invalid_name(client, name):
    with pytest.raises(ClientError) as excinfo:
        uvs(client, CUR, move_to=V1, secret_id=name)

    assert error_of(excinfo) == INVALID_NAME
