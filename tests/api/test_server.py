"""The loopback server (smfake._api.server): boto3 clients with endpoint_url reach the fake over
real HTTP on 127.0.0.1, with no fake active in this process; ``python -m smfake serve`` saves
its state on SIGTERM and SIGINT and loads it again at the next start."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import stat
import subprocess
import sys
import threading

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from smfake import SecretsManagerFake, current_fake
from smfake._api.server import Server, main
from smfake.errors import UnsupportedOperation, UsageError
from tests.api.conftest import CREDENTIAL_VARS
from tests.conftest import error_of

pytestmark = pytest.mark.usefixtures("allow_loopback", "aws_environment")

ACCESS_KEY = "AKIDLOOPBACKTEST0001"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)")
# Bounds the wait for a subprocess to import botocore and print its URL.
STARTUP_SECONDS = 60
needs_signals = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
def aws_environment(monkeypatch, tmp_path):
    """No configuration of the machine's user reaches the clients."""
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, file in (("AWS_CONFIG_FILE", "config"), ("AWS_SHARED_CREDENTIALS_FILE", "creds")):
        (tmp_path / file).write_text("")
        monkeypatch.setenv(name, str(tmp_path / file))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def server():
    with Server(SecretsManagerFake()) as running:
        yield running


def remote(url, region="us-east-1"):
    return boto3.client(
        "secretsmanager",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key="dummy-secret",
        # A refused connection should fail at once, not after botocore's back-off.
        config=Config(retries={"total_max_attempts": 1}),
    )


# -- in process ---------------------------------------------------------------------------------


def test_server_answers_over_loopback_with_no_fake_active(server):
    with pytest.raises(UsageError):
        current_fake()
    assert URL.fullmatch(server.url)
    sm = remote(server.url)

    created = sm.create_secret(Name="app/db", SecretString="s3cret")
    got = sm.get_secret_value(SecretId="app/db")
    listed = sm.list_secrets()

    assert got["ARN"] == created["ARN"]
    assert got["SecretString"] == "s3cret"
    assert [s["Name"] for s in listed["SecretList"]] == ["app/db"]
    assert [e.event_name for e in server.fake.events] == [
        "CreateSecret",
        "GetSecretValue",
        "ListSecrets",
    ]
    assert {e.source_ip_address for e in server.fake.events} == {"127.0.0.1"}
    assert {e.user_identity["accessKeyId"] for e in server.fake.events} == {ACCESS_KEY}


def test_server_replies_without_waiting_for_the_clients_ack(server):
    # Headers and body are two writes; with Nagle's algorithm each reply on a kept-alive
    # connection waited for the client's delayed ACK (about 40 ms a call).
    client = remote(server.url)
    client.list_secrets()
    client.list_secrets()

    connections = list(server._httpd._connections)
    assert connections
    assert all(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for c in connections)


def test_server_returns_binary_values_intact(server):
    sm = remote(server.url)
    sm.create_secret(Name="blob", SecretBinary=b"\x00\xff\x10")
    assert sm.get_secret_value(SecretId="blob")["SecretBinary"] == b"\x00\xff\x10"


def test_server_errors_reach_the_client_as_aws_errors(server):
    sm = remote(server.url)
    sm.create_secret(Name="taken", SecretString="x")
    with pytest.raises(ClientError) as missing:
        sm.get_secret_value(SecretId="nope")
    with pytest.raises(ClientError) as taken:
        sm.create_secret(Name="taken", SecretString="y")
    assert error_of(missing) == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
        400,
    )
    assert error_of(taken) == (
        "ResourceExistsException",
        "The operation failed because the secret taken already exists.",
        400,
    )


def test_server_takes_the_region_from_the_signature(server):
    remote(server.url, "eu-west-1").create_secret(Name="eu", SecretString="x")
    assert remote(server.url, "eu-west-1").list_secrets()["SecretList"][0]["Name"] == "eu"
    assert remote(server.url, "us-east-1").list_secrets()["SecretList"] == []


CREATE = {
    "Name": "raw",
    "SecretString": "v",
    "ClientRequestToken": "00000000-0000-4000-8000-000000000001",
}


def post(server, body, headers, **options):
    """(status, body) of one request sent with http.client, outside any SDK."""
    port = int(URL.fullmatch(server.url).group(1))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/", body=body, headers=headers, **options)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_server_reads_header_names_in_any_case(server):
    headers = {
        "x-amz-target": "secretsmanager.CreateSecret",
        "content-type": "application/x-amz-json-1.1",
    }
    status, data = post(server, json.dumps(CREATE), headers)
    assert (status, json.loads(data)["Name"]) == (200, "raw")


def test_server_reads_a_chunked_body(server):
    chunks = [json.dumps(CREATE)[:10].encode(), json.dumps(CREATE)[10:].encode()]
    headers = {"X-Amz-Target": "secretsmanager.CreateSecret", "Transfer-Encoding": "chunked"}
    status, data = post(server, iter(chunks), headers, encode_chunked=True)
    assert (status, json.loads(data)["Name"]) == (200, "raw")


