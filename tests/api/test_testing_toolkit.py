"""smfake.testing.RotationMachine: passes on a correct rotation function, finds and shrinks a
broken one, calls the user's check at rest and between steps, and keeps its promises about
settings, secrets and the fake's activation."""

from __future__ import annotations

import functools
import itertools
import re
import sys
from typing import Any

import boto3
import pytest
from hypothesis import Phase

from smfake import current_fake
from smfake.errors import UsageError
from smfake.testing import InjectedCrash, RotationInvariantError, RotationMachine

MARKER = "s3cr3t"  # in every secret value, so that a leak is easy to spot
# Deterministic and quick: the same search on every run, nothing saved between runs.
QUICK = {"derandomize": True, "database": None}

# The external system whose credential is rotated: one API key.
SERVICE: dict[str, str] = {}
NEW_KEYS = itertools.count(1)


@functools.cache
def client() -> Any:
    return boto3.client("secretsmanager", region_name="us-east-1")


def pending_value(arn: str, token: str) -> str:
    got = client().get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
    return str(got["SecretString"])


def create_if_missing(arn: str, token: str) -> None:
    try:
        pending_value(arn, token)
    except client().exceptions.ResourceNotFoundException:
        client().put_secret_value(
            SecretId=arn,
            ClientRequestToken=token,
            SecretString=f"{MARKER}-{token}",
            VersionStages=["AWSPENDING"],
        )


def create_again(arn: str, token: str) -> None:
    # Not idempotent: a new key reaches the service before the secret stores it.
    key = f"{MARKER}-{next(NEW_KEYS)}"
    SERVICE["key"] = key
    client().put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=key, VersionStages=["AWSPENDING"]
    )


def make_handler(create: Any, *, test_fails: bool = False) -> Any:
    def handler(event: dict[str, str], context: Any) -> None:
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        stages = client().describe_secret(SecretId=arn)["VersionIdsToStages"]
        if "AWSCURRENT" in stages.get(token, []):
            return
        if step == "createSecret":
            create(arn, token)
        elif step == "setSecret":
            SERVICE["key"] = pending_value(arn, token)
        elif step == "testSecret":
            if test_fails or SERVICE["key"] != pending_value(arn, token):
                raise ValueError("the pending key is refused")
        elif step == "finishSecret":
            current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
            client().update_secret_version_stage(
                SecretId=arn,
                VersionStage="AWSCURRENT",
                MoveToVersionId=token,
                RemoveFromVersionId=current,
            )

    return handler


class KeyRotation(RotationMachine):
    handler = staticmethod(make_handler(create_if_missing))
    initial_value = f"{MARKER}-first"
    max_examples = 10
    step_count = 10

    def setup(self, fake: Any, client: Any, arn: str) -> None:
        SERVICE["key"] = f"{MARKER}-first"

    def check(self, fake: Any, client: Any, arn: str) -> None:
        current_works = self.read("AWSCURRENT") == SERVICE["key"]
        pending_works = self.rotation_in_progress and self.read("AWSPENDING") == SERVICE["key"]
        assert current_works or pending_works, "the service refuses every labelled key"

    def write_by_hand(self, fake: Any, client: Any, arn: str) -> None:
        SERVICE["key"] = f"{MARKER}-by-hand-{next(NEW_KEYS)}"
        client.put_secret_value(SecretId=arn, SecretString=SERVICE["key"])


class BrokenKeyRotation(KeyRotation):
    handler = staticmethod(make_handler(create_again))
    # Fixed: a drawn schedule would cost the shrinker many runs to simplify, for nothing.
    rotation_rules = {"AutomaticallyAfterDays": 1}


def failure_of(machine: type[RotationMachine], **settings: Any) -> AssertionError:
    with pytest.raises(AssertionError) as failure:
        machine.run(**QUICK, report_multiple_bugs=False, **settings)
    return failure.value


@functools.cache
def broken_failure() -> AssertionError:
    """The shrunk failure of the broken function; found once (shrinking takes seconds)."""
    return failure_of(BrokenKeyRotation, max_examples=100)


def rules_in(failure: BaseException) -> list[str]:
    """The rules of the shrunk program Hypothesis attached to the failure."""
    skipped = ("state.rotation_invariants()", "state.teardown()")
    notes = getattr(failure, "__notes__", [])
    return [line for line in notes if line.startswith("state.") and line not in skipped]


# -- finds bugs, passes correct functions -----------------------------------------------------


def test_the_machine_passes_a_correct_rotation_function():
    seen: list[Any] = []
    checks: list[bool] = []  # per call of check: was a rotation running?

    class Watched(KeyRotation):
        max_examples = 20

        def check(self, fake: Any, client: Any, arn: str) -> None:
            checks.append(any(r.outcome is None for r in fake.rotations))
            super().check(fake, client, arn)

        def teardown(self) -> None:
            seen.extend(self.fake.rotations)
            super().teardown()

    Watched.run(**QUICK)

    assert set(checks) == {True, False}  # at rest, and between the steps of rotations
    # Every kind of rotation ran, with crashes before and after steps, and Lambda's retries.
    assert {r.trigger for r in seen} == {"RotateSecret", "schedule", "test"}
    steps = [s for r in seen for s in r.steps]
    crashes = [str(s.error) for s in steps if isinstance(s.error, InjectedCrash)]
    assert any(c.startswith("injected crash before") for c in crashes)
    assert any(c.startswith("injected crash after") for c in crashes)
    assert any(s.attempt >= 2 for s in steps)
    assert {r.outcome for r in seen} == {"failed", "succeeded"}


def test_the_machine_finds_a_create_step_that_is_not_idempotent_and_shrinks_it():
    failure = broken_failure()
    assert str(failure).startswith("the service refuses every labelled key")
    program = rules_in(failure)
    assert 1 <= len(program) <= 2, program
    assert "Crash(step='createSecret', attempt=1, when='after')" in "\n".join(program)


