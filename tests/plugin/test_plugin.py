"""The pytest plugin, seen from a user's pytest run: entry point, fixtures, marker, examples."""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest

from smfake import mock_secretsmanager
from smfake._api import metadata_service

EXAMPLES = Path(__file__).resolve().parents[2] / "conftest_examples"
EXAMPLE_FILES = sorted(path.name for path in EXAMPLES.glob("test_*.py"))
# Hypothesis' plugin re-imports hypothesis in every in-process run (pytester drops the modules
# a run imported): seconds per run, and nothing these tests look at.
NO_HYPOTHESIS = ("-p", "no:hypothesispytest")
IMPORT_ORDER_BUG = (
    "smfake bug: with botocore not yet imported, importing smfake installs an import hook "
    "whose _ThenInstall.exec_module calls hook.install() while botocore.handlers is still "
    "being imported: AttributeError (botocore.handlers not yet an attribute of botocore) or "
    "ImportError (smfake._wire.hook partially initialised)"
)


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    # Inner runs import boto3 clients at collection, before any fake is active; on a machine
    # without credentials botocore would ask the EC2 metadata service (the network) for some.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    pytester.makeini(f"[pytest]\naddopts = {' '.join(NO_HYPOTHESIS)}\nfilterwarnings = error\n")
    return pytester


def copy_examples(pytester: pytest.Pytester) -> None:
    shutil.copytree(
        EXAMPLES,
        pytester.path,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis"),
    )


# -- entry point and import cost -------------------------------------------------------------


def test_entry_point_is_declared():
    entry_points = importlib.metadata.entry_points(group="pytest11")
    declared = {entry.name: entry.value for entry in entry_points}
    assert declared.get("smfake") == "smfake.pytest_plugin"