def test_server_refuses_an_unreadable_content_length(server):
    headers = {"X-Amz-Target": "secretsmanager.ListSecrets", "Content-Length": "lots"}
    status, _ = post(server, b"{}", headers)
    assert status == 400
    assert list(server.fake.events) == []


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 on this machine")
def test_server_on_ipv6_loopback():
    with Server(SecretsManagerFake(), "::1") as server:
        assert re.fullmatch(r"http://\[::1\]:\d+", server.url)
        assert server.loopback is True
        remote(server.url).create_secret(Name="six", SecretString="x")
        assert remote(server.url).list_secrets()["SecretList"][0]["Name"] == "six"


def test_unsupported_operation_is_a_400_with_the_reason(server, monkeypatch):
    def unsupported(*args, **kwargs):
        raise UnsupportedOperation("the ListSecrets operation")

    monkeypatch.setattr(server.fake.http, "handle", unsupported)
    with pytest.raises(ClientError) as excinfo:
        remote(server.url).list_secrets()
    assert error_of(excinfo) == (
        "UnsupportedOperation",
        "smfake does not support the ListSecrets operation yet; nothing was changed. "
        "See docs/operations.md#supported-operations for what is supported.",
        400,
    )


def test_a_failure_inside_the_fake_is_a_500_and_is_logged(server, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(server.fake.http, "handle", broken)
    with pytest.raises(ClientError) as excinfo:
        remote(server.url).list_secrets()
    assert error_of(excinfo) == (
        "InternalFailure",
        "smfake failed to answer this request (RuntimeError: boom)",
        500,
    )
    assert [r.getMessage() for r in caplog.records] == [
        "smfake server: error while answering POST /"
    ]


def test_stop_ends_the_server_and_its_connections():
    server = Server(SecretsManagerFake()).start()
    url = server.url
    remote(url).list_secrets()  # leaves a keep-alive connection open
    server.stop()
    # Neither the serving thread nor a connection's thread outlives stop().
    assert [
        t.name
        for t in threading.enumerate()
        if t.name.startswith("smfake-server") or "process_request" in t.name
    ] == []
    with pytest.raises(EndpointConnectionError):
        remote(url).list_secrets()
    server.stop()  # idempotent


def test_server_url_before_start_is_a_usage_error():
    with pytest.raises(UsageError, match=r"^the Server is not started; call start\(\) first$"):
        _ = Server(SecretsManagerFake()).url


# -- the command line ---------------------------------------------------------------------------


class Serving:
    """A ``python -m smfake serve`` subprocess, once it has printed its URL."""

    def __init__(self, *args):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smfake", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline())).start()
        try:
            self.first_line = lines.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            self.process.kill()
            self.process.communicate()
            pytest.fail(f"smfake serve printed no URL within {STARTUP_SECONDS} s")
        match = re.fullmatch(r"smfake listening on (http://[^\s]+)\n", self.first_line)
        if match is None:
            self.stop(signal.SIGKILL)
            pytest.fail(f"unexpected first line {self.first_line!r}; stderr: {self.stderr}")
        self.url = match.group(1)

    def stop(self, signum=signal.SIGTERM):
        """Send ``signum``; returns the exit status once the process is gone."""
        self.process.send_signal(signum)
        self.stdout, self.stderr = self.process.communicate(timeout=STARTUP_SECONDS)
        return self.process.returncode


@pytest.fixture
def serving():
    started = []

    def start(*args):
        started.append(Serving(*args))
        return started[-1]

    yield start
    for running in started:
        if running.process.poll() is None:
            running.stop(signal.SIGKILL)


@needs_signals
def test_serve_saves_its_state_on_sigterm_and_loads_it_at_restart(serving, tmp_path):
    state = tmp_path / "state.json"
    first = serving("--state", str(state))
    assert URL.fullmatch(first.url)
    arn = remote(first.url).create_secret(Name="kept", SecretString="across restarts")["ARN"]

    assert first.stop(signal.SIGTERM) == 0
    assert first.stderr == f"smfake: state saved to {state}\n"
    saved = json.loads(state.read_text())
    assert saved["format"] == 1
    assert [s["name"] for s in saved["stores"][0]["secrets"]] == ["kept"]

    second = serving("--state", str(state))
    got = remote(second.url).get_secret_value(SecretId="kept")
    assert (got["ARN"], got["SecretString"]) == (arn, "across restarts")
    assert second.stop(signal.SIGINT) == 0


# Saves the state given as argv[1] with a new secret, and stalls once the temporary file is
# written, for the test to kill it there.
SAVE_THEN_STALL = """
import os, sys, time
from smfake import SecretsManagerFake
from smfake._api import snapshot

fake = SecretsManagerFake()
fake.add_secret("new", "value in clear")
real_fsync = os.fsync

def stall(fd):
    real_fsync(fd)
    print("written", flush=True)
    time.sleep(STARTUP_SECONDS)

os.fsync = stall
snapshot.save_file(fake, sys.argv[1])
""".replace("STARTUP_SECONDS", str(STARTUP_SECONDS))


@needs_signals
def test_serve_removes_the_temporary_file_of_a_save_killed_midway(serving, tmp_path):
    folder = tmp_path / "states"
    folder.mkdir()
    state = folder / "state.json"
    first = serving("--state", str(state))
    remote(first.url).create_secret(Name="kept", SecretString="x")
    assert first.stop() == 0

    saving = subprocess.Popen(
        [sys.executable, "-c", SAVE_THEN_STALL, str(state)], stdout=subprocess.PIPE, text=True
    )
    try:
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(saving.stdout.readline()), daemon=True).start()
        assert lines.get(timeout=STARTUP_SECONDS) == "written\n"
    finally:
        saving.kill()  # SIGKILL: no handler, no cleanup
        saving.communicate()
    [left] = [p for p in folder.iterdir() if p.name != "state.json"]
    assert re.fullmatch(r"\.state\.json\.[0-9a-f]{16}\.tmp", left.name)
    assert "value in clear" in left.read_text()
    assert stat.S_IMODE(left.stat().st_mode) == 0o600

    second = serving("--state", str(state))
    assert [p.name for p in folder.iterdir()] == ["state.json"]
    assert remote(second.url).list_secrets()["SecretList"][0]["Name"] == "kept"
    assert second.stop() == 0
    assert second.stderr == (
        f"smfake: removed {left.name}, left by an interrupted save\n"
        f"smfake: state saved to {state}\n"
    )
    assert [p.name for p in folder.iterdir()] == ["state.json"]


