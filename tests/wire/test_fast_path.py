"""The before-call fast path answers exactly as the full path (before-send, botocore's parser,
its retry handlers) does: same parsed responses, exceptions, events; and it steps aside
whenever something needs the later stages (strict signatures, errors, a Stubber, the switches).

The whole suite also runs in check mode (tests/conftest.py), comparing every fast answer with
the full path's parse of the same reply.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import boto3
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from smfake import mock_secretsmanager
from smfake._wire import fastcheck, fastpath, hook
from smfake._wire.model import service_model
from smfake.errors import UnsupportedOperation
from tests.api.conftest import no_aws_credentials  # noqa: F401 - a fixture, used below
from tests.operation_examples import CALLABLE, REPLICA_ACCOUNT

# Operations of this botocore's model that smfake does not serve.
UNSERVED = sorted(name for name in service_model().operation_names if name not in CALLABLE)


def unserved_params(name, secret_id):
    """The required members of an unserved operation, filled so that botocore sends it."""
    shape = service_model().operation_model(name).input_shape
    params = {}
    for member in shape.required_members:
        kind = shape.members[member]
        if member == "SecretId":
            params[member] = secret_id
        elif kind.type_name == "string":
            params[member] = "a" * max(1, kind.metadata.get("min", 1))
        else:
            raise AssertionError(f"fill {name}.{member} ({kind.type_name}) here")
    return params


# Sub-millisecond digits: the wire rounds timestamps to the millisecond, so must the fast path.
T0 = datetime(2025, 3, 4, 5, 6, 7, 891_789, tzinfo=timezone.utc)
SEED = 20250304
PRIMARY, REPLICA = "us-east-1", "eu-west-1"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ],
    }
)
# botocore makes ClientRequestToken up (uuid4) when it is not given: given here, so that two
# runs create the same versions.
TOKENS = [f"{n:08d}-1111-4111-8111-111111111111" for n in range(30)]
EXAMPLE_TOKEN = "e" * 8 + "-1111-4111-8111-111111111111"


@pytest.fixture(autouse=True)
def fast_path_on():
    """Every test starts and ends with the process-wide switch on (the default)."""
    assert hook.fast_path_enabled()
    yield
    hook.fast_path_enabled(True)


def rotation_function(region):
    """A small rotation function: stores a fixed pending value, then moves AWSCURRENT."""

    def handler(event, context):
        service = boto3.client("secretsmanager", region_name=region)
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        if step == "createSecret":
            try:
                service.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except service.exceptions.ResourceNotFoundException:
                service.put_secret_value(
                    SecretId=arn,
                    ClientRequestToken=token,
                    SecretString="rotated",
                    VersionStages=["AWSPENDING"],
                )
        elif step == "finishSecret":
            stages = service.describe_secret(SecretId=arn)["VersionIdsToStages"]
            current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
            service.update_secret_version_stage(
                SecretId=arn,
                VersionStage="AWSCURRENT",
                MoveToVersionId=token,
                RemoveFromVersionId=current,
            )

    return handler


def script(fake):
    """Every operation, successes and errors: the outcomes in order."""
    sm = boto3.client("secretsmanager", region_name=PRIMARY)
    eu = boto3.client("secretsmanager", region_name=REPLICA)
    outcomes = []
    tokens = iter(TOKENS)

    def call(client, operation, **params):
        try:
            response = getattr(client, operation)(**params)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            # The modelled class, or ClientError for codes the model lacks.
            modelled = type(error) is client.exceptions.from_code(code)
            outcomes.append(("error", operation, type(error).__name__, modelled, error.response))
            return None
        except UnsupportedOperation as error:
            outcomes.append(("exception", operation, type(error).__name__, str(error)))
            return None
        outcomes.append(("ok", operation, response))
        return response

    call(sm, "create_secret", Name="app/db", SecretString="s3cr3t", ClientRequestToken=next(tokens))
    call(sm, "create_secret", Name="app/db", SecretString="again", ClientRequestToken=next(tokens))
    call(
        sm,
        "create_secret",
        Name="app/bin",
        SecretBinary=b"\x00\xffbinary\x80",
        Description="binary",
        Tags=[{"Key": "team", "Value": "a"}],
        ClientRequestToken=next(tokens),
    )
    call(
        sm,
        "create_secret",
        Name="app/replicated",
        SecretString="r",
        AddReplicaRegions=[{"Region": REPLICA}],
        ClientRequestToken=next(tokens),
    )
    call(sm, "get_secret_value", SecretId="app/db")
    call(sm, "get_secret_value", SecretId="app/bin")
    call(sm, "get_secret_value", SecretId="app/missing")
    call(
        sm,
        "put_secret_value",
        SecretId="app/db",
        SecretString="v2",
        ClientRequestToken=next(tokens),
    )
    call(
        sm,
        "put_secret_value",
        SecretId="app/db",
        SecretString="x",
        SecretBinary=b"y",
        ClientRequestToken=next(tokens),
    )
    call(sm, "get_secret_value", SecretId="app/db", VersionStage="AWSPREVIOUS")
    call(sm, "describe_secret", SecretId="app/bin")
    call(
        sm,
        "update_secret",
        SecretId="app/db",
        Description="the db",
        KmsKeyId="alias/aws/secretsmanager",
        ClientRequestToken=next(tokens),
    )
    call(sm, "update_secret", SecretId="app/db", SecretString="v3", ClientRequestToken=next(tokens))
    versions = call(sm, "list_secret_version_ids", SecretId="app/db", IncludeDeprecated=True)
    previous = next(
        v["VersionId"] for v in versions["Versions"] if "AWSPREVIOUS" in v.get("VersionStages", [])
    )
    call(
        sm,
        "update_secret_version_stage",
        SecretId="app/db",
        VersionStage="TEST",
        MoveToVersionId=previous,
    )
    call(sm, "update_secret_version_stage", SecretId="app/db", VersionStage="AWSCURRENT")
    call(sm, "tag_resource", SecretId="app/db", Tags=[{"Key": "env", "Value": "test"}])
    # Over the quota of 50 tags: LimitExceededException, which the standard retry mode retries.
    call(
        sm,
        "tag_resource",
        SecretId="app/db",
        Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(51)],
    )
    call(sm, "untag_resource", SecretId="app/db", TagKeys=["env", "absent"])
    call(sm, "put_resource_policy", SecretId="app/db", ResourcePolicy=POLICY)
    call(sm, "put_resource_policy", SecretId="app/db", ResourcePolicy="{not json")
    call(sm, "get_resource_policy", SecretId="app/db")
    call(sm, "validate_resource_policy", ResourcePolicy=POLICY)
    call(sm, "delete_resource_policy", SecretId="app/db")
    call(
        sm,
        "batch_get_secret_value",
        SecretIdList=["app/db", "app/bin", "app/missing"],
    )
    outcomes.append(("pages", list(sm.get_paginator("list_secrets").paginate(MaxResults=1))))
    call(sm, "list_secrets", Filters=[{"Key": "name", "Values": ["app/"]}], SortOrder="asc")
    password = call(sm, "get_random_password", PasswordLength=24, ExcludePunctuation=True)
    if password is not None:  # random: only its shape is compared
        password["RandomPassword"] = len(password["RandomPassword"])
    call(sm, "get_random_password", PasswordLength=3, RequireEachIncludedType=True)
    call(eu, "get_secret_value", SecretId="app/replicated")
    call(
        eu,
        "put_secret_value",
        SecretId="app/replicated",
        SecretString="no",
        ClientRequestToken=next(tokens),
    )
    call(
        sm,
        "replicate_secret_to_regions",
        SecretId="app/db",
        AddReplicaRegions=[{"Region": REPLICA}],
    )
    call(sm, "remove_regions_from_replication", SecretId="app/db", RemoveReplicaRegions=[REPLICA])
    call(eu, "stop_replication_to_replica", SecretId="app/replicated")
    arn = fake.register_rotation_function("rotator", rotation_function(PRIMARY))
    call(
        sm,
        "rotate_secret",
        SecretId="app/db",
        RotationLambdaARN=arn,
        RotationRules={"AutomaticallyAfterDays": 30},
        ClientRequestToken=next(tokens),
    )
    call(sm, "get_secret_value", SecretId="app/db")
    call(sm, "describe_secret", SecretId="app/db")
    call(sm, "cancel_rotate_secret", SecretId="app/db")
    call(sm, "cancel_rotate_secret", SecretId="app/missing")
    fake.faults.inject("DescribeSecret", "ThrottlingException", count=1)
    call(sm, "describe_secret", SecretId="app/db")  # retried once by botocore, then answered
    fake.faults.inject("GetSecretValue", "InternalServiceError", count=3)
    call(sm, "get_secret_value", SecretId="app/db")  # 3 attempts: botocore gives up
    call(sm, "delete_secret", SecretId="app/bin", RecoveryWindowInDays=7)
    call(sm, "get_secret_value", SecretId="app/bin")
    call(sm, "restore_secret", SecretId="app/bin")
    call(sm, "delete_secret", SecretId="app/bin", ForceDeleteWithoutRecovery=True)
    for name in UNSERVED[:1]:
        call(sm, xform_name(name), **unserved_params(name, "app/db"))  # UnsupportedOperation
    if "AssociateCrossAccountReplica" in CALLABLE:
        # Cross-account replication, with a replica in another account.
        other = fake.client(REPLICA_ACCOUNT, region=PRIMARY)
        key = fake.kms.create_key(account_id=REPLICA_ACCOUNT, region=PRIMARY)
        primary = call(sm, "describe_secret", SecretId="app/db")["ARN"]
        call(
            other,
            "create_secret",
            Name="r",
            CrossAccountPrimaryARN=primary,
            ClientRequestToken=next(tokens),
        )
        replica = call(
            other,
            "create_secret",
            Name="r",
            CrossAccountPrimaryARN=primary,
            KmsKeyId=key,
            ClientRequestToken=next(tokens),
        )["ARN"]
        call(
            sm, "associate_cross_account_replica", SecretId="app/db", CrossAccountReplicaARN=replica
        )
        call(
            sm,
            "put_secret_value",
            SecretId="app/db",
            SecretString="v4",
            ClientRequestToken=next(tokens),
        )
        call(other, "get_secret_value", SecretId="r")
        call(other, "describe_secret", SecretId="r")
        call(
            other,
            "put_secret_value",
            SecretId="r",
            SecretString="no",
            ClientRequestToken=next(tokens),
        )
        call(sm, "describe_secret", SecretId="app/db")
        call(other, "list_resource_policies", SecretId="r")
        call(other, "stop_replication_to_replica", SecretId="r")
        call(
            sm,
            "disassociate_cross_account_replica",
            SecretId="app/db",
            CrossAccountReplicaARN=replica,
        )
        call(
            sm,
            "disassociate_cross_account_replica",
            SecretId="app/db",
            CrossAccountReplicaARN=replica,
        )
    # Operations the scenario above does not reach: their example calls (one shared table).
    reached = {outcome[1] for outcome in outcomes if outcome[0] != "pages"}
    missing = [name for name in sorted(CALLABLE) if xform_name(name) not in reached]
    if missing:
        call(sm, "create_secret", Name="app", SecretString="v1", ClientRequestToken=EXAMPLE_TOKEN)
    for name in missing:
        example = CALLABLE[name]
        assert example.setup is None and example.late is None, f"extend the scenario for {name}"
        assert example.fake_setup is None, f"extend the scenario for {name}"
        client = sm if example.region == PRIMARY else eu
        call(client, xform_name(name), **example.params)
    return outcomes


def without_dates(outcomes):
    """The outcomes less the Date header, read from the wall clock (a second may tick)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "date"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, tuple):
            return tuple(strip(v) for v in value)
        return value

    return strip(outcomes)


