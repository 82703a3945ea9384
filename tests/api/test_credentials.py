"""Credentials: dummy ones only when none are configured, taken back exactly on exit; the
user's own credentials are never touched."""

from __future__ import annotations

import os

import boto3
import botocore.session
import pytest
from botocore.exceptions import NoCredentialsError

from smfake import mock_secretsmanager
from tests.api.conftest import environment, sm_client


def resolved_access_key():
    credentials = botocore.session.get_session().get_credentials()
    return None if credentials is None else credentials.access_key


def test_client_created_inside_activation_works_without_configured_credentials(
    no_aws_credentials,
):
    assert resolved_access_key() is None
    with mock_secretsmanager():
        assert resolved_access_key() is not None
        client = sm_client()
        client.create_secret(Name="inside", SecretString="v")
        assert client.get_secret_value(SecretId="inside")["SecretString"] == "v"


def test_client_created_before_activation_without_credentials_works_while_active(
    no_aws_credentials,
):
    client = boto3.Session().client("secretsmanager", region_name="us-east-1")
    with pytest.raises(NoCredentialsError):
        client.get_secret_value(SecretId="before")
    with mock_secretsmanager(secrets={"before": "v"}):
        assert client.get_secret_value(SecretId="before")["SecretString"] == "v"
    with pytest.raises(NoCredentialsError):
        client.get_secret_value(SecretId="before")


def test_environment_is_restored_exactly_after_exit(no_aws_credentials):
    before = environment()
    with mock_secretsmanager():
        inside = environment()
        assert inside["AWS_ACCESS_KEY_ID"]
        assert inside["AWS_SECRET_ACCESS_KEY"]
    assert environment() == before
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ


@pytest.mark.parametrize(
    "partial",
    [
        {"AWS_ACCESS_KEY_ID": "AKIAPARTIALONLY00000"},
        {"AWS_SECRET_ACCESS_KEY": "secret-without-key"},
        {"AWS_ACCESS_KEY_ID": ""},
    ],
)
def test_partial_credentials_are_restored_exactly(no_aws_credentials, monkeypatch, partial):
    for name, value in partial.items():
        monkeypatch.setenv(name, value)
    before = environment()
    with mock_secretsmanager():
        client = sm_client()
        client.create_secret(Name="partial", SecretString="v")
    assert environment() == before


def test_environment_is_restored_for_start_and_stop(no_aws_credentials):
    before = environment()
    mock = mock_secretsmanager()
    mock.start()
    try:
        assert environment() != before
    finally:
        mock.stop()
    assert environment() == before


def test_configured_environment_credentials_are_left_untouched(no_aws_credentials, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERKEY000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "user-token")
    before = environment()
    with mock_secretsmanager():
        assert environment() == before
        assert resolved_access_key() == "AKIAUSERKEY000000000"
        client = sm_client()
        client.create_secret(Name="mine", SecretString="v")
        assert client.get_secret_value(SecretId="mine")["SecretString"] == "v"
    assert environment() == before


def test_configured_shared_credentials_file_is_left_untouched(
    no_aws_credentials, monkeypatch, tmp_path
):
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = AKIAFILEKEY000000000\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    before = environment()
    with mock_secretsmanager():
        assert environment() == before
        assert resolved_access_key() == "AKIAFILEKEY000000000"
        assert sm_client().create_secret(Name="from-file", SecretString="v")["Name"] == "from-file"
    assert environment() == before


def test_configured_profile_is_left_untouched(no_aws_credentials, monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text(
        "[profile dev]\naws_access_key_id = AKIAPROFILEKEY000000\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "dev")
    before = environment()
    with mock_secretsmanager():
        assert environment() == before
        assert resolved_access_key() == "AKIAPROFILEKEY000000"
        assert sm_client().create_secret(Name="profiled", SecretString="v")["Name"] == "profiled"
    assert environment() == before


def test_credentials_of_another_profile_do_not_count_as_configured(
    no_aws_credentials, monkeypatch, tmp_path
):
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[production]\naws_access_key_id = AKIAOTHERPROFILE0000\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    assert resolved_access_key() is None
    with mock_secretsmanager():
        # Without credentials, a client created now would ask the EC2 metadata service.
        assert resolved_access_key() is not None


def test_dummy_credentials_do_not_outlive_the_activation(no_aws_credentials):
    assert boto3.DEFAULT_SESSION is None
    with mock_secretsmanager():
        sm_client().create_secret(Name="cached", SecretString="v")
    assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION.get_credentials() is None