@needs_signals
def test_serve_verifies_signatures_of_the_access_keys_it_was_given(serving):
    running = serving(
        "--verify-signatures", "--access-key", f"{ACCESS_KEY}:dummy-secret:210987654321"
    )
    created = remote(running.url).create_secret(Name="signed", SecretString="x")
    unsigned = boto3.client(
        "secretsmanager",
        endpoint_url=running.url,
        region_name="us-east-1",
        aws_access_key_id="AKIDUNKNOWNKEY000001",
        aws_secret_access_key="dummy-secret",
        config=Config(retries={"total_max_attempts": 1}),
    )
    with pytest.raises(ClientError) as excinfo:
        unsigned.list_secrets()
    assert running.stop() == 0
    assert created["ARN"].startswith("arn:aws:secretsmanager:us-east-1:210987654321:secret:")
    assert error_of(excinfo) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        400,
    )


@needs_signals
def test_serve_warns_when_listening_beyond_loopback(serving):
    running = serving("--host", "0.0.0.0")
    assert running.first_line.startswith("smfake listening on http://0.0.0.0:")
    assert running.stop() == 0
    assert running.stderr == (
        "smfake: warning: listening on 0.0.0.0, not a loopback address: anyone who can reach "
        "this port can read and change every secret\n"
    )


def test_serve_refuses_a_state_file_it_cannot_read(tmp_path, capsys):
    state = tmp_path / "state.json"
    state.write_text('{"format": 99}')
    assert main(["serve", "--state", str(state)]) == 1
    assert capsys.readouterr().err == (
        f"smfake: {str(state)!r}: snapshot format 99 is not one this smfake reads (format 1); "
        "was it written by a newer smfake?\n"
    )


def test_serve_refuses_a_state_file_it_could_not_save(tmp_path, capsys):
    state = tmp_path / "missing" / "state.json"
    assert main(["serve", "--state", str(state)]) == 1
    assert capsys.readouterr().err == (
        f"smfake: cannot save the state to {str(state)!r}: no such directory\n"
    )


def test_serve_refuses_a_bad_account_id(capsys):
    assert main(["serve", "--account-id", "12"]) == 1
    assert capsys.readouterr().err == (
        "smfake: account_id must be 12 digits, got '12' (see docs/activation.md#options)\n"
    )


def test_command_is_required(capsys):
    assert main([]) == 2
    assert "serve" in capsys.readouterr().err


def test_python_dash_m_smfake_shows_its_help():
    done = subprocess.run(
        [sys.executable, "-m", "smfake", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert done.returncode == 0
    assert "IN CLEAR TEXT" in done.stdout
    assert done.stdout.startswith("usage: smfake serve [-h] [--host HOST] [--port PORT]")


@needs_signals
def test_serve_enforces_access_when_asked(serving):
    deny_reads = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ],
        }
    )
    results = {}
    for flags in ((), ("--enforce-access",)):
        running = serving(*flags)
        client = remote(running.url)
        client.create_secret(Name="guarded", SecretString="x")
        client.put_resource_policy(SecretId="guarded", ResourcePolicy=deny_reads)
        try:
            results[flags] = client.get_secret_value(SecretId="guarded")["SecretString"]
        except ClientError as error:
            results[flags] = error.response["Error"]["Code"]
        assert running.stop() == 0
    assert results == {(): "x", ("--enforce-access",): "AccessDeniedException"}
