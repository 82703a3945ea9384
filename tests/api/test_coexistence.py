"""smfake beside moto: while both are active, smfake answers Secrets Manager and moto keeps
every other service. moto is optional: without it these tests skip, except under CI."""

from __future__ import annotations

import os

import pytest

from smfake import mock_secretsmanager
from tests.api.conftest import sm_client


@pytest.fixture
def mock_aws():
    try:
        from moto import mock_aws
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("moto is not installed (CI installs it beside the test dependencies)")
        pytest.skip("moto is not installed")
    return mock_aws


@pytest.mark.parametrize("smfake_first", [True, False], ids=["smfake-outer", "moto-outer"])
@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "full-path"])
def test_smfake_answers_secrets_manager_whichever_is_activated_first(
    mock_aws, smfake_first, fast_path
):
    smfake = mock_secretsmanager(fast_path=fast_path)
    moto = mock_aws()
    first, second = (smfake, moto) if smfake_first else (moto, smfake)
    with first, second:
        client = sm_client()
        client.create_secret(Name="db", SecretString="pw")
        assert smfake.fake is not None
        assert repr(smfake.fake).endswith("secrets=1)")
        with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
            client.get_secret_value(SecretId="missing")
        assert caught.value.response["Error"]["Message"] == (
            "Secrets Manager can't find the specified secret."
        )
        # moto keeps answering the other services.
        import boto3

        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="coexistence-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["coexistence-bucket"]


def test_moto_answers_again_once_smfake_stops(mock_aws):
    with mock_aws():
        client = sm_client()
        with mock_secretsmanager():
            client.create_secret(Name="only-in-smfake", SecretString="v")
        assert client.list_secrets()["SecretList"] == []  # moto's own, empty state
