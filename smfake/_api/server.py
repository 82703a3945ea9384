"""``smfake serve``: the fake behind a loopback HTTP endpoint, for the AWS CLI, other SDKs and
programs in any language (``--endpoint-url http://127.0.0.1:PORT``).

Every request goes through ``fake.http.handle``, the front that in-process HTTP callers use,
so the server answers exactly what they get. The fake is never activated in this process:
nothing here goes through botocore, so there is nothing to intercept.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import logging
import os
import signal
import socket
import socketserver
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import TYPE_CHECKING, Any

from smfake.errors import SmfakeError, UnsupportedOperation, UsageError

if TYPE_CHECKING:
    from smfake._api.handle import SecretsManagerFake

DEFAULT_HOST = "127.0.0.1"
_log = logging.getLogger("smfake.server")


class Server:
    """A loopback endpoint serving ``fake`` from a background thread.

    ``server = Server(fake); server.start(); server.url; ...; server.stop()``, or as a context
    manager. ``port=0`` picks a free port; ``url`` tells which.
    """

    def __init__(self, fake: SecretsManagerFake, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self.fake = fake
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Server:
        """Bind and begin serving; raises OSError when the address cannot be bound."""
        if self._httpd is not None:
            raise UsageError("this Server is already started; stop() it first")
        httpd = _HTTPServer(self._address, self.fake)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, name=f"smfake-server-{httpd.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and wait for their threads; idempotent."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None or thread is None:
            return
        httpd.shutdown()
        thread.join()
        httpd.close_connections()
        httpd.server_close()

    @property
    def url(self) -> str:
        """``http://HOST:PORT``, to pass as ``endpoint_url``."""
        if self._httpd is None:
            raise UsageError("the Server is not started; call start() first")
        return f"http://{self._httpd.authority}"

    @property
    def loopback(self) -> bool:
        """Whether only this machine can connect."""
        if self._httpd is None:
            raise UsageError("the Server is not started; call start() first")
        return self._httpd.loopback

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class _HTTPServer(ThreadingHTTPServer):
    # Handler threads are joined at server_close, after stop() closed their connections: a
    # thread left running could still be writing to the fake.
    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], fake: SecretsManagerFake) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        family, *_, sockaddr = socket.getaddrinfo(*address, type=socket.SOCK_STREAM)[0]
        self.address_family = family
        super().__init__((str(sockaddr[0]), int(sockaddr[1])), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's fully qualified name, a DNS lookup that
        # nothing here needs (and that can hang on a machine without a resolver).
        socketserver.TCPServer.server_bind(self)
        self.host, self.port = self.socket.getsockname()[:2]
        self.server_name, self.server_port = self.host, self.port

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.host).is_loopback

    @property
    def authority(self) -> str:
        """``host:port`` as a URL spells it (an IPv6 address in brackets)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    # Connections are tracked from the serving thread, before their handler thread starts, so
    # that stop() sees every one of them.
    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        # Idle keep-alive connections would otherwise hold their threads until the client
        # goes away; shutting the sockets down ends those threads at once.
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections open between calls, as SDKs expect; every reply says its
    # length, which HTTP/1.1 requires.
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle's algorithm, the body of every reply on
    # a kept-alive connection waited for the client's delayed ACK (about 40 ms a call).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the connection was shut down by stop()
            super().finish()

    def do_POST(self) -> None:
        self._answer()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_POST

    def _answer(self) -> None:
        try:
            body = self._body()
        except ValueError:
            self.send_error(400, "Bad request body", "unreadable Content-Length or chunk size")
            return
        headers = _Headers(self.headers.items())
        try:
            reply = self.server.fake.http.handle(
                self.command,
                f"http://{self.server.authority}{self.path}",
                headers,
                body,
                source_ip=self.client_address[0],
            )
            status, reply_headers, data = reply.status, reply.headers, reply.body
        except UnsupportedOperation as error:
            # A 400 so that clients show the message instead of retrying.
            status, reply_headers, data = _error(400, "UnsupportedOperation", str(error))
        except Exception as error:
            _log.exception("smfake server: error while answering %s %s", self.command, self.path)
            message = f"smfake failed to answer this request ({type(error).__name__}: {error})"
            status, reply_headers, data = _error(500, "InternalFailure", message)
        # Not send_response(): it adds Server and Date headers, and the reply has its own Date.
        self.log_request(status)
        self.send_response_only(status)
        for name, value in reply_headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        if not any(name.lower() == "date" for name in reply_headers):
            self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return b"".join(self._chunks())
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _chunks(self) -> Iterator[bytes]:
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():
                    pass  # trailers
                return
            yield self.rfile.read(size)
            self.rfile.readline()

    def log_message(self, format: str, *args: object) -> None:
        # Request lines only (method, path, status): never a header or a body.
        _log.info("%s %s", self.client_address[0], format % args)


class _Headers(Mapping[str, str]):
    """Request headers with case-insensitive lookup, as HTTP defines them: SDKs differ in how
    they spell ``X-Amz-Target``. Repeated headers are joined with commas."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in items:
            key = name.lower()
            if key in self._items:
                value = f"{self._items[key][1]}, {value}"
            self._items[key] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps({"__type": code, "message": message}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-ErrorType": code,
    }
    return status, headers, data