def event_records(fake):
    return [{k: v for k, v in e.to_dict().items() if k != "eventTime"} for e in fake.events]


def test_every_operation_answers_the_same_on_both_paths(monkeypatch):
    full_outcomes, full_events, full_sends = run_script(monkeypatch, fast=False)
    fast_outcomes, fast_events, fast_sends = run_script(monkeypatch, fast=True)
    operations = {o[1] for o in full_outcomes if o[0] != "pages"}
    assert operations - {xform_name(name) for name in UNSERVED} == {
        xform_name(name) for name in CALLABLE
    }
    assert {o[0] for o in full_outcomes} >= {"ok", "error", "pages"}
    for fast, full in zip(without_dates(fast_outcomes), without_dates(full_outcomes), strict=True):
        assert fast == full
        difference = fastcheck._difference(fast, full, repr(full[:2]))
        assert difference is None, difference
    assert fast_events == full_events
    # Requests reached before-send (signed, sent, parsed) only for calls that met an error.
    mapping = {xform_name(name): name for name in service_model().operation_names}
    erring = {
        mapping[o[1]]
        for o in full_outcomes
        if o[0] in ("error", "exception")
        or (o[0] == "ok" and o[2]["ResponseMetadata"]["RetryAttempts"])
    }
    assert set(fast_sends) <= erring
    assert len(fast_sends) < len(full_sends) / 3


