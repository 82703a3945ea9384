"""Snapshots (smfake._api.snapshot): a rich state saved to JSON text and loaded into a new fake
answers every read exactly as the original did, and keeps behaving: deletion windows expire,
replicas follow their primary, scheduled rotations fire, KMS-sealed values decrypt."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from smfake import SecretsManagerFake, mock_secretsmanager
from smfake._api import snapshot
from smfake._domain.kms import KmsKey
from smfake._domain.principals import Principal
from smfake._domain.secret import (
    CrossAccountPrimary,
    CrossAccountReplica,
    Replica,
    Secret,
    SecretVersion,
)
from smfake.errors import UsageError
from tests.conftest import error_of, needs_member
from tests.operations.test_rotate_secret import TemplateRotation

T0 = datetime(2024, 3, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)
REPLICA_ARN = "arn:aws:secretsmanager:us-east-1:210987654321:secret:r-AbCdEf"
EU = "eu-west-1"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
OTHER_ACCOUNT = "111122223333"
OTHER_KEY = ("AKIAOTHERACCOUNT0001", "other-secret-key")
POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
    '"arn:aws:iam::123456789012:root"}, "Action": "secretsmanager:GetSecretValue", '
    '"Resource": "*"}]}'
)


def client(region="us-east-1", credentials=(None, None)):
    key, secret = credentials  # None: the default credentials, which the mock supplies
    return boto3.client(
        "secretsmanager", region_name=region, aws_access_key_id=key, aws_secret_access_key=secret
    )


def body(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def build(fake, rotation):
    """A state that uses every part of the model; returns the rotation function's ARN."""
    fake.clock.set(T0)
    fake.kms.create_key(alias="alias/app", key_id=KEY_ID, description="app key")
    fake.kms.create_key(key_id=OTHER_KEY_ID)
    fake.principals.add(*OTHER_KEY, account_id=OTHER_ACCOUNT)
    sm, eu = client(), client(EU)
    sm.create_secret(
        Name="app/db",
        SecretString='{"user": "app"}',
        Description="the database",
        Tags=[{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "prod"}],
    )
    fake.clock.advance(hours=1)
    sm.put_secret_value(SecretId="app/db", SecretString='{"user": "app2"}')
    sm.put_secret_value(SecretId="app/db", SecretString="staged", VersionStages=["CANARY"])
    sm.put_resource_policy(SecretId="app/db", ResourcePolicy=POLICY)
    sm.get_secret_value(SecretId="app/db")
    sm.create_secret(Name="blob", SecretBinary=b"\x00\x01\xfe\xff")
    sm.create_secret(Name="sealed", SecretString="kms value", KmsKeyId="alias/app")
    sm.create_secret(Name="sealed-by-disabled", SecretString="hidden", KmsKeyId=OTHER_KEY_ID)
    fake.kms.disable(OTHER_KEY_ID)
    sm.create_secret(Name="empty", Description="no value yet")
    sm.create_secret(Name="old", SecretString="going")
    sm.delete_secret(SecretId="old", RecoveryWindowInDays=7)
    sm.create_secret(Name="global", SecretString="v1", AddReplicaRegions=[{"Region": EU}])
    eu.create_secret(Name="eu-only", SecretString="local")
    arn = fake.register_rotation_function("rotator", rotation)
    sm.create_secret(Name="rotated", SecretString="first")
    sm.rotate_secret(
        SecretId="rotated", RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 30}
    )
    client(credentials=OTHER_KEY).create_secret(Name="theirs", SecretString="other account")
    fake.clock.advance(minutes=5)
    return arn


