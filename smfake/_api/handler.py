"""One connection of the loopback server: HTTP/1.1 requests read with strict framing, limits
and timeouts (``framing``), answered by ``fake.http.handle``; every request refused on the way
gets an AWS-style JSON error, whatever the standard library's server would have said."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from io import BufferedReader
from typing import TYPE_CHECKING, Protocol, cast

from smfake._api import framing
from smfake._wire.headers import Headers
from smfake.errors import UnsupportedOperation

if TYPE_CHECKING:
    from smfake._api.handle import SecretsManagerFake

# How long a request may take to arrive once its first line has: a stalled or slow body is
# refused (400 RequestTimeout) when it runs out.
DEFAULT_REQUEST_TIMEOUT = 10.0
# How long a keep-alive connection may sit idle between requests before it is closed. AWS's own
# idle timeout is not documented; SDKs open a new connection when they find one closed.
IDLE_TIMEOUT = 60.0
# After refusing a request the server reads and drops what the client still sends, this long at
# most, so that closing the socket does not reset the connection before the answer is read.
LINGER_SECONDS = 2.0
# smfake's own error codes for requests refused before they reach the fake: AWS's fronts answer
# them in text or HTML rather than in the service's JSON.
HTTP_ERROR_CODES = {
    400: framing.BAD_REQUEST,
    413: framing.TOO_LARGE,
    414: "RequestURITooLong",
    431: "RequestHeaderFieldsTooLarge",
    501: "NotImplemented",
    505: "HTTPVersionNotSupported",
}
_log = logging.getLogger("smfake.server")


class Host(Protocol):
    """What a Handler reads of the server it runs in (server.py's)."""

    fake: SecretsManagerFake
    request_timeout: float

    @property
    def authority(self) -> str: ...


class Handler(BaseHTTPRequestHandler):
    """Answers the requests of one connection, one at a time."""

    # HTTP/1.1 keeps connections open between calls, as SDKs expect; every reply says its
    # length, which HTTP/1.1 requires.
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle's algorithm, the body of every reply on
    # a kept-alive connection waited for the client's delayed ACK (about 40 ms a call).
    disable_nagle_algorithm = True
    # A request line without a version is refused (below), with a status line like any other.
    default_request_version = "HTTP/1.0"
    _deadline = 0.0

    @property
    def _host(self) -> Host:
        return cast("Host", self.server)

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the connection was shut down by stop()
            super().finish()

    def handle_one_request(self) -> None:
        self.connection.settimeout(IDLE_TIMEOUT)
        super().handle_one_request()

    def parse_request(self) -> bool:
        # The request line has arrived: the rest of the request must follow within the timeout.
        timeout = self._host.request_timeout
        self._deadline = time.monotonic() + timeout
        self.connection.settimeout(timeout)
        try:
            if not super().parse_request():
                return False
        except TimeoutError:
            self._refuse(400, framing.TIMED_OUT, framing.TIMED_OUT_MESSAGE)
            return False
        if len(self.requestline.split()) != 3:
            self.send_error(
                400, f"Bad request syntax ({self.requestline[:100]!r}): no HTTP version"
            )
            return False
        return True

    def handle_expect_100(self) -> bool:
        # A body the server would refuse is refused before the client sends it.
        try:
            framing.content_length(self.headers)
        except framing.Refusal as refusal:
            self._refuse(refusal.status, refusal.code, refusal.message)
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # What http.server refuses by itself (request line, version, header sizes, method) gets
        # an AWS-style JSON error like every other answer, never its HTML page.
        text = message or self.responses.get(code, ("Error",))[0]
        if explain and message:
            text = f"{text}: {explain}"
        self._refuse(code, HTTP_ERROR_CODES.get(code, framing.BAD_REQUEST), text)

    def do_POST(self) -> None:
        self._answer()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_POST

    def _answer(self) -> None:
        try:
            length = framing.content_length(self.headers)
            stream = cast(BufferedReader, self.rfile)
            body = framing.BodyReader(stream, self.connection, self._deadline).read(length)
        except framing.Refusal as refusal:
            self._refuse(refusal.status, refusal.code, refusal.message)
            return
        headers = Headers(self.headers.items())
        try:
            reply = self._host.fake.http.handle(
                self.command,
                f"http://{self._host.authority}{self.path}",
                headers,
                body,
                source_ip=self.client_address[0],
            )
            status, reply_headers, data = reply.status, reply.headers, reply.body
        except UnsupportedOperation as error:
            # A 400 so that clients show the message instead of retrying.
            status, reply_headers, data = _error(400, "UnsupportedOperation", str(error))
        except Exception as error:
            _log.exception("smfake server: error while answering %s %s", self.command, self._path())
            message = f"smfake failed to answer this request ({type(error).__name__}: {error})"
            status, reply_headers, data = _error(500, "InternalFailure", message)
        self._send(status, reply_headers, data)

    def _send(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        # The body's deadline may be nearly spent: the answer gets the whole timeout to leave.
        self.connection.settimeout(self._host.request_timeout)
        # Not send_response(): it adds Server and Date headers, and the reply has its own Date.
        self.log_request(status)
        self.send_response_only(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        if not any(name.lower() == "date" for name in headers):
            self.send_header("Date", self.date_time_string())
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _refuse(self, status: int, code: str, message: str) -> None:
        # A refused request may have left part of itself unread: the connection cannot carry
        # another request, so the answer closes it.
        self.close_connection = True
        if not hasattr(self, "requestline"):
            self.requestline = ""
        if len(message) > 300:
            message = f"{message[:300]}..."
        self._send(*_error(status, code, message))
        self._linger()

    def _linger(self) -> None:
        # Closing a socket with unread input makes the kernel reset the connection, which can
        # destroy the answer before the client reads it: stop writing, then read and drop what
        # the client still sends until it closes, for a bounded time.
        deadline = time.monotonic() + LINGER_SECONDS
        sink = bytearray(framing.READ_SIZE)
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv_into(sink):
                    break

    # The log shows method, path and status only: never a header, a body or a query string
    # (a Query API GET carries its parameters, a SecretString among them, in the URL).
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        method = self.command or "-"
        _log.info("%s %s %s %s", self.client_address[0], method, self._path() or "-", code)

    def log_error(self, format: str, *args: object) -> None:
        # The standard library's refusals quote the request line: keep only their status.
        code = args[0] if args and isinstance(args[0], int) else "-"
        _log.info("%s refused a request: %s", self.client_address[0], code)

    def log_message(self, format: str, *args: object) -> None:
        _log.info("%s %s", self.client_address[0], format)  # the template, never its values

    def _path(self) -> str:
        return str(getattr(self, "path", "")).split("?", 1)[0]


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps({"__type": code, "message": message}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-ErrorType": code,
    }
    return status, headers, data
