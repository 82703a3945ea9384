"""smfake: an in-process, AWS-faithful fake of AWS Secrets Manager for Python tests."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from smfake._wire.install import install_when_botocore_loads

if TYPE_CHECKING:
    __version__: str
    from smfake._api.clock_control import FakeClock
    from smfake._api.events import Event, EventLog
    from smfake._api.faults import Fault, FaultPlan
    from smfake._api.handle import SecretsManagerFake
    from smfake._api.mock import MockSecretsManager, current_fake, mock_secretsmanager
    from smfake._api.server import Server

__all__ = [
    "Event",
    "EventLog",
    "FakeClock",
    "Fault",
    "FaultPlan",
    "MockSecretsManager",
    "SecretsManagerFake",
    "Server",
    "__version__",
    "current_fake",
    "mock_secretsmanager",
]


# Importing botocore costs ~180 ms, the fake itself (domain, wire, API) ~80 ms more: the public
# names load their module when first used. mock_secretsmanager and current_fake load only the
# light front (smfake._api.mock), which loads the rest at the first activation.
_LAZY = {
    "Event": "smfake._api.events",
    "EventLog": "smfake._api.events",
    "FakeClock": "smfake._api.clock_control",
    "Fault": "smfake._api.faults",
    "FaultPlan": "smfake._api.faults",
    "MockSecretsManager": "smfake._api.mock",
    "SecretsManagerFake": "smfake._api.handle",
    "Server": "smfake._api.server",
    "current_fake": "smfake._api.mock",
    "mock_secretsmanager": "smfake._api.mock",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Read on first use: importlib.metadata costs a few milliseconds, which the pytest
        # plugin would otherwise add to every test run that has smfake installed.
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: Any = version("smfake")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0"
        globals()["__version__"] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'smfake' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


install_when_botocore_loads()