def reads(fake):
    """Every answer a caller can read, in every Region and account of the state."""
    answers = {}
    callers = {
        ("us-east-1", "default"): client(),
        (EU, "default"): client(EU),
        ("us-east-1", "other"): client(credentials=OTHER_KEY),
    }
    for where, sm in callers.items():
        listed = sm.list_secrets(IncludePlannedDeletion=True, MaxResults=100)
        answers[where, "ListSecrets"] = body(listed)
        for entry in listed["SecretList"]:
            arn = entry["ARN"]
            answers[where, "DescribeSecret", arn] = body(sm.describe_secret(SecretId=arn))
            if not entry.get("DeletedDate"):
                policy = sm.get_resource_policy(SecretId=arn)
                answers[where, "GetResourcePolicy", arn] = body(policy)
            versions = sm.list_secret_version_ids(SecretId=arn, IncludeDeprecated=True)
            answers[where, "ListSecretVersionIds", arn] = body(versions)
            for version in versions["Versions"]:
                try:
                    got = body(sm.get_secret_value(SecretId=arn, VersionId=version["VersionId"]))
                except ClientError as error:
                    got = error.response["Error"]
                answers[where, "GetSecretValue", arn, version["VersionId"]] = got
    return answers


@pytest.fixture(scope="module")
def saved():
    """(the snapshot as JSON text, every read of the original, the rotation function); built
    once, since each test loads the text into a fake of its own."""
    rotation = TemplateRotation()
    with mock_secretsmanager(seed=7) as source:
        build(source, rotation)
        text = snapshot.to_json(snapshot.dump(source))
        # Reads change last-accessed dates and draw ids: the snapshot is taken first.
        answers = reads(source)
    return text, answers, rotation


def restored_from(text):
    fake = SecretsManagerFake()
    snapshot.load(fake, snapshot.from_json(text))
    return fake


def test_round_trip_answers_every_read_identically(saved):
    text, answers, _ = saved
    fake = restored_from(text)
    with mock_secretsmanager(fake=fake):
        assert reads(fake) == answers


def test_round_trip_gives_back_the_same_snapshot(saved):
    text, _, _ = saved
    assert snapshot.to_json(snapshot.dump(restored_from(text))) == text


def test_round_trip_keeps_the_clock_frozen_at_its_reading(saved):
    fake = restored_from(saved[0])
    assert fake.clock.frozen is True
    assert fake.clock.now() == T0 + timedelta(hours=1, minutes=5)


def test_a_running_clock_stays_running_and_sets_a_frozen_one():
    data = snapshot.dump(SecretsManagerFake())
    running, frozen = SecretsManagerFake(), SecretsManagerFake()
    frozen.clock.set(T0)
    snapshot.load(running, data)
    snapshot.load(frozen, data)
    assert (data["clock"]["frozen"], running.clock.frozen) == (False, False)
    assert frozen.clock.now() == datetime.fromisoformat(data["clock"]["now"])


def test_deletion_window_still_expires(saved):
    fake = restored_from(saved[0])
    with mock_secretsmanager(fake=fake):
        sm = client()
        assert sm.describe_secret(SecretId="old")["DeletedDate"] == T0 + timedelta(hours=1)
        deletion = T0 + timedelta(hours=1, days=7)
        fake.clock.set(deletion - timedelta(microseconds=1))
        sm.describe_secret(SecretId="old")
        fake.clock.set(deletion)
        with pytest.raises(ClientError) as excinfo:
            sm.describe_secret(SecretId="old")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
        400,
    )


def test_restored_secret_can_be_restored_from_deletion(saved):
    fake = restored_from(saved[0])
    with mock_secretsmanager(fake=fake):
        client().restore_secret(SecretId="old")
        fake.clock.advance(days=8)
        assert client().get_secret_value(SecretId="old")["SecretString"] == "going"


def test_replica_still_follows_its_primary(saved):
    fake = restored_from(saved[0])
    with mock_secretsmanager(fake=fake):
        client().put_secret_value(SecretId="global", SecretString="v2")
        assert client(EU).get_secret_value(SecretId="global")["SecretString"] == "v2"
        replicas = client().describe_secret(SecretId="global")["ReplicationStatus"]
    assert [(r["Region"], r["Status"]) for r in replicas] == [(EU, "InSync")]


def test_scheduled_rotation_fires_once_the_function_is_registered_again(saved):
    text, _, rotation = saved
    fake = restored_from(text)
    fake.register_rotation_function("rotator", rotation)
    with mock_secretsmanager(fake=fake):
        before = client().describe_secret(SecretId="rotated")
        fake.clock.set(before["NextRotationDate"])
        after = client().describe_secret(SecretId="rotated")
    assert [(r.trigger, r.outcome) for r in fake.rotations] == [("schedule", "succeeded")]
    assert after["LastRotatedDate"] > before["LastRotatedDate"]


