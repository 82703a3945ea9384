"""fake.principals: registered access keys pick the account and the principal of a call."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3
import pytest

from smfake.errors import UsageError, UsageTypeError

KEY = "AKIAEXAMPLEREADER001"


def _client(key, secret="secret-key", region="us-east-1", token=None):
    return boto3.client(
        "secretsmanager",
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def test_principals_default_to_the_root_of_the_fakes_account(fake):
    principal = fake.principals.add(KEY, "secret-key")
    assert principal.account_id == "123456789012"
    assert principal.arn == "arn:aws:iam::123456789012:root"
    assert principal.identity_type == "Root"


def test_principals_account_comes_from_the_arn(fake):
    principal = fake.principals.add(KEY, arn="arn:aws:iam::210987654321:role/app")
    assert principal.account_id == "210987654321"


def test_principals_root_arn_follows_the_partition(fake):
    from smfake import SecretsManagerFake

    china = SecretsManagerFake(region="cn-north-1")
    assert china.principals.add(KEY).arn == "arn:aws-cn:iam::123456789012:root"


def test_principals_key_picks_the_account_of_every_call(fake):
    fake.principals.add(KEY, "secret-key", account_id="111122223333")
    other = _client(KEY)
    default = _client("AKIAUNREGISTERED0001")
    arn = other.create_secret(Name="app")["ARN"]
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:111122223333:secret:app-")
    # State is per account: the default account does not see it.
    assert default.list_secrets()["SecretList"] == []
    assert [s["Name"] for s in other.list_secrets()["SecretList"]] == ["app"]


def test_principals_remove_makes_the_key_unregistered_again(fake):
    fake.principals.add(KEY, account_id="111122223333")
    fake.principals.remove(KEY)
    assert fake.principals.get(KEY) is None
    assert ":123456789012:" in _client(KEY).create_secret(Name="app")["ARN"]


def test_principals_registry_iterates_and_never_shows_key_material(fake):
    fake.principals.add(KEY, "very-secret-key", session_token="very-secret-token")
    assert len(fake.principals) == 1
    [principal] = list(fake.principals)
    assert "very-secret" not in repr(principal)
    assert "very-secret" not in repr(fake.principals)
    assert repr(fake.principals) == "<PrincipalRegistry: 1 access keys>"


def test_principals_naive_expiry_is_utc(fake):
    principal = fake.principals.add(KEY, expires=datetime(2030, 1, 1))
    assert principal.expires == datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("akia-lower",), {}, UsageError, "access_key_id"),
        ((12,), {}, UsageError, "access_key_id"),
        ((KEY, 5), {}, UsageTypeError, "secret_access_key"),
        ((KEY,), {"session_token": 5}, UsageTypeError, "session_token"),
        ((KEY,), {"arn": "arn:aws:s3:::bucket"}, UsageError, "arn"),
        ((KEY,), {"arn": 7}, UsageError, "arn"),
        (
            (KEY,),
            {"arn": "arn:aws:iam::210987654321:user/x", "account_id": "111122223333"},
            UsageError,
            "not in account",
        ),
        ((KEY,), {"account_id": "12"}, UsageError, "12 digits"),
        ((KEY,), {"expires": "tomorrow"}, UsageTypeError, "expires"),
    ],
)
def test_principals_misuse_is_refused(fake, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fake.principals.add(*args, **kwargs)
    assert len(fake.principals) == 0


def test_principals_full_arn_of_another_accounts_secret_reaches_that_account(fake):
    owner = _client("AKIAUNREGISTERED0001")
    arn = owner.create_secret(Name="shared", SecretString="v")["ARN"]
    fake.principals.add(KEY, "secret-key", account_id="111122223333")
    other = _client(KEY)
    described = other.describe_secret(SecretId=arn)
    assert described["ARN"] == arn
    # A name, or an ARN in another Region, stays in the caller's own account and Region.
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.describe_secret(SecretId="shared")
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        _client(KEY, region="eu-west-1").describe_secret(SecretId=arn)
