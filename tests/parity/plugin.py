"""Parity mode: the behaviour tests against any Secrets Manager endpoint (docs/parity.md).

``pytest --sm-endpoint=URL`` (a loopback server: ``smfake serve``, moto, LocalStack),
``--sm-endpoint=aws --sm-allow-real-aws`` (real AWS, credentials from the environment) or
``--sm-endpoint=inprocess`` (the in-process fake through the same clients, for a recording to
compare with). Without ``--sm-endpoint`` nothing here is active and the suite runs as always.

The tests' clients come from ``make_client`` (tests/conftest.py), which asks ``client_for`` for
a boto3 client to the endpoint, instrumented by rewrite.Names. Tests that need what only a fake
can do are skipped with the reason (``fake_only_reasons``); tests that call no client at all
are deselected.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
import socket
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.parity.record import Normaliser
from tests.parity.rewrite import HOME_ACCOUNT, HOME_REGION, Names

_KEY = pytest.StashKey["Parity"]()
# The fixtures that make endpoint clients: a test that uses none of them is not a service test.
CLIENT_FIXTURE = "make_client"
_AWS_HOST = re.compile(r"^secretsmanager(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")

# What a test does with the fake, by the attribute it reads (fake.<attribute>).
_FAKE_USES = {
    "clock": "moves or reads the fake clock",
    "register_rotation_function": "registers rotation functions in the fake",
    "rotations": "reads the fake's rotation log",
    "add_secret": "seeds secrets with fake.add_secret",
    "kms": "uses the fake's KMS keys",
    "events": "reads fake.events",
    "faults": "injects faults",
    "principals": "calls as other principals or accounts",
    "http": "calls the fake's HTTP front",
}
_CUSTOMER_KEY = re.compile(r"\b(\w*KEY_ARN|KEY_ID|CUSTOMER_KEY_ID|customer_key)\b|alias/customer")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smfake-parity", "parity mode (docs/parity.md)")
    group.addoption(
        "--sm-endpoint",
        metavar="ENDPOINT",
        help="run the behaviour tests against ENDPOINT: a URL (http://127.0.0.1:4566), "
        "'aws' (needs --sm-allow-real-aws) or 'inprocess'",
    )
    group.addoption("--sm-region", default=HOME_REGION, help="Region (default: %(default)s)")
    group.addoption(
        "--sm-allow-real-aws",
        action="store_true",
        help="allow --sm-endpoint=aws to create (and force-delete) secrets in the account",
    )
    group.addoption(
        "--sm-record",
        metavar="FILE",
        help="write each test's calls and answers to FILE (JSON lines)",
    )


@dataclass
class TestRun:
    nodeid: str
    names: Names
    normaliser: Normaliser = field(default_factory=Normaliser)
    calls: list[dict[str, Any]] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)  # (Region, real ARN)


@dataclass(eq=False)
class Parity:
    endpoint: str
    region: str
    url: str | None
    record_path: str | None
    run_prefix: str = field(default_factory=lambda: f"smfake-parity-{uuid.uuid4().hex[:8]}")
    account: str = HOME_ACCOUNT
    current: TestRun | None = None
    count: int = 0
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    regions: set[str] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    resolved: set[str] = field(default_factory=set)
    _mock: Any = None
    _record: Any = None
    _reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    _runs: dict[str, TestRun] = field(default_factory=dict)

    # -- clients ------------------------------------------------------------------------------

    def _raw_client(self, region: str, config: Any = None) -> Any:
        import boto3
        from botocore.config import Config

        base = Config(connect_timeout=5, read_timeout=60)
        options: dict[str, Any] = {
            "region_name": region,
            "config": base.merge(config) if config is not None else base,
        }
        if self.url is not None:
            options.update(
                endpoint_url=self.url, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
        return boto3.client("secretsmanager", **options)

    def region_of(self, region: str) -> str:
        return self.region if region == HOME_REGION else region

    def client_for(self, region: str = HOME_REGION, config: Any = None) -> Any:
        """A boto3 client to the endpoint whose calls read as the test wrote them."""
        if region != HOME_REGION and region == self.region:
            pytest.skip(f"parity: the test uses Region {region}, the run's own (--sm-region)")
        actual = self.region_of(region)
        self.regions.add(actual)
        client = self._raw_client(actual, config)
        client.meta.events.register("before-parameter-build.secretsmanager", self._before)
        client.meta.events.register("after-call.secretsmanager", self._after)
        return client

    def _run(self) -> TestRun:
        if self.current is None:
            raise RuntimeError("parity: a client was used outside a test")
        return self.current

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["parity_params"] = copy.deepcopy(params)
        self._run().names.request(params)

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        run = self._run()
        if model.name == "CreateSecret" and "Error" not in parsed and "ARN" in parsed:
            region = context.get("client_region") or self.region
            run.created.append((region, parsed["ARN"]))
            self.created.append(parsed["ARN"])
        run.names.response(model.name, parsed)
        run.calls.append(run.normaliser.call(model.name, context.get("parity_params", {}), parsed))

    # -- one test -------------------------------------------------------------------------------

    def begin(self, nodeid: str) -> TestRun:
        self.count += 1
        prefix = f"{self.run_prefix}-{self.count}/"
        self.current = TestRun(nodeid, Names(prefix, self.account, self.region))
        self._runs[nodeid] = self.current
        return self.current

    def end(self, run: TestRun) -> None:
        self.current = None
        for region, arn in reversed(run.created):
            self._force_delete(region, arn)

    def _force_delete(self, region: str, arn: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        cleaner = self._raw_client(region)
        try:
            try:
                described = cleaner.describe_secret(SecretId=arn)
            except ClientError as error:
                if error.response["Error"]["Code"] == "ResourceNotFoundException":
                    self.deleted.append(arn)
                    return
                raise
            primary = described.get("PrimaryRegion", region)
            if primary != region:
                # A replica goes with its primary's RemoveRegionsFromReplication.
                self._raw_client(primary).remove_regions_from_replication(
                    SecretId=arn.replace(f":{region}:", f":{primary}:", 1),
                    RemoveReplicaRegions=[region],
                )
                self.deleted.append(arn)
                return
            replicas = [r["Region"] for r in described.get("ReplicationStatus", [])]
            if replicas:
                cleaner.remove_regions_from_replication(SecretId=arn, RemoveReplicaRegions=replicas)
            try:
                cleaner.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
            except ClientError as error:
                if error.response["Error"]["Code"] != "InvalidRequestException":
                    raise
                cleaner.restore_secret(SecretId=arn)
                cleaner.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
            self.deleted.append(arn)
        except (BotoCoreError, ClientError) as error:
            self.left.append(f"{arn}: {error}")

    def sweep(self) -> None:
        """Force-deletes whatever this run left under its prefix (a crash, Ctrl-C)."""
        from botocore.exceptions import BotoCoreError, ClientError

        done = set(self.deleted) | {entry.split(": ")[0] for entry in self.left}
        for region in sorted(self.regions):
            try:
                pages = (
                    self._raw_client(region)
                    .get_paginator("list_secrets")
                    .paginate(
                        Filters=[{"Key": "name", "Values": [self.run_prefix]}],
                        IncludePlannedDeletion=True,
                    )
                )
                found = [s["ARN"] for page in pages for s in page["SecretList"]]
            except (BotoCoreError, ClientError) as error:
                self.left.append(f"(listing {region} under {self.run_prefix}: {error})")
                continue
            for arn in found:
                if arn.split(":secret:")[-1].startswith(self.run_prefix) and arn not in done:
                    self._force_delete(region, arn)

    # -- the socket guard ------------------------------------------------------------------------

    def allows(self, address: Any) -> bool:
        if not isinstance(address, tuple) or not address:
            return False
        host = str(address[0])
        if self.url is not None and _is_loopback_host(urlparse(self.url).hostname or ""):
            return _is_loopback_host(host)
        return host in self.resolved

    def wants_name(self, host: Any) -> bool:
        if self.url is not None:
            return host == urlparse(self.url).hostname
        return self.endpoint == "aws" and isinstance(host, str) and bool(_AWS_HOST.match(host))

    # -- recording -------------------------------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self._reports.setdefault(report.nodeid, {"outcome": "passed"})
        if report.skipped:
            entry["outcome"] = "skipped"
            reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
            entry["reason"] = reason.removeprefix("Skipped: ")
        elif report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
        if report.when != "teardown":
            return
        self.outcomes[entry["outcome"]] += 1
        if entry["outcome"] == "skipped":
            self.skipped[entry.get("reason", "")] += 1
        if self._record is not None:
            run = self._runs.pop(report.nodeid, None)
            line = {"test": report.nodeid, **entry, "calls": run.calls if run else []}
            self._record.write(json.dumps(line, sort_keys=True) + "\n")
            self._record.flush()
        self._reports.pop(report.nodeid, None)


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parity_of(config: pytest.Config) -> Parity | None:
    return config.stash.get(_KEY, None)


# -- start and stop ---------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake_only(reason): the test needs what only the in-process fake can do; parity mode "
        "(--sm-endpoint) skips it with the reason",
    )
    endpoint = config.getoption("--sm-endpoint", None)
    if not endpoint:
        return
    region = config.getoption("--sm-region")
    if endpoint == "aws" and not config.getoption("--sm-allow-real-aws"):
        raise pytest.UsageError(
            "--sm-endpoint=aws creates and deletes secrets in a real AWS account; "
            "add --sm-allow-real-aws to confirm (use a dedicated account or Region)"
        )
    if endpoint not in ("aws", "inprocess") and not re.match(r"^https?://", endpoint):
        raise pytest.UsageError(
            f"--sm-endpoint={endpoint!r}: give a URL (http://127.0.0.1:4566), 'aws' or 'inprocess'"
        )
    if config.getoption("numprocesses", None):
        raise pytest.UsageError("parity mode runs in one process: drop -n")
    url = endpoint if endpoint.startswith("http") else None
    parity = Parity(endpoint, region, url, config.getoption("--sm-record"))
    if endpoint == "inprocess":
        from smfake import mock_secretsmanager

        parity._mock = mock_secretsmanager()
        parity._mock.start()
    _check_reachable(parity)
    if parity.record_path:
        parity._record = open(parity.record_path, "w", encoding="utf-8")  # noqa: SIM115
    config.stash[_KEY] = parity
    config.pluginmanager.register(parity, "smfake-parity-run")


def _check_reachable(parity: Parity) -> None:
    """A first ListSecrets with a short timeout: an endpoint that cannot be reached, or that
    refuses the credentials, stops the run before any test."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    quick = Config(connect_timeout=3, read_timeout=10, retries={"total_max_attempts": 1})
    try:
        parity._raw_client(parity.region, quick).list_secrets(MaxResults=1)
    except ClientError as error:
        raise pytest.UsageError(
            f"parity: {parity.endpoint} answered ListSecrets with {error}; check the endpoint "
            "and the credentials"
        ) from None
    except BotoCoreError as error:
        raise pytest.UsageError(f"parity: cannot reach {parity.endpoint}: {error}") from None
    parity.account = _account_of(parity, quick)


