"""A ready Hypothesis state machine that property-tests a rotation function::

    class DatabaseRotation(RotationMachine):
        handler = staticmethod(lambda_function.lambda_handler)
        initial_value = '{"username": "app", "password": "p0"}'

        def check(self, fake, client, arn):          # what your application relies on
            assert logs_in(self.read("AWSCURRENT")), "AWSCURRENT does not log in"

    TestDatabaseRotation = DatabaseRotation.TestCase  # what pytest collects

See RotationMachine for what it runs and checks; conftest_examples/rotation/ for a full example.
"""

from __future__ import annotations

import functools
import itertools
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from smfake import strategies
from smfake._api.lambdas import Handler
from smfake._api.mock import mock_secretsmanager
from smfake._domain.errors import ResourceNotFoundException
from smfake._domain.rotation import INCOMPLETE, SUCCEEDED, RotationRecord
from smfake.errors import UsageError
from smfake.strategies import Crash, FaultSchedule, RotationRulesParam, fault_schedules

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from smfake._api.handle import SecretsManagerFake

__all__ = [
    "Crash",
    "FaultSchedule",
    "InjectedCrash",
    "RotationInvariantError",
    "RotationMachine",
]

AWSCURRENT, AWSPREVIOUS, AWSPENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
# A fixed start makes every example, and its replay while shrinking, see the same dates.
START = datetime(2030, 1, 1, tzinfo=timezone.utc)
MAX_RETRIES = 2  # Lambda retries a failed asynchronous invocation at most twice
FINISH_CONTRACT = (
    "A rotation function must end with AWSPENDING absent or on the AWSCURRENT version: "
    "createSecret stores the new value under AWSPENDING with the event's ClientRequestToken as "
    "its version id, and finishSecret moves AWSCURRENT to that version "
    "(UpdateSecretVersionStage(VersionStage='AWSCURRENT', MoveToVersionId=token, "
    "RemoveFromVersionId=<the AWSCURRENT version>))"
)


class InjectedCrash(Exception):
    """Raised by the machine in place of (or after) the handler, as a Lambda crash would be."""


class RotationInvariantError(AssertionError):
    """A built-in property of rotation does not hold."""


