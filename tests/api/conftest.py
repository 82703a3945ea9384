"""Fixtures for the activation tests: a machine without AWS credentials, and a way to assert
that a call was left to the network (where the suite's socket guard stops it)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

# Calls that are expected to reach the network should fail once, not after botocore's retries.
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})
# TEST-NET-1 (RFC 5737): never routable, so a connection to it can only come from a real attempt.
UNROUTABLE = "192.0.2.1"

CREDENTIAL_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)


def environment() -> dict[str, str]:
    """os.environ, less the variable pytest itself changes between test phases."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


def sm_client(region: str = "us-east-1", **kwargs: Any) -> Any:
    return boto3.client("secretsmanager", region_name=region, **kwargs)


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A machine where botocore finds no credentials anywhere and never asks the EC2
    metadata service (which would be a network call)."""
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # boto3's default session caches whatever credentials it resolved in earlier tests.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


class NetworkCalls:
    """Runs calls that smfake must leave alone and checks that they went to the network."""

    def __init__(self, attempts: list[Any]) -> None:
        self._attempts = attempts

    def expect_blocked(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
        """Run ``call``; it must fail on the socket guard. Returns the endpoint it tried."""
        assert self._attempts == []
        with pytest.raises(EndpointConnectionError) as excinfo:
            call(*args, **kwargs)
        assert "is forbidden" in str(excinfo.value.kwargs["error"])
        assert self._attempts, "the call failed without trying to connect"
        # The suite's guard asserts at teardown that nothing tried the network; these
        # attempts were the point of the test and have been checked, so they are dropped.
        self._attempts.clear()
        return str(excinfo.value.kwargs["endpoint_url"])


@pytest.fixture
def network_calls(no_network: list[Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkCalls]:
    # Resolve every host, so that a call left to the network reaches the socket guard whether
    # or not this machine has DNS.
    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (UNROUTABLE, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield NetworkCalls(no_network)
