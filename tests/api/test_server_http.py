"""The loopback server's HTTP: bursts of simultaneous clients, and requests whose framing is
malformed, oversized, short or slow. Every refusal is a JSON error with the status HTTP gives
it, the connection is closed after it, nothing reaches the fake, and the server goes on."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import tracemalloc

import pytest

from smfake import SecretsManagerFake
from smfake._api.framing import MAX_REQUEST_BYTES
from smfake._api.server import Server, _HTTPServer, main
from smfake.errors import UsageError

pytestmark = pytest.mark.usefixtures("allow_loopback")

TIMEOUT = 1.0  # the servers' request timeout here
CLIENT_SECONDS = 10  # bounds every wait of a client in this file
TOO_LARGE = ("RequestEntityTooLarge", "HTTP content length exceeded 1048576 bytes.")
TIMED_OUT = (
    "RequestTimeout",
    "Your socket connection to the server was not read from or written to within the timeout "
    "period. Idle connections will be closed.",
)
INCOMPLETE = (
    "IncompleteBody",
    "You did not provide the number of bytes specified by the Content-Length HTTP header.",
)
CREATE = json.dumps(
    {
        "Name": "raw",
        "SecretString": "v",
        "ClientRequestToken": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
    }
).encode()


def head(length=None, *, target="CreateSecret", extra=b""):
    """A request's line and headers, up to the blank line."""
    lines = [
        b"POST / HTTP/1.1",
        b"Host: 127.0.0.1",
        b"X-Amz-Target: secretsmanager." + target.encode(),
        b"Content-Type: application/x-amz-json-1.1",
    ]
    if length is not None:
        lines.append(b"Content-Length: " + str(length).encode())
    return b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"


LIST = head(2, target="ListSecrets") + b"{}"


@pytest.fixture
def server():
    with Server(SecretsManagerFake(), request_timeout=TIMEOUT) as running:
        yield running


def port_of(server):
    return int(server.url.rsplit(":", 1)[1])


def exchange(server, *parts, shut_write=False, pause=0.0):
    """(status, headers, body) of the answer to ``parts`` sent on a new connection, and
    whether the server closed the connection after it."""
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=CLIENT_SECONDS) as sock:
        for part in parts:
            sock.sendall(part)
            time.sleep(pause)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        closed = response.will_close and sock.recv(1) == b""
        return response.status, response.headers, body, closed


def refused(server, *parts, **options):
    """(status, __type, message) of a refusal, checked to be an AWS-style JSON error that
    closed the connection and left the fake untouched."""
    status, headers, body, closed = exchange(server, *parts, **options)
    error = json.loads(body)
    assert set(error) == {"__type", "message"}
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-ErrorType"] == error["__type"]
    assert headers["Connection"] == "close"
    assert closed
    assert list(server.fake.events) == []
    return status, error["__type"], error["message"]


def answers(server):
    """The server still answers a well-formed request."""
    status, _, body, _ = exchange(server, LIST)
    return status == 200 and json.loads(body) == {"SecretList": []}


# -- bursts -------------------------------------------------------------------------------------


def test_server_holds_64_connection_attempts_while_it_is_busy():
    # Nothing accepts connections until all 64 are made: the kernel's listen queue holds them.
    httpd = _HTTPServer(("127.0.0.1", 0), SecretsManagerFake(), TIMEOUT)
    sockets = []
    try:
        for attempt in range(64):
            sock = socket.socket()
            sockets.append(sock)
            sock.settimeout(0.5)
            try:
                sock.connect(("127.0.0.1", httpd.port))
            except OSError as error:
                pytest.fail(f"connection attempt {attempt + 1} of 64 failed: {error!r}")
            sock.sendall(LIST.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
        serving = threading.Thread(target=httpd.serve_forever)
        serving.start()
        try:
            for sock in sockets:
                sock.settimeout(CLIENT_SECONDS)
                response = http.client.HTTPResponse(sock)
                response.begin()
                assert (response.status, response.read()) == (200, b'{"SecretList":[]}')
        finally:
            httpd.shutdown()
            serving.join()
    finally:
        for sock in sockets:
            sock.close()
        httpd.server_close()


def test_server_answers_bursts_of_64_simultaneous_clients(server):
    outcomes = []

    def client(barrier):
        barrier.wait()
        try:
            status, _, body, _ = exchange(server, LIST)
            outcomes.append("ok" if status == 200 else f"status {status}")
        except OSError as error:
            outcomes.append(type(error).__name__)

    started = time.monotonic()
    for _ in range(5):
        barrier = threading.Barrier(64)
        threads = [threading.Thread(target=client, args=(barrier,)) for _ in range(64)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(CLIENT_SECONDS)
    assert {outcome: outcomes.count(outcome) for outcome in outcomes} == {"ok": 320}
    # Loopback connections complete at once; the old listen queue of 5 made clients wait for
    # the kernel's retransmissions, a second and more each.
    assert time.monotonic() - started < 30


# -- request lines and headers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400, "BadRequest"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, "BadRequest"),  # TLS
        (b"POST / HTTP/1.1 extra\r\n\r\n", 400, "BadRequest"),
        (b"POST / HTTP/x.y\r\n\r\n", 400, "BadRequest"),
        (b"GET /\r\n\r\n", 400, "BadRequest"),
        (b"POST / HTTP/2.0\r\n\r\n", 505, "HTTPVersionNotSupported"),
        (b"BREW / HTTP/1.1\r\n\r\n", 501, "NotImplemented"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "RequestURITooLong"),
        (
            head(2, extra=b"X-Long: " + b"a" * 70_000 + b"\r\n") + b"{}",
            431,
            "RequestHeaderFieldsTooLarge",
        ),
        (
            head(2, extra=b"".join(b"X-%d: 1\r\n" % i for i in range(101))) + b"{}",
            431,
            "RequestHeaderFieldsTooLarge",
        ),
    ],
    ids=[
        "garbage",
        "tls-hello",
        "four-words",
        "bad-version",
        "no-version",
        "http2",
        "unknown-method",
        "long-request-line",
        "long-header",
        "too-many-headers",
    ],
)
def test_a_malformed_request_gets_a_json_error_and_the_server_goes_on(server, raw, status, code):
    assert refused(server, raw)[:2] == (status, code)
    assert answers(server)