def _account_of(parity: Parity, config: Any) -> str:
    if parity.endpoint == "inprocess":
        return HOME_ACCOUNT
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    options: dict[str, Any] = {"region_name": parity.region, "config": config}
    if parity.url is not None:
        options.update(
            endpoint_url=parity.url, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
    try:
        return str(boto3.client("sts", **options).get_caller_identity()["Account"])
    except (BotoCoreError, ClientError, KeyError, ValueError):
        # An endpoint without STS (smfake serve): the account every fake defaults to.
        return HOME_ACCOUNT


def pytest_unconfigure(config: pytest.Config) -> None:
    parity = parity_of(config)
    if parity is None:
        return
    if parity._record is not None:
        parity._record.close()
    if parity._mock is not None:
        parity._mock.stop()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # trylast: after the runner's own teardown of the last test (also after Ctrl-C).
    parity = parity_of(session.config)
    if parity is not None:
        parity.current = None
        parity.sweep()


# -- collection: which tests run in both worlds ------------------------------------------------


def fake_only_reasons(item: pytest.Item) -> list[str]:
    reasons = [str(m.args[0]) for m in item.iter_markers("fake_only") if m.args]
    info = getattr(item, "_fixtureinfo", None)
    own = set(info.argnames) if info is not None else set()
    function = getattr(item, "function", None)
    source = _source(function)
    if "t0" in own:
        reasons.append("compares dates with the frozen fake clock (t0)")
    if "UnsupportedOperation" in source:
        reasons.append("checks smfake's own refusal of what it does not support")
    if _CUSTOMER_KEY.search(source):
        reasons.append("uses the customer managed key of the fake's KMS")
    if "fake" in getattr(item, "fixturenames", ()):
        users = [source] if "fake" in own else []
        if info is not None:
            for name, defs in info.name2fixturedefs.items():
                if name != "fake" and any("fake" in d.argnames for d in defs):
                    users += [_source(d.func) for d in defs]
        uses = {
            _FAKE_USES.get(attribute, f"uses fake.{attribute}")
            for text in users
            for attribute in re.findall(r"\bfake\.(\w+)", text)
        }
        reasons += sorted(uses) or ["uses the in-process fake"]
    return reasons


def _source(function: Any) -> str:
    import inspect

    try:
        return inspect.getsource(function) if function is not None else ""
    except (OSError, TypeError):
        return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if parity_of(config) is None:
        return
    keep, drop = [], []
    for item in items:
        if CLIENT_FIXTURE not in getattr(item, "fixturenames", ()):
            drop.append(item)
            continue
        keep.append(item)
        reasons = fake_only_reasons(item)
        if reasons:
            item.add_marker(pytest.mark.skip(reason="fake-only: " + "; ".join(reasons)))
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str | None:
    parity = parity_of(config)
    if parity is None:
        return None
    return (
        f"smfake parity: endpoint {parity.endpoint}, Region {parity.region}, account "
        f"{parity.account}, secret names under {parity.run_prefix}-N/"
    )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    parity = parity_of(config)
    if parity is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("smfake parity")
    write(f"endpoint: {parity.endpoint} (Region {parity.region}, account {parity.account})")
    ran = sum(n for outcome, n in parity.outcomes.items() if outcome != "skipped")
    write(f"tests run against the endpoint: {ran} ({dict(parity.outcomes)})")
    fake_only = sum(n for reason, n in parity.skipped.items() if reason.startswith("fake-only"))
    write(f"fake-only tests skipped: {fake_only}")
    write(
        f"secrets created: {len(parity.created)} (names under {parity.run_prefix}-N/), "
        f"force-deleted: {len(parity.deleted)}, left behind: {len(parity.left)}"
    )
    for entry in parity.left:
        write(f"  NOT DELETED: {entry}")
    if parity.record_path:
        write(f"recording: {parity.record_path}")


def guard_resolver(parity: Parity, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records the addresses the endpoint's host name resolves to, so that the socket guard
    lets exactly those through."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        answer = real(host, *args, **kwargs)
        if parity.wants_name(host):
            parity.resolved.update(str(entry[4][0]) for entry in answer)
        return answer

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