def test_kms_sealed_values_decrypt_and_a_disabled_key_stays_disabled(saved):
    fake = restored_from(saved[0])
    with mock_secretsmanager(fake=fake):
        sm = client()
        assert sm.get_secret_value(SecretId="sealed")["SecretString"] == "kms value"
        with pytest.raises(ClientError) as excinfo:
            sm.get_secret_value(SecretId="sealed-by-disabled")
        assert excinfo.value.response["Error"]["Code"] == "DecryptionFailure"
        fake.kms.enable(OTHER_KEY_ID)
        assert sm.get_secret_value(SecretId="sealed-by-disabled")["SecretString"] == "hidden"
    assert fake.kms.state("alias/app") == "Enabled"


def test_a_value_whose_key_was_deleted_stays_unreadable():
    with mock_secretsmanager() as source:
        source.clock.set(T0)
        source.kms.create_key(key_id=KEY_ID)
        client().create_secret(Name="lost", SecretString="gone", KmsKeyId=KEY_ID)
        source.kms.schedule_deletion(KEY_ID, days=7)
        source.clock.advance(days=7)
        data = snapshot.dump(source)
    [value] = [v["value"] for v in data["stores"][0]["secrets"][0]["versions"]]
    assert value == {"key_id": KEY_ID, "binary": False, "lost": True}
    fake = SecretsManagerFake()
    snapshot.load(fake, data)
    with mock_secretsmanager(fake=fake), pytest.raises(ClientError) as excinfo:
        client().get_secret_value(SecretId="lost")
    assert excinfo.value.response["Error"]["Code"] == "DecryptionFailure"


def test_key_pending_deletion_is_deleted_on_schedule_after_loading():
    with mock_secretsmanager() as source:
        source.clock.set(T0)
        source.kms.create_key(key_id=KEY_ID)
        source.kms.schedule_deletion(KEY_ID, days=10)
        data = snapshot.dump(source)
    fake = SecretsManagerFake()
    snapshot.load(fake, data)
    assert fake.kms.state(KEY_ID) == "PendingDeletion"
    fake.clock.advance(days=10)
    with pytest.raises(UsageError, match="no customer managed KMS key"):
        fake.kms.state(KEY_ID)


def test_values_are_written_in_clear_text(saved):
    data = json.loads(saved[0])
    store = data["stores"][0]
    assert (store["account"], store["region"]) == ("123456789012", "us-east-1")
    by_name = {s["name"]: s["versions"] for s in store["secrets"]}
    texts = [v["value"].get("text") for v in by_name["app/db"]]
    assert texts == ['{"user": "app"}', '{"user": "app2"}', "staged"]
    assert by_name["blob"][0]["value"]["binary"] == "AAH+/w=="


def test_ids_continue_their_sequence_after_loading():
    with mock_secretsmanager(seed=3) as source:
        client().create_secret(Name="a", SecretString="x")
        data = snapshot.dump(source)
        expected = client().create_secret(Name="b", SecretString="x")["ARN"]
    fake = SecretsManagerFake(seed=99)
    snapshot.load(fake, data)
    with mock_secretsmanager(fake=fake):
        assert client().create_secret(Name="b", SecretString="x")["ARN"] == expected
    assert fake.seed == 3


def test_load_replaces_the_state_but_keeps_rotation_functions():
    fake = SecretsManagerFake()
    fake.add_secret("before", "x")
    arn = fake.register_rotation_function("kept", lambda event, context: None)
    snapshot.load(fake, snapshot.dump(SecretsManagerFake()))
    assert repr(fake) == "SecretsManagerFake(account_id='123456789012', secrets=0)"
    with mock_secretsmanager(fake=fake):
        client().create_secret(Name="s", SecretString="v")
        client().rotate_secret(SecretId="s", RotationLambdaARN=arn)


# -- files --------------------------------------------------------------------------------------


