"""The handle a test holds: add_secret, the secrets= option, repr, reset, seed, current_fake()."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from smfake import SecretsManagerFake, current_fake, mock_secretsmanager
from smfake.errors import UsageError, UsageTypeError
from tests.api.conftest import sm_client

DB = {"username": "app", "password": "hunter2", "port": 5432, "replicas": ["a", "b"], "tls": True}


def error_code(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return excinfo.value.response["Error"]["Code"]


# -- add_secret -------------------------------------------------------------------------------


def test_add_secret_with_a_string(fake, client):
    arn = fake.add_secret("text", "plain value")
    got = client.get_secret_value(SecretId="text")
    assert got["SecretString"] == "plain value"
    assert "SecretBinary" not in got
    assert got["ARN"] == arn
    assert got["VersionStages"] == ["AWSCURRENT"]


def test_add_secret_with_bytes(fake, client):
    fake.add_secret("blob", b"\x00\xffbinary")
    got = client.get_secret_value(SecretId="blob")
    assert got["SecretBinary"] == b"\x00\xffbinary"
    assert "SecretString" not in got


def test_add_secret_with_a_mapping_stores_json(fake, client):
    fake.add_secret("db", DB)
    assert json.loads(client.get_secret_value(SecretId="db")["SecretString"]) == DB


def test_add_secret_with_metadata(fake, client):
    arn = fake.add_secret("meta", "v", description="the description", tags={"team": "core"})
    described = client.describe_secret(SecretId=arn)
    assert described["Name"] == "meta"
    assert described["Description"] == "the description"
    assert described["Tags"] == [{"Key": "team", "Value": "core"}]


def test_add_secret_without_value_creates_a_secret_with_no_version(fake, client):
    fake.add_secret("empty")
    assert client.describe_secret(SecretId="empty")["Name"] == "empty"
    assert error_code(client.get_secret_value, SecretId="empty") == "ResourceNotFoundException"


def test_add_secret_returns_an_arn_of_the_fake_account_and_region():
    fake = SecretsManagerFake(account_id="999988887777", region="sa-east-1")
    arn = fake.add_secret("where")
    assert re.fullmatch(
        r"arn:aws:secretsmanager:sa-east-1:999988887777:secret:where-[A-Za-z0-9]{6}", arn
    )
    assert fake.add_secret("china", region="cn-north-1").startswith(
        "arn:aws-cn:secretsmanager:cn-north-1:999988887777:secret:china-"
    )


@pytest.mark.parametrize("value", [42, ["a", "list"], 1.5, object()])
def test_add_secret_refuses_other_value_types(fake, value):
    with pytest.raises(UsageTypeError, match="str, bytes or a JSON mapping"):
        fake.add_secret("typed", value)
    assert repr(fake).endswith("secrets=0)")


def test_add_secret_refuses_a_mapping_that_is_not_json(fake):
    with pytest.raises(UsageTypeError):
        fake.add_secret("not-json", {"when": object()})


def test_add_secret_refuses_an_existing_name(fake, client):
    fake.add_secret("twice", "first")
    with pytest.raises(UsageError, match="cannot add secret 'twice'"):
        fake.add_secret("twice", "second")
    assert client.get_secret_value(SecretId="twice")["SecretString"] == "first"


def test_add_secret_refuses_an_invalid_name(fake):
    with pytest.raises(UsageError, match="cannot add secret 'has spaces'"):
        fake.add_secret("has spaces", "v")


def test_add_secret_before_activation_is_seen_once_shared():
    state = SecretsManagerFake()
    state.add_secret("prepared", {"k": "v"})
    with mock_secretsmanager(fake=state):
        got = sm_client().get_secret_value(SecretId="prepared")
    assert json.loads(got["SecretString"]) == {"k": "v"}


# -- secrets= ---------------------------------------------------------------------------------


def test_secrets_option_takes_strings_bytes_and_mappings():
    secrets = {"text": "t", "blob": b"\x01\x02", "json": DB}
    with mock_secretsmanager(secrets=secrets):
        client = sm_client()
        assert client.get_secret_value(SecretId="text")["SecretString"] == "t"
        assert client.get_secret_value(SecretId="blob")["SecretBinary"] == b"\x01\x02"
        assert json.loads(client.get_secret_value(SecretId="json")["SecretString"]) == DB


def test_secrets_option_is_copied_when_the_mock_is_made():
    secrets = {"a": "1"}
    mock = mock_secretsmanager(secrets=secrets)
    secrets["b"] = "2"
    with mock:
        client = sm_client()
        assert client.get_secret_value(SecretId="a")["SecretString"] == "1"
        assert error_code(client.get_secret_value, SecretId="b") == "ResourceNotFoundException"


# -- repr -------------------------------------------------------------------------------------


def test_secrets_option_with_a_shared_fake_adds_only_missing_secrets():
    shared = SecretsManagerFake()
    mock = mock_secretsmanager(fake=shared, secrets={"a": "seed-a", "b": "seed-b"})
    with mock:
        client = sm_client()
        client.put_secret_value(SecretId="a", SecretString="changed")
    with mock:
        assert client.get_secret_value(SecretId="a")["SecretString"] == "changed"
        assert client.get_secret_value(SecretId="b")["SecretString"] == "seed-b"


def test_secrets_option_with_a_bad_entry_seeds_nothing():
    shared = SecretsManagerFake()
    mock = mock_secretsmanager(fake=shared, secrets={"good": "v", "bad name": "v"})
    with pytest.raises(UsageError, match="bad name"):
        mock.start()
    assert "secrets=0" in repr(shared)


def test_repr_shows_no_secret_value():
    secrets = {"text": "s3cr3t-text", "blob": b"s3cr3t-bytes", "json": {"password": "s3cr3t-json"}}
    with mock_secretsmanager(secrets=secrets, account_id="111122223333") as fake:
        sm_client().put_secret_value(SecretId="text", SecretString="s3cr3t-put")
        shown = repr(fake) + str(fake)
    assert "s3cr3t" not in shown
    assert "111122223333" in repr(fake)
    assert "secrets=3" in repr(fake)


# -- reset ------------------------------------------------------------------------------------


def test_reset_empties_every_region_but_keeps_the_activation(no_network):
    with mock_secretsmanager(secrets={"seeded": "s"}) as fake:
        client = sm_client()
        client.create_secret(Name="made", SecretString="m")
        fake.add_secret("european", "e", region="eu-west-1")
        fake.reset()
        assert current_fake() is fake
        assert repr(fake).endswith("secrets=0)")
        for name in ("seeded", "made"):
            assert error_code(client.get_secret_value, SecretId=name) == (
                "ResourceNotFoundException"
            )
        europe = sm_client("eu-west-1")
        assert error_code(europe.get_secret_value, SecretId="european") == (
            "ResourceNotFoundException"
        )
        client.create_secret(Name="made", SecretString="again")
        assert client.get_secret_value(SecretId="made")["SecretString"] == "again"
    assert no_network == []


def test_reset_cancels_pending_deletions(fake, client):
    client.create_secret(Name="doomed", SecretString="old")
    client.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
    fake.reset()
    client.create_secret(Name="doomed", SecretString="new")
    fake.clock.advance(days=8)
    assert client.get_secret_value(SecretId="doomed")["SecretString"] == "new"


# -- seed -------------------------------------------------------------------------------------


def arns_made_with(seed):
    with mock_secretsmanager(seed=seed) as fake:
        client = sm_client()
        made = [client.create_secret(Name=n, SecretString="v")["ARN"] for n in ("a", "b/c", "d")]
        made.append(fake.add_secret("added"))
        client.delete_secret(SecretId="a", ForceDeleteWithoutRecovery=True)
        made.append(client.create_secret(Name="a", SecretString="again")["ARN"])
        return fake.seed, made


def test_seed_makes_arn_suffixes_reproducible_across_fakes():
    seed_one, first = arns_made_with(20240301)
    seed_two, second = arns_made_with(20240301)
    assert seed_one == seed_two == 20240301
    assert first == second
    assert first[0] != first[-1]


def test_different_seeds_give_different_suffixes():
    assert arns_made_with(1)[1] != arns_made_with(2)[1]


def test_unseeded_fakes_draw_their_own_seed():
    first, second = SecretsManagerFake(), SecretsManagerFake()
    assert isinstance(first.seed, int)
    assert first.seed != second.seed


def test_directly_built_fakes_with_one_seed_agree():
    names = ["x", "y", "z"]
    first, second = SecretsManagerFake(seed=5), SecretsManagerFake(seed=5)
    first_arns = [first.add_secret(n) for n in names]
    assert [second.add_secret(n) for n in names] == first_arns
    assert len({arn[-6:] for arn in first_arns}) == 3


# -- current_fake -----------------------------------------------------------------------------


def test_current_fake_outside_any_activation_explains_itself():
    with pytest.raises(UsageError, match=r"no smfake fake is active; use mock_secretsmanager\(\)"):
        current_fake()


def test_current_fake_is_the_innermost_activation():
    with mock_secretsmanager() as outer:
        assert current_fake() is outer
        with mock_secretsmanager() as inner:
            assert current_fake() is inner
        assert current_fake() is outer


def test_current_fake_inside_a_decorated_function():
    @mock_secretsmanager(secrets={"seeded": "v"})
    def body():
        fake = current_fake()
        fake.add_secret("added", "a")
        return fake, sm_client().get_secret_value(SecretId="added")["SecretString"]

    fake, value = body()
    assert isinstance(fake, SecretsManagerFake)
    assert value == "a"