def test_importing_the_plugin_imports_nothing_heavy(tmp_path):
    done = run_python(
        """
        import sys
        import smfake.pytest_plugin
        heavy = sorted(
            name for name in sys.modules
            if name.partition(".")[0] in {"boto3", "botocore", "hypothesis"}
        )
        print(heavy)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


# What `import smfake` may load before any fake is active: the import hook that installs the
# dormant dispatcher when botocore loads.
FRONT_WIRE = ["smfake._wire", "smfake._wire.install"]


@pytest.mark.parametrize("first", ["", "import botocore"])
def test_mock_secretsmanager_loads_only_its_front(tmp_path, first):
    done = run_python(
        f"""
        import sys
        {first}
        before = set(sys.modules)
        import smfake
        smfake.mock_secretsmanager
        loaded = sorted(
            name for name in set(sys.modules) - before
            if name.partition(".")[0] in {{"boto3", "botocore"}}
            or name.startswith(("smfake._domain", "smfake._wire"))
        )
        print(loaded)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{FRONT_WIRE}\n"


def test_the_dormant_dispatcher_loads_none_of_the_fake(tmp_path):
    done = run_python(
        """
        import sys
        import boto3
        import smfake
        boto3.client("secretsmanager", region_name="us-east-1")
        loaded = sorted(
            name for name in sys.modules
            if name.startswith(("smfake._api", "smfake._domain", "smfake._wire"))
        )
        print(loaded)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # The hook, the service's name (model) and botocore's private parts (botocore_compat):
    # none of them is the fake.
    dormant = ["smfake._wire.botocore_compat", "smfake._wire.hook", "smfake._wire.model"]
    assert done.stdout == f"{sorted([*FRONT_WIRE, *dormant])}\n"


def test_subsystems_few_tests_use_load_on_first_use(tmp_path):
    done = run_python(
        """
        import sys
        import boto3
        import smfake
        client = boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="secret",
        )
        with smfake.mock_secretsmanager() as fake:
            client.create_secret(Name="s", SecretString="v")
            client.get_secret_value(SecretId="s")
            fake.reset()
        print(sorted(
            name for name in sys.modules
            if name in {
                "smfake._wire.authorization",  # access control
                "smfake._domain.access",
                "smfake._domain.conditions",
                "smfake._domain.requester",
                "smfake._api.faults",
                "smfake._api.server",
                "smfake._api.snapshot",
                "smfake._wire.extension",  # the Lambda extension's endpoint
                "smfake._wire.front",  # plain HTTP callers, the Query API
                "smfake._wire.query",
            }
        ))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_botocore_imported_after_the_plugin_gets_the_dispatcher(tmp_path):
    done = run_python(
        """
        import smfake.pytest_plugin
        import botocore.session
        from smfake._wire import hook
        handlers = [entry[1] for entry in botocore.handlers.BUILTIN_HANDLERS]
        print(hook.dispatch in handlers)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"


def test_plugin_is_loaded_with_p_option(pytester):
    pytester.makepyfile(
        """
        from smfake import SecretsManagerFake

        def test_fixture_is_there(smfake):
            assert isinstance(smfake, SecretsManagerFake)
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=1)


def test_plugin_is_not_loaded_with_p_no_smfake(pytester):
    pytester.makepyfile(
        """
        def test_fixture_is_there(smfake):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:smfake")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'smfake' not found*"])


def test_installed_entry_point_loads_in_a_fresh_process(pytester):
    pytester.makepyfile(
        """
        import boto3
        from smfake import SecretsManagerFake

        CLIENT = boto3.client("secretsmanager", region_name="us-east-1")

        def test_fixture_is_there(smfake):
            assert isinstance(smfake, SecretsManagerFake)
            smfake.add_secret("s", "v")
            assert CLIENT.get_secret_value(SecretId="s")["SecretString"] == "v"
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_plugin_does_not_import_boto3_for_tests_that_do_not_use_it(pytester):
    pytester.makepyfile(
        """
        import sys

        def test_nothing_heavy_loaded():
            assert "boto3" not in sys.modules
            assert "botocore" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


# -- fixtures ---------------------------------------------------------------------------------


def test_smfake_fixture_is_a_fresh_active_fake_per_test(pytester):
    pytester.makepyfile(
        """
        import pytest
        from smfake import SecretsManagerFake, current_fake
        from smfake.errors import UsageError

        seen = []

        def test_first(smfake):
            assert isinstance(smfake, SecretsManagerFake)
            assert current_fake() is smfake
            smfake.add_secret("same-name", "first")
            seen.append(smfake)

        def test_second(smfake):
            assert smfake is not seen[0]
            smfake.add_secret("same-name", "second")

        def test_no_fake_without_the_fixture():
            with pytest.raises(UsageError):
                current_fake()
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=3)


def test_sm_client_fixture_is_answered_by_the_smfake_fixture(pytester):
    pytester.makepyfile(
        """
        from smfake import current_fake

        def test_client_and_fake_agree(smfake, sm_client):
            assert sm_client.meta.region_name == "us-east-1"
            assert sm_client.meta.service_model.service_name == "secretsmanager"
            smfake.add_secret("added", "through the handle")
            got = sm_client.get_secret_value(SecretId="added")
            assert got["SecretString"] == "through the handle"

        def test_client_alone_brings_its_fake(sm_client):
            sm_client.create_secret(Name="made", SecretString="v")
            assert repr(current_fake()).endswith("secrets=1)")
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=2)


def test_fixture_is_stopped_even_when_the_test_fails(pytester):
    pytester.makepyfile(
        """
        import os
        import pytest
        from smfake import current_fake
        from smfake.errors import UsageError

        def test_fails(sm_client):
            sm_client.create_secret(Name="x", SecretString="y")
            raise RuntimeError("boom")

        def test_after():
            with pytest.raises(UsageError):
                current_fake()
            assert "AWS_ACCESS_KEY_ID" not in os.environ
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=1, failed=1)


# -- marker -----------------------------------------------------------------------------------


def test_marker_options_merge_module_then_class_then_function(pytester):
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.smfake(account_id="111111111111", region="eu-west-1", seed=1)

        def options(fake):
            return fake.account_id, fake.region, fake.seed

        def test_module(smfake):
            assert options(smfake) == ("111111111111", "eu-west-1", 1)

        @pytest.mark.smfake(region="ap-south-1", seed=2)
        class TestClass:
            def test_class(self, smfake):
                assert options(smfake) == ("111111111111", "ap-south-1", 2)

            @pytest.mark.smfake(seed=3)
            def test_function(self, smfake):
                assert options(smfake) == ("111111111111", "ap-south-1", 3)

        @pytest.mark.smfake(account_id="222222222222")
        def test_function_over_module(smfake):
            assert options(smfake) == ("222222222222", "eu-west-1", 1)
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=4)


def test_marker_secrets_reach_the_client(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.smfake(secrets={"text": "t", "blob": b"b", "json": {"k": "v"}})
        def test_seeded(sm_client):
            assert sm_client.get_secret_value(SecretId="text")["SecretString"] == "t"
            assert sm_client.get_secret_value(SecretId="blob")["SecretBinary"] == b"b"
            assert sm_client.get_secret_value(SecretId="json")["SecretString"] == '{"k": "v"}'
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=1)


def test_marker_fake_option_shares_a_prepared_state(pytester):
    pytester.makepyfile(
        """
        import pytest
        from smfake import SecretsManagerFake

        STATE = SecretsManagerFake()
        STATE.add_secret("prepared", "v")

        @pytest.mark.smfake(fake=STATE)
        def test_shared(smfake, sm_client):
            assert smfake is STATE
            assert sm_client.get_secret_value(SecretId="prepared")["SecretString"] == "v"
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=1)


def test_marker_is_registered_for_strict_markers(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.smfake(seed=1)
        def test_marked(smfake):
            assert smfake.seed == 1
        """
    )
    result = pytester.runpytest("-p", "smfake", "--strict-markers")
    result.assert_outcomes(passed=1)


def test_marker_help_lists_the_options_of_mock_secretsmanager(pytester):
    from smfake._api.options import Options

    result = pytester.runpytest("-p", "smfake", "--markers")
    assert result.ret == 0
    text = " ".join(result.stdout.lines)
    assert f"({', '.join(Options.NAMES)})" in text
    assert tuple(inspect.signature(mock_secretsmanager).parameters)[1:] == Options.NAMES


def test_marker_is_unknown_without_the_plugin(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.smfake(seed=1)
        def test_marked():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:smfake", "--strict-markers")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*'smfake' not found in `markers` configuration*"])


