"""Leaving an activation by an exception restores everything: no active fake, no dispatcher
answering, the environment as it was; the exception reaches the caller unchanged."""

from __future__ import annotations

import asyncio
import os
import unittest

import pytest

from smfake import current_fake, mock_secretsmanager
from smfake._wire import hook
from smfake.errors import UsageError
from tests.api.conftest import ONE_ATTEMPT, environment, sm_client


class Boom(Exception):
    pass


class Interrupt(BaseException):
    pass


@pytest.fixture
def pristine(no_aws_credentials, network_calls):
    """Checks, after the test body ran, that nothing of any activation is left."""
    before = environment()

    def check(client=None):
        with pytest.raises(UsageError):
            current_fake()
        assert hook.active() is None
        assert environment() == before
        if client is not None:
            network_calls.expect_blocked(client.describe_secret, SecretId="any")

    return check


def test_context_manager_body_raising(pristine):
    error = Boom("from the body")
    with pytest.raises(Boom) as excinfo, mock_secretsmanager():
        client = sm_client(config=ONE_ATTEMPT)
        client.create_secret(Name="s", SecretString="v")
        assert "AWS_ACCESS_KEY_ID" in os.environ
        raise error
    assert excinfo.value is error
    pristine(client)


def test_context_manager_body_raising_base_exception(pristine):
    with pytest.raises(Interrupt), mock_secretsmanager():
        client = sm_client(config=ONE_ATTEMPT)
        raise Interrupt
    pristine(client)


def test_decorated_function_raising(pristine):
    made = []

    @mock_secretsmanager(secrets={"seeded": "x"})
    def body():
        made.append(sm_client(config=ONE_ATTEMPT))
        raise Boom

    with pytest.raises(Boom):
        body()
    pristine(made[0])


def test_decorated_coroutine_raising(pristine):
    made = []

    @mock_secretsmanager
    async def body():
        made.append(sm_client(config=ONE_ATTEMPT))
        await asyncio.sleep(0)
        raise Boom

    with pytest.raises(Boom):
        asyncio.run(body())
    pristine(made[0])


def test_decorated_class_method_raising(pristine):
    @mock_secretsmanager
    class Suite:
        def test_fails(self):
            raise Boom

    with pytest.raises(Boom):
        Suite().test_fails()
    pristine()


def test_start_stop_with_stop_in_finally(pristine):
    mock = mock_secretsmanager()
    with pytest.raises(Boom):
        mock.start()
        try:
            client = sm_client(config=ONE_ATTEMPT)
            raise Boom
        finally:
            mock.stop()
    pristine(client)


def test_inner_raising_restores_the_outer_activation(pristine):
    with mock_secretsmanager(secrets={"outer": "o"}) as outer:
        client = sm_client(config=ONE_ATTEMPT)
        env_inside = environment()
        with pytest.raises(Boom), mock_secretsmanager():
            raise Boom
        assert current_fake() is outer
        assert environment() == env_inside
        assert client.get_secret_value(SecretId="outer")["SecretString"] == "o"
    pristine(client)


def test_failing_start_leaves_nothing_active(pristine):
    mock = mock_secretsmanager(secrets={"fine": "1", "not a valid name": "2"})
    with pytest.raises(UsageError, match="cannot add secret 'not a valid name'"):
        mock.start()
    assert mock.fake is None
    pristine()


@pytest.mark.parametrize("failing", ["setUp", "test", "tearDown"])
def test_testcase_failing_anywhere_is_cleaned_up(pristine, failing):
    @mock_secretsmanager
    class Case(unittest.TestCase):
        def setUp(self):
            if failing == "setUp":
                raise Boom

        def test_it(self):
            if failing == "test":
                raise Boom

        def tearDown(self):
            if failing == "tearDown":
                raise Boom

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert len(result.errors) == 1
    assert "Boom" in result.errors[0][1]
    pristine()
