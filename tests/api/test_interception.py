"""Which clients the fake answers: every Secrets Manager client in the process, however and
whenever it was made; never another AWS service."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from smfake import mock_secretsmanager
from tests.api.conftest import ONE_ATTEMPT

HELPER = "tests.api.client_at_import"


def from_boto3_client(region, **kwargs):
    return boto3.client("secretsmanager", region_name=region, **kwargs)


def from_boto3_session(region, **kwargs):
    return boto3.Session(region_name=region).client("secretsmanager", **kwargs)


def from_botocore_session(region, **kwargs):
    return botocore.session.get_session().create_client(
        "secretsmanager", region_name=region, **kwargs
    )


FACTORIES = [from_boto3_client, from_boto3_session, from_botocore_session]


@pytest.mark.parametrize("factory", FACTORIES)
def test_client_created_before_activation_hits_the_fake(no_aws_credentials, factory):
    client = factory("us-east-1")
    with mock_secretsmanager(secrets={"early": "caught"}):
        assert client.get_secret_value(SecretId="early")["SecretString"] == "caught"
        client.put_secret_value(SecretId="early", SecretString="written")
        assert client.get_secret_value(SecretId="early")["SecretString"] == "written"


@pytest.mark.parametrize("factory", FACTORIES)
def test_client_created_during_activation_hits_the_fake(factory):
    with mock_secretsmanager():
        client = factory("us-east-1")
        client.create_secret(Name="late", SecretString="caught")
        assert client.get_secret_value(SecretId="late")["SecretString"] == "caught"


def test_client_created_at_import_of_a_module_hits_the_fake(no_aws_credentials, monkeypatch):
    monkeypatch.delitem(sys.modules, HELPER, raising=False)
    helper = importlib.import_module(HELPER)
    with mock_secretsmanager(secrets={"app/token": "t0ken"}):
        assert helper.read_secret("app/token") == "t0ken"
    with mock_secretsmanager(secrets={"app/token": "another"}):
        assert helper.read_secret("app/token") == "another"


def test_one_client_follows_successive_activations(network_calls):
    client = from_boto3_client(
        "us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x", config=ONE_ATTEMPT
    )
    with mock_secretsmanager(secrets={"s": "first"}):
        assert client.get_secret_value(SecretId="s")["SecretString"] == "first"
    network_calls.expect_blocked(client.get_secret_value, SecretId="s")
    with mock_secretsmanager(secrets={"s": "second"}):
        assert client.get_secret_value(SecretId="s")["SecretString"] == "second"


@pytest.mark.parametrize(
    "endpoint_url",
    [
        "http://localhost:4566",
        "http://127.0.0.1:4566",
        "https://vpce-0123456789abcdef-abcdefgh.secretsmanager.us-east-1.vpce.amazonaws.com",
    ],
)
def test_client_with_custom_endpoint_hits_the_fake_not_the_network(
    network_calls, no_network, endpoint_url
):
    with mock_secretsmanager():
        client = from_boto3_client("us-east-1", endpoint_url=endpoint_url, config=ONE_ATTEMPT)
        arn = client.create_secret(Name="local", SecretString="v")["ARN"]
        assert client.get_secret_value(SecretId="local")["SecretString"] == "v"
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:local-")
    assert no_network == []


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("sts", "get_caller_identity", {}),
        ("s3", "list_buckets", {}),
        ("ssm", "get_parameter", {"Name": "/aws/reference/secretsmanager/db"}),
    ],
)
def test_other_services_are_left_to_the_network(network_calls, service, operation, params):
    with mock_secretsmanager(secrets={"db": "v"}):
        other = boto3.client(service, region_name="us-east-1", config=ONE_ATTEMPT)
        endpoint = network_calls.expect_blocked(getattr(other, operation), **params)
        assert from_boto3_client("us-east-1").get_secret_value(SecretId="db")["SecretString"] == "v"
    assert f"{service}." in endpoint


def test_other_service_with_local_endpoint_is_left_to_the_network(network_calls, no_network):
    with mock_secretsmanager():
        sts = boto3.client(
            "sts", region_name="us-east-1", endpoint_url="http://127.0.0.1:4566", config=ONE_ATTEMPT
        )
        network_calls.expect_blocked(sts.get_caller_identity)


def test_region_comes_from_the_client():
    with mock_secretsmanager():
        europe = from_boto3_client("eu-west-1")
        virginia = from_boto3_client("us-east-1")
        arn = europe.create_secret(Name="regional", SecretString="eu")["ARN"]
        assert arn.startswith("arn:aws:secretsmanager:eu-west-1:")
        assert europe.get_secret_value(SecretId="regional")["SecretString"] == "eu"
        with pytest.raises(ClientError) as excinfo:
            virginia.get_secret_value(SecretId="regional")
        assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
        with pytest.raises(ClientError):
            virginia.get_secret_value(SecretId=arn)
        virginia.create_secret(Name="regional", SecretString="us")
        assert europe.get_secret_value(SecretId="regional")["SecretString"] == "eu"


def test_region_option_places_seeded_secrets():
    with mock_secretsmanager(region="eu-west-1", secrets={"seeded": "eu"}) as fake:
        fake.add_secret("added", "eu too")
        fake.add_secret("elsewhere", "ap", region="ap-south-1")
        europe = from_boto3_client("eu-west-1")
        assert europe.get_secret_value(SecretId="seeded")["SecretString"] == "eu"
        assert europe.get_secret_value(SecretId="added")["SecretString"] == "eu too"
        assert (
            from_boto3_client("ap-south-1").get_secret_value(SecretId="elsewhere")["SecretString"]
            == "ap"
        )
        for name in ("seeded", "added", "elsewhere"):
            with pytest.raises(ClientError):
                from_boto3_client("us-east-1").get_secret_value(SecretId=name)


def test_account_id_option_shows_in_arns():
    with mock_secretsmanager(account_id="111122223333", secrets={"seeded": "x"}) as fake:
        client = from_boto3_client("us-east-1")
        created = client.create_secret(Name="made", SecretString="y")["ARN"]
        seeded = client.describe_secret(SecretId="seeded")["ARN"]
        added = fake.add_secret("added", "z", region="eu-central-1")
    assert created.startswith("arn:aws:secretsmanager:us-east-1:111122223333:secret:made-")
    assert seeded.startswith("arn:aws:secretsmanager:us-east-1:111122223333:secret:seeded-")
    assert added.startswith("arn:aws:secretsmanager:eu-central-1:111122223333:secret:added-")


def test_default_account_shows_in_arns():
    with mock_secretsmanager():
        arn = from_boto3_client("us-east-1").create_secret(Name="d", SecretString="x")["ARN"]
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:d-")


GUARD = """
import socket

