"""The activation forms: context manager, decorator (function, coroutine, class), start/stop."""

from __future__ import annotations

import asyncio
import inspect
import unittest

import pytest
from botocore.exceptions import ClientError

from smfake import MockSecretsManager, SecretsManagerFake, current_fake, mock_secretsmanager
from smfake.errors import UsageError
from tests.api.conftest import ONE_ATTEMPT, sm_client


def assert_inactive() -> None:
    with pytest.raises(UsageError, match="no smfake fake is active"):
        current_fake()


# -- context manager ------------------------------------------------------------------------


def test_context_manager_yields_the_active_fake(network_calls):
    with mock_secretsmanager() as fake:
        assert isinstance(fake, SecretsManagerFake)
        assert current_fake() is fake
        client = sm_client(config=ONE_ATTEMPT)
        client.create_secret(Name="cm", SecretString="inside")
        assert client.get_secret_value(SecretId="cm")["SecretString"] == "inside"
    assert_inactive()
    endpoint = network_calls.expect_blocked(client.get_secret_value, SecretId="cm")
    assert endpoint == "https://secretsmanager.us-east-1.amazonaws.com/"


def test_context_manager_object_is_reusable_and_reports_its_fake():
    mock = mock_secretsmanager()
    assert isinstance(mock, MockSecretsManager)
    assert mock.fake is None
    with mock as first:
        assert mock.fake is first
    assert mock.fake is None
    with mock as second:
        assert mock.fake is second
    assert second is not first


# -- decorator on functions -----------------------------------------------------------------


def test_decorator_without_parentheses_activates_for_the_call():
    @mock_secretsmanager
    def create_and_read(name, *, value):
        client = sm_client()
        client.create_secret(Name=name, SecretString=value)
        return current_fake(), client.get_secret_value(SecretId=name)["SecretString"]

    assert_inactive()
    fake, value = create_and_read("deco", value="v1")
    assert isinstance(fake, SecretsManagerFake)
    assert value == "v1"
    assert_inactive()


def test_decorator_with_empty_parentheses_activates_for_the_call():
    @mock_secretsmanager()
    def read_fake():
        return current_fake()

    assert isinstance(read_fake(), SecretsManagerFake)
    assert_inactive()


def test_decorator_with_options_applies_them():
    @mock_secretsmanager(seed=1, account_id="111122223333", secrets={"db/password": "hunter2"})
    def inspect_fake():
        fake = current_fake()
        got = sm_client().get_secret_value(SecretId="db/password")
        return fake.seed, fake.account_id, got["SecretString"], got["ARN"]

    seed, account, value, arn = inspect_fake()
    assert (seed, account, value) == (1, "111122223333", "hunter2")
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:111122223333:secret:db/password-")


def test_decorated_function_gets_a_fresh_activation_per_call():
    @mock_secretsmanager
    def create_once():
        sm_client().create_secret(Name="per-call", SecretString="x")
        return current_fake()

    first = create_once()
    second = create_once()
    assert first is not second


def test_decorator_preserves_function_metadata():
    def original(a, b=2, *, c):
        """Docstring of the original."""
        return a + b + c

    decorated = mock_secretsmanager(original)
    assert decorated is not original
    assert decorated.__wrapped__ is original
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        assert getattr(decorated, attribute) == getattr(original, attribute)
    assert inspect.signature(decorated) == inspect.signature(original)
    assert decorated(1, c=3) == 6


def test_decorator_with_options_preserves_function_metadata():
    def original(x):
        """Doc."""
        return x

    decorated = mock_secretsmanager(seed=3)(original)
    assert decorated.__wrapped__ is original
    assert decorated.__name__ == "original"
    assert decorated.__doc__ == "Doc."


@mock_secretsmanager(secrets={"fixture-check": "ok"})
def test_decorated_test_function_still_receives_pytest_fixtures(tmp_path):
    assert tmp_path.is_dir()
    assert sm_client().get_secret_value(SecretId="fixture-check")["SecretString"] == "ok"