def test_marker_is_documented_in_markers_listing(pytester):
    result = pytester.runpytest("-p", "smfake", "--markers")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["@pytest.mark.smfake(**options): run the test with a fake*"])


def test_marker_alone_activates_a_fake_at_every_level(pytester, no_network):
    # A boto3 call from a test that carries the marker but asks for no fixture must reach the
    # fake: under the suite's socket guard, any connection attempt fails this test.
    pytester.makepyfile(
        """
        import unittest

        import boto3
        import pytest
        from smfake import current_fake

        def call(region="us-east-1"):
            client = boto3.client("secretsmanager", region_name=region)
            return client.list_secrets()["SecretList"]

        @pytest.mark.smfake(secrets={"db": "pw"})
        def test_function_marker():
            assert [s["Name"] for s in call()] == ["db"]

        @pytest.mark.smfake(region="eu-west-1", secrets={"db": "pw"})
        def test_function_marker_region():
            assert current_fake().region == "eu-west-1"
            assert [s["Name"] for s in call("eu-west-1")] == ["db"]

        @pytest.mark.smfake
        class TestClassMarker:
            def test_method(self):
                assert call() == []

        @pytest.mark.smfake
        class TestCaseMarker(unittest.TestCase):
            def test_method(self):
                self.assertEqual(call(), [])

        @pytest.fixture
        def seeded():
            boto3.client("secretsmanager", region_name="us-east-1").create_secret(
                Name="from-fixture", SecretString="v"
            )

        @pytest.mark.smfake
        def test_other_fixtures_meet_the_fake(seeded):
            assert [s["Name"] for s in call()] == ["from-fixture"]
        """
    )
    pytester.makepyfile(
        test_module_marker="""
        import boto3
        import pytest

        pytestmark = pytest.mark.smfake(seed=3)

        def test_module_marker():
            boto3.client("secretsmanager", region_name="us-east-1").list_secrets()
        """
    )
    result = pytester.runpytest("-p", "smfake", "--strict-markers")
    result.assert_outcomes(passed=6)
    assert no_network == []


