"""KmsKeyId on CreateSecret/UpdateSecret, envelope encryption at rest, and keys that become
unusable (§13). Keys are managed from the test through ``fake.kms``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from smfake.errors import UsageError
from tests.conftest import assert_shape, error_of
from tests.operations.conftest import snapshot

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}"
DECRYPTION_FAILURE = (
    "DecryptionFailure",
    "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
    400,
)
ENCRYPTION_FAILURE = (
    "EncryptionFailure",
    "Secrets Manager can't encrypt the protected secret text using the provided KMS key. "
    "Check that the KMS key is available, enabled, and not in an invalid state.",
    400,
)


def key_ids(client, secret_id="s"):
    listed = client.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True)
    return {v["VersionId"]: v["KmsKeyIds"] for v in listed["Versions"]}


def failure(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


@pytest.mark.parametrize(
    "reference",
    [
        KEY_ID,
        KEY_ARN,
        "alias/customer",
        "arn:aws:kms:us-east-1:123456789012:alias/customer",
    ],
)
def test_kms_key_every_form_of_reference_encrypts_and_decrypts(client, reference):
    created = client.create_secret(Name="s", SecretString="v", KmsKeyId=reference)
    assert_shape(client, "CreateSecret", created)
    assert client.get_secret_value(SecretId="s")["SecretString"] == "v"
    assert client.describe_secret(SecretId="s")["KmsKeyId"] == reference
    assert key_ids(client) == {created["VersionId"]: [reference]}


@pytest.mark.parametrize("reference", ["alias/aws/secretsmanager", ""])
def test_kms_key_managed_key_is_the_default_and_is_not_shown(client, reference):
    client.create_secret(Name="s", SecretBinary=b"\x00\x01", KmsKeyId=reference)
    assert client.get_secret_value(SecretId="s")["SecretBinary"] == b"\x00\x01"
    assert "KmsKeyId" not in client.describe_secret(SecretId="s")
    assert list(key_ids(client).values()) == [["DefaultEncryptionKey"]]


@pytest.mark.parametrize(
    "reference",
    [
        "0000aaaa-0000-0000-0000-000000000000",
        "alias/missing",
        "arn:aws:kms:us-east-1:123456789012:key/0000aaaa-0000-0000-0000-000000000000",
        # A key of another Region cannot encrypt here.
        f"arn:aws:kms:eu-west-1:123456789012:key/{KEY_ID}",
    ],
)
@pytest.mark.unverified("not yet checked against AWS")
def test_kms_key_unknown_key_refuses_a_value_and_creates_nothing(client, reference):
    assert failure(client.create_secret, Name="s", SecretString="v", KmsKeyId=reference) == (
        ENCRYPTION_FAILURE
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_secret(SecretId="s")


@pytest.mark.unverified("not yet checked against AWS")
def test_kms_key_is_only_used_once_there_is_a_value(client):
    client.create_secret(Name="s", KmsKeyId="alias/missing")
    assert client.describe_secret(SecretId="s")["KmsKeyId"] == "alias/missing"
    before = snapshot(client, "s")
    assert failure(client.put_secret_value, SecretId="s", SecretString="v") == ENCRYPTION_FAILURE
    assert snapshot(client, "s") == before


def test_kms_key_disabled_blocks_reads_and_writes_until_enabled(client, fake):
    client.create_secret(Name="s", SecretString="v1", KmsKeyId=KEY_ARN)
    fake.kms.disable(KEY_ARN)
    assert fake.kms.state(KEY_ID) == "Disabled"
    assert failure(client.get_secret_value, SecretId="s") == DECRYPTION_FAILURE
    before = snapshot(client, "s")
    assert failure(client.put_secret_value, SecretId="s", SecretString="v2") == ENCRYPTION_FAILURE
    assert failure(client.update_secret, SecretId="s", SecretString="v2") == ENCRYPTION_FAILURE
    assert snapshot(client, "s") == before
    fake.kms.enable("alias/customer")
    assert client.get_secret_value(SecretId="s")["SecretString"] == "v1"


def test_kms_key_failed_read_does_not_count_as_access(client, fake):
    client.create_secret(Name="s", SecretString="v", KmsKeyId=KEY_ARN)
    fake.kms.disable(KEY_ARN)
    failure(client.get_secret_value, SecretId="s")
    assert "LastAccessedDate" not in client.describe_secret(SecretId="s")


def test_kms_key_idempotent_replay_needs_the_key_to_compare(client, fake):
    created = client.create_secret(Name="s", SecretString="v", KmsKeyId=KEY_ARN)
    fake.kms.disable(KEY_ARN)
    assert (
        failure(
            client.put_secret_value,
            SecretId="s",
            SecretString="v",
            ClientRequestToken=created["VersionId"],
        )
        == DECRYPTION_FAILURE
    )


def test_kms_key_pending_deletion_then_gone_for_good(client, fake):
    client.create_secret(Name="s", SecretString="v", KmsKeyId=KEY_ARN)
    fake.clock.freeze()
    deletion = fake.kms.schedule_deletion(KEY_ARN, days=7)
    assert deletion == fake.clock.now() + timedelta(days=7)
    assert fake.kms.state(KEY_ARN) == "PendingDeletion"
    assert failure(client.get_secret_value, SecretId="s") == DECRYPTION_FAILURE
    fake.clock.advance(days=8)
    assert failure(client.get_secret_value, SecretId="s") == DECRYPTION_FAILURE
    with pytest.raises(UsageError, match="no customer managed KMS key"):
        fake.kms.state(KEY_ARN)


def test_kms_key_cancelled_deletion_leaves_the_key_disabled(client, fake):
    client.create_secret(Name="s", SecretString="v", KmsKeyId=KEY_ARN)
    fake.kms.schedule_deletion(KEY_ARN, days=30)
    fake.kms.cancel_deletion(KEY_ARN)
    assert fake.kms.state(KEY_ARN) == "Disabled"
    fake.clock.advance(days=31)
    fake.kms.enable(KEY_ARN)
    assert client.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_kms_key_update_reencrypts_only_the_labelled_versions(client, fake):
    other = fake.kms.create_key(alias="alias/other")
    v1 = client.create_secret(Name="s", SecretString="one", KmsKeyId=KEY_ARN)["VersionId"]
    v2 = client.put_secret_value(SecretId="s", SecretString="two")["VersionId"]
    v3 = client.put_secret_value(SecretId="s", SecretString="three")["VersionId"]
    updated = client.update_secret(SecretId="s", KmsKeyId="alias/other")
    assert_shape(client, "UpdateSecret", updated)
    assert "VersionId" not in updated
    assert key_ids(client) == {v1: [KEY_ARN], v2: ["alias/other"], v3: ["alias/other"]}
    fake.kms.disable(KEY_ARN)
    assert client.get_secret_value(SecretId="s")["SecretString"] == "three"
    assert client.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")["SecretString"] == (
        "two"
    )
    assert failure(client.get_secret_value, SecretId="s", VersionId=v1) == DECRYPTION_FAILURE
    fake.kms.disable(other)
    assert failure(client.get_secret_value, SecretId="s") == DECRYPTION_FAILURE


def test_kms_key_update_to_an_unusable_key_changes_nothing(client, fake):
    client.create_secret(Name="s", SecretString="v")
    before = snapshot(client, "s")
    assert failure(client.update_secret, SecretId="s", KmsKeyId="alias/missing") == (
        ENCRYPTION_FAILURE
    )
    fake.kms.disable(KEY_ARN)
    assert failure(client.update_secret, SecretId="s", KmsKeyId=KEY_ARN) == ENCRYPTION_FAILURE
    assert snapshot(client, "s") == before


def test_kms_key_update_away_from_a_disabled_key_cannot_decrypt(client, fake):
    client.create_secret(Name="s", SecretString="v", KmsKeyId=KEY_ARN)
    fake.kms.disable(KEY_ARN)
    before = snapshot(client, "s")
    assert failure(client.update_secret, SecretId="s", KmsKeyId="") == DECRYPTION_FAILURE
    assert snapshot(client, "s") == before


def test_kms_key_update_with_value_and_key_writes_the_value_with_the_new_key(client, fake):
    client.create_secret(Name="s", SecretString="one")
    new = client.update_secret(SecretId="s", SecretString="two", KmsKeyId=KEY_ARN)["VersionId"]
    assert key_ids(client)[new] == [KEY_ARN]
    fake.kms.disable(KEY_ARN)
    assert failure(client.get_secret_value, SecretId="s") == DECRYPTION_FAILURE


def test_kms_key_values_are_encrypted_at_rest(client, fake):
    client.create_secret(Name="s", SecretString="plain-text-marker", KmsKeyId=KEY_ARN)
    store = fake._backend.store("123456789012", "us-east-1")
    secret = store.get("s")
    (version,) = secret.versions.values()
    assert version.sealed is not None
    assert b"plain-text-marker" not in version.sealed.ciphertext
    assert "plain-text-marker" not in repr(version) + repr(secret) + repr(version.sealed)


def test_kms_key_ciphertext_is_bound_to_its_secret_and_version(client, fake):
    client.create_secret(Name="a", SecretString="value-a")
    client.create_secret(Name="b", SecretString="value-b")
    store = fake._backend.store("123456789012", "us-east-1")
    a, b = store.get("a"), store.get("b")
    (version_a,) = a.versions.values()
    (version_b,) = b.versions.values()
    version_b.sealed = version_a.sealed
    assert failure(client.get_secret_value, SecretId="b") == DECRYPTION_FAILURE


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda kms: kms.disable("alias/missing"), "no customer managed KMS key"),
        (lambda kms: kms.disable("alias/aws/secretsmanager"), "no customer managed KMS key"),
        (lambda kms: kms.schedule_deletion(KEY_ARN, days=6), "7 to 30 days"),
        (lambda kms: kms.cancel_deletion(KEY_ARN), "not pending deletion"),
        (lambda kms: kms.create_key(alias="alias/customer"), "already exists"),
        (lambda kms: kms.create_key(alias="alias/aws/mine"), "alias/aws/"),
        (lambda kms: kms.create_key(alias="customer2"), "alias/<name>"),
        (lambda kms: kms.create_key(key_id=KEY_ID), "taken"),
    ],
)
def test_kms_key_misuse_of_the_handle_is_a_usage_error(fake, call, match):
    with pytest.raises(UsageError, match=match):
        call(fake.kms)


def test_kms_key_enable_refuses_a_key_pending_deletion(fake):
    fake.kms.schedule_deletion(KEY_ARN)
    with pytest.raises(UsageError, match="pending deletion"):
        fake.kms.enable(KEY_ARN)


def test_kms_key_created_in_another_region_is_named_by_its_arn(fake):
    arn = fake.kms.create_key(region="eu-west-1", alias="alias/eu")
    assert arn.startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert fake.kms.state(arn) == "Enabled"
    assert fake.kms.state("alias/eu", region="eu-west-1") == "Enabled"
    fake.kms.add_alias("alias/eu-2", arn)
    assert fake.kms.state("alias/eu-2", region="eu-west-1") == "Enabled"