def test_save_file_writes_atomically_for_the_owner_only(tmp_path):
    fake = SecretsManagerFake()
    fake.add_secret("s", "v")
    path = tmp_path / "state.json"
    path.write_text("old")
    snapshot.save_file(fake, path)
    assert os.listdir(tmp_path) == ["state.json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = SecretsManagerFake()
    snapshot.load_file(loaded, path)
    with mock_secretsmanager(fake=loaded):
        assert client().get_secret_value(SecretId="s")["SecretString"] == "v"


def saved_state(tmp_path, value="old"):
    fake = SecretsManagerFake()
    fake.add_secret("s", value)
    path = tmp_path / "state.json"
    snapshot.save_file(fake, path)
    return fake, path


def test_save_file_creates_its_temporary_for_the_owner_only_from_the_first_byte(
    tmp_path, monkeypatch
):
    fake, path = saved_state(tmp_path)
    real_open = os.open
    created = []

    def spy(file, flags, mode=0o777, *args, **kwargs):
        fd = real_open(file, flags, mode, *args, **kwargs)
        if str(file).endswith(".tmp"):
            info = os.fstat(fd)
            created.append(
                (os.path.basename(file), flags, stat.S_IMODE(info.st_mode), info.st_size)
            )
        return fd

    monkeypatch.setattr(os, "open", spy)
    umask = os.umask(0)  # a umask cannot widen it either
    try:
        snapshot.save_file(fake, path)
    finally:
        os.umask(umask)
    [(name, flags, mode, size)] = created
    assert name.startswith(".state.json.") and name.endswith(".tmp")
    assert (mode, size) == (0o600, 0)
    assert flags & os.O_CREAT and flags & os.O_EXCL
    assert os.listdir(tmp_path) == ["state.json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("step", "error"),
    [("fsync", OSError(28, "No space left on device")), ("replace", KeyboardInterrupt())],
)
def test_a_save_that_fails_leaves_nothing_behind(tmp_path, monkeypatch, step, error):
    fake, path = saved_state(tmp_path)
    fake.add_secret("t", "new")

    def fail(*args):
        raise error

    monkeypatch.setattr(os, step, fail)
    with pytest.raises(type(error)):
        snapshot.save_file(fake, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["state.json"]
    assert [s["name"] for s in json.loads(path.read_text())["stores"][0]["secrets"]] == ["s"]


def test_remove_temporaries_removes_only_those_of_this_state_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("{}")
    stale = [".state.json.0123456789abcdef.tmp", ".state.json.k2_9xq1z.tmp"]  # ours, mkstemp's
    kept = [
        ".other.json.0123456789abcdef.tmp",
        ".state.json.tmp",
        ".state.json.notes.tmp.bak",
        "state.json.0123456789abcdef.tmp",
        ".state.jsonx.k2_9xq1z.tmp",
    ]
    for name in stale + kept:
        (tmp_path / name).write_text("secret")
    (tmp_path / ".state.json.aaaaaaaa.tmp").mkdir()  # not a file: not one of ours
    assert snapshot.remove_temporaries(path) == sorted(stale)
    assert sorted(os.listdir(tmp_path)) == sorted([*kept, "state.json", ".state.json.aaaaaaaa.tmp"])
    assert snapshot.remove_temporaries(tmp_path / "missing" / "state.json") == []


def test_load_file_names_the_file_in_its_errors(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("[1, 2]")
    with pytest.raises(UsageError) as excinfo:
        snapshot.load_file(SecretsManagerFake(), path)
    assert str(excinfo.value) == f"{str(path)!r}: a snapshot is a JSON object, got a JSON list"


# -- refused snapshots --------------------------------------------------------------------------


def with_secret():
    fake = SecretsManagerFake(seed=1)
    fake.add_secret("s", "v")
    return snapshot.dump(fake)


def external(**fields):
    """A snapshot's "external" block of a managed external secret, with ``fields`` changed."""
    block = {
        "type": "SnowflakePat",
        "rotation_metadata": [["user", "APP"]],
        "rotation_role_arn": "arn:aws:iam::123456789012:role/partner",
    }
    return {**block, **fields}


def test_unknown_format_is_refused_with_a_clear_error():
    data = with_secret()
    data["format"] = 2
    with pytest.raises(UsageError) as excinfo:
        snapshot.load(SecretsManagerFake(), data)
    assert str(excinfo.value) == (
        "snapshot format 2 is not one this smfake reads (format 1); "
        "was it written by a newer smfake?"
    )


def test_not_json_is_refused():
    with pytest.raises(UsageError, match="^a snapshot is a JSON object; this is not JSON "):
        snapshot.from_json("{not json")


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (
            lambda d: d["clock"].update(now="yesterday"),
            "snapshot clock.now: expected an ISO 8601 date (with a time zone for a time), "
            "got 'yesterday'",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].pop("name"),
            "snapshot stores[0].secrets[0].name: missing",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0]["versions"][0].update(stages=["AWSPREVIOUS"]),
            "snapshot stores[0].secrets[0]: labels and the versions' stages disagree",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0]["versions"][0]["value"].update(key_id="nope"),
            "snapshot stores[0].secrets[0].versions[0].value.key_id: no key nope in this store",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(tags=["a"]),
            "snapshot stores[0].secrets[0].tags: expected an object of strings, got ['a']",
        ),
        (lambda d: d.pop("ids"), "snapshot ids: missing"),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                cross_account_primary={"primary_arn": "nope", "status": "Pending", "message": None}
            ),
            "snapshot stores[0].secrets[0].cross_account_primary.primary_arn: expected the full "
            "ARN of a secret, got 'nope'",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                cross_account_replicas=[
                    {
                        "replica_arn": REPLICA_ARN,
                        "status": "Sideways",
                        "role_arn": None,
                        "restriction": None,
                        "message": None,
                    }
                ]
            ),
            "snapshot stores[0].secrets[0].cross_account_replicas[0].status: expected Pending or "
            "InProgress or InSync or Failed or Detached, got 'Sideways'",
        ),
        (
            lambda d: d.update(organizations={"123456789012": "not-an-org"}),
            "snapshot organizations: expected an object of account ids to organization ids or "
            "null, got {'123456789012': 'not-an-org'}",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(external=external(type="")),
            "snapshot stores[0].secrets[0].external.type: expected a Type of 1 to 256 "
            "characters, got ''",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(external=external(type="T" * 257)),
            "snapshot stores[0].secrets[0].external.type: expected a Type of 1 to 256 "
            "characters, got '" + "T" * 56 + "...",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(rotation_role_arn="arn:aws:iam::1:role")
            ),
            "snapshot stores[0].secrets[0].external.rotation_role_arn: expected an ARN of 20 to "
            "2048 characters, got 'arn:aws:iam::1:role'",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(rotation_role_arn="arn:" + "r" * 2045)
            ),
            "snapshot stores[0].secrets[0].external.rotation_role_arn: expected an ARN of 20 to "
            "2048 characters, got 'arn:" + "r" * 52 + "...",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(rotation_metadata=[["user", "APP"], ["", "v"]])
            ),
            "snapshot stores[0].secrets[0].external.rotation_metadata[1]: expected a key of 1 "
            "to 256 characters and a value of 1 to 2048, got ['', 'v']",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(rotation_metadata=[["k" * 257, "v"]])
            ),
            "snapshot stores[0].secrets[0].external.rotation_metadata[0]: expected a key of 1 "
            "to 256 characters and a value of 1 to 2048, got ['" + "k" * 55 + "...",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(rotation_metadata=[["k", ""]])
            ),
            "snapshot stores[0].secrets[0].external.rotation_metadata[0]: expected a key of 1 "
            "to 256 characters and a value of 1 to 2048, got ['k', '']",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(rotation_metadata=[["k", "v" * 2049]])
            ),
            "snapshot stores[0].secrets[0].external.rotation_metadata[0]: expected a key of 1 "
            "to 256 characters and a value of 1 to 2048, got ['k', '" + "v" * 50 + "...",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(external=external(type=None)),
            "snapshot stores[0].secrets[0].external: rotation_metadata and rotation_role_arn "
            "go with a type",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(type=None, rotation_metadata=None)
            ),
            "snapshot stores[0].secrets[0].external: rotation_metadata and rotation_role_arn "
            "go with a type",
        ),
        (
            lambda d: d["stores"][0]["secrets"][0].update(
                external=external(type=None, rotation_role_arn=None)
            ),
            "snapshot stores[0].secrets[0].external: rotation_metadata and rotation_role_arn "
            "go with a type",
        ),
    ],
)
def test_a_corrupt_snapshot_is_refused_and_changes_nothing(corrupt, message):
    data = with_secret()
    corrupt(data)
    fake = SecretsManagerFake()
    fake.add_secret("kept", "x")
    with pytest.raises(UsageError) as excinfo:
        snapshot.load(fake, data)
    assert str(excinfo.value) == message
    with mock_secretsmanager(fake=fake):
        assert client().get_secret_value(SecretId="kept")["SecretString"] == "x"