def run_script(monkeypatch, *, fast):
    """The script on a fresh fake with the same seed and clock, on the chosen path: the
    outcomes, the events, and the requests that reached before-send."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session()
    sent = []
    boto3.DEFAULT_SESSION.events.register(
        "before-send.secrets-manager",
        lambda request, **_: sent.append(request.headers["X-Amz-Target"].split(b".")[1].decode()),
    )
    hook.fast_path_enabled(fast)
    try:
        with mock_secretsmanager(seed=SEED) as fake:
            fake.clock.set(T0)
            outcomes = script(fake)
            return outcomes, event_records(fake), sent
    finally:
        hook.fast_path_enabled(True)


# -- when the fast path answers, and what it skips ----------------------------------------------

STAGES = (
    "before-parameter-build",
    "before-call",
    "before-sign",
    "before-send",
    "needs-retry",
    "after-call",
)
FAST = ["before-parameter-build", "before-call", "after-call"]
FULL = ["before-parameter-build", "before-call", "before-sign", "before-send", "needs-retry"]


class Stages:
    """The events a client emitted for its Secrets Manager calls, in order, as a user's own
    handlers see them; after-call also keeps what it was given."""

    def __init__(self, client):
        self.seen = []
        self.after_call = []
        for stage in STAGES:
            client.meta.events.register(f"{stage}.secrets-manager", self._noting(stage))

    def _noting(self, stage):
        def handler(**kwargs):
            self.seen.append(stage)
            if stage == "after-call":
                self.after_call.append((kwargs["http_response"], kwargs["parsed"]))

        return handler

    def take(self):
        seen, self.seen = self.seen, []
        return seen


@pytest.fixture
def sm(fake):
    client = boto3.client("secretsmanager", region_name=PRIMARY)
    client.create_secret(Name="app", SecretString="s3cr3t")
    return client


def test_a_success_skips_signing_sending_and_retry_handling(fake, sm):
    stages = Stages(sm)
    response = sm.get_secret_value(SecretId="app")
    assert stages.take() == FAST
    http, parsed = stages.after_call[0]
    assert parsed is response
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert http.status_code == 200
    assert isinstance(http.headers, HeadersDict)
    assert http.headers["X-Amzn-RequestId"] == response["ResponseMetadata"]["RequestId"]
    assert json.loads(http.content)["SecretString"] == "s3cr3t"
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-length"] == str(len(http.content))
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert parsedate_to_datetime(headers["date"]).tzinfo is not None
    assert fake.events[-1].request_id == response["ResponseMetadata"]["RequestId"]


def test_the_fast_response_has_every_attribute_botocore_sets(fake, sm):
    # The fast path's response sets AWSResponse's attributes itself (to skip building a
    # HeadersDict it would replace): one botocore adds later must not go missing.
    stages = Stages(sm)
    sm.get_secret_value(SecretId="app")
    http, _ = stages.after_call[0]
    assert [name for name in vars(AWSResponse("u", 200, {}, None)) if not hasattr(http, name)] == []
    assert json.loads(http.content)["Name"] == "app"


def test_an_error_is_delivered_by_the_full_path_and_runs_once(fake, sm):
    stages = Stages(sm)
    with pytest.raises(sm.exceptions.ResourceNotFoundException) as caught:
        sm.get_secret_value(SecretId="missing")
    assert stages.take() == [*FULL, "after-call"]
    assert fake.events.count("GetSecretValue", error="ResourceNotFoundException") == 1
    response = caught.value.response
    assert fake.events[-1].request_id == response["ResponseMetadata"]["RequestId"]
    assert response["Message"] == response["Error"]["Message"]  # the modelled error field


def test_an_injected_fault_reaches_the_retry_handlers(fake, sm):
    fake.faults.inject("GetSecretValue", "ThrottlingException", count=2)
    stages = Stages(sm)
    response = sm.get_secret_value(SecretId="app")
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert stages.take().count("before-send") == 3
    assert fake.events.count("GetSecretValue") == 3
    assert fake.events.count("GetSecretValue", error="ThrottlingException") == 2


def test_the_process_wide_switch(sm):
    stages = Stages(sm)
    assert hook.fast_path_enabled(False) is False
    sm.get_secret_value(SecretId="app")
    assert stages.take() == [*FULL, "after-call"]
    assert hook.fast_path_enabled() is False
    assert hook.fast_path_enabled(True) is True
    sm.get_secret_value(SecretId="app")
    assert stages.take() == FAST
    assert hook.FAST_PATH_AVAILABLE is True


def test_the_per_fake_switch(fake, sm):
    stages = Stages(sm)
    fake.fast_path = False
    sm.get_secret_value(SecretId="app")
    assert stages.take() == [*FULL, "after-call"]
    fake.fast_path = True
    sm.get_secret_value(SecretId="app")
    assert stages.take() == FAST


def test_the_activation_option(sm):
    stages = Stages(sm)
    with mock_secretsmanager(fast_path=False) as slow:
        sm.create_secret(Name="slow", SecretString="v")
        assert not slow.fast_path
        stages.take()
        sm.get_secret_value(SecretId="slow")
        assert stages.take() == [*FULL, "after-call"]


def test_strict_mode_takes_the_full_path():
    with mock_secretsmanager(verify_signatures=True) as fake:
        fake.principals.add("AKIAFASTPATH00000001", "secret")
        client = boto3.client(
            "secretsmanager",
            region_name=PRIMARY,
            aws_access_key_id="AKIAFASTPATH00000001",
            aws_secret_access_key="secret",
        )
        stages = Stages(client)
        client.create_secret(Name="app", SecretString="v")
        assert stages.take() == [*FULL, "after-call"]
        stranger = boto3.client(
            "secretsmanager",
            region_name=PRIMARY,
            aws_access_key_id="AKIAUNKNOWN000000001",
            aws_secret_access_key="secret",
        )
        with pytest.raises(ClientError) as caught:
            stranger.get_secret_value(SecretId="app")
        assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_a_stubber_on_the_client_wins(fake, sm):
    stubbed = {"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"}
    fake.events.clear()
    with Stubber(sm) as stubber:
        stubber.add_response("get_secret_value", stubbed, {"SecretId": "app"})
        assert sm.get_secret_value(SecretId="app")["ARN"] == stubbed["ARN"]
    assert len(fake.events) == 0
    assert sm.get_secret_value(SecretId="app")["SecretString"] == "s3cr3t"


def test_a_client_created_before_activation_takes_the_fast_path():
    client = boto3.client(
        "secretsmanager",
        region_name=PRIMARY,
        aws_access_key_id="AKIABEFORE0000000001",
        aws_secret_access_key="secret",
    )
    stages = Stages(client)
    with mock_secretsmanager(secrets={"early": "v"}):
        assert client.get_secret_value(SecretId="early")["SecretString"] == "v"
    assert stages.take() == FAST


@pytest.mark.usefixtures("no_aws_credentials")
def test_a_client_without_credentials_answers_as_the_dummy_key():
    client = boto3.Session().client("secretsmanager", region_name=PRIMARY)
    stages = Stages(client)
    with mock_secretsmanager(secrets={"early": "v"}) as fake:
        assert client.get_secret_value(SecretId="early")["SecretString"] == "v"
        assert stages.take() == FAST
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_secret_value(SecretId="missing")  # signed with the dummy key
        assert stages.take() == [*FULL, "after-call"]
    keys = {event.user_identity["accessKeyId"] for event in fake.events}
    assert keys == {hook.DUMMY_CREDENTIALS.access_key}


def test_an_outcome_whose_request_never_reached_before_send_is_dropped(fake, sm):
    failures = [RuntimeError("signing failed")]

    def failing_signer(**_):
        if failures:
            raise failures.pop()

    sm.meta.events.register("before-sign.secrets-manager", failing_signer)
    with pytest.raises(RuntimeError):
        sm.get_secret_value(SecretId="missing")
    with pytest.raises(sm.exceptions.ResourceNotFoundException) as caught:
        sm.get_secret_value(SecretId="also-missing")
    # This call's own answer, not the one left over from the call before.
    assert fake.events[-1].request_id == caught.value.response["ResponseMetadata"]["RequestId"]
    assert fake.events[-1].secret_id == "also-missing"


def test_an_exception_of_the_fake_is_raised_by_the_full_path(sm):
    if not UNSERVED:
        pytest.skip("this botocore has no operation smfake lacks")
    stages = Stages(sm)
    with pytest.raises(UnsupportedOperation):
        getattr(sm, xform_name(UNSERVED[0]))(**unserved_params(UNSERVED[0], "app"))
    # Raised at before-send by the fake's handler, which runs before the user's.
    assert stages.take() == ["before-parameter-build", "before-call", "before-sign", "needs-retry"]


def test_refreshed_credentials_that_name_a_feature_take_the_full_path(fake, sm):
    useragent = pytest.importorskip("botocore.useragent")
    if not hasattr(useragent, "register_feature_id"):
        pytest.skip("this botocore names no features in its User-Agent")

    def refresh():
        useragent.register_feature_id("CREDENTIALS_CODE")
        return {
            "access_key": "AKIAREFRESHED0000001",
            "secret_key": "secret",
            "token": None,
            "expiry_time": "2999-01-01T00:00:00Z",
        }

    expired = RefreshableCredentials(
        "AKIAEXPIRED000000001",
        "secret",
        None,
        datetime(2000, 1, 1, tzinfo=timezone.utc),
        refresh,
        "test",
    )
    sm._request_signer._credentials = expired
    stages = Stages(sm)
    sm.get_secret_value(SecretId="app")
    assert stages.take() == [*FULL, "after-call"]
    assert fake.events[-1].user_identity["accessKeyId"] == "AKIAREFRESHED0000001"
    sm.get_secret_value(SecretId="app")  # refreshed already: nothing new to name
    assert stages.take() == FAST
    # The full path's User-Agent, rebuilt after signing, named the feature (code "e").
    refreshed, later = (features(event.user_agent) for event in fake.events[-2:])
    assert refreshed - later == {"e"}


def features(user_agent):
    return {
        code for part in user_agent.split() if part.startswith("m/") for code in part[2:].split(",")
    }


def test_aiobotocore_clients_take_the_fast_path_too():
    # CI's aiobotocore environment sets SMFAKE_REQUIRE_AIO=1: there it must not skip.
    if os.environ.get("SMFAKE_REQUIRE_AIO") == "1":
        aio_session = importlib.import_module("aiobotocore.session")
    else:
        aio_session = pytest.importorskip("aiobotocore.session")

    async def scenario():
        session = aio_session.get_session()
        async with session.create_client("secretsmanager", region_name=PRIMARY) as client:
            seen = []
            responses = []

            def note(stage):
                def handler(**kwargs):
                    seen.append(stage)
                    if stage == "after-call":
                        responses.append(kwargs["http_response"])

                return handler

            for stage in ("before-send", "after-call"):
                client.meta.events.register(f"{stage}.secrets-manager", note(stage))
            await client.create_secret(Name="app", SecretString="v")
            value = await client.get_secret_value(SecretId="app")
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                await client.get_secret_value(SecretId="missing")
            return seen, value, await responses[0].content

    with mock_secretsmanager():
        seen, value, content = asyncio.run(scenario())
    assert value["SecretString"] == "v"
    assert seen == ["after-call", "after-call", "before-send", "after-call"]
    assert json.loads(content)["Name"] == "app"


def test_a_result_it_cannot_convert_is_parsed_by_botocore(fake, sm, monkeypatch):
    def broken(*_):
        raise KeyError("not convertible")

    monkeypatch.setattr(fastpath, "_parsed", broken)
    stages = Stages(sm)
    with pytest.raises(AssertionError, match="cannot convert GetSecretValue"):
        sm.get_secret_value(SecretId="app")  # check mode reports it
    monkeypatch.setattr(fastcheck, "_check", False)
    assert sm.get_secret_value(SecretId="app")["SecretString"] == "s3cr3t"
    assert stages.take()[-3:] == ["before-send", "needs-retry", "after-call"]
    assert fake.events.count("GetSecretValue") == 2


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "UTC"])
def test_timestamps_follow_a_change_of_local_zone(sm, monkeypatch, zone):
    # Check mode compares each answer's datetimes (tzlocal) with botocore's own parse.
    created = sm.describe_secret(SecretId="app")["CreatedDate"]
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        moved = sm.describe_secret(SecretId="app")["CreatedDate"]
        assert moved == created
        assert (
            moved.utcoffset()
            == datetime.fromtimestamp(created.timestamp()).astimezone().utcoffset()
        )
    finally:
        monkeypatch.undo()
        time.tzset()


def test_check_mode_names_the_operation_and_the_first_difference(sm, monkeypatch):
    real = fastpath._parsed

    def altered(convert, result, reply):
        parsed = real(convert, result, reply)
        parsed["CreatedDate"] = parsed["CreatedDate"].astimezone(timezone.utc)
        return parsed

    monkeypatch.setattr(fastpath, "_parsed", altered)
    with pytest.raises(AssertionError) as caught:
        sm.get_secret_value(SecretId="app")
    message = str(caught.value)
    assert "GetSecretValue" in message
    assert "parsed['CreatedDate']: tzinfo" in message
    assert "s3cr3t" not in message
