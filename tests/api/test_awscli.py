"""The real AWS CLI against the loopback server. awscli pins its own botocore, so it lives in a
virtual environment of its own: SMFAKE_AWS_CLI names its ``aws`` executable (else ``aws`` on
PATH). Without one the tests skip, except under CI, where they fail."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from smfake import SecretsManagerFake
from smfake._api.server import Server

T0 = datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=timezone.utc)
# The CLI starts a Python interpreter and loads botocore's models: seconds, not minutes.
CLI_SECONDS = 120
CURRENT = ["AWSCURRENT"]


def aws_cli():
    path = os.environ.get("SMFAKE_AWS_CLI") or shutil.which("aws")
    if path:
        return path
    reason = (
        "the AWS CLI was not found: set SMFAKE_AWS_CLI to an `aws` executable "
        "(python3 -m venv /tmp/awscli && /tmp/awscli/bin/pip install awscli)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def cli(tmp_path):
    """Run ``aws --endpoint-url URL secretsmanager ARGS`` against a fresh fake's server."""
    executable = aws_cli()
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name != "SMFAKE_AWS_CLI"
    }
    environment.update(
        AWS_ACCESS_KEY_ID="AKIDAWSCLITEST000001",
        AWS_SECRET_ACCESS_KEY="dummy-secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
    )
    fake = SecretsManagerFake()
    fake.clock.set(T0)
    with Server(fake) as server:

        def run(*args):
            return subprocess.run(
                [executable, "--endpoint-url", server.url, "--output", "json"]
                + ["secretsmanager", *args],
                capture_output=True,
                text=True,
                env=environment,
                timeout=CLI_SECONDS,
            )

        run.fake = fake
        yield run


def ok(done):
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout) if done.stdout else None


def seconds(value):
    """A timestamp as the CLI prints it: epoch seconds (v1's default) or ISO 8601 (v2's)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).timestamp()
    return value


def test_create_get_describe_and_list(cli):
    created = ok(cli("create-secret", "--name", "x", "--secret-string", "y"))
    got = ok(cli("get-secret-value", "--secret-id", "x"))
    described = ok(cli("describe-secret", "--secret-id", created["ARN"]))
    listed = ok(cli("list-secrets"))

    arn, version = created["ARN"], created["VersionId"]
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:x-")
    assert created == {"ARN": arn, "Name": "x", "VersionId": version}
    assert {k: v for k, v in got.items() if k != "CreatedDate"} == {
        "ARN": arn,
        "Name": "x",
        "VersionId": version,
        "SecretString": "y",
        "VersionStages": CURRENT,
    }
    assert seconds(got["CreatedDate"]) == T0.timestamp()
    assert described["VersionIdsToStages"] == {version: CURRENT}
    assert seconds(described["LastChangedDate"]) == T0.timestamp()
    assert [(s["ARN"], s["Name"], s["SecretVersionsToStages"]) for s in listed["SecretList"]] == [
        (arn, "x", {version: CURRENT})
    ]
    assert [e.user_agent.split("/")[0] for e in cli.fake.events] == ["aws-cli"] * 4


def test_binary_secret_from_a_file(cli, tmp_path):
    (tmp_path / "blob").write_bytes(b"\x00\xff\x10")
    ok(cli("create-secret", "--name", "b", "--secret-binary", f"fileb://{tmp_path / 'blob'}"))
    assert ok(cli("get-secret-value", "--secret-id", "b"))["SecretBinary"] == "AP8Q"


def test_error_exit_status_and_message(cli):
    done = cli("get-secret-value", "--secret-id", "missing")
    # AWS CLI v1 exits 255 on a service error, v2 254.
    assert done.returncode in (254, 255)
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the GetSecretValue "
        "operation: Secrets Manager can't find the specified secret."
    )


def test_delete_and_restore(cli):
    ok(cli("create-secret", "--name", "d", "--secret-string", "v"))
    deleted = ok(cli("delete-secret", "--secret-id", "d", "--recovery-window-in-days", "7"))
    assert seconds(deleted["DeletionDate"]) == T0.timestamp() + 7 * 86400
    ok(cli("restore-secret", "--secret-id", "d"))
    assert ok(cli("get-secret-value", "--secret-id", "d"))["SecretString"] == "v"


def test_readme_commands_work_without_any_credentials(tmp_path):
    # The docs' serve example, run as written (the URL replaced), by a user with no AWS
    # configuration at all: no keys, no Region, no profile files.
    executable = aws_cli()
    docs = Path(__file__).resolve().parents[2] / "docs" / "http.md"
    readme = docs.read_text(encoding="utf-8")
    section = readme.split("## A loopback server for the AWS CLI and other SDKs", 1)[1]
    block = section.split("```", 2)[1].splitlines()
    commands = [shlex.split(line[2:]) for line in block if line.startswith("$ ") and "aws" in line]
    assert len(commands) == 2, block
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    }
    fake = SecretsManagerFake()
    with Server(fake) as server:
        for words in commands:
            at = words.index("aws")
            variables = dict(word.split("=", 1) for word in words[:at])
            arguments = [server.url if "127.0.0.1:43117" in w else w for w in words[at + 1 :]]
            done = subprocess.run(
                [executable, *arguments],
                capture_output=True,
                text=True,
                env={**environment, **variables},
                timeout=CLI_SECONDS,
            )
            assert done.returncode == 0, (words, done.stderr)
        assert json.loads(done.stdout)["SecretString"] == "s3cret"