def test_sm_client_follows_the_marker_region(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.smfake(region="eu-west-1", secrets={"db": "pw"})
        def test_seeded_secret_is_visible(smfake, sm_client):
            assert sm_client.meta.region_name == "eu-west-1"
            smfake.add_secret("added", "v")
            names = sorted(s["Name"] for s in sm_client.list_secrets()["SecretList"])
            assert names == ["added", "db"]
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=1)


def test_smfake_fixture_in_a_hypothesis_test_is_refused_with_the_pattern(pytester):
    pytester.makepyfile(
        """
        from hypothesis import HealthCheck, given, settings, strategies as st
        from smfake import mock_secretsmanager

        @given(st.integers())
        def test_shares_the_fixture(smfake, number):
            pass

        @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(st.integers())
        def test_sharing_on_purpose(smfake, number):
            pass

        @settings(max_examples=5)
        @given(st.text(min_size=1, max_size=5))
        def test_a_fake_per_example(value):
            with mock_secretsmanager() as fake:
                assert fake.add_secret("s", value)
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*every Hypothesis example of test_shares_the_fixture would share one fake*"]
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("pytest.mark.smfake(1)", "*@pytest.mark.smfake takes keyword options only*"),
        ('pytest.mark.smfake(account_id="nope")', "*account_id must be 12 digits*"),
        ('pytest.mark.smfake(colour="red")', "*colour*"),
    ],
)
def test_bad_marker_options_fail_the_test_setup(pytester, marker, message):
    pytester.makepyfile(
        f"""
        import pytest

        @{marker}
        def test_marked(smfake):
            pass
        """
    )
    result = pytester.runpytest("-p", "smfake")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


# -- conftest_examples ------------------------------------------------------------------------


def test_examples_are_all_there():
    assert set(EXAMPLE_FILES) >= {
        "test_context_manager_example.py",
        "test_decorator_example.py",
        "test_fixture_example.py",
        "test_module_shared_example.py",
        "test_seeded_example.py",
    }
    assert (EXAMPLES / "pytest.ini").is_file()
    assert (EXAMPLES / "conftest.py").is_file()
    assert (EXAMPLES / "README.md").is_file()
    assert (EXAMPLES / "app" / "settings.py").is_file()


@pytest.mark.parametrize("example", EXAMPLE_FILES)
def test_example_passes(pytester, example, monkeypatch):
    # In-process, the examples would share boto3's default session (and the credential
    # resolver it built) with this suite; a user's run starts with neither.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    copy_examples(pytester)
    result = pytester.runpytest("-p", "smfake", *NO_HYPOTHESIS, "--strict-markers", example)
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("passed", 0) > 0
    assert set(outcomes) <= {"passed"}, outcomes


@pytest.mark.slow
def test_examples_pass_as_a_user_runs_them(pytester):
    copy_examples(pytester)
    result = pytester.runpytest_subprocess()
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert set(outcomes) <= {"passed"}, outcomes
    assert outcomes["passed"] >= len(EXAMPLE_FILES)


# -- the EC2 instance metadata service at collection time ------------------------------------

# A conftest that counts (and refuses at once) every connection the run attempts, installed
# before anything builds a client; the app module builds one at import, during collection.
COUNTING_CONFTEST = """
import atexit, os, socket

ATTEMPTS = []
_connect = socket.socket.connect

def connect(self, address):
    if self.family != getattr(socket, "AF_UNIX", None):
        ATTEMPTS.append(address)
        raise ConnectionRefusedError(f"refused by the test: {address!r}")
    return _connect(self, address)

socket.socket.connect = connect
socket.socket.connect_ex = lambda self, address: connect(self, address) or 0
atexit.register(lambda: print(f"CONNECTION ATTEMPTS: {ATTEMPTS}"))
import app  # noqa: E402  builds its client now, before any fake is active
"""


def _without_credentials(monkeypatch, home):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))


@pytest.mark.skipif(metadata_service.on_ec2(), reason="this machine is an EC2 instance")
def test_client_built_at_collection_makes_no_connection_without_credentials(
    pytester, monkeypatch, tmp_path
):
    _without_credentials(monkeypatch, tmp_path)
    pytester.makepyfile(
        app="""
        import boto3
        CLIENT = boto3.client("secretsmanager", region_name="us-east-1")
        """
    )
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(
        test_app="""
        import os
        import pytest
        import app

        @pytest.mark.smfake(secrets={"db": "pw"})
        def test_reads():
            assert app.CLIENT.get_secret_value(SecretId="db")["SecretString"] == "pw"
            assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
        """
    )
    result = pytester.runpytest_subprocess("-p", "smfake")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["CONNECTION ATTEMPTS: []"])


def test_metadata_service_setting_keep_leaves_botocore_alone(pytester, monkeypatch, tmp_path):
    _without_credentials(monkeypatch, tmp_path)
    pytester.makeini(
        f"[pytest]\naddopts = {' '.join(NO_HYPOTHESIS)}\nsmfake_metadata_service = keep\n"
    )
    pytester.makepyfile(
        """
        import os

        def test_untouched():
            assert "AWS_EC2_METADATA_DISABLED" not in os.environ
        """
    )
    result = pytester.runpytest_subprocess("-p", "smfake")
    result.assert_outcomes(passed=1)


def test_metadata_service_setting_is_checked(pytester):
    pytester.makeini("[pytest]\nsmfake_metadata_service = maybe\n")
    result = pytester.runpytest_subprocess("-p", "smfake")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*smfake_metadata_service = 'maybe': use one of auto, keep*"])


def test_the_plugin_restores_the_environment_after_the_run(monkeypatch, tmp_path):
    _without_credentials(monkeypatch, tmp_path)
    from smfake import pytest_plugin

    class Config:
        def getini(self, name):
            return "disable"

    pytest_plugin.pytest_load_initial_conftests(Config())
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    pytest_plugin.pytest_unconfigure(Config())
    assert "AWS_EC2_METADATA_DISABLED" not in os.environ


@pytest.mark.parametrize(
    ("mode", "environ", "configured", "ec2", "disable"),
    [
        ("auto", {}, False, False, True),  # a laptop or CI box with no credentials
        ("auto", {}, False, True, False),  # EC2: its instance role may be the credentials
        ("auto", {}, True, False, False),  # botocore stops before the metadata service
        ("auto", {"AWS_EC2_METADATA_DISABLED": "false"}, False, False, False),  # the user's
        (
            "auto",
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[fd00:ec2::254]"},
            False,
            False,
            False,
        ),  # noqa: E501
        ("keep", {}, False, False, False),
        ("disable", {}, True, True, True),
    ],
)
def test_metadata_service_decision(mode, environ, configured, ec2, disable):
    decided = metadata_service.should_disable(
        mode, environ, credentials_configured=lambda: configured, ec2=lambda: ec2
    )
    assert decided is disable


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, False),
        ({"sys/devices/virtual/dmi/id/sys_vendor": "Amazon EC2\n"}, True),
        ({"sys/devices/virtual/dmi/id/sys_vendor": "QEMU\n"}, False),
        ({"sys/devices/virtual/dmi/id/bios_version": "4.11.amazon\n"}, True),
        ({"sys/hypervisor/uuid": "ec2e1916-9099-7caf-fd21-012345abcdef\n"}, True),
        ({"sys/hypervisor/uuid": "1ec2e916-9099-7caf-fd21-012345abcdef\n"}, False),
    ],
)
def test_ec2_is_recognised_on_linux_from_local_files(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert metadata_service.on_ec2("linux", tmp_path) is expected


def test_ec2_is_assumed_where_the_system_cannot_tell(tmp_path):
    assert metadata_service.on_ec2("sunos5", tmp_path) is True
    assert metadata_service.on_ec2("darwin", tmp_path) is False
    (tmp_path / "usr/local/aws/ec2-macos-init").mkdir(parents=True)
    assert metadata_service.on_ec2("darwin", tmp_path) is True