def test_the_check_fails_between_steps_too():
    class RefusesMidRotation(KeyRotation):
        def check(self, fake: Any, client: Any, arn: str) -> None:
            assert not any(r.outcome is None for r in fake.rotations), "mid-rotation"

    failure = failure_of(RefusesMidRotation, max_examples=5)
    assert str(failure).startswith("mid-rotation")
    if sys.version_info >= (3, 11):
        assert any("between steps: before" in note for note in failure.__notes__)


def test_a_rotation_that_fails_without_a_crash_is_reported():
    class AlwaysRefused(KeyRotation):
        handler = staticmethod(make_handler(create_if_missing, test_fails=True))

        def check(self, fake: Any, client: Any, arn: str) -> None:
            pass

    failure = failure_of(AlwaysRefused, max_examples=5)
    assert isinstance(failure, RotationInvariantError)
    assert "with no injected crash failed: testSecret" in str(failure)
    assert "raised ValueError" in str(failure)
    assert isinstance(failure.__cause__, ValueError)

    class Tolerated(AlwaysRefused):
        require_success = False

    Tolerated.run(**QUICK, max_examples=5)


def does_nothing(event: dict[str, str], context: Any) -> None:
    pass


def only_creates(event: dict[str, str], context: Any) -> None:
    if event["Step"] == "createSecret":
        create_if_missing(event["SecretId"], event["ClientRequestToken"])


@pytest.mark.parametrize(
    ("handler", "holds_no_value"),
    [(does_nothing, True), (only_creates, False)],
    ids=["does-nothing", "only-creates"],
)
@pytest.mark.parametrize("require_success", [True, False])
def test_a_function_that_leaves_the_rotation_incomplete_is_reported(
    handler, holds_no_value, require_success
):
    class Unfinished(KeyRotation):
        pass

    Unfinished.handler = staticmethod(handler)
    Unfinished.require_success = require_success

    failure = failure_of(Unfinished, max_examples=5)

    assert isinstance(failure, RotationInvariantError)
    message = str(failure)
    head = re.match(
        r"a RotateSecret rotation of secret 'smfake/rotation-under-test' did not complete: "
        r"finishSecret returned, but AWSPENDING is still on version (\S+), not on the "
        r"AWSCURRENT version (\S+): RotateSecret is refused until",
        message,
    )
    assert head, message
    assert head[1] != head[2]
    assert ("holds no value either (createSecret stored none)" in message) is holds_no_value
    assert "finishSecret moves AWSCURRENT to that version" in message
    assert "MoveToVersionId=token" in message
    assert MARKER not in message
    # The shortest program: configure rotation, which rotates at once.
    (program,) = rules_in(failure)
    assert "immediately=True" in program


# -- what the machine does -------------------------------------------------------------------


def test_fixed_rules_and_retries_are_used():
    seen: list[dict[str, Any]] = []

    class Fixed(KeyRotation):
        rotation_rules = {"AutomaticallyAfterDays": 7, "Duration": "3h"}
        retries = 0

        def teardown(self) -> None:
            seen.append(self.client.describe_secret(SecretId=self.arn)["RotationRules"])
            for record in self.fake.rotations:
                assert all(step.attempt == 1 for step in record.steps)
            super().teardown()

    Fixed.run(**QUICK, max_examples=5)
    assert seen
    assert all(rules["Duration"] == "3h" for rules in seen)


def test_read_and_rotation_in_progress_agree_with_the_service():
    class Reading(KeyRotation):
        def check(self, fake: Any, client: Any, arn: str) -> None:
            assert self.read("AWSCURRENT") == client.get_secret_value(SecretId=arn)["SecretString"]
            assert self.read("NO-SUCH-LABEL") is None
            stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
            holders = {label: v for v, labels in stages.items() for label in labels}
            pending = holders.get("AWSPENDING")
            expected = pending is not None and pending != holders["AWSCURRENT"]
            assert self.rotation_in_progress == expected

    Reading.run(**QUICK, max_examples=5)


def test_no_secret_value_reaches_the_report():
    failure = broken_failure()
    assert MARKER not in "\n".join(failure.__notes__)
    assert MARKER not in repr(failure)


def test_every_example_stops_its_fake():
    KeyRotation.run(**QUICK, max_examples=3)
    broken_failure()
    with pytest.raises(UsageError):
        current_fake()


# -- configuration ---------------------------------------------------------------------------


def test_settings_come_from_class_attributes():
    defaults = type("Defaults", (RotationMachine,), {})
    settings = defaults.TestCase.settings
    assert (settings.max_examples, settings.stateful_step_count) == (50, 20)
    assert settings.deadline is None
    assert Phase.explain not in settings.phases
    assert Phase.shrink in settings.phases
    mine = KeyRotation.TestCase.settings
    assert (mine.max_examples, mine.stateful_step_count) == (10, 10)


def test_the_base_class_is_not_collected():
    assert RotationMachine.__test__ is False
    assert KeyRotation.TestCase.__name__ == "KeyRotation.TestCase"


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"initial_value": "v"}, "needs handler"),
        ({"handler": staticmethod(make_handler(create_if_missing))}, "initial_value"),
        (
            {"handler": staticmethod(make_handler(create_if_missing)), "initial_value": ""},
            "initial_value",
        ),
    ],
)
def test_a_machine_without_handler_or_value_is_a_usage_error(attributes, message):
    incomplete = type("Incomplete", (RotationMachine,), attributes)
    with pytest.raises(UsageError, match=message):
        incomplete.run(**QUICK, max_examples=1)
    with pytest.raises(UsageError):
        current_fake()