# -- decorator on coroutines ----------------------------------------------------------------


def test_decorator_on_async_function_activates_while_it_runs():
    @mock_secretsmanager(secrets={"async": "value"})
    async def read_async(name):
        await asyncio.sleep(0)
        fake = current_fake()
        value = sm_client().get_secret_value(SecretId=name)["SecretString"]
        await asyncio.sleep(0)
        assert current_fake() is fake
        return value

    assert inspect.iscoroutinefunction(read_async)
    assert read_async.__name__ == "read_async"
    coroutine = read_async("async")
    assert_inactive()
    assert asyncio.run(coroutine) == "value"
    assert_inactive()


def test_decorator_without_parentheses_on_async_function():
    @mock_secretsmanager
    async def fake_of_call():
        return current_fake()

    first = asyncio.run(fake_of_call())
    second = asyncio.run(fake_of_call())
    assert isinstance(first, SecretsManagerFake)
    assert first is not second
    assert_inactive()


# -- decorator on plain classes -------------------------------------------------------------


def test_class_decorator_gives_each_test_method_its_own_activation():
    @mock_secretsmanager(secrets={"seeded": "s"})
    class Suite:
        test_data = ["not", "a", "method"]

        def test_one(self):
            sm_client().create_secret(Name="same-name", SecretString="1")
            return current_fake()

        def test_two(self):
            sm_client().create_secret(Name="same-name", SecretString="2")
            return current_fake(), sm_client().get_secret_value(SecretId="seeded")["SecretString"]

        def helper(self):
            return current_fake()

    suite = Suite()
    first = suite.test_one()
    second, seeded = suite.test_two()
    assert first is not second
    assert seeded == "s"
    assert Suite.test_data == ["not", "a", "method"]
    with pytest.raises(UsageError):
        suite.helper()
    assert_inactive()


def test_class_decorator_returns_the_same_class():
    class Suite:
        def test_x(self):
            return current_fake()

    assert mock_secretsmanager(Suite) is Suite
    assert Suite.test_x.__name__ == "test_x"


def test_class_decorator_wraps_async_test_methods():
    @mock_secretsmanager
    class Suite:
        async def test_async(self):
            return current_fake()

    assert inspect.iscoroutinefunction(Suite.test_async)
    assert isinstance(asyncio.run(Suite().test_async()), SecretsManagerFake)
    assert_inactive()


def test_class_decorator_activates_inherited_test_methods():
    class Base:
        def test_inherited(self):
            return current_fake()

    @mock_secretsmanager
    class Suite(Base):
        pass

    assert isinstance(Suite().test_inherited(), SecretsManagerFake)


def test_class_decorator_keeps_static_test_methods_static():
    @mock_secretsmanager
    class Suite:
        @staticmethod
        def test_static():
            return current_fake()

    assert isinstance(Suite().test_static(), SecretsManagerFake)


@mock_secretsmanager(secrets={"class-seeded": "v"})
class TestDecoratedPlainClassUnderPytest:
    @pytest.fixture
    def suffix(self):
        return "-fixture"

    def test_reads_seeded_secret(self):
        assert sm_client().get_secret_value(SecretId="class-seeded")["SecretString"] == "v"

    def test_method_receives_fixtures(self, suffix, tmp_path):
        assert suffix == "-fixture"
        assert tmp_path.is_dir()

    def test_first_method_creates_a_name(self):
        sm_client().create_secret(Name="per-method", SecretString="a")

    def test_second_method_creates_the_same_name(self):
        sm_client().create_secret(Name="per-method", SecretString="b")


# -- decorator on unittest.TestCase ---------------------------------------------------------


