"""Property tests of a rotation function with smfake.testing.RotationMachine.

The machine creates the secret, configures rotation and then, in many random orders, rotates
it now, jumps the clock over scheduled rotations, crashes the function before or after any
step (Lambda then retries it 0-2 times), and writes new values by hand. After every rule, and
between any two steps of a rotation, it checks that the database still lets the application
in, and that no rotation ends incomplete (AWSPENDING left on a version other than AWSCURRENT).
A failure shrinks to a short sequence of rules, printed by Hypothesis.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from rotation import (
    broken_lambda_function,
    database,
    lambda_function,
    unfinished_lambda_function,
)
from smfake import SecretsManagerFake
from smfake.testing import RotationMachine

USERNAME = "app"
FIRST_PASSWORD = "first-password"


def logs_in(value: str | bytes | None) -> bool:
    if value is None:
        return False
    credentials = json.loads(value)
    return database.can_log_in(credentials["username"], credentials["password"])


class DatabaseRotation(RotationMachine):
    handler = staticmethod(lambda_function.lambda_handler)
    initial_value = json.dumps({"username": USERNAME, "password": FIRST_PASSWORD})
    rotation_rules = {"ScheduleExpression": "rate(30 days)"}
    max_examples = 20  # the default is 50; fewer keep this example quick

    def setup(self, fake: SecretsManagerFake, client: Any, arn: str) -> None:
        database.reset({USERNAME: FIRST_PASSWORD})
        self.resets = itertools.count(1)

    def check(self, fake: SecretsManagerFake, client: Any, arn: str) -> None:
        # The application logs in with AWSCURRENT. Single-user rotation has one unavoidable
        # gap: once setSecret changed the password, and until finishSecret moves AWSCURRENT
        # (or after a crash in between), only AWSPENDING logs in. The credentials must never
        # be lost: one of the two always works.
        current_works = logs_in(self.read("AWSCURRENT"))
        pending_works = self.rotation_in_progress and logs_in(self.read("AWSPENDING"))
        # Booleans only: pytest shows the operands of a failed assert, never a password here.
        assert current_works or pending_works, (
            "neither AWSCURRENT nor AWSPENDING logs in to the database"
        )

    def write_by_hand(self, fake: SecretsManagerFake, client: Any, arn: str) -> None:
        # An operator resets the password: in the database first, then in the secret.
        password = f"reset-by-hand-{next(self.resets)}"
        database.set_password(USERNAME, password)
        client.put_secret_value(
            SecretId=arn, SecretString=json.dumps({"username": USERNAME, "password": password})
        )


# pytest collects this unittest.TestCase: one test that runs the machine max_examples times.
TestDatabaseRotation = DatabaseRotation.TestCase


class BrokenDatabaseRotation(DatabaseRotation):
    handler = staticmethod(broken_lambda_function.lambda_handler)


def test_the_machine_catches_a_create_step_that_is_not_idempotent() -> None:
    # The same machine, run against the broken function, must find a counter-example.
    # derandomize=True makes the search the same on every run, database=None keeps it from
    # replaying a failure saved by an earlier run, and short programs (5 rules) are enough to
    # reach this bug and quick to shrink. The search stops at the first failure it finds.
    with pytest.raises(AssertionError) as failure:
        BrokenDatabaseRotation.run(
            derandomize=True,
            database=None,
            report_multiple_bugs=False,
            stateful_step_count=5,
            max_examples=100,
        )

    assert str(failure.value).startswith("neither AWSCURRENT nor AWSPENDING logs in")
    # Hypothesis attaches the shrunk program: a crash right after createSecret, then another
    # attempt at the same rotation (Lambda's retry, or the next scheduled window).
    program = "\n".join(failure.value.__notes__)
    assert "Crash(step='createSecret', attempt=1, when='after')" in program


class UnfinishedDatabaseRotation(DatabaseRotation):
    handler = staticmethod(unfinished_lambda_function.lambda_handler)


def test_the_machine_catches_a_function_that_never_finishes_the_rotation() -> None:
    # Each step returns, so nothing raises inside the function; the machine still fails it,
    # because the rotation ends with AWSPENDING on a version other than AWSCURRENT.
    with pytest.raises(AssertionError) as failure:
        UnfinishedDatabaseRotation.run(
            derandomize=True, database=None, report_multiple_bugs=False, max_examples=10
        )

    message = str(failure.value)
    assert "rotation of secret 'smfake/rotation-under-test' did not complete" in message
    assert "finishSecret returned, but AWSPENDING is still on version" in message
    assert "finishSecret moves AWSCURRENT to that version" in message
