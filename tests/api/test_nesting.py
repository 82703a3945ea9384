"""Nesting: the innermost active fake answers; a nested activation isolates unless given
fake=; leaving an activation, in any order, restores the ones still active."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError

from smfake import SecretsManagerFake, current_fake, mock_secretsmanager
from smfake.errors import UsageError
from tests.api.conftest import ONE_ATTEMPT, environment, sm_client


def value_of(client, name):
    return client.get_secret_value(SecretId=name)["SecretString"]


def assert_missing(client, name):
    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId=name)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_nested_activation_starts_empty_and_isolated(no_aws_credentials):
    client = sm_client()
    with mock_secretsmanager() as outer:
        client.create_secret(Name="outer-only", SecretString="o")
        with mock_secretsmanager() as inner:
            assert inner is not outer
            assert current_fake() is inner
            assert_missing(client, "outer-only")
            client.create_secret(Name="inner-only", SecretString="i")
            assert value_of(client, "inner-only") == "i"
        assert current_fake() is outer
        assert value_of(client, "outer-only") == "o"
        assert_missing(client, "inner-only")


def test_nested_activation_with_fake_shares_state_both_ways(no_aws_credentials):
    client = sm_client()
    with mock_secretsmanager() as outer:
        client.create_secret(Name="from-outer", SecretString="o")
        with mock_secretsmanager(fake=outer) as inner:
            assert inner is outer
            assert value_of(client, "from-outer") == "o"
            client.create_secret(Name="from-inner", SecretString="i")
        assert current_fake() is outer
        assert value_of(client, "from-inner") == "i"


def test_fake_option_reactivates_the_state_of_a_finished_activation():
    with mock_secretsmanager() as first:
        sm_client().create_secret(Name="kept", SecretString="k")
    with mock_secretsmanager(fake=first) as again:
        assert again is first
        assert value_of(sm_client(), "kept") == "k"


def test_fake_option_accepts_a_fake_built_directly():
    state = SecretsManagerFake(account_id="210987654321", region="eu-west-1")
    arn = state.add_secret("built", "directly")
    with mock_secretsmanager(fake=state) as fake:
        assert fake is state
        got = sm_client("eu-west-1").get_secret_value(SecretId="built")
    assert got["ARN"] == arn
    assert arn.startswith("arn:aws:secretsmanager:eu-west-1:210987654321:secret:built-")


def test_outer_is_restored_after_inner_exits_for_clients_made_inside():
    with mock_secretsmanager() as outer:
        sm_client().create_secret(Name="outer", SecretString="o")
        with mock_secretsmanager():
            made_inside = sm_client()
            made_inside.create_secret(Name="inner", SecretString="i")
        assert value_of(made_inside, "outer") == "o"
        assert_missing(made_inside, "inner")
        assert current_fake() is outer


def test_three_levels_unwind_one_at_a_time(no_aws_credentials):
    client = sm_client()
    with mock_secretsmanager(secrets={"level": "1"}) as one:
        with mock_secretsmanager(secrets={"level": "2"}) as two:
            with mock_secretsmanager(secrets={"level": "3"}) as three:
                assert current_fake() is three
                assert value_of(client, "level") == "3"
            assert current_fake() is two
            assert value_of(client, "level") == "2"
        assert current_fake() is one
        assert value_of(client, "level") == "1"
    with pytest.raises(UsageError):
        current_fake()


def test_decorated_function_called_inside_a_block_isolates():
    @mock_secretsmanager
    def inner_sees():
        try:
            return value_of(sm_client(), "outer")
        except ClientError as error:
            return error.response["Error"]["Code"]

    with mock_secretsmanager(secrets={"outer": "o"}) as outer:
        assert inner_sees() == "ResourceNotFoundException"
        assert current_fake() is outer
        assert value_of(sm_client(), "outer") == "o"


def test_nested_account_ids_stay_apart(no_aws_credentials):
    client = sm_client()
    with mock_secretsmanager(account_id="111111111111"):
        outer_arn = client.create_secret(Name="acct", SecretString="x")["ARN"]
        with mock_secretsmanager(account_id="222222222222"):
            inner_arn = client.create_secret(Name="acct", SecretString="y")["ARN"]
        assert client.describe_secret(SecretId="acct")["ARN"] == outer_arn
    assert ":111111111111:secret:acct-" in outer_arn
    assert ":222222222222:secret:acct-" in inner_arn


def test_out_of_order_stop_leaves_the_inner_activation_answering(network_calls):
    outer = mock_secretsmanager(secrets={"who": "outer"})
    inner = mock_secretsmanager(secrets={"who": "inner"})
    outer_fake = outer.start()
    client = sm_client(config=ONE_ATTEMPT)
    inner_fake = inner.start()
    try:
        outer.stop()
        assert outer.fake is None
        assert current_fake() is inner_fake
        assert value_of(client, "who") == "inner"
        outer.stop()
        assert current_fake() is inner_fake
    finally:
        inner.stop()
        outer.stop()
    assert outer_fake is not inner_fake
    with pytest.raises(UsageError):
        current_fake()
    network_calls.expect_blocked(client.get_secret_value, SecretId="who")


def test_out_of_order_stop_of_a_shared_activation_keeps_the_state_answering():
    outer = mock_secretsmanager(secrets={"shared": "s"})
    fake = outer.start()
    inner = mock_secretsmanager(fake=fake)
    try:
        inner.start()
        outer.stop()
        assert current_fake() is fake
        assert value_of(sm_client(), "shared") == "s"
    finally:
        inner.stop()
        outer.stop()
    with pytest.raises(UsageError):
        current_fake()


def test_out_of_order_stop_restores_the_environment_once_all_are_stopped(no_aws_credentials):
    before = environment()
    outer = mock_secretsmanager()
    inner = mock_secretsmanager()
    outer.start()
    inner.start()
    outer.stop()
    inner.stop()
    assert environment() == before


def test_out_of_order_stop_keeps_credentials_for_the_remaining_activation(no_aws_credentials):
    outer = mock_secretsmanager()
    inner = mock_secretsmanager()
    outer.start()
    inner.start()
    try:
        outer.stop()
        # Without credentials, a client created now would ask the EC2 metadata service.
        assert botocore.session.get_session().get_credentials() is not None
    finally:
        inner.stop()
        outer.stop()