# -- the command line -----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``smfake serve ...``; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return 2
    try:
        return _serve(args)
    except (SmfakeError, OSError) as error:
        print(f"smfake: {error}", file=sys.stderr, flush=True)
        return 1


def _serve(args: argparse.Namespace) -> int:
    from smfake._api import snapshot
    from smfake._api.handle import SecretsManagerFake
    from smfake._api.options import DEFAULT_ACCOUNT_ID, DEFAULT_REGION

    state: snapshot.Snapshot | None = None
    if args.state is not None and os.path.exists(args.state):
        state = snapshot.read_file(args.state)
    elif args.state is not None and not os.path.isdir(os.path.dirname(args.state) or "."):
        # Found out now rather than at shutdown, when the state would be lost.
        raise UsageError(f"cannot save the state to {args.state!r}: no such directory")
    # A state file remembers the account and Region it was saved with; the options win.
    saved_account = state.get("account_id") if state else None
    saved_region = state.get("region") if state else None
    fake = SecretsManagerFake(
        account_id=args.account_id or saved_account or DEFAULT_ACCOUNT_ID,
        region=args.region or saved_region or DEFAULT_REGION,
        seed=args.seed,
        verify_signatures=args.verify_signatures,
    )
    if state is not None:
        try:
            snapshot.load(fake, state)
        except UsageError as error:
            raise UsageError(f"{args.state!r}: {error}") from None
    for entry in args.access_key:
        key_id, _, rest = entry.partition(":")
        secret_key, _, account = rest.partition(":")
        fake.principals.add(key_id, secret_key or None, account_id=account or None)
    stop = threading.Event()
    _on_signals(stop)
    server = Server(fake, args.host, args.port).start()
    try:
        if not server.loopback:
            print(
                f"smfake: warning: listening on {args.host}, not a loopback address: anyone "
                "who can reach this port can read and change every secret",
                file=sys.stderr,
                flush=True,
            )
        print(f"smfake listening on {server.url}", flush=True)
        stop.wait()
    finally:
        server.stop()
    if args.state is not None:
        snapshot.save_file(fake, args.state)
        print(f"smfake: state saved to {args.state}", file=sys.stderr, flush=True)
    return 0


def _on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smfake", description="smfake: a fake of AWS Secrets Manager."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the fake over HTTP on this machine",
        description=(
            "Serve a fake AWS Secrets Manager over HTTP, for the AWS CLI, SDKs and other "
            "programs: aws --endpoint-url URL secretsmanager list-secrets. Prints "
            "'smfake listening on URL' once ready; stops on SIGINT or SIGTERM. Rotation "
            "functions cannot be registered in this mode: RotateSecret is refused."
        ),
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default: %(default)s; anything but a loopback address "
        "exposes every secret to the network)",
    )
    serve.add_argument(
        "--port", type=_port, default=0, help="port (default: 0, a free one: see the URL printed)"
    )
    serve.add_argument(
        "--state",
        metavar="FILE",
        help="load the state from FILE at start (if it exists) and save it there on SIGINT "
        "or SIGTERM. Secret values are written IN CLEAR TEXT (the file is made readable by "
        "its owner only)",
    )
    serve.add_argument("--account-id", help="the account (default: the state's, or 123456789012)")
    serve.add_argument("--region", help="the default Region (default: the state's, or us-east-1)")
    serve.add_argument(
        "--seed", type=int, help="seed of ARN suffixes and ids (a loaded state continues its own)"
    )
    serve.add_argument(
        "--access-key",
        action="append",
        default=[],
        metavar="ID:SECRET[:ACCOUNT]",
        help="register an access key acting as ACCOUNT's root (repeatable)",
    )
    serve.add_argument(
        "--verify-signatures",
        action="store_true",
        help="refuse requests not SigV4-signed by a key given with --access-key",
    )
    return parser
