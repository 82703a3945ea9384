"""RotateSecret on managed external secrets (AWS_SPEC_1_44 §A10): a secret with a ``Type`` is
rotated by the partner rotator the test registers for that Type, through the same four steps as
a rotation Lambda, with ``ExternalSecretRotationMetadata`` and ``ExternalSecretRotationRoleArn``
stored and shown. AWS documents none of the refusals: each is smfake's choice."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from smfake.errors import UsageError, UsageTypeError
from tests.conftest import assert_shape, needs_member
from tests.operations.conftest import NOT_FOUND, body, snapshot, token
from tests.operations.test_rotate_secret import failure, rotate

pytestmark = needs_member("RotateSecret", "ExternalSecretRotationMetadata")

TYPE = "SnowflakePat"
ROLE = "arn:aws:iam::123456789012:role/partner-rotation"
METADATA = [{"Key": "user", "Value": "APP_USER"}, {"Key": "expiry_days", "Value": "30"}]
CUR, PREV, PEND = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"]
R1, R2 = token("r1"), token("r2")

CANNOT_INVOKE = (
    "AccessDeniedException",
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
    "policy grants access to the principal secretsmanager.amazonaws.com.",
    400,
)
EXTERNAL_WITHOUT_TYPE = (
    "InvalidParameterException",
    "You can't specify ExternalSecretRotationMetadata or ExternalSecretRotationRoleArn for a "
    "secret that has no Type.",
    400,
)
LAMBDA_FOR_EXTERNAL = (
    "InvalidParameterException",
    "You can't specify RotationLambdaARN for a managed external secret: the partner of Type "
    f"{TYPE} rotates it.",
    400,
)
NO_ROLE = (
    "InvalidRequestException",
    "No ExternalSecretRotationRoleArn is associated with this managed external secret.",
    400,
)
METADATA_ITEM = (
    "InvalidParameterException",
    "Each item of ExternalSecretRotationMetadata must have a Key and a Value.",
    400,
)


class Partner:
    """A partner rotator: mints a new credential at createSecret, makes it current at
    finishSecret, through a boto3 client of the fake. ``fail_at`` makes that step raise."""

    def __init__(self, fail_at=None):
        self.fail_at = fail_at
        self.events = []
        self.metadata_seen = []
        self.client = boto3.client("secretsmanager", region_name="us-east-1")

    @property
    def steps(self):
        return [event["Step"] for event in self.events]

    def __call__(self, event):
        self.events.append(dict(event))
        arn, version, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        described = self.client.describe_secret(SecretId=arn)
        self.metadata_seen.append(described.get("ExternalSecretRotationMetadata"))
        if step == self.fail_at:
            raise RuntimeError("the partner refused")
        if step == "createSecret":
            self.client.put_secret_value(
                SecretId=arn,
                ClientRequestToken=version,
                SecretString=f"credential-{len(self.events)}",
                VersionStages=[PEND],
            )
        elif step == "finishSecret":
            stages = described["VersionIdsToStages"]
            current = next(v for v, labels in stages.items() if CUR in labels)
            self.client.update_secret_version_stage(
                SecretId=arn, VersionStage=CUR, MoveToVersionId=version, RemoveFromVersionId=current
            )
            self.client.update_secret_version_stage(
                SecretId=arn, VersionStage=PEND, RemoveFromVersionId=version
            )


@pytest.fixture
def external(client, t0):
    """Secret "s" of Type TYPE, value v1."""
    return client.create_secret(
        Name="s", SecretString="v1", ClientRequestToken=token("v1"), Type=TYPE
    )


@pytest.fixture
def partner(fake):
    handler = Partner()
    fake.register_partner_rotator(TYPE, handler)
    return handler


def test_rotate_secret_external_runs_the_partner_rotator(client, fake, external, partner):
    response = rotate(
        client,
        SecretId="s",
        ClientRequestToken=R1,
        ExternalSecretRotationMetadata=METADATA,
        ExternalSecretRotationRoleArn=ROLE,
    )

    assert body(response) == {"ARN": external["ARN"], "Name": "s", "VersionId": R1}
    assert partner.steps == STEPS
    assert {(e["SecretId"], e["ClientRequestToken"]) for e in partner.events} == {
        (external["ARN"], R1)
    }
    assert all(set(e) == {"Step", "SecretId", "ClientRequestToken", "RotationToken"}
               for e in partner.events)  # fmt: skip
    # The partner sees the metadata it was given, from the first step on.
    assert partner.metadata_seen == [METADATA] * 4
    assert client.get_secret_value(SecretId="s")["SecretString"] == "credential-1"
    described = client.describe_secret(SecretId="s")
    assert_shape(client, "DescribeSecret", described)
    assert described["Type"] == TYPE
    assert described["ExternalSecretRotationMetadata"] == METADATA
    assert described["ExternalSecretRotationRoleArn"] == ROLE
    assert described["RotationEnabled"] is True
    assert "RotationLambdaARN" not in described
    assert described["VersionIdsToStages"] == {token("v1"): [PREV], R1: [CUR]}
    listed = client.list_secrets()
    assert_shape(client, "ListSecrets", listed)
    (entry,) = listed["SecretList"]
    assert {k: entry[k] for k in ("Type", "ExternalSecretRotationMetadata")} == {
        "Type": TYPE,
        "ExternalSecretRotationMetadata": METADATA,
    }
    assert entry["ExternalSecretRotationRoleArn"] == ROLE
    (record,) = fake.rotations
    assert (record.partner_type, record.function_arn, record.trigger, record.outcome) == (
        TYPE,
        "",
        "RotateSecret",
        "succeeded",
    )
    assert [s.step for s in record.steps] == STEPS
    service = [e.event_name for e in fake.events.filter(event_type="AwsServiceEvent")]
    assert service == ["RotationStarted", "RotationSucceeded"]
    (call,) = fake.events.filter("RotateSecret")
    assert call.request_parameters["externalSecretRotationRoleArn"] == ROLE
    # The model marks none of the new members sensitive; the rotation tokens (sensitive) and
    # the values the partner stored stay out of the records.
    logged = json.dumps([event.to_dict() for event in fake.events], default=str)
    assert not [e["RotationToken"] for e in partner.events if e["RotationToken"] in logged]
    assert "credential-1" not in logged and "credential-1" not in repr(fake.rotations)


def test_rotate_secret_external_on_schedule_and_as_a_test(client, fake, external, partner):
    rotate(
        client,
        SecretId="s",
        ClientRequestToken=R1,
        ExternalSecretRotationRoleArn=ROLE,
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )
    assert partner.steps == ["testSecret"]
    fake.clock.advance(days=8)

    assert partner.steps == ["testSecret"] + STEPS
    assert [r.trigger for r in fake.rotations] == ["test", "schedule"]
    assert {r.partner_type for r in fake.rotations} == {TYPE}
    assert client.describe_secret(SecretId="s")["NextRotationDate"] is not None


def test_rotate_secret_external_step_failure_is_retried_then_recorded(client, fake, external):
    fake.register_partner_rotator(TYPE, Partner(fail_at="setSecret"), retries=1)

    rotate(client, SecretId="s", ClientRequestToken=R1, ExternalSecretRotationRoleArn=ROLE)

    (record,) = fake.rotations
    assert record.outcome == "failed"
    assert record.reason == "setSecret failed on all 2 attempts: RuntimeError"
    assert client.describe_secret(SecretId="s")["VersionIdsToStages"][R1] == [PEND]


@pytest.mark.unverified("AWS does not document a partner that cannot rotate; as a Lambda's")
def test_rotate_secret_external_without_a_partner_rotator_unverified(client, fake, external):
    before = snapshot(client, "s")

    error = failure(
        client.rotate_secret,
        SecretId="s",
        ExternalSecretRotationMetadata=METADATA,
        ExternalSecretRotationRoleArn=ROLE,
    )

    assert error == CANNOT_INVOKE
    assert snapshot(client, "s") == before
    assert fake.rotations == []


@pytest.mark.unverified("a Type secret rotates without Lambda; AWS's refusal is not documented")
def test_rotate_secret_external_with_a_lambda_is_refused_unverified(
    client, fake, external, partner
):
    arn = fake.register_rotation_function("rotate-s", lambda event, context: None)
    before = snapshot(client, "s")

    error = failure(
        client.rotate_secret,
        SecretId="s",
        RotationLambdaARN=arn,
        ExternalSecretRotationRoleArn=ROLE,
    )

    assert error == LAMBDA_FOR_EXTERNAL
    assert snapshot(client, "s") == before
    assert partner.events == []


@pytest.mark.unverified("the external members' refusal on an ordinary secret is smfake's")
@pytest.mark.parametrize(
    "extra",
    [{"ExternalSecretRotationMetadata": METADATA}, {"ExternalSecretRotationRoleArn": ROLE}],
    ids=["metadata", "role"],
)
def test_rotate_secret_external_members_without_type_unverified(client, fake, extra):
    client.create_secret(Name="s", SecretString="v1")
    arn = fake.register_rotation_function("rotate-s", lambda event, context: None)
    before = snapshot(client, "s")

    error = failure(client.rotate_secret, SecretId="s", RotationLambdaARN=arn, **extra)

    assert error == EXTERNAL_WITHOUT_TYPE
    assert snapshot(client, "s") == before
    assert fake.rotations == []


@pytest.mark.unverified("the rotation role is required (mes-security); the refusal is smfake's")
def test_rotate_secret_external_without_a_role_unverified(client, fake, external, partner):
    before = snapshot(client, "s")

    error = failure(client.rotate_secret, SecretId="s", ExternalSecretRotationMetadata=METADATA)

    assert error == NO_ROLE
    assert snapshot(client, "s") == before
    assert partner.events == []


@pytest.mark.unverified("what a later RotateSecret keeps or replaces is not documented")
def test_rotate_secret_external_members_are_kept_until_given_again_unverified(
    client, fake, external, partner
):
    rotate(
        client,
        SecretId="s",
        ClientRequestToken=R1,
        ExternalSecretRotationMetadata=METADATA,
        ExternalSecretRotationRoleArn=ROLE,
    )
    rotate(client, SecretId="s", ClientRequestToken=R2)
    described = client.describe_secret(SecretId="s")
    assert (
        described["ExternalSecretRotationMetadata"],
        described["ExternalSecretRotationRoleArn"],
    ) == (
        METADATA,
        ROLE,
    )

    # Given again, the list replaces the old one whole, duplicates and order as given; an
    # empty list is no list (as an empty Type is no Type): it keeps the stored one.
    again = [{"Key": "k", "Value": "2"}, {"Key": "k", "Value": "1"}]
    rotate(
        client, SecretId="s", ClientRequestToken=token("r3"), ExternalSecretRotationMetadata=again
    )
    assert client.describe_secret(SecretId="s")["ExternalSecretRotationMetadata"] == again
    rotate(client, SecretId="s", ClientRequestToken=token("r4"), ExternalSecretRotationMetadata=[])
    assert client.describe_secret(SecretId="s")["ExternalSecretRotationMetadata"] == again
    assert [r.outcome for r in fake.rotations] == ["succeeded"] * 4


@pytest.mark.unverified("the model leaves Key and Value optional; AWS's answer is not documented")
@pytest.mark.parametrize("item", [{"Key": "k"}, {"Value": "v"}], ids=["no value", "no key"])
def test_rotate_secret_external_metadata_item_incomplete_unverified(
    client, fake, external, partner, item
):
    before = snapshot(client, "s")

    error = failure(
        client.rotate_secret,
        SecretId="s",
        ExternalSecretRotationMetadata=[item],
        ExternalSecretRotationRoleArn=ROLE,
    )

    assert error == METADATA_ITEM
    assert snapshot(client, "s") == before


@pytest.mark.unverified("AWS's order of checks is not documented: the secret comes first")
def test_rotate_secret_external_metadata_item_on_a_missing_secret_unverified(client, fake):
    error = failure(
        client.rotate_secret,
        SecretId="missing",
        ExternalSecretRotationMetadata=[{"Key": "k"}],
        ExternalSecretRotationRoleArn=ROLE,
    )

    assert error == NOT_FOUND


@pytest.mark.unverified("AWS's order of checks is not documented: the Type comes before items")
def test_rotate_secret_external_metadata_item_without_type_unverified(client, fake):
    client.create_secret(Name="s", SecretString="v1")
    arn = fake.register_rotation_function("rotate-s", lambda event, context: None)
    before = snapshot(client, "s")

    error = failure(
        client.rotate_secret,
        SecretId="s",
        RotationLambdaARN=arn,
        ExternalSecretRotationMetadata=[{"Value": "v"}],
    )

    assert error == EXTERNAL_WITHOUT_TYPE
    assert snapshot(client, "s") == before


@pytest.mark.unverified("an empty list is no list, as an empty Type is no Type")
def test_rotate_secret_external_empty_metadata_without_type_unverified(client, fake):
    client.create_secret(Name="s", SecretString="v1")
    calls = []
    arn = fake.register_rotation_function("rotate-s", lambda event, context: calls.append(event))

    rotate(
        client,
        SecretId="s",
        ClientRequestToken=R1,
        RotationLambdaARN=arn,
        RotateImmediately=False,
        ExternalSecretRotationMetadata=[],
    )

    assert [event["Step"] for event in calls] == ["testSecret"]
    described = client.describe_secret(SecretId="s")
    assert described["RotationEnabled"] is True
    assert "ExternalSecretRotationMetadata" not in described


@pytest.mark.parametrize(
    ("extra", "rule"),
    [
        (
            {"ExternalSecretRotationMetadata": [{"Key": "k" * 257, "Value": "v"}]},
            "at 'externalSecretRotationMetadata.1.member.key' failed to satisfy constraint: "
            "Member must have length less than or equal to 256",
        ),
        (
            {"ExternalSecretRotationMetadata": [{"Key": "k", "Value": "v" * 2049}]},
            "at 'externalSecretRotationMetadata.1.member.value' failed to satisfy constraint: "
            "Member must have length less than or equal to 2048",
        ),
        (
            {"ExternalSecretRotationRoleArn": "arn:" + "r" * 2045},
            "at 'externalSecretRotationRoleArn' failed to satisfy constraint: "
            "Member must have length less than or equal to 2048",
        ),
        (
            {"ExternalSecretRotationRoleArn": "arn:aws:iam::1:role"},
            "at 'externalSecretRotationRoleArn' failed to satisfy constraint: "
            "Member must have length greater than or equal to 20",
        ),
    ],
    ids=["key too long", "value too long", "role too long", "role too short"],
)
def test_rotate_secret_external_members_out_of_model_bounds(
    make_client, fake, external, partner, extra, rule
):
    # The last bound is botocore's own check too: a client without it shows the service's.
    unchecked = make_client(config=Config(parameter_validation=False))
    before = snapshot(unchecked, "s")

    code, message, status = failure(
        unchecked.rotate_secret, SecretId="s", ClientRequestToken=R1, **extra
    )

    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value ")
    assert message.endswith(rule)
    assert snapshot(unchecked, "s") == before


@pytest.mark.unverified("AWS does not document changing a Type; the new Type's partner rotates")
def test_rotate_secret_external_after_the_type_changed_unverified(client, fake, external, partner):
    other = Partner()
    fake.register_partner_rotator("SnowflakeKeyPairAuthentication", other)
    client.update_secret(SecretId="s", Type="SnowflakeKeyPairAuthentication")

    rotate(client, SecretId="s", ClientRequestToken=R1, ExternalSecretRotationRoleArn=ROLE)

    assert (partner.steps, other.steps) == ([], STEPS)
    assert fake.rotations[-1].partner_type == "SnowflakeKeyPairAuthentication"


@pytest.mark.unverified("a Type given to a secret rotated by Lambda: its partner rotates it")
def test_rotate_secret_external_after_lambda_rotation_unverified(client, fake, partner, t0):
    client.create_secret(Name="s", SecretString="v1")
    arn = fake.register_rotation_function("rotate-s", lambda event, context: None)
    rotate(client, SecretId="s", RotationLambdaARN=arn, RotateImmediately=False)
    client.update_secret(SecretId="s", Type=TYPE)

    rotate(client, SecretId="s", ClientRequestToken=R1, ExternalSecretRotationRoleArn=ROLE)

    assert partner.steps == STEPS
    # The Lambda function stays configured, unused while the secret has a Type.
    assert client.describe_secret(SecretId="s")["RotationLambdaARN"] == arn


@pytest.mark.unverified("a scheduled rotation that cannot run leaves no trace, as for a Lambda")
@pytest.mark.parametrize("cause", ["lambda function unregistered", "type without a role"])
def test_rotate_secret_external_scheduled_rotation_that_cannot_run_unverified(
    client, fake, partner, t0, cause
):
    # A secret given a Type while a Lambda schedule rotates it has no rotation role until a
    # RotateSecret gives one: its scheduled rotations cannot run, and leave no record or
    # event, exactly like those of a Lambda function that does not exist.
    calls = []
    arn = fake.register_rotation_function("rotate-s", lambda event, context: calls.append(event))
    client.create_secret(Name="s", SecretString="v1")
    rotate(
        client,
        SecretId="s",
        RotationLambdaARN=arn,
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )
    if cause == "type without a role":
        client.update_secret(SecretId="s", Type=TYPE)
    else:
        fake.unregister_rotation_function(arn)
    before = client.describe_secret(SecretId="s")
    events = len(fake.events)

    fake.clock.advance(days=8)

    assert [event["Step"] for event in calls] == ["testSecret"]
    assert partner.events == []
    assert [r.trigger for r in fake.rotations] == ["test"]
    assert list(fake.events)[events:] == []
    described = client.describe_secret(SecretId="s")
    assert described["RotationEnabled"] is True
    assert described["NextRotationDate"] > before["NextRotationDate"]
    if cause == "type without a role":
        # Once a RotateSecret gives the role, the partner rotates it.
        rotate(client, SecretId="s", ClientRequestToken=R1, ExternalSecretRotationRoleArn=ROLE)
        assert partner.steps == STEPS


def test_unregister_partner_rotator_stops_scheduled_rotations(client, fake, external, partner):
    rotate(
        client,
        SecretId="s",
        ClientRequestToken=R1,
        ExternalSecretRotationRoleArn=ROLE,
        RotationRules={"AutomaticallyAfterDays": 1},
        RotateImmediately=False,
    )
    assert partner.steps == ["testSecret"]
    fake.unregister_partner_rotator(TYPE)

    fake.clock.advance(days=3)

    assert partner.steps == ["testSecret"]
    assert [r.trigger for r in fake.rotations] == ["test"]
    assert client.describe_secret(SecretId="s")["RotationEnabled"] is True
    # Registered again, it rotates the secret at the next window.
    fake.register_partner_rotator(TYPE, partner)
    fake.clock.advance(days=1)
    assert partner.steps == ["testSecret"] + STEPS
    assert [r.trigger for r in fake.rotations] == ["test", "schedule"]


@pytest.mark.unverified("CancelRotateSecret on a Type secret never rotated: the Lambda path's")
def test_cancel_rotate_secret_external_never_rotated_unverified(client, fake, external):
    before = snapshot(client, "s")

    error = failure(client.cancel_rotate_secret, SecretId="s")

    assert error == (
        "InvalidRequestException",
        "No Lambda rotation function ARN is associated with this secret.",
        400,
    )
    assert snapshot(client, "s") == before


def test_rotate_secret_external_partner_unregistered(client, fake, external, partner):
    fake.unregister_partner_rotator(TYPE)

    error = failure(client.rotate_secret, SecretId="s", ExternalSecretRotationRoleArn=ROLE)

    assert error == CANNOT_INVOKE
    with pytest.raises(UsageError, match=f"no partner rotator is registered for Type '{TYPE}'"):
        fake.unregister_partner_rotator(TYPE)


@pytest.mark.parametrize(
    ("type_name", "handler", "retries", "error", "match"),
    [
        ("", print, 2, UsageError, "a secret Type is 1 to 256 characters"),
        ("t" * 257, print, 2, UsageError, "a secret Type is 1 to 256 characters"),
        (7, print, 2, UsageTypeError, "a secret Type is a str, got 7"),
        (TYPE, "handler", 2, UsageTypeError, "a partner rotator is a callable"),
        (TYPE, lambda event, context: None, 2, UsageTypeError, r"called as handler\(event\)"),
        (TYPE, print, 3, UsageError, "retries is 0, 1 or 2"),
    ],
    ids=["empty", "too long", "not a str", "not callable", "two arguments", "retries"],
)
def test_register_partner_rotator_misuse(fake, type_name, handler, retries, error, match):
    with pytest.raises(error, match=match):
        fake.register_partner_rotator(type_name, handler, retries=retries)


@pytest.mark.unverified("a replica shows its primary's Type, as it shows its description")
def test_rotate_secret_external_type_reaches_replicas_unverified(client, make_client, external):
    client.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": "eu-west-1"}])
    eu = make_client("eu-west-1")

    assert eu.describe_secret(SecretId="s")["Type"] == TYPE
    client.update_secret(SecretId="s", Type="DatabricksPAT")
    assert eu.describe_secret(SecretId="s")["Type"] == "DatabricksPAT"