# -- coverage of the model ------------------------------------------------------------------------

# Every field of the state's dataclasses, as snapshot.py knows them: a field added to the model
# fails here until the snapshot saves it (or says why it need not).
KNOWN_FIELDS = {
    Secret: {
        "name", "created", "last_changed", "description", "kms_key_id", "tags",
        "versions", "labels", "last_accessed", "deleted_date", "deletion_date", "deletion_job",
        "policy", "rotation_enabled", "rotation_lambda_arn", "rotation_rules", "last_rotated",
        "next_rotation", "rotation_job", "replicas", "primary_arn", "primary_region",
        "cross_account_primary", "cross_account_replicas",
        "partner_type", "external_rotation_metadata", "external_rotation_role_arn",
    },
    CrossAccountPrimary: {"primary_arn", "status", "message"},
    CrossAccountReplica: {"replica_arn", "status", "role_arn", "restriction", "message"},
    SecretVersion: {"version_id", "created", "sealed", "kms_key_id", "stages", "last_accessed"},
    Replica: {"region", "kms_key_id", "status", "message", "secret"},
    KmsKey: {
        "key_id", "arn", "description", "managed", "state", "deletion_date", "deletion_job",
        "data_key", "cipher", "policy",
    },
    Principal: {
        "access_key_id", "account_id", "arn", "secret_access_key", "session_token", "expires",
        "policies", "permissions_boundary", "tags",
    },
}  # fmt: skip


