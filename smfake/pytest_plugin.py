"""pytest plugin: fixtures ``smfake`` and ``sm_client``, marker ``smfake(**options)``.

Import-light: nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from smfake._api.handle import SecretsManagerFake


def marker_help() -> str:
    from smfake._api.options import Options  # light: no botocore, no fake

    return (
        "smfake(**options): run the test with a fake active, as if it used the smfake "
        f"fixture; the options are mock_secretsmanager()'s ({', '.join(Options.NAMES)})"
    )


METADATA_INI = "smfake_metadata_service"
METADATA_HELP = (
    "auto (default): switch off botocore's EC2 instance metadata service for the run when no "
    "credentials are configured and the machine is not EC2; keep: never; disable: always"
)
HYPOTHESIS_PATTERN = (
    "the smfake fixture is made once per test, so every Hypothesis example of "
    "{name} would share one fake. Activate a fresh fake inside the test body instead: "
    "`with mock_secretsmanager(...) as fake:` (see docs/pytest.md#hypothesis)"
)

# The AWS_EC2_METADATA_DISABLED value this plugin set, to take back at the end of the run.
_metadata_set: str | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(METADATA_INI, METADATA_HELP, default="auto")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Before any conftest (or test module) is imported: they may build clients at import time.
    global _metadata_set
    from smfake._api import credentials, metadata_service

    mode = str(early_config.getini(METADATA_INI)).strip().lower() or metadata_service.AUTO
    if mode not in metadata_service.MODES:
        raise pytest.UsageError(
            f"{METADATA_INI} = {mode!r}: use one of {', '.join(metadata_service.MODES)}"
        )
    if metadata_service.should_disable(
        mode, os.environ, credentials_configured=credentials.configured
    ):
        _metadata_set = os.environ[metadata_service.DISABLED_VAR] = "true"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", marker_help())


def pytest_unconfigure(config: pytest.Config) -> None:
    global _metadata_set
    from smfake._api.metadata_service import DISABLED_VAR

    if _metadata_set is not None and os.environ.get(DISABLED_VAR) == _metadata_set:
        del os.environ[DISABLED_VAR]
    _metadata_set = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The marker is enough: a marked test gets the fake as if it asked for the fixture, set up
    # before its other function-scoped fixtures so that they too meet the fake.
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and "smfake" not in item.fixturenames
            and item.get_closest_marker("smfake") is not None
        ):
            item.fixturenames.insert(0, "smfake")


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    # Closest marker wins: iter_markers yields function, then class, then module markers.
    for marker in reversed(list(request.node.iter_markers("smfake"))):
        if marker.args:
            raise pytest.UsageError(
                "@pytest.mark.smfake takes keyword options only, e.g. @pytest.mark.smfake(seed=1)"
            )
        options.update(marker.kwargs)
    return options


def _shared_across_examples(request: pytest.FixtureRequest) -> bool:
    # A Hypothesis test runs many examples inside one call of the test function, with one
    # set-up of its fixtures. Hypothesis itself refuses function-scoped fixtures there unless
    # the health check is suppressed, which says the sharing is wanted.
    function = getattr(request, "function", None)
    if not getattr(function, "is_hypothesis_test", False):
        return False
    settings = getattr(function, "_hypothesis_internal_use_settings", None)
    suppressed = getattr(settings, "suppress_health_check", ())
    return not any(getattr(check, "name", "") == "function_scoped_fixture" for check in suppressed)


@pytest.fixture
def smfake(request: pytest.FixtureRequest) -> Iterator[SecretsManagerFake]:
    """A fresh, active SecretsManagerFake for this test."""
    from smfake._api.mock import mock_secretsmanager
    from smfake.errors import UsageError

    if _shared_across_examples(request):
        raise UsageError(HYPOTHESIS_PATTERN.format(name=request.node.name))
    with mock_secretsmanager(**_marker_options(request)) as fake:
        yield fake


@pytest.fixture
def sm_client(smfake: SecretsManagerFake) -> Any:
    """A boto3 Secrets Manager client in the fake's region (``region=``, default us-east-1),
    answered by the ``smfake`` fixture."""
    import boto3

    return boto3.client("secretsmanager", region_name=smfake.region)