@mock_secretsmanager(secrets={"testcase-seeded": "seed"})
class TestDecoratedTestCase(unittest.TestCase):
    def setUp(self):
        self.fake = current_fake()
        self.client = sm_client()
        self.client.create_secret(Name="from-setup", SecretString="set up")

    def tearDown(self):
        assert current_fake() is self.fake
        assert self.client.describe_secret(SecretId="from-setup")["Name"] == "from-setup"

    def test_sees_state_made_in_setup(self):
        self.assertIs(current_fake(), self.fake)
        got = self.client.get_secret_value(SecretId="from-setup")
        self.assertEqual(got["SecretString"], "set up")
        seeded = self.client.get_secret_value(SecretId="testcase-seeded")
        self.assertEqual(seeded["SecretString"], "seed")

    def test_setup_runs_again_in_a_fresh_fake(self):
        self.assertIn("secrets=2", repr(self.fake))


def run_testcase(case: type[unittest.TestCase]) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def test_testcase_activation_spans_setup_test_and_teardown():
    seen: list[tuple[str, str, SecretsManagerFake]] = []

    @mock_secretsmanager
    class Case(unittest.TestCase):
        def setUp(self):
            seen.append((self._testMethodName, "setUp", current_fake()))

        def tearDown(self):
            seen.append((self._testMethodName, "tearDown", current_fake()))

        def test_a(self):
            seen.append(("test_a", "test", current_fake()))

        def test_b(self):
            seen.append(("test_b", "test", current_fake()))

    result = run_testcase(Case)
    assert result.wasSuccessful(), result.errors + result.failures
    assert [(name, step) for name, step, _ in seen] == [
        ("test_a", "setUp"),
        ("test_a", "test"),
        ("test_a", "tearDown"),
        ("test_b", "setUp"),
        ("test_b", "test"),
        ("test_b", "tearDown"),
    ]
    fakes_a = {id(fake) for name, _, fake in seen if name == "test_a"}
    fakes_b = {id(fake) for name, _, fake in seen if name == "test_b"}
    assert len(fakes_a) == 1
    assert len(fakes_b) == 1
    assert fakes_a != fakes_b
    assert_inactive()


def test_testcase_without_own_setup_is_activated():
    seen: list[SecretsManagerFake] = []

    @mock_secretsmanager
    class Case(unittest.TestCase):
        def test_a(self):
            seen.append(current_fake())

    result = run_testcase(Case)
    assert result.wasSuccessful(), result.errors + result.failures
    assert len(seen) == 1
    assert_inactive()


# -- start / stop ---------------------------------------------------------------------------


def test_start_activates_and_stop_deactivates(network_calls):
    mock = mock_secretsmanager()
    fake = mock.start()
    try:
        assert current_fake() is fake
        assert mock.fake is fake
        client = sm_client(config=ONE_ATTEMPT)
        client.create_secret(Name="started", SecretString="x")
    finally:
        mock.stop()
    assert mock.fake is None
    assert_inactive()
    network_calls.expect_blocked(client.describe_secret, SecretId="started")


def test_stop_before_start_is_refused_and_a_second_stop_does_nothing():
    mock = mock_secretsmanager()
    with pytest.raises(UsageError, match="was never started"):
        mock.stop()
    mock.start()
    mock.stop()
    mock.stop()
    assert_inactive()


def test_restart_after_stop_gives_fresh_state():
    mock = mock_secretsmanager()
    first = mock.start()
    try:
        sm_client().create_secret(Name="gone-after-restart", SecretString="x")
    finally:
        mock.stop()
    second = mock.start()
    try:
        assert second is not first
        with pytest.raises(ClientError) as excinfo:
            sm_client().get_secret_value(SecretId="gone-after-restart")
        assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
    finally:
        mock.stop()


def test_restart_recreates_the_secrets_option():
    mock = mock_secretsmanager(secrets={"seeded": "original"})
    mock.start()
    try:
        sm_client().put_secret_value(SecretId="seeded", SecretString="changed")
    finally:
        mock.stop()
    mock.start()
    try:
        assert sm_client().get_secret_value(SecretId="seeded")["SecretString"] == "original"
    finally:
        mock.stop()


