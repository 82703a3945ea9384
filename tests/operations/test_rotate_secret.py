"""RotateSecret (§7.1, §7.2): configuration, the four steps run through a rotation function
written after AWS's published template, failures, RotateImmediately=false and schedules."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from smfake._domain.rotation import Rotator
from tests.conftest import assert_shape, error_of
from tests.operations.conftest import (
    ARN_PREFIX,
    IDENTIFIER_KINDS,
    MARKED_FOR_DELETION,
    NOT_FOUND,
    T0,
    body,
    identifier,
    snapshot,
    stages,
    token,
)

CUR, PREV, PEND = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
CREATE, SET, TEST, FINISH = "createSecret", "setSecret", "testSecret", "finishSecret"
STEPS = [CREATE, SET, TEST, FINISH]
V1, V2, R1, R2 = token("v1"), token("v2"), token("r1"), token("r2")
FUNCTION = "rotate-s"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"
UNREGISTERED_ARN = "arn:aws:lambda:us-east-1:123456789012:function:missing"
EXCLUDED = "/@\"'\\"
# The text of the exception a failing handler raises: it must never show in a record's repr.
SECRET_TEXT = "connection to db.internal refused for user admin with password hunter2"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ROTATION_TOKEN = re.compile(r"[a-zA-Z0-9\-]{36,256}")

CANNOT_INVOKE = (
    "AccessDeniedException",
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
    "policy grants access to the principal secretsmanager.amazonaws.com.",
    400,
)
NO_LAMBDA = (
    "InvalidRequestException",
    "No Lambda rotation function ARN is associated with this secret.",
    400,
)
IN_PROGRESS = (
    "InvalidRequestException",
    "A previous rotation isn't complete. That rotation will be reattempted.",
    400,
)
BOTH_RULES = (
    "InvalidParameterException",
    "You cannot specify both rotation frequency and schedule expression together.",
    400,
)
ROTATE_TOKEN_REQUIRED = (
    "InvalidParameterException",
    "You must provide a ClientRequestToken value. We recommend a UUID-type value.",
    400,
)
REPLICA_READ_ONLY = (
    "InvalidParameterException",
    "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
    400,
)
PENDING_NOT_FOUND = (
    "ResourceNotFoundException",
    "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    400,
)
ROTATION_FIELDS = (
    "RotationEnabled",
    "RotationLambdaARN",
    "RotationRules",
    "LastRotatedDate",
    "NextRotationDate",
)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def client_error(exc):
    response = exc.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


class TemplateRotation:
    """A rotation function in the style of AWS's SecretsManagerRotationTemplate: it talks to
    Secrets Manager through SECRETS_MANAGER_ENDPOINT, checks the rotation metadata first, then
    runs the step. Written for these tests; it records what it saw.

    ``fail_at`` makes that step raise (``failures`` times, or always when None) after the
    template's checks and before the step does anything. ``remove_pending=False`` leaves
    AWSPENDING on the new current version, as older templates did."""

    def __init__(self, *, fail_at=None, failures=None, remove_pending=True):
        self.fail_at = fail_at
        self.failures = failures
        self.remove_pending = remove_pending
        self.events = []
        self.described = []  # (step, DescribeSecret body) as each invocation saw it
        self.placeholder_reads = []  # errors reading AWSPENDING before createSecret stores it
        self.pending_values = {}  # step -> the AWSPENDING value the step could read
        self.stored = []  # passwords stored by createSecret

    @property
    def steps(self):
        return [event["Step"] for event in self.events]

    def __call__(self, event, context):
        self.events.append(dict(event))
        service = boto3.client(
            "secretsmanager", endpoint_url=os.environ["SECRETS_MANAGER_ENDPOINT"]
        )
        arn, version, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        metadata = service.describe_secret(SecretId=arn)
        self.described.append((step, body(metadata)))
        if not metadata["RotationEnabled"]:
            raise ValueError(f"Secret {arn} is not enabled for rotation")
        versions = metadata["VersionIdsToStages"]
        if version not in versions:
            raise ValueError(f"Secret version {version} has no stage for rotation of {arn}")
        if CUR in versions[version]:
            return  # already current: nothing left to do
        if PEND not in versions[version]:
            raise ValueError(f"Secret version {version} not set as AWSPENDING for {arn}")
        if step == self.fail_at and (self.failures is None or self.failures > 0):
            if self.failures is not None:
                self.failures -= 1
            raise RuntimeError(SECRET_TEXT)
        if step == CREATE:
            self.create_secret(service, arn, version)
        elif step in (SET, TEST):
            self.read_pending(service, arn, version, step)
        elif step == FINISH:
            self.finish_secret(service, arn, version)
        else:
            raise ValueError(f"Invalid step parameter {step}")

    def create_secret(self, service, arn, version):
        service.get_secret_value(SecretId=arn, VersionStage=CUR)
        try:
            service.get_secret_value(SecretId=arn, VersionId=version, VersionStage=PEND)
        except service.exceptions.ResourceNotFoundException as error:
            self.placeholder_reads.append(client_error(error))
            try:
                service.get_secret_value(SecretId=arn, VersionStage=PEND)
            except service.exceptions.ResourceNotFoundException as again:
                self.placeholder_reads.append(client_error(again))
            password = service.get_random_password(ExcludeCharacters=EXCLUDED)["RandomPassword"]
            service.put_secret_value(
                SecretId=arn,
                ClientRequestToken=version,
                SecretString=password,
                VersionStages=[PEND],
            )
            self.stored.append(password)

    def read_pending(self, service, arn, version, step):
        found = service.get_secret_value(SecretId=arn, VersionId=version, VersionStage=PEND)
        self.pending_values[step] = found["SecretString"]

    def finish_secret(self, service, arn, version):
        metadata = service.describe_secret(SecretId=arn)
        current = None
        for version_id, labels in metadata["VersionIdsToStages"].items():
            if CUR in labels:
                if version_id == version:
                    return
                current = version_id
                break
        service.update_secret_version_stage(
            SecretId=arn, VersionStage=CUR, MoveToVersionId=version, RemoveFromVersionId=current
        )
        if self.remove_pending:
            service.update_secret_version_stage(
                SecretId=arn, VersionStage=PEND, RemoveFromVersionId=version
            )


@pytest.fixture
def secret(client, t0):
    """Secret "s" with value v1 under AWSCURRENT, at T0 (the clock frozen)."""
    return client.create_secret(Name="s", SecretString="v1", ClientRequestToken=V1)


@pytest.fixture
def template(fake):
    """The template-style handler, registered as FUNCTION."""
    handler = TemplateRotation()
    assert fake.register_rotation_function(FUNCTION, handler) == FUNCTION_ARN
    return handler


@pytest.fixture
def loop_guard(monkeypatch):
    """Fails the test, rather than hanging it, when a scheduled rotation keeps falling due
    again at the same instant (the fake clock would loop for ever)."""
    original = Rotator._fall_due
    due = []

    def guarded(self, store, secret):
        due.append(store.now())
        if len(due) > 100:
            raise AssertionError(f"a scheduled rotation fell due {len(due)} times: {due[-3:]}")
        return original(self, store, secret)

    monkeypatch.setattr(Rotator, "_fall_due", guarded)
    return due


def rotate(client, **params):
    response = client.rotate_secret(**params)
    assert_shape(client, "RotateSecret", response)
    return response


def failure(call, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def value_of(client, **params):
    return client.get_secret_value(SecretId="s", **params)["SecretString"]


def rotation_fields(client, secret_id="s"):
    described = client.describe_secret(SecretId=secret_id)
    return {k: described[k] for k in ROTATION_FIELDS if k in described}


def fail_rotation(fake, client, step=SET, retries=0):
    """Configure rotation with a handler that always fails at ``step``; returns the token."""
    handler = TemplateRotation(fail_at=step)
    arn = fake.register_rotation_function("failing", handler, retries=retries)
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=arn,
        ClientRequestToken=R1,
        RotationRules={"AutomaticallyAfterDays": 7},
    )
    assert fake.rotations[-1].outcome == "failed"
    return handler


# -- the four steps ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", IDENTIFIER_KINDS)
def test_rotate_secret_runs_the_four_steps_with_the_documented_events(
    client, secret, template, kind
):
    response = rotate(
        client,
        SecretId=identifier(kind, secret),
        RotationLambdaARN=FUNCTION_ARN,
        ClientRequestToken=R1,
    )

    assert body(response) == {"ARN": secret["ARN"], "Name": "s", "VersionId": R1}
    assert template.steps == STEPS
    for event, step in zip(template.events, STEPS, strict=True):
        assert set(event) == {"Step", "SecretId", "ClientRequestToken", "RotationToken"}
        # SecretId is always the full ARN, whatever identifier the caller used.
        assert event["Step"] == step
        assert event["SecretId"] == secret["ARN"]
        assert event["ClientRequestToken"] == R1
        assert ROTATION_TOKEN.fullmatch(event["RotationToken"])
        assert event["RotationToken"] != R1


def test_rotate_secret_generated_token_names_the_new_current_version(client, secret, template):
    response = rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN)

    new = response["VersionId"]
    assert UUID.fullmatch(new) and new != V1
    assert {e["ClientRequestToken"] for e in template.events} == {new}
    assert stages(client, "s") == {V1: [PREV], new: [CUR]}
    assert value_of(client) == template.stored[0]


def test_rotate_secret_pending_placeholder_is_visible_but_unreadable_until_stored(
    client, secret, template
):
    rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN, ClientRequestToken=R1)

    # What createSecret saw before storing a value: the empty AWSPENDING version, named by the
    # token, listed by DescribeSecret while rotation is enabled, and not readable.
    step, described = template.described[0]
    assert step == CREATE
    assert described["RotationEnabled"] is True
    assert described["VersionIdsToStages"] == {V1: [CUR], R1: [PEND]}
    assert template.placeholder_reads == [PENDING_NOT_FOUND, PENDING_NOT_FOUND]
    # Every later step sees it too, with the value createSecret stored.
    for _, described in template.described[1:4]:
        assert described["RotationEnabled"] is True
        assert described["VersionIdsToStages"] == {V1: [CUR], R1: [PEND]}
    (password,) = template.stored
    assert template.pending_values == {SET: password, TEST: password}
    assert len(password) == 32
    assert not set(password) & set(EXCLUDED)


def test_rotate_secret_changes_every_rotation_field(client, secret, template):
    before = client.describe_secret(SecretId="s")
    assert not set(ROTATION_FIELDS) & set(before)

    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        ClientRequestToken=R1,
        RotationRules={"AutomaticallyAfterDays": 7},
    )

    described = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", described)
    assert rotation_fields(client) == {
        "RotationEnabled": True,
        "RotationLambdaARN": FUNCTION_ARN,
        "RotationRules": {"AutomaticallyAfterDays": 7},
        "LastRotatedDate": T0,
        "NextRotationDate": utc(2024, 5, 13, 23, 59, 59),
    }
    assert described["VersionIdsToStages"] == {V1: [PREV], R1: [CUR]}
    assert value_of(client) == template.stored[0]
    assert value_of(client, VersionStage=PREV) == "v1"
    with pytest.raises(ClientError) as excinfo:
        client.get_secret_value(SecretId="s", VersionStage=PEND)
    assert error_of(excinfo) == PENDING_NOT_FOUND


def test_rotate_secret_again_makes_the_last_current_previous(client, secret, template, fake):
    rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN, ClientRequestToken=R1)
    fake.clock.advance(hours=1)

    rotate(client, SecretId="s", ClientRequestToken=R2)

    assert stages(client, "s") == {V1: [], R1: [PREV], R2: [CUR]}
    assert client.describe_secret(SecretId="s")["VersionIdsToStages"] == {R1: [PREV], R2: [CUR]}
    assert value_of(client, VersionStage=PREV) == template.stored[0]
    assert value_of(client) == template.stored[1]
    assert rotation_fields(client)["LastRotatedDate"] == T0 + timedelta(hours=1)


def test_rotate_secret_bare_call_reuses_the_stored_configuration(client, secret, template):
    rules = {"ScheduleExpression": "rate(10 days)", "Duration": "2h"}
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        ClientRequestToken=R1,
        RotationRules=rules,
    )

    response = rotate(client, SecretId="s", ClientRequestToken=R2)

    assert response["VersionId"] == R2
    assert template.steps == STEPS + STEPS
    assert [e["ClientRequestToken"] for e in template.events[4:]] == [R2] * 4
    fields = rotation_fields(client)
    assert fields["RotationLambdaARN"] == FUNCTION_ARN
    assert fields["RotationRules"]["ScheduleExpression"] == "rate(10 days)"
    assert fields["RotationRules"]["Duration"] == "2h"
    assert stages(client, "s") == {V1: [], R1: [PREV], R2: [CUR]}


def test_rotate_secret_fields_in_list_secrets(client, secret, template):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        ClientRequestToken=R1,
        RotationRules={"AutomaticallyAfterDays": 7},
    )

    listed = client.list_secrets()
    assert_shape(client, "ListSecrets", listed)
    (entry,) = listed["SecretList"]
    assert {k: entry[k] for k in ROTATION_FIELDS if k in entry} == rotation_fields(client)
    assert entry["SecretVersionsToStages"] == {V1: [PREV], R1: [CUR]}


def test_rotate_secret_new_rules_keep_the_stored_function(client, secret, template):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 7},
    )

    rotate(client, SecretId="s", RotationRules={"ScheduleExpression": "rate(10 days)"})

    fields = rotation_fields(client)
    assert fields["RotationLambdaARN"] == FUNCTION_ARN
    assert fields["RotationRules"]["ScheduleExpression"] == "rate(10 days)"
    assert fields["NextRotationDate"] == utc(2024, 5, 16, 23, 59, 59)
    assert template.steps == STEPS + STEPS


def test_rotate_secret_new_function_replaces_the_stored_one(client, secret, template, fake):
    rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN)
    other = TemplateRotation()
    other_arn = fake.register_rotation_function("other", other)

    rotate(client, SecretId="s", RotationLambdaARN=other_arn)

    assert rotation_fields(client)["RotationLambdaARN"] == other_arn
    assert template.steps == STEPS
    assert other.steps == STEPS


def test_rotate_secret_without_rules_schedules_nothing(client, secret, template):
    rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN)

    assert rotation_fields(client) == {
        "RotationEnabled": True,
        "RotationLambdaARN": FUNCTION_ARN,
        "LastRotatedDate": T0,
    }


def test_rotate_secret_pending_may_stay_on_the_current_version(client, secret, fake):
    handler = TemplateRotation(remove_pending=False)
    arn = fake.register_rotation_function(FUNCTION, handler)
    rotate(client, SecretId="s", RotationLambdaARN=arn, ClientRequestToken=R1)
    assert stages(client, "s") == {V1: [PREV], R1: [CUR, PEND]}

    # AWSPENDING on the current version is no rotation in progress.
    rotate(client, SecretId="s", ClientRequestToken=R2)

    assert stages(client, "s") == {V1: [], R1: [PREV], R2: [CUR, PEND]}
    assert handler.described[4][1]["VersionIdsToStages"] == {V1: [PREV], R1: [CUR], R2: [PEND]}


def test_rotate_secret_propagates_the_new_value_to_replicas(client, t0, template, make_client):
    client.create_secret(
        Name="s",
        SecretString="v1",
        ClientRequestToken=V1,
        AddReplicaRegions=[{"Region": "eu-west-1"}],
    )

    rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN, ClientRequestToken=R1)

    eu = make_client("eu-west-1")
    replica = eu.get_secret_value(SecretId="s")
    assert (replica["VersionId"], replica["SecretString"]) == (R1, template.stored[0])
    assert eu.get_secret_value(SecretId="s", VersionStage=PREV)["SecretString"] == "v1"


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("configured", [False, True], ids=["new", "configured"])
def test_rotate_secret_function_that_cannot_be_invoked_is_access_denied(
    client, secret, template, fake, configured
):
    if configured:
        rotate(
            client,
            SecretId="s",
            RotationLambdaARN=FUNCTION_ARN,
            RotationRules={"AutomaticallyAfterDays": 7},
        )
    before = snapshot(client, "s")
    records = fake.rotations

    error = failure(
        client.rotate_secret,
        SecretId="s",
        RotationLambdaARN=UNREGISTERED_ARN,
        RotationRules={"AutomaticallyAfterDays": 3},
    )

    assert error == CANNOT_INVOKE
    assert snapshot(client, "s") == before
    assert fake.rotations == records
    assert len(template.events) == (4 if configured else 0)


def test_rotate_secret_without_any_function_is_refused(client, secret):
    before = snapshot(client, "s")

    assert failure(client.rotate_secret, SecretId="s") == NO_LAMBDA
    assert (
        failure(
            client.rotate_secret,
            SecretId="s",
            RotationRules={"AutomaticallyAfterDays": 7},
            RotateImmediately=False,
        )
        == NO_LAMBDA
    )
    assert snapshot(client, "s") == before


def test_rotate_secret_refused_while_a_failed_rotation_is_incomplete(client, secret, fake):
    handler = fail_rotation(fake, client)
    fresh = TemplateRotation()
    fresh_arn = fake.register_rotation_function("fresh", fresh)
    before = snapshot(client, "s")

    assert failure(client.rotate_secret, SecretId="s") == IN_PROGRESS
    assert (
        failure(
            client.rotate_secret,
            SecretId="s",
            RotationLambdaARN=fresh_arn,
            RotationRules={"ScheduleExpression": "rate(2 days)"},
            RotateImmediately=False,
        )
        == IN_PROGRESS
    )
    assert snapshot(client, "s") == before
    assert handler.steps == [CREATE, SET]
    assert fresh.events == []


def test_rotate_secret_refused_while_pending_sits_on_another_version(client, secret, template):
    client.put_secret_value(
        SecretId="s", SecretString="v2", ClientRequestToken=V2, VersionStages=[PEND]
    )
    before = snapshot(client, "s")

    error = failure(client.rotate_secret, SecretId="s", RotationLambdaARN=FUNCTION_ARN)

    assert error == IN_PROGRESS
    assert snapshot(client, "s") == before
    assert template.events == []


def test_rotate_secret_of_unknown_secret(client, template):
    assert failure(client.rotate_secret, SecretId="missing", RotationLambdaARN=FUNCTION_ARN) == (
        NOT_FOUND
    )
    assert failure(client.rotate_secret, SecretId=ARN_PREFIX + "missing-abcdef") == NOT_FOUND


def test_rotate_secret_of_secret_marked_for_deletion(client, secret, template, fake):
    client.delete_secret(SecretId="s")
    before = snapshot(client, "s")

    error = failure(client.rotate_secret, SecretId="s", RotationLambdaARN=FUNCTION_ARN)

    assert error == MARKED_FOR_DELETION
    assert snapshot(client, "s") == before
    assert template.events == []
    assert fake.rotations == []


def test_rotate_secret_of_a_replica_is_refused(client, t0, template, make_client):
    client.create_secret(Name="s", SecretString="v1", AddReplicaRegions=[{"Region": "eu-west-1"}])
    eu = make_client("eu-west-1")
    before = snapshot(eu, "s")

    assert failure(eu.rotate_secret, SecretId="s", RotationLambdaARN=FUNCTION_ARN) == (
        REPLICA_READ_ONLY
    )
    assert snapshot(eu, "s") == before
    assert template.events == []


def test_rotate_secret_missing_token_on_the_wire(tokenless_client, client, secret, template):
    before = snapshot(client, "s")

    # Checked before the secret is looked up, with RotateSecret's own error code (§1).
    for secret_id in ("s", "missing"):
        error = failure(
            tokenless_client.rotate_secret, SecretId=secret_id, RotationLambdaARN=FUNCTION_ARN
        )
        assert error == ROTATE_TOKEN_REQUIRED
    assert snapshot(client, "s") == before
    assert template.events == []


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_token_of_an_existing_version(client, secret, template):
    before = snapshot(client, "s")

    error = failure(
        client.rotate_secret, SecretId="s", RotationLambdaARN=FUNCTION_ARN, ClientRequestToken=V1
    )

    assert error == (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {V1} because that value is already in use for a "
        f"version of secret {secret['ARN']}.",
        400,
    )
    assert snapshot(client, "s") == before


# -- RotationRules validation -----------------------------------------------------------------


def test_rotate_secret_both_frequency_and_schedule_expression(client, secret, template):
    before = snapshot(client, "s")

    error = failure(
        client.rotate_secret,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 7, "ScheduleExpression": "rate(7 days)"},
    )

    assert error == BOTH_RULES
    assert snapshot(client, "s") == before
    assert template.events == []


LONG_SCHEDULE = "rate(10 days)" + " " * 250


@pytest.mark.parametrize(
    ("rules", "member", "value", "rule"),
    [
        (
            {"AutomaticallyAfterDays": 0},
            "automaticallyAfterDays",
            "0",
            "Member must have value greater than or equal to 1",
        ),
        (
            {"AutomaticallyAfterDays": 1001},
            "automaticallyAfterDays",
            "1001",
            "Member must have value less than or equal to 1000",
        ),
        (
            {"AutomaticallyAfterDays": 7, "Duration": "100h"},
            "duration",
            "100h",
            "Member must have length less than or equal to 3",
        ),
        (
            {"ScheduleExpression": LONG_SCHEDULE},
            "scheduleExpression",
            LONG_SCHEDULE,
            "Member must have length less than or equal to 256",
        ),
    ],
    ids=["days-0", "days-1001", "duration-4-chars", "schedule-257-chars"],
)
def test_rotate_secret_rules_outside_the_model_constraints(
    unvalidated_client, client, secret, template, rules, member, value, rule
):
    before = snapshot(client, "s")

    # botocore itself refuses 0 (the model's min), so the call goes out unvalidated.
    error = failure(
        unvalidated_client.rotate_secret,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules=rules,
    )

    assert error == (
        "ValidationException",
        f"1 validation error detected: Value '{value}' at 'rotationRules.{member}' "
        f"failed to satisfy constraint: {rule}",
        400,
    )
    assert snapshot(client, "s") == before
    assert template.events == []


def test_rotate_secret_automatically_after_days_above_the_maximum_reaches_the_service(
    client, secret, template
):
    # botocore checks only the model's minimum; 1001 is refused by the service.
    error = failure(
        client.rotate_secret,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 1001},
    )

    assert error[0] == "ValidationException"


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_rules_without_a_schedule(client, secret, template):
    before = snapshot(client, "s")

    error = failure(
        client.rotate_secret,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"Duration": "2h"},
    )

    assert error == (
        "InvalidParameterException",
        "You must specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules.",
        400,
    )
    assert snapshot(client, "s") == before


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_rotate_secret_failing_step_leaves_the_rotation_pending(client, secret, fake, step):
    handler = TemplateRotation(fail_at=step)
    arn = fake.register_rotation_function(FUNCTION, handler, retries=0)

    # Rotation is asynchronous on AWS: the call itself succeeds.
    response = rotate(
        client,
        SecretId="s",
        RotationLambdaARN=arn,
        ClientRequestToken=R1,
        RotationRules={"AutomaticallyAfterDays": 7},
    )

    assert response["VersionId"] == R1
    assert handler.steps == STEPS[: STEPS.index(step) + 1]
    assert stages(client, "s") == {V1: [CUR], R1: [PEND]}
    assert value_of(client) == "v1"
    if step == CREATE:
        with pytest.raises(ClientError) as excinfo:
            client.get_secret_value(SecretId="s", VersionStage=PEND)
        assert error_of(excinfo) == PENDING_NOT_FOUND
    else:
        assert value_of(client, VersionStage=PEND) == handler.stored[0]
    fields = rotation_fields(client)
    assert fields["RotationEnabled"] is True
    assert fields["RotationLambdaARN"] == arn
    assert fields["RotationRules"] == {"AutomaticallyAfterDays": 7}
    assert "LastRotatedDate" not in fields
    assert failure(client.rotate_secret, SecretId="s") == IN_PROGRESS


@pytest.mark.unverified("not yet checked against AWS")
@pytest.mark.parametrize("retries", [0, 1, 2])
@pytest.mark.parametrize("step", STEPS)
def test_rotate_secret_failing_step_record(client, secret, fake, step, retries):
    handler = TemplateRotation(fail_at=step)
    arn = fake.register_rotation_function(FUNCTION, handler, retries=retries)

    rotate(client, SecretId="s", RotationLambdaARN=arn, ClientRequestToken=R1)

    done = STEPS[: STEPS.index(step)]
    attempts = retries + 1
    assert handler.steps == done + [step] * attempts
    (record,) = fake.rotations
    assert (record.secret_arn, record.version_id, record.function_arn) == (
        secret["ARN"],
        R1,
        arn,
    )
    assert (record.trigger, record.outcome) == ("RotateSecret", "failed")
    every = "its only attempt" if attempts == 1 else f"all {attempts} attempts"
    assert record.reason == f"{step} failed on {every}: RuntimeError"
    assert (record.started, record.finished) == (T0, T0)
    assert [(s.step, s.attempt, s.outcome, s.error_type) for s in record.steps] == [
        (d, 1, "succeeded", None) for d in done
    ] + [(step, n, "failed", "RuntimeError") for n in range(1, attempts + 1)]
    # The exception stays available for inspection, but no repr shows its text.
    assert str(record.steps[-1].error) == SECRET_TEXT
    assert SECRET_TEXT not in repr(fake.rotations)
    assert "hunter2" not in repr(record) + "".join(repr(s) for s in record.steps)


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_step_failing_once_is_retried(client, secret, fake):
    handler = TemplateRotation(fail_at=TEST, failures=1)
    arn = fake.register_rotation_function(FUNCTION, handler, retries=1)

    rotate(client, SecretId="s", RotationLambdaARN=arn, ClientRequestToken=R1)

    assert handler.steps == [CREATE, SET, TEST, TEST, FINISH]
    (record,) = fake.rotations
    assert record.outcome == "succeeded"
    assert [(s.step, s.attempt, s.outcome) for s in record.steps] == [
        (CREATE, 1, "succeeded"),
        (SET, 1, "succeeded"),
        (TEST, 1, "failed"),
        (TEST, 2, "succeeded"),
        (FINISH, 1, "succeeded"),
    ]
    assert stages(client, "s") == {V1: [PREV], R1: [CUR]}
    assert rotation_fields(client)["LastRotatedDate"] == T0


def test_rotate_secret_failed_rotation_completes_when_rotated_by_hand(client, secret, fake):
    handler = fail_rotation(fake, client, step=TEST)
    password = handler.stored[0]

    # Finishing the rotation by hand (what the function failed to do) unblocks rotation.
    client.update_secret_version_stage(
        SecretId="s", VersionStage=CUR, MoveToVersionId=R1, RemoveFromVersionId=V1
    )
    client.update_secret_version_stage(SecretId="s", VersionStage=PEND, RemoveFromVersionId=R1)
    fixed = TemplateRotation()
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=fake.register_rotation_function("fixed", fixed),
        ClientRequestToken=R2,
    )

    assert fixed.steps == STEPS
    assert stages(client, "s") == {V1: [], R1: [PREV], R2: [CUR]}
    assert value_of(client, VersionStage=PREV) == password


def test_rotate_secret_new_value_by_hand_abandons_a_stuck_rotation(client, secret, fake):
    fail_rotation(fake, client, step=CREATE)

    client.put_secret_value(SecretId="s", SecretString="v2", ClientRequestToken=V2)

    # The abandoned placeholder lost its label and never held a value: no call shows it.
    assert stages(client, "s") == {V1: [PREV], V2: [CUR]}
    fixed = TemplateRotation()
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=fake.register_rotation_function("fixed", fixed),
        ClientRequestToken=R2,
    )
    assert fixed.steps == STEPS
    assert stages(client, "s") == {V1: [], V2: [PREV], R2: [CUR]}


# -- rotations that do not complete -----------------------------------------------------------


def do_nothing(event, context):
    """A rotation function that returns from every step and does nothing."""


class OnlyCreates(TemplateRotation):
    """Stores the new value in createSecret, then returns from the other steps untouched."""

    def read_pending(self, service, arn, version, step):
        pass

    def finish_secret(self, service, arn, version):
        pass


class PendingElsewhere(TemplateRotation):
    """finishSecret puts AWSPENDING on a third version instead of moving AWSCURRENT."""

    def finish_secret(self, service, arn, version):
        service.put_secret_value(
            SecretId=arn, SecretString="v2", ClientRequestToken=V2, VersionStages=[PEND]
        )


class DropsPending(TemplateRotation):
    """finishSecret removes AWSPENDING and leaves AWSCURRENT where it was."""

    def finish_secret(self, service, arn, version):
        service.update_secret_version_stage(
            SecretId=arn, VersionStage=PEND, RemoveFromVersionId=version
        )


def left_pending(on, *, current=V1, token=R1, empty=False):
    where = "still on" if on == token else "on"
    mine = "" if on == token else f" (this rotation's version is {token})"
    reason = (
        f"finishSecret returned, but AWSPENDING is {where} version {on}{mine}, not on the "
        f"AWSCURRENT version {current}: RotateSecret is refused until AWSPENDING is removed or "
        "moved to the AWSCURRENT version"
    )
    if empty:
        reason += f"; version {token} holds no value either (createSecret stored none)"
    return reason


@pytest.mark.parametrize(
    ("handler", "labels", "reason"),
    [
        (do_nothing, {V1: [CUR], R1: [PEND]}, left_pending(R1, empty=True)),
        (OnlyCreates(), {V1: [CUR], R1: [PEND]}, left_pending(R1)),
        (PendingElsewhere(), {V1: [CUR], R1: [], V2: [PEND]}, left_pending(V2)),
    ],
    ids=["does-nothing", "only-creates", "pending-elsewhere"],
)
def test_rotate_secret_function_that_leaves_pending_is_recorded_incomplete(
    client, secret, fake, handler, labels, reason
):
    arn = fake.register_rotation_function(FUNCTION, handler)

    response = rotate(client, SecretId="s", RotationLambdaARN=arn, ClientRequestToken=R1)

    assert response["VersionId"] == R1
    (record,) = fake.rotations
    assert (record.trigger, record.outcome, record.reason) == ("RotateSecret", "incomplete", reason)
    assert [(s.step, s.outcome) for s in record.steps] == [(s, "succeeded") for s in STEPS]
    assert stages(client, "s") == labels
    assert value_of(client) == "v1"
    assert failure(client.rotate_secret, SecretId="s") == IN_PROGRESS
    assert len(fake.rotations) == 1


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_incomplete_rotation_looks_successful_on_the_wire(client, secret, fake):
    # Lambda reported success for every step, so the service's events and the rotation
    # fields stay those of a successful rotation; AWS objects only at the next RotateSecret.
    arn = fake.register_rotation_function(FUNCTION, do_nothing)

    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=arn,
        ClientRequestToken=R1,
        RotationRules={"AutomaticallyAfterDays": 7},
    )

    service = [e.event_name for e in fake.events.filter(event_type="AwsServiceEvent")]
    assert service == ["RotationStarted", "RotationSucceeded"]
    fields = rotation_fields(client)
    assert (fields["RotationEnabled"], fields["LastRotatedDate"]) == (True, T0)
    assert fields["NextRotationDate"] == utc(2024, 5, 13, 23, 59, 59)


def test_rotate_secret_pending_left_on_the_new_current_version_is_complete(client, secret, fake):
    handler = TemplateRotation(remove_pending=False)
    arn = fake.register_rotation_function(FUNCTION, handler)

    rotate(client, SecretId="s", RotationLambdaARN=arn, ClientRequestToken=R1)

    assert stages(client, "s") == {V1: [PREV], R1: [CUR, PEND]}
    (record,) = fake.rotations
    assert (record.outcome, record.reason) == ("succeeded", None)


def test_rotate_secret_function_that_only_drops_pending_ends_the_rotation(client, secret, fake):
    # AWS's contract asks only that AWSPENDING be gone or on the AWSCURRENT version: nothing
    # blocks the next rotation, although this one rotated nothing.
    arn = fake.register_rotation_function(FUNCTION, DropsPending())

    rotate(client, SecretId="s", RotationLambdaARN=arn, ClientRequestToken=R1)

    assert stages(client, "s") == {V1: [CUR], R1: []}
    assert (fake.rotations[0].outcome, fake.rotations[0].reason) == ("succeeded", None)
    rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN, ClientRequestToken=R2)
    assert len(fake.rotations) == 2


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_incomplete_scheduled_rotation_is_reattempted(client, secret, fake):
    arn = fake.register_rotation_function(FUNCTION, OnlyCreates())
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=arn,
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )

    fake.clock.set(utc(2024, 5, 13, 1))
    fake.clock.set(utc(2024, 5, 20, 1))

    test, first, again = fake.rotations
    assert (test.trigger, test.outcome) == ("test", "succeeded")
    pending = first.version_id
    # The next window reattempts the rotation with its token, and gets no further.
    assert [(r.trigger, r.started, r.version_id, r.outcome) for r in (first, again)] == [
        ("schedule", utc(2024, 5, 13), pending, "incomplete"),
        ("schedule", utc(2024, 5, 20), pending, "incomplete"),
    ]
    assert again.reason == left_pending(pending, token=pending)
    assert stages(client, "s") == {V1: [CUR], pending: [PEND]}
    assert rotation_fields(client)["NextRotationDate"] == utc(2024, 5, 27, 23, 59, 59)


def test_rotate_secret_not_immediately_keeps_its_meaning_for_a_lazy_function(client, secret, fake):
    # The test rotation runs testSecret only and removes its version itself: it completes.
    arn = fake.register_rotation_function(FUNCTION, do_nothing)

    rotate(client, SecretId="s", RotationLambdaARN=arn, RotateImmediately=False)

    (record,) = fake.rotations
    assert (record.trigger, record.outcome, record.reason) == ("test", "succeeded", None)
    assert stages(client, "s") == {V1: [CUR]}


# -- RotateImmediately=false ------------------------------------------------------------------


def test_rotate_secret_not_immediately_only_tests_the_configuration(client, secret, template):
    response = rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        ClientRequestToken=R1,
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )

    assert body(response) == {"ARN": secret["ARN"], "Name": "s", "VersionId": R1}
    assert template.steps == [TEST]
    assert template.events[0]["ClientRequestToken"] == R1
    # testSecret saw a fresh version holding a copy of the current value under AWSPENDING.
    assert template.described[0][1]["VersionIdsToStages"] == {V1: [CUR], R1: [PEND]}
    assert template.pending_values == {TEST: "v1"}
    # ...which is gone afterwards; nothing rotated.
    assert stages(client, "s") == {V1: [CUR]}
    assert value_of(client) == "v1"
    fields = rotation_fields(client)
    assert fields["RotationEnabled"] is True
    assert fields["RotationLambdaARN"] == FUNCTION_ARN
    assert fields["RotationRules"] == {"AutomaticallyAfterDays": 7}
    assert fields["NextRotationDate"] == utc(2024, 5, 13, 23, 59, 59)


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_not_immediately_record(client, secret, template, fake):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        ClientRequestToken=R1,
        RotateImmediately=False,
    )

    (record,) = fake.rotations
    assert (record.trigger, record.outcome, record.version_id) == ("test", "succeeded", R1)
    assert [(s.step, s.attempt, s.outcome) for s in record.steps] == [(TEST, 1, "succeeded")]
    assert "LastRotatedDate" not in rotation_fields(client)


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_not_immediately_failing_test_record(client, secret, fake):
    handler = TemplateRotation(fail_at=TEST)
    arn = fake.register_rotation_function(FUNCTION, handler, retries=1)

    rotate(client, SecretId="s", RotationLambdaARN=arn, RotateImmediately=False)

    (record,) = fake.rotations
    assert (record.trigger, record.outcome) == ("test", "failed")
    assert record.reason == "testSecret failed on all 2 attempts: RuntimeError"
    service = [e.event_name for e in fake.events.filter(event_type="AwsServiceEvent")]
    assert service == ["TestRotationStarted", "TestRotationFailed"]
    assert stages(client, "s") == {V1: [CUR]}


def test_rotate_secret_not_immediately_rotates_at_the_next_window(client, secret, template, fake):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )

    fake.clock.advance(days=6)
    assert template.steps == [TEST]

    fake.clock.advance(days=1)
    assert template.steps == [TEST] + STEPS
    assert value_of(client) == template.stored[0]
    assert rotation_fields(client)["LastRotatedDate"] == utc(2024, 5, 13)


# -- schedules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "next_date"),
    [
        ({"AutomaticallyAfterDays": 7}, utc(2024, 5, 13, 23, 59, 59)),
        ({"AutomaticallyAfterDays": 1}, utc(2024, 5, 7, 23, 59, 59)),
        ({"AutomaticallyAfterDays": 7, "Duration": "4h"}, utc(2024, 5, 13, 4)),
        ({"ScheduleExpression": "rate(10 days)"}, utc(2024, 5, 16, 23, 59, 59)),
        ({"ScheduleExpression": "rate(1 day)"}, utc(2024, 5, 7, 23, 59, 59)),
        # Windows of a rate in hours start at midnight: 00:00, 06:00, 12:00, 18:00; 1h long.
        ({"ScheduleExpression": "rate(6 hours)"}, utc(2024, 5, 6, 13)),
        ({"ScheduleExpression": "cron(0 4/12 * * ? *)"}, utc(2024, 5, 6, 17)),
        # T0 is a Monday; the next Saturday is 2024-05-11.
        ({"ScheduleExpression": "cron(0 8 ? * SAT *)"}, utc(2024, 5, 11, 23, 59, 59)),
        ({"ScheduleExpression": "cron(0 8 ? * SAT *)", "Duration": "3h"}, utc(2024, 5, 11, 11)),
        ({"ScheduleExpression": "cron(0 0 1 * ? *)"}, utc(2024, 6, 1, 23, 59, 59)),
    ],
)
def test_rotate_secret_next_rotation_date_is_the_window_end(
    client, secret, template, rules, next_date
):
    rotate(client, SecretId="s", RotationLambdaARN=FUNCTION_ARN, RotationRules=rules)

    fields = rotation_fields(client)
    assert fields["RotationRules"] == rules
    assert fields["LastRotatedDate"] == T0
    assert fields["NextRotationDate"] == next_date


def test_rotate_secret_schedule_in_days_rotates_once_per_period(client, secret, template, fake):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        ClientRequestToken=R1,
        RotationRules={"AutomaticallyAfterDays": 7},
    )

    fake.clock.advance(days=30)

    starts = [utc(2024, 5, 13), utc(2024, 5, 20), utc(2024, 5, 27), utc(2024, 6, 3)]
    records = fake.rotations
    assert [r.started for r in records] == [T0, *starts]
    assert [r.trigger for r in records] == ["RotateSecret"] + ["schedule"] * 4
    assert {r.outcome for r in records} == {"succeeded"}
    tokens = [r.version_id for r in records]
    assert len(set(tokens)) == 5 and tokens[0] == R1
    assert template.steps == STEPS * 5
    assert [e["ClientRequestToken"] for e in template.events[::4]] == tokens
    assert stages(client, "s") == {
        V1: [],
        tokens[0]: [],
        tokens[1]: [],
        tokens[2]: [],
        tokens[3]: [PREV],
        tokens[4]: [CUR],
    }
    assert value_of(client) == template.stored[-1]
    fields = rotation_fields(client)
    assert fields["LastRotatedDate"] == utc(2024, 6, 3)
    assert fields["NextRotationDate"] == utc(2024, 6, 10, 23, 59, 59)


def test_rotate_secret_schedule_in_hours_rotates_at_each_window(client, secret, template, fake):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"ScheduleExpression": "cron(0 4/12 * * ? *)"},
    )

    fake.clock.advance(days=2)

    assert [r.started for r in fake.rotations] == [
        T0,
        utc(2024, 5, 6, 16),
        utc(2024, 5, 7, 4),
        utc(2024, 5, 7, 16),
        utc(2024, 5, 8, 4),
    ]
    assert {r.outcome for r in fake.rotations} == {"succeeded"}
    fields = rotation_fields(client)
    assert fields["LastRotatedDate"] == utc(2024, 5, 8, 4)
    assert fields["NextRotationDate"] == utc(2024, 5, 8, 17)


def test_rotate_secret_rate_schedule_rotates_once_per_period(client, secret, template, fake):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"ScheduleExpression": "rate(2 days)"},
    )

    fake.clock.advance(days=7)

    assert [r.started for r in fake.rotations] == [
        T0,
        utc(2024, 5, 8),
        utc(2024, 5, 10),
        utc(2024, 5, 12),
    ]
    assert rotation_fields(client)["NextRotationDate"] == utc(2024, 5, 14, 23, 59, 59)


def test_rotate_secret_nothing_rotates_before_the_window(client, secret, template, fake):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 7},
    )
    before = snapshot(client, "s")

    fake.clock.set(utc(2024, 5, 12, 23, 59, 59))

    assert snapshot(client, "s") == before
    assert len(fake.rotations) == 1


@pytest.mark.parametrize("how", ["put_secret_value", "update_secret"])
def test_rotate_secret_value_written_by_hand_reschedules(client, secret, template, fake, how):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 7},
    )
    fake.clock.advance(days=3)

    getattr(client, how)(SecretId="s", SecretString="by hand", ClientRequestToken=V2)

    assert rotation_fields(client)["NextRotationDate"] == utc(2024, 5, 16, 23, 59, 59)
    fake.clock.set(utc(2024, 5, 15, 12))
    assert len(fake.rotations) == 1
    assert value_of(client) == "by hand"
    fake.clock.set(utc(2024, 5, 16, 1))
    assert [r.started for r in fake.rotations] == [T0, utc(2024, 5, 16)]
    assert value_of(client, VersionStage=PREV) == "by hand"


def test_rotate_secret_pending_write_by_hand_does_not_reschedule(client, secret, template, fake):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 7},
    )
    fake.clock.advance(days=3)

    client.put_secret_value(
        SecretId="s", SecretString="staged", ClientRequestToken=V2, VersionStages=["STAGED"]
    )

    assert rotation_fields(client)["NextRotationDate"] == utc(2024, 5, 13, 23, 59, 59)


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_failed_scheduled_rotation_is_reattempted(client, secret, fake):
    handler = TemplateRotation(fail_at=SET, failures=2)
    arn = fake.register_rotation_function(FUNCTION, handler, retries=0)
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=arn,
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )

    # First window: fails, the pending version stays.
    fake.clock.set(utc(2024, 5, 13, 1))
    scheduled = fake.rotations[1]
    assert (scheduled.started, scheduled.outcome) == (utc(2024, 5, 13), "failed")
    pending = scheduled.version_id
    assert stages(client, "s") == {V1: [CUR], pending: [PEND]}
    assert rotation_fields(client)["NextRotationDate"] == utc(2024, 5, 20, 23, 59, 59)

    # Next window: reattempted with the same token; fails again.
    fake.clock.set(utc(2024, 5, 20, 1))
    # The window after: the same token once more, and this time it succeeds.
    fake.clock.set(utc(2024, 5, 27, 1))

    records = fake.rotations[1:]
    assert [(r.started, r.version_id, r.outcome) for r in records] == [
        (utc(2024, 5, 13), pending, "failed"),
        (utc(2024, 5, 20), pending, "failed"),
        (utc(2024, 5, 27), pending, "succeeded"),
    ]
    # createSecret found the value it had stored the first time and kept it.
    assert len(handler.stored) == 1
    assert stages(client, "s") == {V1: [PREV], pending: [CUR]}
    assert value_of(client) == handler.stored[0]
    fields = rotation_fields(client)
    assert fields["LastRotatedDate"] == utc(2024, 5, 27)
    assert fields["NextRotationDate"] == utc(2024, 6, 3, 23, 59, 59)


@pytest.mark.unverified("not yet checked against AWS")
def test_rotate_secret_schedule_skips_a_secret_marked_for_deletion(
    client, secret, template, fake, loop_guard
):
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=FUNCTION_ARN,
        RotationRules={"AutomaticallyAfterDays": 7},
    )
    client.delete_secret(SecretId="s", RecoveryWindowInDays=30)

    fake.clock.advance(days=20)

    assert len(fake.rotations) == 1
    assert template.steps == STEPS
    # Restored, the secret rotates again at its next window.
    client.restore_secret(SecretId="s")
    fake.clock.advance(days=7)
    assert len(fake.rotations) == 2
