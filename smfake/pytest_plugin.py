"""pytest plugin: fixtures ``smfake`` and ``sm_client``, marker ``smfake(**options)``.

Import-light: nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from smfake._api.handle import SecretsManagerFake

MARKER_HELP = (
    "smfake(**options): options for the smfake fixture, as mock_secretsmanager() takes them "
    "(account_id, region, seed, secrets, fake)"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


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


@pytest.fixture
def smfake(request: pytest.FixtureRequest) -> Iterator[SecretsManagerFake]:
    """A fresh, active SecretsManagerFake for this test."""
    from smfake._api.mock import mock_secretsmanager

    with mock_secretsmanager(**_marker_options(request)) as fake:
        yield fake


@pytest.fixture
def sm_client(smfake: SecretsManagerFake) -> Any:
    """A boto3 Secrets Manager client in us-east-1, answered by the ``smfake`` fixture."""
    import boto3

    return boto3.client("secretsmanager", region_name="us-east-1")