class RotationMachine(RuleBasedStateMachine):
    """Property-tests ``handler``, a rotation function ``handler(event, context)``.

    Each example activates a fresh fake with a frozen clock, creates the secret with
    ``initial_value``, calls :meth:`setup`, configures rotation (``configure_rotation``) and
    then runs rules in a random order: ``rotate_now`` (RotateSecret), ``jump_to_next_rotation``
    (the clock passes NextRotationDate, which also retries an unfinished rotation) and
    ``direct_write`` (your :meth:`write_by_hand`). Rotations come with crashes injected before
    or after any invocation of any step (:func:`smfake.strategies.fault_schedules`). After
    every rule, and before every invocation of the handler, it checks: one AWSCURRENT, each
    label on one version, AWSCURRENT and AWSPREVIOUS readable, your :meth:`check`; that no
    rotation ended "incomplete" (its four steps returned, but AWSPENDING was left on a version
    other than AWSCURRENT, so RotateSecret would be refused); and that every rotation in which
    no crash was injected succeeded. Failures shrink to a short program of rules, which
    Hypothesis attaches to the error.

    Class attributes to set: ``handler`` and ``initial_value`` (required); ``secret_name``,
    ``rotation_rules`` (a fixed RotationRules dict; drawn per example when None), ``retries``
    (fixed Lambda retries; drawn from 0-2 when None), ``max_examples`` (50), ``step_count``
    (rules per example, 20), ``seed`` (of the fake's ids) and ``require_success`` (a rotation
    in which no crash was injected must succeed; True. An incomplete rotation fails the
    machine either way). For other Hypothesis settings decorate
    the class with ``@settings(...)``, which replaces these defaults (keep ``deadline=None``).

    Hooks to override: :meth:`setup`, :meth:`check`, :meth:`write_by_hand`. Helpers for them:
    :meth:`read`, :attr:`rotation_in_progress`, and the attributes ``fake``, ``client`` and
    ``arn`` of the current example.
    """

    # Not a test class itself: its TestCase is. This also spares subclasses named Test* from
    # pytest's "cannot collect test class because it has a __init__ constructor" warning.
    __test__ = False

    handler: ClassVar[Handler]
    initial_value: ClassVar[str | bytes]
    secret_name: ClassVar[str] = "smfake/rotation-under-test"
    function_name: ClassVar[str] = "rotation-under-test"
    rotation_rules: ClassVar[RotationRulesParam | None] = None
    retries: ClassVar[int | None] = None
    max_examples: ClassVar[int] = 50
    step_count: ClassVar[int] = 20
    seed: ClassVar[int] = 0
    require_success: ClassVar[bool] = True

    fake: SecretsManagerFake
    client: BaseClient
    arn: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.TestCase.settings = settings(
            max_examples=cls.max_examples,
            stateful_step_count=cls.step_count,
            deadline=None,  # a rotation makes dozens of calls: its time says nothing
            suppress_health_check=list(HealthCheck),
            # The explain phase traces every line while shrinking (sys.settrace before Python
            # 3.12), which made shrinking a rotation failure thirty times slower.
            phases=[phase for phase in settings().phases if phase is not Phase.explain],
        )

    @classmethod
    def run(cls, **overrides: Any) -> None:
        """Run the machine now, as its ``TestCase`` would, with Hypothesis settings changed
        by ``overrides`` (``max_examples=10``, ``database=None``...). Raises the shrunk
        failure, if Hypothesis finds one."""
        run_state_machine_as_test(cls, settings=settings(cls.TestCase.settings, **overrides))

    # -- hooks ----------------------------------------------------------------------------------

    def setup(self, fake: SecretsManagerFake, client: BaseClient, arn: str) -> None:
        """Called once per example, after the secret was created with ``initial_value`` and
        before rotation is configured: bring your external system (a database...) to the
        state that value describes."""

    def check(self, fake: SecretsManagerFake, client: BaseClient, arn: str) -> None:
        """Your invariant: raise AssertionError when it does not hold. Called after every rule
        and before every invocation of the handler, so it must hold between any two steps of
        a rotation (or while a crashed rotation waits for its next attempt)."""

    def write_by_hand(self, fake: SecretsManagerFake, client: BaseClient, arn: str) -> None:
        """Override to let the machine write a new current value by hand, as an operator or
        another system would: update your external system, then call PutSecretValue without
        VersionStages (which abandons a rotation in progress). Not overridden: never run."""

    # -- helpers for the hooks --------------------------------------------------------------------

    def read(self, label: str) -> str | bytes | None:
        """The value under staging label ``label``, as GetSecretValue returns it, or None when
        no version with a value carries it.

        It runs what GetSecretValue runs, minus botocore: the machine reads thousands of times
        per test, and a call through botocore costs about a millisecond."""
        if self._cache is not None and label in self._cache:
            return self._cache[label]
        backend = self.fake._backend
        value: str | bytes | None = None
        with backend.lock:
            store = backend.store(self.fake.account_id, self.fake.region)
            try:
                _, _, clear = store.get_value(self.arn, version_id=None, stage=label)
            except ResourceNotFoundException:
                pass
            else:
                value = clear.text if clear.text is not None else clear.binary
        if self._cache is not None:
            self._cache[label] = value
        return value

    @property
    def rotation_in_progress(self) -> bool:
        """AWSPENDING sits on a version other than the AWSCURRENT one: a rotation started and
        did not finish (RotateSecret is refused until it does)."""
        labels = self._labels()
        pending = labels.get(AWSPENDING)
        return pending is not None and pending != labels.get(AWSCURRENT)

    # -- the example's life -----------------------------------------------------------------------

    def __init__(self) -> None:
        super().__init__()
        cls = type(self)
        initial = getattr(cls, "initial_value", None)
        if not callable(getattr(cls, "handler", None)):
            raise UsageError(f"{cls.__name__} needs handler = staticmethod(your_handler)")
        if not isinstance(initial, (str, bytes)) or not initial:
            raise UsageError(f"{cls.__name__}.initial_value must be a non-empty str or bytes")
        self._cache: dict[str, str | bytes | None] | None = None
        self._armed: FaultSchedule | None = None
        self._armed_record: RotationRecord | None = None
        self._crashed: set[int] = set()  # ids of the records in which a crash was injected
        self._failure: BaseException | None = None
        self._liveness: RotationInvariantError | None = None
        self._tokens = itertools.count(1)
        self._mock = mock_secretsmanager(seed=cls.seed)
        self.fake = self._mock.start()
        try:
            self.fake.clock.set(START)
            self.client = _client(self.fake.region)
            value = {"SecretBinary" if isinstance(initial, bytes) else "SecretString": initial}
            created = self.client.create_secret(
                Name=cls.secret_name, ClientRequestToken=self._next_token(), **value
            )
            self.arn = created["ARN"]
            self.setup(self.fake, self.client, self.arn)
        except BaseException:
            self._mock.stop()
            raise

    def teardown(self) -> None:
        """Stops the example's fake; call ``super().teardown()`` when you override it."""
        self._mock.stop()

    # -- rules ------------------------------------------------------------------------------------

    @initialize(
        retries=st.runner().flatmap(lambda machine: machine._retries()),
        rules=st.runner().flatmap(lambda machine: machine._rules()),
        immediately=st.booleans(),
        faults=fault_schedules(),
    )
    def configure_rotation(
        self, retries: int, rules: RotationRulesParam, immediately: bool, faults: FaultSchedule
    ) -> None:
        function_arn = self.fake.register_rotation_function(
            type(self).function_name, self._invoke, retries=retries
        )
        before = len(self.fake.rotations)
        self._arm(faults)
        try:
            self.client.rotate_secret(
                SecretId=self.arn,
                ClientRequestToken=self._next_token(),
                RotationLambdaARN=function_arn,
                RotationRules=dict(rules),
                RotateImmediately=immediately,
            )
        finally:
            self._disarm()
        self._settle(before)

    @rule(faults=fault_schedules())
    def rotate_now(self, faults: FaultSchedule) -> None:
        in_progress = self.rotation_in_progress
        before = len(self.fake.rotations)
        self._arm(faults)
        try:
            self.client.rotate_secret(SecretId=self.arn, ClientRequestToken=self._next_token())
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if not (in_progress and code == "InvalidRequestException"):
                raise RotationInvariantError(f"RotateSecret failed with {code}") from error
        else:
            if in_progress:
                raise RotationInvariantError(
                    "RotateSecret started a rotation while the previous one was incomplete"
                )
        finally:
            self._disarm()
        self._settle(before)

    @rule(faults=fault_schedules(), windows=st.integers(1, 2))
    def jump_to_next_rotation(self, faults: FaultSchedule, windows: int) -> None:
        before = len(self.fake.rotations)
        self._arm(faults)
        try:
            for _ in range(windows):
                ran = len(self.fake.rotations)
                due = self.client.describe_secret(SecretId=self.arn).get("NextRotationDate")
                if due is None:
                    raise RotationInvariantError("rotation is on but there is no NextRotationDate")
                # A failed rotation may leave NextRotationDate in the past (§7.2).
                self.fake.clock.set(max(due, self.fake.clock.now()))
                if len(self.fake.rotations) == ran:
                    raise RotationInvariantError("the clock passed NextRotationDate: no rotation")
        finally:
            self._disarm()
        self._settle(before)

    @precondition(lambda self: type(self).write_by_hand is not RotationMachine.write_by_hand)
    @rule()
    def direct_write(self) -> None:
        labels = self._labels()
        self.write_by_hand(self.fake, self.client, self.arn)
        after = self._labels()
        moved = after.get(AWSCURRENT) != labels.get(AWSCURRENT)
        if moved and self.rotation_in_progress:
            raise RotationInvariantError(
                "a new AWSCURRENT written by hand left AWSPENDING in place (it abandons the "
                "rotation in progress)"
            )

    @invariant()
    def rotation_invariants(self) -> None:
        self._raise_failure()
        self._verify()
        liveness, self._liveness = self._liveness, None
        if liveness is not None:
            raise liveness

    # -- internals ------------------------------------------------------------------------------

    def _retries(self) -> st.SearchStrategy[int]:
        fixed = type(self).retries
        return st.integers(0, MAX_RETRIES) if fixed is None else st.just(fixed)

    def _rules(self) -> st.SearchStrategy[RotationRulesParam]:
        fixed = type(self).rotation_rules
        return strategies.rotation_rules() if fixed is None else st.just(fixed)

    def _next_token(self) -> str:
        # Explicit tokens, unlike botocore's random ones, keep version ids the same on replay.
        return f"smfake-version-{next(self._tokens):04d}".ljust(36, "0")

    def _labels(self) -> dict[str, str]:
        # Read from the fake's state rather than DescribeSecret: this runs after every rule
        # and between every two steps, where a call through botocore (a millisecond) would
        # cost more than the check is worth.
        backend = self.fake._backend
        with backend.lock:
            secret = backend.store(self.fake.account_id, self.fake.region).get(self.arn)
            stages = {v.version_id: list(v.stages) for v in secret.versions.values()}
        return _label_holders(stages)

    def _verify(self) -> None:
        """The built-in checks and the user's, on one consistent view of the secret."""
        self._cache = {}
        try:
            labels = self._labels()
            if AWSCURRENT not in labels:
                raise RotationInvariantError("no version carries AWSCURRENT")
            # What an application reads: AWSCURRENT, and AWSPREVIOUS to fall back on.
            for label in (AWSCURRENT, AWSPREVIOUS):
                if label in labels and self.read(label) is None:
                    raise RotationInvariantError(f"GetSecretValue cannot read {label}")
            self.check(self.fake, self.client, self.arn)
        finally:
            self._cache = None

    def _arm(self, faults: FaultSchedule) -> None:
        self._armed, self._armed_record = faults, None

    def _disarm(self) -> None:
        self._armed = self._armed_record = None

    def _invoke(self, event: dict[str, str], context: Any) -> object:
        """What the fake invokes as the rotation function: checks, then the user's handler,
        with the planned crashes."""
        record = self.fake.rotations[-1]  # the rotator records an attempt before its steps
        step = event.get("Step", "")
        attempt = 1 + sum(1 for done in record.steps if done.step == step)
        if self._failure is None:
            try:
                self._verify()
            except Exception as error:
                _note(error, f"(between steps: before {step}, attempt {attempt})")
                self._failure = error
        if self._failure is not None:
            # The fake treats what a handler raises as a failed step; the failure itself is
            # raised again once the call that started the rotation returns.
            raise InjectedCrash("stopped: a check failed before this step")
        crash = self._crash_for(record, step, attempt)
        if crash is not None and crash.when == "before":
            self._crashed.add(id(record))
            raise InjectedCrash(f"injected crash before {step} (attempt {attempt})")
        result = type(self).handler(event, context)
        if crash is not None:
            self._crashed.add(id(record))
            raise InjectedCrash(f"injected crash after {step} (attempt {attempt})")
        return result

    def _crash_for(self, record: RotationRecord, step: str, attempt: int) -> Crash | None:
        if self._armed is None:
            return None
        if self._armed_record is None:
            self._armed_record = record  # faults apply to the first rotation the call runs
        if record is not self._armed_record:
            return None
        return self._armed.crash_for(step, attempt)

    def _raise_failure(self) -> None:
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def _settle(self, before: int) -> None:
        """After a call that may have rotated: raise a failure seen between steps; keep the
        first rotation that failed with no crash injected for the invariant to raise, after
        the checks of the state at rest (whose failures say more)."""
        self._raise_failure()
        cls = type(self)
        for record in self.fake.rotations[before:]:
            if record.outcome == INCOMPLETE:
                # Never excused by a crash or by require_success: whatever happened before,
                # the function returned from finishSecret without finishing.
                self._liveness = RotationInvariantError(
                    f"a {record.trigger} rotation of secret {cls.secret_name!r} did not "
                    f"complete: {record.reason}. {FINISH_CONTRACT}"
                )
                return
            if not cls.require_success or record.outcome == SUCCEEDED:
                continue
            if id(record) in self._crashed:
                continue
            failed = next((s for s in reversed(record.steps) if s.error is not None), None)
            where = f"{failed.step} (attempt {failed.attempt})" if failed else "a step"
            kind = failed.error_type if failed else "an error"
            self._liveness = RotationInvariantError(
                f"a {record.trigger} rotation with no injected crash failed: {where} raised {kind}"
            )
            self._liveness.__cause__ = failed.error if failed else None
            return


@functools.cache
def _client(region: str) -> BaseClient:
    # One client per region for every example: clients made before a fake starts are served
    # by it too, and making one costs more than a rotation. Unsigned: the fake needs no
    # signature, and signing is a third of the cost of a call.
    config = Config(signature_version=UNSIGNED)
    return boto3.client("secretsmanager", region_name=region, config=config)


def _label_holders(stages_by_version: dict[str, list[str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for version, stages in stages_by_version.items():
        for stage in stages:
            if stage in found:
                raise RotationInvariantError(f"staging label {stage} is on two versions")
            found[stage] = version
    return found


def _note(error: BaseException, text: str) -> None:
    add_note = getattr(error, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(text)