def refuse(self, address):
    raise ConnectionRefusedError(f"network access to {address!r} is forbidden")

socket.socket.connect = refuse
"""
IMPORT_ORDER_BUG = (
    "smfake bug: importing smfake before botocore installs an import hook whose "
    "_ThenInstall.exec_module runs hook.install() while botocore.handlers is still being "
    "imported, which raises AttributeError or ImportError (circular import)"
)


def run_fresh(code, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", GUARD + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "", "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_default_session_made_before_smfake_was_imported_is_caught(tmp_path):
    out = run_fresh(
        """
        import boto3

        boto3.setup_default_session(region_name="us-east-1")
        from smfake import mock_secretsmanager

        with mock_secretsmanager(secrets={"s": "caught"}):
            client = boto3.client("secretsmanager")
            print(client.get_secret_value(SecretId="s")["SecretString"])
        """,
        tmp_path,
    )
    assert out == "caught\n"


def test_smfake_imported_before_botocore_can_be_used(tmp_path):
    out = run_fresh(
        """
        import smfake
        from smfake import mock_secretsmanager

        with mock_secretsmanager(secrets={"s": "caught"}):
            import boto3

            client = boto3.client("secretsmanager", region_name="us-east-1")
            print(client.get_secret_value(SecretId="s")["SecretString"])
        """,
        tmp_path,
    )
    assert out == "caught\n"


def test_client_made_at_import_after_smfake_was_imported_is_caught(tmp_path):
    out = run_fresh(
        """
        import smfake
        import boto3

        CLIENT = boto3.client("secretsmanager", region_name="us-east-1")
        from smfake import mock_secretsmanager

        with mock_secretsmanager(secrets={"s": "caught"}):
            print(CLIENT.get_secret_value(SecretId="s")["SecretString"])
        """,
        tmp_path,
    )
    assert out == "caught\n"
