"""How much of a request the loopback server reads, and reading it within bounds.

A request body is framed by ``Content-Length`` or by chunked transfer coding, nothing else.
Whatever a client claims, the server never holds more than ``MAX_REQUEST_BYTES`` of a body, and
never allocates ahead of what has arrived: a body is read in pieces of at most ``READ_SIZE``,
each socket read bounded by the time left to the request's deadline. A body that breaks these
rules is refused with a ``Refusal``: the status, error code and message of the answer.
"""

from __future__ import annotations

import re
import socket
import time
from email.message import Message
from io import BufferedReader

# The largest request body accepted: 1 MiB. AWS does not document one for Secrets Manager; its
# fronts answer 413 "HTTP content length exceeded N bytes." (seen from SQS and Step Functions,
# about 1 MiB for the latter). The largest valid request stays well under it: a 65,536-character
# SecretString escaped to six bytes a character in JSON is 393,216 bytes, or 589,824 in a Query
# API form body (nine bytes a character); every other member is far smaller.
MAX_REQUEST_BYTES = 1024 * 1024
READ_SIZE = 64 * 1024
CHUNK_LINE_LIMIT = 1024  # a chunk's size line: hex digits and extensions
TRAILER_LINE_LIMIT = 8192
MAX_TRAILERS = 100  # as many as http.server allows headers

BAD_REQUEST = "BadRequest"
TOO_LARGE = "RequestEntityTooLarge"
INCOMPLETE = "IncompleteBody"
TIMED_OUT = "RequestTimeout"
# The wording of AWS's own fronts for these cases (S3's error codes and messages for a short or
# stalled body; the JSON services' front for a long one).
TOO_LARGE_MESSAGE = f"HTTP content length exceeded {MAX_REQUEST_BYTES} bytes."
INCOMPLETE_MESSAGE = (
    "You did not provide the number of bytes specified by the Content-Length HTTP header."
)
TIMED_OUT_MESSAGE = (
    "Your socket connection to the server was not read from or written to within the timeout "
    "period. Idle connections will be closed."
)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class Refusal(Exception):
    """A request the server answers with an error, without passing it on to the fake."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def content_length(headers: Message) -> int | None:
    """The body's length as the headers frame it; None for a chunked body."""
    codings = headers.get_all("Transfer-Encoding") or []
    lengths = headers.get_all("Content-Length") or []
    if codings:
        # Both at once is how requests are smuggled past a proxy (RFC 9112, section 6.1).
        if lengths:
            raise Refusal(
                400, BAD_REQUEST, "A request cannot have both Transfer-Encoding and Content-Length."
            )
        coding = ", ".join(codings).strip().lower()
        if coding != "chunked":
            raise Refusal(
                501,
                "NotImplemented",
                f"Transfer-Encoding {coding!r} is not supported; only chunked is.",
            )
        return None
    if not lengths:
        return 0  # HTTP/1.1: a request with neither header has no body
    values = {value.strip() for value in lengths}
    value = values.pop()
    if values or not _DIGITS.fullmatch(value):
        raise Refusal(
            400,
            BAD_REQUEST,
            f"Content-Length must be one non-negative integer, got {', '.join(lengths)!r}.",
        )
    # Compared as text first: int() of a claim of thousands of digits costs time of its own.
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(MAX_REQUEST_BYTES)) or int(digits) > MAX_REQUEST_BYTES:
        raise Refusal(413, TOO_LARGE, TOO_LARGE_MESSAGE)
    return int(digits)


class BodyReader:
    """Reads one request body from ``stream`` (the connection's buffered reader over ``sock``)
    before ``deadline`` (a ``time.monotonic()`` reading)."""

    def __init__(self, stream: BufferedReader, sock: socket.socket, deadline: float) -> None:
        self._stream = stream
        self._socket = sock
        self._deadline = deadline

    def read(self, length: int | None) -> bytes:
        """The body: ``length`` bytes, or the chunks of a chunked body when it is None."""
        try:
            return self._chunked() if length is None else self._exactly(length)
        except TimeoutError:
            raise Refusal(400, TIMED_OUT, TIMED_OUT_MESSAGE) from None

    def _exactly(self, length: int, *, incomplete: str = INCOMPLETE_MESSAGE) -> bytes:
        pieces: list[bytes] = []
        while length > 0:
            self._arm()
            piece = self._stream.read1(min(length, READ_SIZE))
            if not piece:
                raise Refusal(400, INCOMPLETE, incomplete)
            pieces.append(piece)
            length -= len(piece)
        return b"".join(pieces)

    def _chunked(self) -> bytes:
        ended = "The request body ended before its last chunk."
        pieces: list[bytes] = []
        total = 0
        while True:
            line = self._line(CHUNK_LINE_LIMIT, "chunk size line", ended)
            size_text = line.split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                raise Refusal(400, BAD_REQUEST, "A chunk size is not a hexadecimal number.")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > MAX_REQUEST_BYTES:
                raise Refusal(413, TOO_LARGE, TOO_LARGE_MESSAGE)
            pieces.append(self._exactly(size, incomplete=ended))
            if self._exactly(2, incomplete=ended) != b"\r\n":
                raise Refusal(400, BAD_REQUEST, "A chunk is longer than its size says.")
        for _ in range(MAX_TRAILERS + 1):
            if not self._line(TRAILER_LINE_LIMIT, "trailer field", ended).strip():
                return b"".join(pieces)
        raise Refusal(400, BAD_REQUEST, f"More than {MAX_TRAILERS} trailer fields.")

    def _line(self, limit: int, what: str, incomplete: str) -> bytes:
        line = b""
        while not line.endswith(b"\n"):
            if len(line) >= limit:
                raise Refusal(400, BAD_REQUEST, f"A {what} is longer than {limit} bytes.")
            self._arm()
            # peek() reads the socket at most once; read() then takes only what it returned.
            buffered = self._stream.peek(1)
            if not buffered:
                raise Refusal(400, INCOMPLETE, incomplete)
            end = buffered.find(b"\n", 0, limit - len(line))
            line += self._stream.read(
                end + 1 if end >= 0 else min(len(buffered), limit - len(line))
            )
        return line

    def _arm(self) -> None:
        # Each socket read waits at most for the time left: a body that stalls, or trickles in
        # slower than the deadline allows, is refused instead of holding the connection.
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise Refusal(400, TIMED_OUT, TIMED_OUT_MESSAGE)
        self._socket.settimeout(left)