def test_a_garbage_request_line_is_named_in_the_message(server):
    assert refused(server, b"GARBAGE\r\n\r\n") == (
        400,
        "BadRequest",
        "Bad request syntax ('GARBAGE')",
    )


# -- Content-Length ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim", [b"99999999999", b"1" * 5000, str(MAX_REQUEST_BYTES + 1).encode()]
)
def test_a_length_beyond_the_cap_is_refused_before_any_of_it_is_read(server, claim):
    started = time.monotonic()
    raw = head().replace(b"\r\n\r\n", b"\r\nContent-Length: " + claim + b"\r\n\r\n") + b"{}"
    assert refused(server, raw) == (413, *TOO_LARGE)
    assert time.monotonic() - started < TIMEOUT  # answered at once, not after a timeout
    assert answers(server)


def test_a_request_of_exactly_the_cap_is_read():
    # The largest valid request stays far under the cap; one at the cap reaches the fake.
    with Server(SecretsManagerFake()) as big:
        body = b"{" + b" " * (MAX_REQUEST_BYTES - 2) + b"}"
        status, _, data, _ = exchange(big, head(len(body), target="ListSecrets") + body)
        assert (status, json.loads(data)) == (200, {"SecretList": []})


def test_a_claimed_length_is_not_allocated_ahead_of_the_body(server):
    tracemalloc.start()
    try:
        assert refused(server, head(MAX_REQUEST_BYTES) + b'{"Name"') == (400, *TIMED_OUT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_REQUEST_BYTES / 4


@pytest.mark.parametrize(
    "value", [b"-1", b"-99999999999", b"+2", b"lots", b"0x2", b"2, 2", b"2 2", b"", b"\xb2"]
)
def test_an_unreadable_content_length_is_a_400(server, value):
    raw = head().replace(b"\r\n\r\n", b"\r\nContent-Length: " + value + b"\r\n\r\n") + b"{}"
    status, code, message = refused(server, raw)
    assert (status, code) == (400, "BadRequest")
    assert message.startswith("Content-Length must be one non-negative integer, got ")
    assert answers(server)


def test_two_different_content_lengths_are_a_400(server):
    raw = head(2).replace(b"\r\n\r\n", b"\r\nContent-Length: 3\r\n\r\n") + b"{} "
    assert refused(server, raw) == (
        400,
        "BadRequest",
        "Content-Length must be one non-negative integer, got '2, 3'.",
    )


def test_a_repeated_identical_content_length_is_read(server):
    raw = head(2, target="ListSecrets").replace(b"\r\n\r\n", b"\r\nContent-Length: 2\r\n\r\n")
    assert exchange(server, raw + b"{}")[0] == 200


def test_a_body_that_ends_early_is_refused_not_processed(server):
    # The client stops sending (half-closes) before the length it announced.
    raw = head(len(CREATE) + 10) + CREATE
    assert refused(server, raw, shut_write=True) == (400, *INCOMPLETE)
    assert answers(server)


def test_a_stalled_body_is_refused_after_the_request_timeout(server):
    started = time.monotonic()
    assert refused(server, head(len(CREATE) + 10) + CREATE) == (400, *TIMED_OUT)
    assert TIMEOUT <= time.monotonic() - started < TIMEOUT + CLIENT_SECONDS / 2
    assert answers(server)


def test_a_body_trickling_in_slower_than_the_timeout_is_refused(server):
    # Each byte comes before a read would time out; the whole body does not.
    parts = [head(len(CREATE)), *(CREATE[i : i + 1] for i in range(8))]
    assert refused(server, *parts, pause=TIMEOUT / 5) == (400, *TIMED_OUT)


def test_a_request_without_a_length_has_no_body(server):
    # HTTP/1.1: neither Content-Length nor Transfer-Encoding means an empty body, answered at
    # once (the fake reads an empty JSON 1.1 body as {}).
    started = time.monotonic()
    status, _, data, _ = exchange(server, head(target="ListSecrets"))
    assert (status, json.loads(data)) == (200, {"SecretList": []})
    assert time.monotonic() - started < TIMEOUT


def test_expect_100_continue_is_refused_before_the_body_is_sent(server):
    raw = head(MAX_REQUEST_BYTES + 1, extra=b"Expect: 100-continue\r\n")
    assert refused(server, raw) == (413, *TOO_LARGE)  # a final answer, not 100 Continue


def test_expect_100_continue_within_the_cap_continues(server):
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=CLIENT_SECONDS) as sock:
        sock.sendall(head(2, target="ListSecrets", extra=b"Expect: 100-continue\r\n"))
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"{}")
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert (response.status, response.read()) == (200, b'{"SecretList":[]}')


