"""Parity mode itself (docs/parity.md): the name mapping, the recording's normalisation, and
the run's refusals, each in a fresh pytest process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest

from smfake import SecretsManagerFake
from smfake._api.server import Server
from tests.parity.record import Normaliser
from tests.parity.rewrite import Names

ROOT = Path(__file__).resolve().parent.parent
HOME = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
NAMES = Names(prefix="run-7/", account="999988887777", region="eu-central-1")
REAL = "arn:aws:secretsmanager:eu-central-1:999988887777:secret:run-7/"


def test_names_and_arns_go_out_under_the_prefix_in_the_endpoints_account_and_region():
    params = {
        "SecretId": HOME + "s-AbCdEf",
        "SecretIdList": ["a", HOME + "b"],
        "Filters": [{"Key": "name", "Values": ["x", "!y"]}, {"Key": "tag-key", "Values": ["k"]}],
        "ResourcePolicy": f'{{"Resource": "{HOME}*"}}',
    }
    NAMES.request(params)

    assert params == {
        "SecretId": REAL + "s-AbCdEf",
        "SecretIdList": ["run-7/a", REAL + "b"],
        "Filters": [
            {"Key": "name", "Values": ["run-7/x", "!run-7/y"]},
            {"Key": "tag-key", "Values": ["k"]},
        ],
        "ResourcePolicy": f'{{"Resource": "{REAL}*"}}',
    }
    assert NAMES.name_out("") == ""


def test_answers_come_back_in_the_tests_view_with_only_its_own_secrets():
    parsed = {
        "SecretList": [
            {"ARN": REAL + "s-AbCdEf", "Name": "run-7/s"},
            {"ARN": "arn:aws:secretsmanager:eu-central-1:999988887777:secret:other", "Name": "o"},
        ],
        "Error": {"Message": f"secret {REAL}s-AbCdEf is marked"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    NAMES.response("ListSecrets", parsed)

    assert parsed["SecretList"] == [{"ARN": HOME + "s-AbCdEf", "Name": "s"}]
    assert parsed["Error"]["Message"] == f"secret {HOME}s-AbCdEf is marked"


def test_recording_numbers_ids_and_hides_what_differs_by_nature():
    normaliser = Normaliser()
    version = "6a2b3c4d-0000-4000-8000-00000000000a"
    parsed = {
        "ARN": HOME + "s-AbCdEf",
        "VersionIdsToStages": {version: ["AWSCURRENT"]},
        "VersionId": version,
        "CreatedDate": datetime(2024, 1, 1, tzinfo=timezone.utc),
        "NextToken": "opaque",
        "ResponseMetadata": {"HTTPStatusCode": 200, "RequestId": "r"},
    }
    assert normaliser.call("DescribeSecret", {"SecretId": "s"}, parsed) == {
        "operation": "DescribeSecret",
        "params": {"SecretId": "s"},
        "response": {
            "ARN": HOME + "s-<sfx1>",
            "VersionIdsToStages": {"<uuid1>": ["AWSCURRENT"]},
            "VersionId": "<uuid1>",
            "CreatedDate": "<date>",
            "NextToken": "<token>",
        },
        "status": 200,
    }
    error = {"Error": {"Code": "X", "Message": f"in {HOME}s-AbCdEf."}}
    error["ResponseMetadata"] = {"HTTPStatusCode": 400}
    assert normaliser.call("GetSecretValue", {}, error)["error"] == {
        "code": "X",
        "message": f"in {HOME}s-<sfx1>.",
        "status": 400,
    }


def run_pytest(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_real_aws_without_the_opt_in_refuses_to_start():
    result = run_pytest("tests/operations/test_restore_secret.py", "--sm-endpoint=aws")

    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "add --sm-allow-real-aws to confirm" in result.stderr


def test_an_endpoint_that_cannot_be_reached_stops_the_run_at_once():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    started = time.monotonic()
    result = run_pytest(
        "tests/operations/test_restore_secret.py", f"--sm-endpoint=http://127.0.0.1:{port}"
    )

    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"parity: cannot reach http://127.0.0.1:{port}" in result.stderr
    assert "passed" not in result.stdout
    assert time.monotonic() - started < 60


@pytest.mark.usefixtures("allow_loopback")
def test_a_parity_run_against_a_loopback_server_passes_records_and_cleans_up(tmp_path):
    record = tmp_path / "run.jsonl"
    fake = SecretsManagerFake()
    with Server(fake) as server:
        result = run_pytest(
            "tests/operations/test_restore_secret.py",
            f"--sm-endpoint={server.url}",
            f"--sm-record={record}",
        )
        remote = boto3.client(
            "secretsmanager",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        left = remote.list_secrets(IncludePlannedDeletion=True)["SecretList"]

    assert result.returncode == 0, result.stdout[-3000:]
    assert "left behind: 0" in result.stdout
    assert left == []
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    ran = [line for line in lines if line["outcome"] == "passed"]
    assert ran and all(line["calls"] for line in ran)
    skipped = [line for line in lines if line["outcome"] == "skipped"]
    assert all(line["reason"].startswith("fake-only: ") for line in skipped)
