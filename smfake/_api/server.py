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
import logging
import os
import signal
import socket
import socketserver
import sys
import threading
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from types import FrameType
from typing import TYPE_CHECKING, Any

from smfake._api.handler import DEFAULT_REQUEST_TIMEOUT, Handler
from smfake.errors import SmfakeError, UsageError

if TYPE_CHECKING:
    from smfake._api.handle import SecretsManagerFake

DEFAULT_HOST = "127.0.0.1"
# Connection attempts the kernel queues while the server is busy accepting others (the
# standard library's default is 5: bursts of clients saw connections time out or reset).
# Linux caps it at net.core.somaxconn (4096 on recent kernels, 128 on older ones).
LISTEN_BACKLOG = 1024
# How often the serving thread looks whether stop() was called (the standard library's 0.5 s
# made every stop() wait about that long).
STOP_POLL_SECONDS = 0.05
_DOCS = "docs/http.md#a-loopback-server-for-the-aws-cli-and-other-sdks"
_log = logging.getLogger("smfake.server")


class Server:
    """A loopback endpoint serving ``fake`` from a background thread.

    ``server = Server(fake); server.start(); server.url; ...; server.stop()``, or as a context
    manager. ``port=0`` picks a free port; ``url`` tells which. A request must arrive whole
    within ``request_timeout`` seconds of its first line, or it is refused.
    """

    def __init__(
        self,
        fake: SecretsManagerFake,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        if not 0 < request_timeout < float("inf"):
            raise UsageError(
                "request_timeout is a positive, finite number of seconds, got "
                f"{request_timeout!r} (see {_DOCS})"
            )
        self.fake = fake
        self._address = (host, port)
        self._request_timeout = request_timeout
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Server:
        """Bind and begin serving; raises OSError when the address cannot be bound."""
        if self._httpd is not None:
            raise UsageError("this Server is already started; stop() it first")
        httpd = _HTTPServer(self._address, self.fake, self._request_timeout)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": STOP_POLL_SECONDS},
            name=f"smfake-server-{httpd.port}",
            daemon=True,
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
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self, address: tuple[str, int], fake: SecretsManagerFake, request_timeout: float
    ) -> None:
        self.fake = fake
        self.request_timeout = request_timeout
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        family, *_, sockaddr = socket.getaddrinfo(*address, type=socket.SOCK_STREAM)[0]
        self.address_family = family
        super().__init__((str(sockaddr[0]), int(sockaddr[1])), Handler)

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

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request (reset, broken pipe) is no fault of the server's;
        # anything else is logged with its traceback instead of printed to stderr.
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            _log.debug("smfake server: connection from %s lost: %r", client_address[0], error)
        else:
            _log.exception("smfake server: error on a connection from %s", client_address[0])

    def close_connections(self) -> None:
        # Idle keep-alive connections would otherwise hold their threads until the client
        # goes away; shutting the sockets down ends those threads at once.
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


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
    from smfake._api.options import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Options

    state: snapshot.Snapshot | None = None
    if args.state is not None:
        # A save killed midway (SIGKILL, power loss) leaves its temporary file, secrets in clear.
        for name in snapshot.remove_temporaries(args.state):
            print(
                f"smfake: removed {name}, left by an interrupted save", file=sys.stderr, flush=True
            )
    if args.state is not None and os.path.exists(args.state):
        state = snapshot.read_file(args.state)
    elif args.state is not None and not os.path.isdir(os.path.dirname(args.state) or "."):
        # Found out now rather than at shutdown, when the state would be lost.
        raise UsageError(f"cannot save the state to {args.state!r}: no such directory")
    # A state file remembers the account and Region it was saved with; the options win.
    saved_account = state.get("account_id") if state else None
    saved_region = state.get("region") if state else None
    # The flags are the options of mock_secretsmanager() that make sense for a server.
    options = Options(
        account_id=args.account_id or saved_account or DEFAULT_ACCOUNT_ID,
        region=args.region or saved_region or DEFAULT_REGION,
        seed=args.seed,
        verify_signatures=args.verify_signatures,
        enforce_access=args.enforce_access,
    )
    fake = SecretsManagerFake._from_options(options)
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
    server = Server(fake, args.host, args.port, request_timeout=args.request_timeout).start()
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


def _seconds(text: str) -> float:
    seconds = float(text)
    if not 0 < seconds < float("inf"):
        raise ValueError(text)
    return seconds


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
        "--request-timeout",
        type=_seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="time a request may take to arrive after its first line; a slower or stalled "
        "body is refused (default: %(default)s)",
    )
    serve.add_argument(
        "--verify-signatures",
        action="store_true",
        help="refuse requests not SigV4-signed by a key given with --access-key",
    )
    serve.add_argument(
        "--enforce-access",
        action="store_true",
        help="authorize every call against the caller's IAM policies and the secret's resource "
        "policy, as mock_secretsmanager(enforce_access=True) does",
    )
    return parser