# -- Transfer-Encoding -------------------------------------------------------------------------


def chunked(*chunks, end=b"0\r\n\r\n"):
    head_ = head().replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    return head_ + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + end


def test_a_chunked_body_with_extensions_and_trailers_is_read(server):
    raw = chunked(CREATE[:10], CREATE[10:], end=b"0;done=yes\r\nX-Trailer: 1\r\n\r\n")
    raw = raw.replace(b"\r\n" + CREATE[:10], b";ext=1\r\n" + CREATE[:10], 1)
    status, _, data, _ = exchange(server, raw)
    assert (status, json.loads(data)["Name"]) == (200, "raw")


def test_a_chunked_body_beyond_the_cap_is_refused(server):
    big = b"x" * (512 * 1024)
    assert refused(server, chunked(big, big, b"x")) == (413, *TOO_LARGE)
    assert answers(server)


def test_a_chunk_claiming_more_than_the_cap_is_refused_before_it_is_read(server):
    raw = chunked(end=b"fffffffffff\r\n")
    assert refused(server, raw) == (413, *TOO_LARGE)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (chunked(end=b"zz\r\n"), "A chunk size is not a hexadecimal number."),
        (chunked(end=b"-1\r\n"), "A chunk size is not a hexadecimal number."),
        (chunked(end=b"1" * 2000), "A chunk size line is longer than 1024 bytes."),
        (chunked(end=b"2\r\nabcd\r\n0\r\n\r\n"), "A chunk is longer than its size says."),
        (chunked(end=b"0\r\n" + b"X: 1\r\n" * 101 + b"\r\n"), "More than 100 trailer fields."),
    ],
    ids=["not-hex", "negative", "long-size-line", "long-chunk", "too-many-trailers"],
)
def test_a_malformed_chunked_body_is_a_400(server, raw, message):
    assert refused(server, raw) == (400, "BadRequest", message)
    assert answers(server)


def test_a_chunked_body_that_ends_early_is_refused(server):
    raw = chunked(CREATE, end=b"")
    assert refused(server, raw, shut_write=True) == (
        400,
        "IncompleteBody",
        "The request body ended before its last chunk.",
    )


def test_transfer_encoding_with_content_length_is_refused(server):
    raw = chunked(CREATE).replace(b"\r\n\r\n", b"\r\nContent-Length: 5\r\n\r\n", 1)
    assert refused(server, raw) == (
        400,
        "BadRequest",
        "A request cannot have both Transfer-Encoding and Content-Length.",
    )


def test_a_transfer_coding_other_than_chunked_is_not_implemented(server):
    raw = chunked(CREATE).replace(
        b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip, chunked"
    )
    assert refused(server, raw) == (
        501,
        "NotImplemented",
        "Transfer-Encoding 'gzip, chunked' is not supported; only chunked is.",
    )


# -- the timeout's setting -----------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, -1, float("inf"), float("nan")])
def test_request_timeout_must_be_a_positive_number_of_seconds(seconds):
    with pytest.raises(
        UsageError, match=r"^request_timeout is a positive, finite number of seconds"
    ):
        Server(SecretsManagerFake(), request_timeout=seconds)


@pytest.mark.parametrize("text", ["0", "-1", "inf", "soon"])
def test_serve_refuses_a_request_timeout_that_is_not_a_positive_number(text, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--request-timeout", text])
    assert exited.value.code == 2
    assert (
        f"argument --request-timeout: invalid _seconds value: '{text}'" in capsys.readouterr().err
    )


# -- the server's log -----------------------------------------------------------------------------

CANARY = "canary-value-in-the-url"


def test_the_log_never_shows_a_query_string_or_a_refused_request_line(server, caplog):
    # A Query API GET carries its parameters, a SecretString among them, in the URL; a refused
    # request line is the client's own bytes. The log keeps method, path and status only.
    caplog.set_level("DEBUG", logger="smfake")
    query = f"/?Action=CreateSecret&Name=logged&SecretString={CANARY}&ClientRequestToken={'0' * 32}"
    request = f"GET {query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".encode()
    refused(server, f"GARBAGE {CANARY}\r\n\r\n".encode())
    status, _, _, _ = exchange(server, request)
    assert status == 200
    assert server.fake.events.count("CreateSecret") == 1
    logged = [record.getMessage() for record in caplog.records]
    assert any(" GET / 200" in line for line in logged), logged
    assert not any(CANARY in line for line in logged), logged