@pytest.mark.parametrize("kind", list(KNOWN_FIELDS), ids=lambda kind: kind.__name__)
def test_snapshot_knows_every_field_of_the_model(kind):
    assert {field.name for field in dataclasses.fields(kind)} == KNOWN_FIELDS[kind]


def test_save_state_then_load_state_through_the_handle(tmp_path):
    import boto3

    from smfake import SecretsManagerFake, mock_secretsmanager

    fake = SecretsManagerFake()
    fake.add_secret("s", "v")
    fake.save_state(tmp_path / "f.json")
    other = SecretsManagerFake()
    other.load_state(tmp_path / "f.json")
    with mock_secretsmanager(fake=other):
        client = boto3.client("secretsmanager", region_name="us-east-1")
        assert client.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_access_control_state_survives_a_round_trip(tmp_path):
    from smfake import SecretsManagerFake

    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}],
    }
    fake = SecretsManagerFake()
    fake.principals.add(
        "AKIASNAPSHOT00000001",
        "secret",
        arn="arn:aws:iam::123456789012:user/u",
        policies=[policy],
        permissions_boundary=policy,
        tags={"team": "core"},
    )
    key = fake.kms.create_key(
        policy={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}
            ],
        }
    )
    fake.save_state(tmp_path / "f.json")
    other = SecretsManagerFake()
    other.load_state(tmp_path / "f.json")
    assert other.principals.get("AKIASNAPSHOT00000001") == fake.principals.get(
        "AKIASNAPSHOT00000001"
    )
    assert other.kms.key_policy(key) == fake.kms.key_policy(key)


# -- managed external secrets (botocore models that have Type: 1.43.11 and later) --------------

EXTERNAL_METADATA = [{"Key": "user", "Value": "APP"}, {"Key": "user", "Value": "BACKUP"}]