def test_double_start_raises_usage_error_and_keeps_the_activation():
    mock = mock_secretsmanager()
    fake = mock.start()
    try:
        with pytest.raises(UsageError, match="already active"):
            mock.start()
        with pytest.raises(UsageError, match="already active"), mock:
            pass
        assert current_fake() is fake
        assert mock.fake is fake
    finally:
        mock.stop()
    assert_inactive()


# -- misuse ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"account_id": "1234"}, "account_id must be 12 digits"),
        ({"account_id": 123456789012}, "account_id must be 12 digits"),
        ({"region": "Moon"}, "region must look like"),
        ({"fake": object()}, "fake= takes a SecretsManagerFake"),
    ],
)
def test_bad_options_are_refused_before_activation(options, match):
    with pytest.raises(UsageError, match=match):
        mock_secretsmanager(**options)
    assert_inactive()


def test_decorating_something_not_callable_is_refused():
    with pytest.raises(UsageError, match="decorates functions, coroutines and classes"):
        mock_secretsmanager()(42)


def test_decorated_generator_is_active_while_it_runs():
    # A generator's body runs while it is iterated, after the decorated call returned: the
    # activation spans the iteration (a yield fixture decorated this way must not reach AWS).
    @mock_secretsmanager(secrets={"db": "pw"})
    def reader():
        client = sm_client()
        yield client.get_secret_value(SecretId="db")["SecretString"]
        sent = yield current_fake()
        yield sent

    generator = reader()
    assert_inactive()
    assert next(generator) == "pw"
    fake = next(generator)
    assert current_fake() is fake
    assert generator.send("back") == "back"
    with pytest.raises(StopIteration):
        next(generator)
    assert_inactive()


def test_decorated_generator_closed_early_stops_its_activation():
    @mock_secretsmanager
    def reader():
        yield 1
        yield 2

    generator = reader()
    next(generator)
    generator.close()
    assert_inactive()


def test_decorated_async_generator_is_active_while_it_runs():
    @mock_secretsmanager(secrets={"db": "pw"})
    async def reader():
        client = sm_client()
        yield client.get_secret_value(SecretId="db")["SecretString"]
        try:
            sent = yield "second"
        except KeyError:
            yield "caught"
            return
        yield sent

    async def run():
        stream = reader()
        assert await stream.__anext__() == "pw"
        assert await stream.__anext__() == "second"
        assert await stream.athrow(KeyError("x")) == "caught"
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()
        assert_inactive()
        again = reader()
        assert await again.__anext__() == "pw"
        await again.aclose()
        assert_inactive()

    asyncio.run(run())
    assert_inactive()


def test_decorated_generator_fixture_in_pytest(pytester):
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from smfake import mock_secretsmanager

        @pytest.fixture
        @mock_secretsmanager(secrets={"db": "pw"})
        def client():
            yield boto3.client("secretsmanager", region_name="us-east-1")

        def test_uses_the_fixture(client):
            assert client.get_secret_value(SecretId="db")["SecretString"] == "pw"
        """
    )
    result = pytester.runpytest("-p", "no:smfake")
    result.assert_outcomes(passed=1)


def test_async_with_activates_for_the_block():
    async def body():
        async with mock_secretsmanager(secrets={"db": "pw"}) as fake:
            assert current_fake() is fake
            value = sm_client().get_secret_value(SecretId="db")["SecretString"]
        return fake, value

    fake, value = asyncio.run(body())
    assert value == "pw"
    with pytest.raises(UsageError, match="no smfake fake is active"):
        current_fake()


def test_async_with_stops_when_the_block_raises():
    async def body():
        async with mock_secretsmanager():
            raise KeyError("boom")

    with pytest.raises(KeyError):
        asyncio.run(body())
    with pytest.raises(UsageError):
        current_fake()
