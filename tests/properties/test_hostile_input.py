"""Generated input, valid and hostile, for every operation smfake serves, on every front: a boto3
client (validating client-side or not), raw JSON 1.1 and the Query API through
``fake.http.handle``, and the loopback server over real HTTP.

Requests are drawn from botocore's model of each operation's input: valid values, values at and
beyond the model's bounds, values of the wrong type, nesting far deeper than the model (up to
tens of thousands of levels), members the operation does not define, and malformed bodies.
A canary value is sent where no record may show it: under the model's sensitive members,
under names the operation does not define (at the top and inside structures), and inside
values of the wrong type. Every answer must be:

* a success, or an AWS-shaped 4xx (``__type`` and a message; for the Query API an XML
  ``ErrorResponse`` with Code and Message), or smfake's deliberate UnsupportedOperation;
  never a Python exception out of the fake and never a 5xx (no fault is injected here);
* for any failure, with the fake's state exactly as before;
* without the canary in ``fake.events`` (reprs, ``request_parameters``, ``to_cloudtrail()``),
  ``repr(fake)``, the ``smfake`` logger's DEBUG output or an error message.

Budget: a few examples per operation and front by default, so that the file runs in seconds;
``SMFAKE_HYPOTHESIS_PROFILE=long`` (or ``--hypothesis-profile=long``) runs hundreds each.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import logging
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple
from urllib.parse import urlencode

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from smfake import SecretsManagerFake, mock_secretsmanager
from smfake._api.server import Server
from smfake._api.snapshot import dump
from smfake._wire.model import service_model
from smfake._wire.operations import OPERATIONS
from smfake.errors import UnsupportedOperation
from tests.conftest import assert_shape
from tests.operation_examples import POLICY

CANARY = "c4n4ry-b7e1-never-recorded"
URL = "https://secretsmanager.us-east-1.amazonaws.com/"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Requests are drawn from the installed model's shapes: an operation newer than it (served all
# the same) is left to the newer botocores of CI's other legs.
SERVED = sorted(set(OPERATIONS) & set(service_model().operation_names))
# Names no operation of the model defines, or that another operation defines: a misspelt
# member, a sensitive member sent to the wrong operation, made-up names.
UNDEFINED = ["secretString", "SecretString", "SecretBinary", "RotationToken", "RandomPassword",
             "Password", "secret_string", "Value", "X", "__type"]  # fmt: skip
DEPTHS = [3, 40, 990, 1_200, 20_000]
# Members of managed external secrets: drawn seldom, so most requests concern ordinary secrets.
SELDOM = {"Type", "ExternalSecretRotationMetadata", "ExternalSecretRotationRoleArn"}
JUNK_BODIES = [b"{", b"[1]", b"null", b'"x"', b"\xff\xfe", b'{"a":1} x', b"{}" * 3, b"\x00"]


def _budget() -> int:
    # A profile loaded on demand (SMFAKE_HYPOTHESIS_PROFILE, --hypothesis-profile) that asks for
    # more examples than Hypothesis's default decides; otherwise a few per operation and front.
    loaded = settings().max_examples
    return loaded if loaded > settings.get_profile("default").max_examples else 10


BUDGET = settings(
    max_examples=_budget(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class Deep(NamedTuple):
    """A value nested ``depth`` levels deep, written out as text: too deep for json.dumps."""

    depth: int
    kind: str  # "[" or "{"

    def json(self) -> str:
        if self.kind == "[":
            return "[" * self.depth + json.dumps(CANARY) + "]" * self.depth
        return '{"k":' * self.depth + json.dumps(CANARY) + "}" * self.depth


@dataclass
class Context:
    """What the seeded state offers a request to aim at."""

    arn: str
    version: str
    lambda_arn: str


# -- strategies from the model ----------------------------------------------------------------


def _model() -> Any:
    return service_model()


def _input(operation: str) -> Any:
    return _model().operation_model(operation).input_shape


CHARACTERS = st.characters(codec="utf-8", exclude_characters="\x00", exclude_categories=("Cs",))
# A lone surrogate: JSON can escape one (\ud800), no Unicode text holds one.
LONE = st.sampled_from(["\ud800", "\udfff", "\ud83d"])
T0 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


OTHER_ACCOUNT_ARNS = [
    "arn:aws:secretsmanager:us-east-1:210987654321:secret:app-AbCdEf",
    "arn:aws:secretsmanager:eu-west-1:210987654321:secret:app-AbCdEf",
    "arn:aws:secretsmanager:us-east-1:210987654321:secret:app",
]


def texts(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    plain = st.text(CHARACTERS, min_size=min_size, max_size=max_size)
    return _weighted(plain, st.builds(str.__add__, plain, LONE), 1 / 40)


def _named(name: str, ctx: Context) -> st.SearchStrategy[Any] | None:
    """Values that make a member's request reach the domain rather than its validation."""
    token = st.sampled_from([str(uuid.UUID(int=n)) for n in (1, 2, 3)] + [ctx.version])
    table: dict[str, st.SearchStrategy[Any]] = {
        "SecretId": st.sampled_from(["app", "bin", ctx.arn, ctx.arn[:-7], "gone", "nope"]),
        "Name": st.sampled_from(["new", "app", "n/ew_1+=.@-", "bad name!"]),
        "ClientRequestToken": token,
        "VersionId": token,
        "MoveToVersionId": token,
        "RemoveFromVersionId": token,
        "VersionStage": st.sampled_from(["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "mine"]),
        "ResourcePolicy": st.sampled_from([POLICY, "{}", "not json", '{"Version":1}']),
        "RotationLambdaARN": st.sampled_from([ctx.lambda_arn, "arn:aws:lambda:x"]),
        "KmsKeyId": st.sampled_from(["alias/aws/secretsmanager", "", "alias/none"]),
        "Region": st.sampled_from(["us-west-2", "eu-west-1", "us-east-1", "xx-1"]),
        # An empty Type is no Type; a partner Type now and then.
        "Type": st.sampled_from(["", "", "", "aws-rds"]),
        # Cross-account replication: another account's secret, the caller's own, another
        # Region's, a partial ARN.
        "CrossAccountPrimaryARN": st.sampled_from(OTHER_ACCOUNT_ARNS + [ctx.arn]),
        "CrossAccountReplicaARN": st.sampled_from(OTHER_ACCOUNT_ARNS + [ctx.arn]),
    }
    return table.get(name)


def valid(shape: Any, ctx: Context, name: str = "") -> st.SearchStrategy[Any]:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "string":
        named = _named(name, ctx)
        if named is not None:
            return _weighted(named, texts(), 1 / 4)
        if getattr(shape, "enum", None):
            return st.sampled_from([*shape.enum, "bogus"])
        if meta.get("pattern"):
            low, high = meta.get("min", 0), min(meta.get("max", 40), 40)
            regex = st.from_regex(meta["pattern"], fullmatch=True)
            return regex.filter(lambda s: low <= len(s) <= high) | texts()
        return texts(meta.get("min", 0), 24)
    if kind in ("integer", "long"):
        return st.integers(meta.get("min", -5), min(meta.get("max", 400), 400))
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(min_size=1, max_size=8)
    if kind == "list":
        item = shape.member
        item_name = "Region" if name == "RemoveReplicaRegions" else ""
        if name == "VersionStages":
            item_name = "VersionStage"
        if name == "SecretIdList":
            item_name = "SecretId"
        low = meta.get("min", 0)
        return st.lists(valid(item, ctx, item_name), min_size=low, max_size=max(low, 3))
    if kind == "structure":
        return st.fixed_dictionaries(
            {}, optional={n: valid(m, ctx, n) for n, m in shape.members.items()}
        )
    raise AssertionError(f"no strategy for {kind}")


def boundary(shape: Any) -> st.SearchStrategy[Any]:
    """Just outside (or at) the model's bounds."""
    kind = shape.type_name
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    if kind in ("integer", "long"):
        return st.sampled_from(
            [v for v in (low, high) if v is not None]
            + [v - 1 for v in (low,) if v is not None]
            + [v + 1 for v in (high,) if v is not None]
            + [2**63, -(2**63) - 1, 10**30]
        )
    if kind in ("string", "blob", "list"):
        sizes = [size for size in (low - 1 if low else None, high + 1 if high else None) if size]
        sizes = [size for size in sizes if size >= 0] or [0]
        if kind == "list":
            return st.sampled_from(sizes).map(lambda n: ["x"] * n)
        if kind == "blob":
            return st.sampled_from(sizes).map(lambda n: b"x" * n)
        return st.sampled_from(sizes).map(lambda n: "x" * n)
    return st.just(None)


def wrong_type(shape: Any) -> st.SearchStrategy[Any]:
    """A value of another JSON type, with the canary inside where it can hold one."""
    kind = shape.type_name
    candidates: list[Any] = [[CANARY], {"k": CANARY}, 1.5, None]
    if kind != "string":
        candidates.append(CANARY)
    if kind not in ("integer", "long"):
        candidates.append(7)
    if kind != "boolean":
        candidates.append(True)
    if kind == "list":
        candidates.remove([CANARY])
        candidates.append([{"k": CANARY}] if shape.member.type_name != "structure" else [CANARY])
    if kind == "structure":
        candidates.remove({"k": CANARY})
    return st.sampled_from(candidates)


def deep() -> st.SearchStrategy[Deep]:
    return st.builds(Deep, st.sampled_from(DEPTHS), st.sampled_from(["[", "{"]))


def canary_value(shape: Any | None) -> st.SearchStrategy[Any]:
    """What goes under a sensitive member or a name the operation does not define."""
    options: list[st.SearchStrategy[Any]] = [
        st.sampled_from([CANARY, CANARY + "\udfff"]),
        st.just({"Inner": CANARY}),
        st.just([CANARY, {"Inner": [CANARY]}]),
    ]
    if shape is not None and shape.type_name == "blob":
        options.append(st.just(CANARY.encode()))
    return _weighted(st.one_of(options), deep(), 1 / 8)


def _weighted(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], share: float) -> Any:
    # sampled_from draws about evenly; one_of, integers and floats lean towards some branches
    # or their bounds, which made the rare case the usual one.
    flags = [False] * round(1 / share - 1) + [True]
    return st.sampled_from(flags).flatmap(lambda rare_case: rare if rare_case else usual)


def member_value(
    shape: Any, name: str, ctx: Context, hostile: bool = False
) -> st.SearchStrategy[Any]:
    """A value for one member; ``hostile``: this member (or one inside it) is the one broken."""
    if shape.metadata.get("sensitive"):
        return canary_value(shape) if hostile else _sensitive_valid(shape)
    kind = shape.type_name
    inner = None
    if kind == "structure":
        good = structures(shape, ctx)
        inner = structures(shape, ctx, hostile=True)
    elif kind == "list" and shape.member.type_name == "structure":
        low = shape.metadata.get("min", 0)
        good = st.lists(structures(shape.member, ctx), min_size=low, max_size=max(low, 3))
        inner = st.lists(structures(shape.member, ctx, hostile=True), min_size=1, max_size=2)
    elif kind == "list":
        good = valid(shape, ctx, name)
        broken = st.one_of(wrong_type(shape.member), deep())
        inner = st.lists(broken, min_size=1, max_size=2)
    else:
        good = valid(shape, ctx, name)
    if not hostile:
        return _weighted(good, boundary(shape), 1 / 40)
    outer = st.one_of(boundary(shape), wrong_type(shape), deep())
    return outer if inner is None else st.one_of(outer, inner)


def _sensitive_valid(shape: Any) -> st.SearchStrategy[Any]:
    if shape.type_name == "blob":
        return st.just(CANARY.encode())
    if shape.metadata.get("pattern"):  # the rotation token
        return st.just(CANARY.replace("-", "").ljust(40, "a"))
    return _weighted(st.just(CANARY), st.just(CANARY + "\ud800"), 1 / 10)


@st.composite
def structures(draw: Any, shape: Any, ctx: Context, hostile: bool = False) -> dict[str, Any]:
    target = draw(st.sampled_from(list(shape.members))) if hostile else None
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        if name == target or draw(st.booleans()):
            out[name] = draw(member_value(member, name, ctx, hostile=name == target))
    if draw(st.sampled_from(range(4))) == 0:  # a key the structure does not define
        out[draw(st.sampled_from(["Secret", "secretString", "Extra"]))] = draw(canary_value(None))
    return out


@st.composite
def requests(draw: Any, operation: str, ctx: Context, hostile: bool) -> dict[str, Any]:
    """A request for ``operation``. Hostile ones break one member (most of the time) and add
    names the operation does not define; the rest aim at reaching the domain."""
    shape = _input(operation)
    required = set(shape.required_members)
    target = None
    if hostile and draw(st.sampled_from(range(3))) > 0:
        target = draw(st.sampled_from(list(shape.members)))
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        # Required members (and the token botocore fills in) are usually there, others half
        # the time, the members of managed external secrets seldom.
        odds = 9 if name in required or name == "ClientRequestToken" else 5
        odds = 1 if name in SELDOM else odds
        if name == target or draw(st.sampled_from(range(10))) < odds:
            params[name] = draw(member_value(member, name, ctx, hostile=name == target))
    if hostile:
        for name in draw(st.lists(st.sampled_from(UNDEFINED), max_size=2, unique=True)):
            if name not in shape.members:
                params[name] = draw(canary_value(None))
    return params


# -- writing a request for each front ---------------------------------------------------------


def to_json(value: Any) -> str:
    if isinstance(value, Deep):
        return value.json()
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        return json.dumps(base64.b64encode(value).decode())
    return json.dumps(value)


def to_form(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The Query API's flattening (``Tags.member.1.Key``); values of any type become text,
    nesting becomes dotted names."""
    pairs = [("Action", operation)]

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, Deep):
            segment = ".member.1" if value.kind == "[" else ".k"
            pairs.append((prefix + segment * min(value.depth, 5_000), CANARY))
        elif isinstance(value, dict):
            for key, item in value.items():
                add(f"{prefix}.{key}", item)
        elif isinstance(value, list):
            if not value:
                pairs.append((prefix, ""))
            for index, item in enumerate(value, start=1):
                add(f"{prefix}.member.{index}", item)
        elif isinstance(value, (bytes, bytearray)):
            pairs.append((prefix, base64.b64encode(value).decode()))
        elif isinstance(value, bool):
            pairs.append((prefix, "true" if value else "false"))
        elif value is None:
            pairs.append((prefix, ""))
        else:
            # A form carries UTF-8: a lone surrogate cannot be sent, a replacement is.
            pairs.append((prefix, str(value).encode("utf-8", "replace").decode()))

    for name, value in params.items():
        add(name, value)
    return pairs


def json_headers(operation: str) -> dict[str, str]:
    return {
        "X-Amz-Target": f"secretsmanager.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }


# -- state, seeding, checks -------------------------------------------------------------------


def seed(fake: SecretsManagerFake) -> Context:
    fake.reset()
    fake.clock.set(T0)
    arn = fake.add_secret("app", "app-value", description="d", tags={"team": "a"})
    fake.add_secret("bin", b"\x00\x01")
    fake.add_secret("gone", "x")
    fake.http.handle("POST", URL, json_headers("DeleteSecret"), b'{"SecretId":"gone"}')
    described = fake.http.handle("POST", URL, json_headers("DescribeSecret"), b'{"SecretId":"app"}')
    version = next(iter(json.loads(described.body)["VersionIdsToStages"]))
    lambda_arn = fake.register_rotation_function("rotator", lambda event, context: None)
    fake.events.clear()
    return Context(arn, version, lambda_arn)


def state(fake: SecretsManagerFake) -> dict[str, Any]:
    # Every call draws a request id: the generator's position may move, nothing else.
    return {key: value for key, value in dump(fake).items() if key != "ids"}


@pytest.fixture(scope="module")
def log_text() -> Iterator[io.StringIO]:
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger("smfake")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield text
    logger.removeHandler(handler)
    logger.setLevel(old_level)


class Outcome(NamedTuple):
    failed: bool
    texts: list[str]  # error messages, shown to the caller


def check_after(fake: SecretsManagerFake, before: dict[str, Any], outcome: Outcome,
                log_text: io.StringIO) -> None:  # fmt: skip
    if outcome.failed:
        assert state(fake) == before, "a failed call changed the fake's state"
    texts = [
        *outcome.texts,
        repr(fake),
        repr(fake.events),
        fake.events.to_cloudtrail(),
        log_text.getvalue(),
    ]
    for record in fake.events:
        texts += [repr(record), repr(record.request_parameters), json.dumps(record.to_dict())]
    for text in texts:
        assert CANARY not in text
        assert base64.b64encode(CANARY.encode()).decode() not in text
    log_text.seek(0)
    log_text.truncate()
    read_back(fake)


def read_back(fake: SecretsManagerFake) -> None:
    """What a success stored can be read again: listed, described and fetched."""
    listed = fake.http.handle(
        "POST", URL, json_headers("ListSecrets"), b'{"IncludePlannedDeletion":true}'
    )
    assert listed.status == 200, listed.body[:300]
    for entry in json.loads(listed.body)["SecretList"]:
        for operation in ("DescribeSecret", "GetSecretValue", "ListSecretVersionIds"):
            body = json.dumps({"SecretId": entry["ARN"]}).encode()
            reply = fake.http.handle("POST", URL, json_headers(operation), body)
            json_outcome(reply.status, reply.body, label=False)


def json_outcome(status: int, body: bytes, *, label: bool = True) -> Outcome:
    assert status < 500, body[:300]
    if status >= 400:
        document = json.loads(body)
        assert isinstance(document.get("__type"), str), document
        if label:
            event(f"{status} {document['__type']}")
        message = document.get("message", document.get("Message"))
        assert isinstance(message, str), document
        return Outcome(True, [body.decode()])
    assert status == 200
    assert isinstance(json.loads(body or b"{}"), dict)
    if label:
        event("200")
    return Outcome(False, [])


def query_outcome(operation: str, status: int, body: bytes) -> Outcome:
    assert status < 500, body[:300]
    root = ElementTree.fromstring(body)
    if status >= 400:
        assert root.tag.endswith("ErrorResponse"), body[:300]
        error = root.find("{*}Error")
        assert error is not None
        assert error.findtext("{*}Code") and error.findtext("{*}Message") is not None
        event(f"{status} {error.findtext('{*}Code')}")
        return Outcome(True, [body.decode()])
    assert status == 200
    assert root.tag.endswith(f"{operation}Response"), body[:300]
    event("200")
    return Outcome(False, [])


# -- the fronts --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def active() -> Iterator[SecretsManagerFake]:
    with mock_secretsmanager(seed=7) as fake:
        yield fake


@pytest.fixture(scope="module")
def clients(active: SecretsManagerFake) -> dict[bool, Any]:
    config = {"retries": {"total_max_attempts": 1}}
    return {
        validated: boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            aws_access_key_id="AKIDPROPERTY00000001",
            aws_secret_access_key="x",
            config=Config(parameter_validation=validated, **config),
        )
        for validated in (True, False)
    }


def _for_boto3(shape: Any, value: Any) -> bool:
    # What botocore's serialiser takes without raising itself (with validation off it still
    # calls .items() on structures and base64-encodes blobs): values of the member's container
    # type, any JSON scalar where a scalar goes. Deep values are too deep for its JSON encoder.
    kind = shape.type_name
    if isinstance(value, Deep) or value is None:
        return False
    if kind == "structure":
        return isinstance(value, dict) and all(
            key in shape.members and _for_boto3(shape.members[key], item)
            for key, item in value.items()
        )
    if kind == "list":
        return isinstance(value, list) and all(_for_boto3(shape.member, v) for v in value)
    if kind == "blob":  # botocore encodes a str blob to UTF-8 itself
        return isinstance(value, bytes) or (isinstance(value, str) and value.isascii())
    return isinstance(value, (str, int, float, bool))


@pytest.mark.parametrize("operation", SERVED)
@BUDGET
@given(data=st.data())
def test_hostile_input_through_boto3(active, clients, log_text, operation, data):
    ctx = seed(active)
    shape = _input(operation)
    params = data.draw(requests(operation, ctx, hostile=data.draw(st.booleans())))
    params = {
        key: value
        for key, value in params.items()
        if key in shape.members and _for_boto3(shape.members[key], value)
    }
    validated = data.draw(st.booleans())
    client = clients[validated]
    method = getattr(client, xform_name(operation))
    before = state(active)
    try:
        response = method(**params)
    except ParamValidationError:  # botocore refused it (its message, not the fake's): unsent
        event("ParamValidationError")
        outcome = Outcome(True, [])
    except ClientError as error:
        meta = error.response["ResponseMetadata"]
        assert 400 <= meta["HTTPStatusCode"] < 500, error.response
        assert error.response["Error"]["Code"] and "Message" in error.response["Error"]
        event(f"{meta['HTTPStatusCode']} {error.response['Error']['Code']}")
        outcome = Outcome(True, [str(error), repr(error.response)])
    except UnsupportedOperation as error:
        event("UnsupportedOperation")
        outcome = Outcome(True, [str(error)])
    else:
        assert_shape(client, operation, response)
        event("200")
        outcome = Outcome(False, [])
    check_after(active, before, outcome, log_text)


@pytest.mark.parametrize("operation", SERVED)
@BUDGET
@given(data=st.data())
def test_hostile_input_through_raw_json(active, log_text, operation, data):
    ctx = seed(active)
    params = data.draw(requests(operation, ctx, hostile=data.draw(st.booleans())))
    body = to_json(params).encode()
    if data.draw(st.sampled_from(range(10))) == 0:
        body = data.draw(st.sampled_from(JUNK_BODIES) | st.binary(max_size=16))
    before = state(active)
    try:
        reply = active.http.handle("POST", URL, json_headers(operation), body)
    except UnsupportedOperation as error:
        event("UnsupportedOperation")
        outcome = Outcome(True, [str(error)])
    else:
        outcome = json_outcome(reply.status, reply.body)
    check_after(active, before, outcome, log_text)


@pytest.mark.parametrize("operation", SERVED)
@BUDGET
@given(data=st.data())
def test_hostile_input_through_the_query_api(active, log_text, operation, data):
    ctx = seed(active)
    params = data.draw(requests(operation, ctx, hostile=data.draw(st.booleans())))
    body = urlencode(to_form(operation, params)).encode()
    before = state(active)
    try:
        reply = active.http.handle("POST", URL, FORM, body)
    except UnsupportedOperation as error:
        event("UnsupportedOperation")
        outcome = Outcome(True, [str(error)])
    else:
        outcome = query_outcome(operation, reply.status, reply.body)
    check_after(active, before, outcome, log_text)


@pytest.fixture(scope="module")
def served() -> Iterator[Server]:
    with Server(SecretsManagerFake(seed=7)) as server:
        yield server


@pytest.mark.usefixtures("allow_loopback")
@pytest.mark.parametrize("operation", SERVED)
@BUDGET
@given(data=st.data())
def test_hostile_input_through_the_loopback_server(served, log_text, operation, data):
    fake = served.fake
    ctx = seed(fake)
    params = data.draw(requests(operation, ctx, hostile=data.draw(st.booleans())))
    as_query = data.draw(st.booleans())
    if as_query:
        body, headers = urlencode(to_form(operation, params)).encode(), FORM
    else:
        body, headers = to_json(params).encode(), json_headers(operation)
    before = state(fake)
    port = int(served.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        status, data_ = response.status, response.read()
    finally:
        connection.close()
    if status == 400 and b'"UnsupportedOperation"' in data_:
        outcome = Outcome(True, [data_.decode()])
    elif as_query:
        outcome = query_outcome(operation, status, data_)
    else:
        outcome = json_outcome(status, data_)
    check_after(fake, before, outcome, log_text)


def test_hostile_input_covers_every_operation_smfake_serves():
    assert set(SERVED) == set(OPERATIONS) & set(_model().operation_names)
    assert len(SERVED) >= 20