@needs_member("RotateSecret", "ExternalSecretRotationMetadata")
def test_managed_external_secret_survives_a_round_trip():
    from tests.operations.test_rotate_secret_external import Partner

    source = SecretsManagerFake(seed=3)
    with mock_secretsmanager(fake=source):
        sm = client()
        sm.create_secret(Name="ext", SecretString="v1", Type="DatadogApiKey")
        sm.create_secret(Name="plain", SecretString="v1")
        source.register_partner_rotator("DatadogApiKey", Partner())
        sm.rotate_secret(
            SecretId="ext",
            ExternalSecretRotationMetadata=EXTERNAL_METADATA,
            ExternalSecretRotationRoleArn="arn:aws:iam::123456789012:role/partner",
            RotationRules={"AutomaticallyAfterDays": 7},
        )
        before = {name: body(sm.describe_secret(SecretId=name)) for name in ("ext", "plain")}
        data = snapshot.dump(source)
    assert [s["external"] for s in data["stores"][0]["secrets"]] == [
        {
            "type": "DatadogApiKey",
            "rotation_metadata": [["user", "APP"], ["user", "BACKUP"]],
            "rotation_role_arn": "arn:aws:iam::123456789012:role/partner",
        },
        None,
    ]

    restored = SecretsManagerFake()
    snapshot.load(restored, json.loads(snapshot.to_json(data)))
    with mock_secretsmanager(fake=restored):
        partner = Partner()  # its client is made while the fake is active
        restored.register_partner_rotator("DatadogApiKey", partner)
        sm = client()
        assert {name: body(sm.describe_secret(SecretId=name)) for name in before} == before
        assert snapshot.dump(restored)["stores"] == data["stores"]
        # The schedule and the rotation settings still work: the partner rotates the secret.
        restored.clock.advance(days=8)
        assert partner.steps == ["createSecret", "setSecret", "testSecret", "finishSecret"]


def test_external_fields_reach_only_a_botocore_whose_model_has_type():
    # Runs on every botocore: an older one, whose model has no Type, sees a managed external
    # secret loaded from a snapshot exactly as the same secret without its Type.
    import botocore.session

    model = botocore.session.get_session().get_service_model("secretsmanager")
    has_type = "Type" in model.operation_model("CreateSecret").input_shape.members
    plain = with_secret()
    typed = json.loads(json.dumps(plain))
    typed["stores"][0]["secrets"][0]["external"] = external()
    answers = {}
    for name, data in (("plain", plain), ("typed", typed)):
        fake = SecretsManagerFake()
        snapshot.load(fake, data)
        with mock_secretsmanager(fake=fake):
            sm = client()
            described = body(sm.describe_secret(SecretId="s"))
            with pytest.raises(ClientError) as excinfo:
                sm.rotate_secret(SecretId="s")
            saved = snapshot.dump(fake)["stores"][0]["secrets"][0]["external"]
            answers[name] = (described, error_of(excinfo), saved)
    if has_type:
        described, error, saved = answers["typed"]
        assert described["Type"] == "SnowflakePat"
        assert error[0] == "AccessDeniedException"  # no partner rotator registered
        assert saved == external()
    else:
        assert answers["typed"] == answers["plain"]
        assert answers["plain"][1][1] == (
            "No Lambda rotation function ARN is associated with this secret."
        )


def test_snapshot_without_external_fields_still_loads():
    # Snapshots written before managed external secrets were modelled have no "external".
    data = with_secret()
    del data["stores"][0]["secrets"][0]["external"]
    fake = SecretsManagerFake()
    snapshot.load(fake, data)
    assert fake._backend.store(fake.account_id, fake.region).find("s").partner_type is None


def test_snapshot_with_malformed_external_metadata_is_refused():
    data = with_secret()
    data["stores"][0]["secrets"][0]["external"] = {
        "type": "T",
        "rotation_metadata": [["k"]],
        "rotation_role_arn": None,
    }
    with pytest.raises(UsageError) as excinfo:
        snapshot.load(SecretsManagerFake(), data)
    assert str(excinfo.value) == (
        "snapshot stores[0].secrets[0].external.rotation_metadata: expected a list of "
        "[key, value] strings, got [['k']]"
    )
