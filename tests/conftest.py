"""Shared fixtures. The autouse socket guard proves that nothing reaches the network."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.validate import ParamValidator
from hypothesis import settings

from smfake import SecretsManagerFake, mock_secretsmanager
from smfake._wire import fastcheck
from tests.parity.plugin import (  # noqa: F401 (hooks of parity mode: docs/parity.md)
    guard_resolver,
    parity_of,
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_report_header,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_unconfigure,
)

# Property tests run small budgets by default, to keep the suite fast. A longer run on demand:
# SMFAKE_HYPOTHESIS_PROFILE=long (or pytest --hypothesis-profile=long) gives 300 examples to each
# case of tests/properties/test_hostile_input.py and to property tests that set no budget.
settings.register_profile("long", max_examples=300, deadline=None)
if os.environ.get("SMFAKE_HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["SMFAKE_HYPOTHESIS_PROFILE"])

# Every answer the before-call fast path gives in this suite is also produced the full path's
# way (encoded as Responder.respond encodes it, parsed by botocore's own endpoint code) and
# compared: a difference fails the test that made the call.
fastcheck.check_mode(True)


class NetworkBlocked(ConnectionRefusedError):
    """Raised by the guard; an OSError, so botocore treats it as a connection failure."""


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local_unix(sock: socket.socket) -> bool:
    return getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX


@pytest.fixture(autouse=True)
def no_network(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[Any]]:
    attempts: list[Any] = []
    # Parity mode lets through the chosen endpoint, and nothing else.
    parity = parity_of(request.config)
    if parity is not None:
        guard_resolver(parity, monkeypatch)

    def passes(sock: socket.socket, address: Any) -> bool:
        return _is_local_unix(sock) or (parity is not None and parity.allows(address))

    def connect(self: socket.socket, address: Any) -> None:
        if passes(self, address):
            return _real_connect(self, address)
        attempts.append(address)
        raise NetworkBlocked(f"smfake test suite: network access to {address!r} is forbidden")

    def connect_ex(self: socket.socket, address: Any) -> int:
        if passes(self, address):
            return _real_connect_ex(self, address)
        attempts.append(address)
        raise NetworkBlocked(f"smfake test suite: network access to {address!r} is forbidden")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    assert attempts == [], f"the test tried to open network connections: {attempts}"


# The loopback server's own addresses: the only ones `allow_loopback` lets through.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})


def _is_loopback(address: Any) -> bool:
    return isinstance(address, tuple) and bool(address) and address[0] in LOOPBACK_HOSTS


@pytest.fixture
def allow_loopback(no_network: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the test connect to 127.0.0.1 and ::1 (smfake's loopback server); every other
    address still meets the guard. Use it with ``pytest.mark.usefixtures("allow_loopback")``."""
    guarded_connect = socket.socket.connect
    guarded_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if _is_loopback(address):
            return _real_connect(self, address)
        return guarded_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if _is_loopback(address):
            return _real_connect_ex(self, address)
        return guarded_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def fake() -> Iterator[SecretsManagerFake]:
    with mock_secretsmanager() as active:
        yield active


@pytest.fixture(autouse=True)
def parity_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """In parity mode: the test's own name prefix, and its secrets force-deleted at the end."""
    parity = parity_of(request.config)
    if parity is None:
        yield
        return
    run = parity.begin(request.node.nodeid)
    try:
        yield
    finally:
        parity.end(run)


@pytest.fixture
def make_client(request: pytest.FixtureRequest) -> Any:
    """``make_client(region="us-east-1", config=None)``: a boto3 client of the in-process fake
    (activated for the test), or in parity mode of the endpoint (docs/parity.md). The fixture
    that every service test gets its clients from; a test that also takes ``fake`` is fake-only.
    """
    parity = parity_of(request.config)

    def make(region: str = "us-east-1", config: Any = None) -> Any:
        if parity is not None:
            return parity.client_for(region, config)
        request.getfixturevalue("fake")
        return boto3.client("secretsmanager", region_name=region, config=config)

    return make


@pytest.fixture
def client(make_client: Any) -> Any:
    return make_client()


def assert_shape(client: Any, operation: str, response: dict[str, Any]) -> None:
    """The response (minus ResponseMetadata) is valid for the operation's output shape."""
    model = client.meta.service_model.operation_model(operation)
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if model.output_shape is None:
        assert body == {}, f"{operation} has no output members, got {body}"
        return
    report = ParamValidator().validate(body, model.output_shape)
    assert not report.has_errors(), report.generate_report()
    extra = set(body) - set(model.output_shape.members)
    assert not extra, f"members not in the {operation} output shape: {extra}"


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def needs_member(operation: str, member: str) -> pytest.MarkDecorator:
    """Skip where the installed botocore's model lacks ``operation``'s ``member`` (newer
    parameters, which older botocore refuses client-side): the oldest botocore supported."""
    import botocore
    import botocore.session

    model = botocore.session.get_session().get_service_model("secretsmanager")
    shape = model.operation_model(operation).input_shape
    return pytest.mark.skipif(
        member not in shape.members,
        reason=f"botocore {botocore.__version__} has no {operation}.{member}",
    )
