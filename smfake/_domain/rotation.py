"""Rotation (§7): configuration, the four steps run through the user's handler, the schedule
on the fake clock, and a record of every attempt.

The handler runs synchronously, before RotateSecret (or the clock advance that made rotation
fall due) returns, so that tests are deterministic. The domain only decides what to invoke and
when; ``Invoke`` (supplied by the handle) runs the handler the way Lambda would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from smfake._domain import messages, notices
from smfake._domain.clock import Job
from smfake._domain.errors import (
    AccessDeniedException,
    InvalidParameterException,
    InvalidRequestException,
    ResourceExistsException,
)
from smfake._domain.kms import Sealed
from smfake._domain.schedule import RotationRules
from smfake._domain.secret import AWSCURRENT, AWSPENDING, Secret, SecretValue, SecretVersion


class RotationStore(Protocol):
    """What rotation needs of the store of the secret it rotates (SecretStore is one)."""

    def get_writable(self, secret_id: str) -> Secret: ...

    def changed(self, secret: Secret) -> None: ...

    def now(self) -> datetime: ...

    def emit(self, name: str, secret: Secret, token: str | None = None) -> None: ...

    def reveal(self, secret: Secret, version: SecretVersion) -> SecretValue: ...

    def seal_for(
        self, secret: Secret, version_id: str, value: SecretValue, key: str | None
    ) -> Sealed: ...

    def schedule(self, due: datetime, action: Callable[[], None]) -> Job: ...

    def holds(self, secret: Secret) -> bool: ...


CREATE, SET, TEST, FINISH = "createSecret", "setSecret", "testSecret", "finishSecret"
STEPS = (CREATE, SET, TEST, FINISH)
# Outcomes of a RotationRecord. INCOMPLETE: every step returned, yet AWSPENDING still sits on
# a version other than AWSCURRENT, which breaks the rotation function's contract (§7.2).
SUCCEEDED, FAILED, INCOMPLETE = "succeeded", "failed", "incomplete"
# Lambda retries a failed asynchronous invocation twice by default.
DEFAULT_RETRIES = 2


@dataclass(frozen=True, slots=True)
class RotationFunction:
    """A registered handler, standing for a Lambda function, or for the partner that rotates
    the managed external secrets of one Type (``partner``: ``name`` is the Type, ``arn`` "")."""

    arn: str
    name: str
    handler: Callable[..., object] = field(repr=False)
    retries: int = DEFAULT_RETRIES
    partner: bool = False


@dataclass(frozen=True, slots=True)
class StepRecord:
    step: str
    attempt: int  # 1 for the first invocation, 2 for the first retry...
    outcome: str
    started: datetime
    finished: datetime
    # The handler's exception, kept for inspection; its text is never shown in a repr.
    error: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def error_type(self) -> str | None:
        return None if self.error is None else type(self.error).__name__


@dataclass(slots=True)
class RotationRecord:
    """One rotation attempt of one secret: what triggered it and how each step went.

    ``outcome`` is None while the rotation runs, then "succeeded", "failed" (a step raised on
    every attempt) or "incomplete" (every step returned, but AWSPENDING is still on a version
    other than AWSCURRENT, so RotateSecret is refused until the rotation completes).
    ``reason`` says why a rotation failed or did not complete; it names steps, exception
    types and version ids, never a secret value or an exception's text."""

    secret_arn: str
    version_id: str
    function_arn: str
    trigger: str  # "RotateSecret", "schedule" or "test" (RotateImmediately=false)
    started: datetime
    finished: datetime | None = None
    outcome: str | None = None
    steps: list[StepRecord] = field(default_factory=list)
    reason: str | None = None
    # The Type of a managed external secret, rotated by its partner (function_arn is "").
    partner_type: str | None = None


# (function, event) -> None; raises what the handler raised.
Invoke = Callable[[RotationFunction, dict[str, str]], None]


class Rotator:
    """Rotation for every store of one backend."""

    def __init__(self, *, invoke: Invoke, new_id: Callable[[], str]) -> None:
        self.functions: dict[str, RotationFunction] = {}
        self.partners: dict[str, RotationFunction] = {}  # by the Type they rotate
        self.records: list[RotationRecord] = []
        self._invoke = invoke
        self._new_id = new_id

    # -- RotateSecret / CancelRotateSecret --------------------------------------------------

    def rotate(
        self,
        store: RotationStore,
        secret_id: str,
        *,
        token: str,
        lambda_arn: str | None,
        rules: RotationRules | None,
        immediately: bool,
        metadata: tuple[tuple[str | None, str | None], ...] | None = None,
        role_arn: str | None = None,
    ) -> Secret:
        secret = store.get_writable(secret_id)
        # An empty list is no list, as an empty Type is no Type (unverified).
        pairs = None
        if secret.partner_type is None:
            function = self._lambda(
                secret, lambda_arn, external=bool(metadata) or role_arn is not None
            )
        else:
            pairs = _metadata_pairs(metadata or None)
            function = self._partner(secret, lambda_arn, role_arn)
        if secret.rotation_in_progress:
            raise InvalidRequestException(messages.ROTATION_IN_PROGRESS)
        if token in secret.versions:
            raise ResourceExistsException(messages.TOKEN_IN_USE, token=token, arn=secret.arn)
        secret.rotation_enabled = True
        if not function.partner:
            secret.rotation_lambda_arn = function.arn
        if pairs is not None:
            secret.external_rotation_metadata = pairs  # replaces what was given before
        if role_arn is not None and role_arn != secret.external_rotation_role_arn:
            secret.external_rotation_role_arn = role_arn
        if rules is not None:
            secret.rotation_rules = rules
        if immediately:
            self._run(store, secret, function, token, trigger="RotateSecret")
        else:
            self._test(store, secret, function, token)
        self._schedule(store, secret)
        return secret

    def _lambda(
        self, secret: Secret, lambda_arn: str | None, *, external: bool
    ) -> RotationFunction:
        if external:
            # The external members belong to a secret with a Type (unverified refusal).
            raise InvalidParameterException(messages.EXTERNAL_ROTATION_WITHOUT_TYPE)
        arn = lambda_arn or secret.rotation_lambda_arn
        if arn is None:
            raise InvalidRequestException(messages.NO_ROTATION_LAMBDA)
        function = self.functions.get(arn)
        if function is None:
            # Recorded on AWS with a function that does not exist; the configuration stays.
            raise AccessDeniedException(messages.CANNOT_INVOKE_LAMBDA)
        return function

    def _partner(
        self, secret: Secret, lambda_arn: str | None, role_arn: str | None
    ) -> RotationFunction:
        # A managed external secret is rotated by its partner through the rotation role, with
        # no Lambda (mes-security). Every refusal here is smfake's choice (unverified).
        if lambda_arn is not None:
            raise InvalidParameterException(
                messages.LAMBDA_FOR_EXTERNAL_SECRET, type=secret.partner_type
            )
        if role_arn is None and secret.external_rotation_role_arn is None:
            raise InvalidRequestException(messages.NO_EXTERNAL_ROTATION_ROLE)
        function = self.partners.get(secret.partner_type or "")
        if function is None:
            # As for a Lambda function that cannot be invoked (unverified).
            raise AccessDeniedException(messages.CANNOT_INVOKE_LAMBDA)
        return function

    def _scheduled_function(self, secret: Secret) -> RotationFunction | None:
        if secret.partner_type is None:
            return self.functions.get(secret.rotation_lambda_arn or "")
        if secret.external_rotation_role_arn is None:
            return None
        return self.partners.get(secret.partner_type)

    def cancel(self, store: RotationStore, secret_id: str) -> tuple[Secret, str | None]:
        secret = store.get_writable(secret_id)
        if secret.rotation_enabled is None:
            # Never configured (the model's listed cause; AWS's exact behaviour unverified).
            raise InvalidRequestException(messages.NO_ROTATION_LAMBDA)
        secret.rotation_enabled = False
        self._unschedule(secret)
        pending = secret.labels.get(AWSPENDING) if secret.rotation_in_progress else None
        return secret, pending

    def written_by_hand(self, store: RotationStore, secret: Secret) -> None:
        """A new current version written by hand counts as a rotation for the schedule."""
        if secret.rotation_enabled:
            self._schedule(store, secret, since=store.now())

    # -- running ----------------------------------------------------------------------------

    def _run(
        self,
        store: RotationStore,
        secret: Secret,
        function: RotationFunction,
        token: str,
        *,
        trigger: str,
    ) -> RotationRecord:
        if token not in secret.versions:
            now = store.now()
            placeholder = SecretVersion(token, now, None, secret.kms_key_id)
            new = dict(secret.labels)
            new[AWSPENDING] = token
            secret.add_version(placeholder, new, now)
            store.changed(secret)
        record = _record(secret, token, function, trigger, store.now())
        self.records.append(record)
        store.emit(notices.ROTATION_STARTED, secret, token)
        ok = all(self._step(store, secret, function, token, step, record) for step in STEPS)
        record.finished = store.now()
        if not ok:
            record.outcome, record.reason = FAILED, _failed_step(record)
        elif secret.rotation_in_progress:
            # The function returned from finishSecret without completing the rotation. Lambda
            # reported success, so the wire keeps what a successful rotation shows (AWS notices
            # only at the next RotateSecret; its events here are unverified); the record, which
            # only tests read, tells the truth.
            record.outcome, record.reason = INCOMPLETE, _left_pending(secret, token)
        else:
            record.outcome = SUCCEEDED
        if ok:
            secret.last_rotated = record.finished
        store.emit(notices.ROTATION_SUCCEEDED if ok else notices.ROTATION_FAILED, secret, token)
        return record

    def _test(
        self, store: RotationStore, secret: Secret, function: RotationFunction, token: str
    ) -> None:
        # RotateImmediately=false: AWS tests the configuration with a copy of the current value
        # under AWSPENDING, runs testSecret only, and removes that version again (§7.2).
        now = store.now()
        current = secret.holder(AWSCURRENT)
        sealed = None
        if current is not None and current.sealed is not None:
            clear = store.reveal(secret, current)
            sealed = store.seal_for(secret, token, clear, secret.kms_key_id)
        labels_before = dict(secret.labels)
        trial = SecretVersion(token, now, sealed, secret.kms_key_id)
        secret.add_version(trial, {**secret.labels, AWSPENDING: token}, now)
        record = _record(secret, token, function, "test", now)
        self.records.append(record)
        store.emit(notices.TEST_ROTATION_STARTED, secret, token)
        ok = False
        try:
            ok = self._step(store, secret, function, token, TEST, record)
        finally:
            labels = {k: v for k, v in secret.labels.items() if v != token}
            if AWSPENDING in labels_before and AWSPENDING not in labels:
                labels[AWSPENDING] = labels_before[AWSPENDING]
            secret.apply_labels(labels)
            secret.versions.pop(token, None)
            record.outcome = SUCCEEDED if ok else FAILED
            record.reason = None if ok else _failed_step(record)
            record.finished = store.now()
            test_outcome = notices.TEST_ROTATION_SUCCEEDED if ok else notices.TEST_ROTATION_FAILED
            store.emit(test_outcome, secret, token)

    def _step(
        self,
        store: RotationStore,
        secret: Secret,
        function: RotationFunction,
        token: str,
        step: str,
        record: RotationRecord,
    ) -> bool:
        event = {
            "Step": step,
            "SecretId": secret.arn,
            "ClientRequestToken": token,
            "RotationToken": self._new_id(),
        }
        for attempt in range(1, function.retries + 2):
            started = store.now()
            try:
                self._invoke(function, event)
            except Exception as error:  # the handler failed: Lambda reports it, AWS retries
                record.steps.append(StepRecord(step, attempt, FAILED, started, store.now(), error))
                continue
            record.steps.append(StepRecord(step, attempt, SUCCEEDED, started, store.now()))
            return True
        return False

    # -- schedule ---------------------------------------------------------------------------

    def _schedule(
        self, store: RotationStore, secret: Secret, since: datetime | None = None
    ) -> None:
        self._unschedule(secret)
        rules = secret.rotation_rules
        if not secret.rotation_enabled or rules is None:
            return
        now = store.now()
        start, end = rules.next_window(since or secret.last_rotated or now)
        if start <= now:
            # A window that has already begun (the last rotation lies far back, or this one
            # was skipped) must not fall due again at once: the next one counts from now.
            start, end = rules.next_window(now)
        secret.next_rotation = end
        secret.rotation_job = store.schedule(start, lambda: self._fall_due(store, secret))

    def _unschedule(self, secret: Secret) -> None:
        if secret.rotation_job is not None:
            secret.rotation_job.cancel()
        secret.rotation_job = None
        secret.next_rotation = None

    def _fall_due(self, store: RotationStore, secret: Secret) -> None:
        secret.rotation_job = None
        if not store.holds(secret) or not secret.rotation_enabled:
            return
        function = self._scheduled_function(secret)
        if function is not None and not secret.scheduled_for_deletion:
            # A rotation left incomplete is reattempted with its own token (§7.1).
            pending = secret.labels.get(AWSPENDING) if secret.rotation_in_progress else None
            record = self._run(
                store, secret, function, pending or self._new_id(), trigger="schedule"
            )
            if record.outcome == FAILED:
                # The next attempt comes with the next window, counted from this one.
                self._schedule(store, secret, since=store.now())
                return
        self._schedule(store, secret)


def _metadata_pairs(
    items: tuple[tuple[str | None, str | None], ...] | None,
) -> tuple[tuple[str, str], ...] | None:
    if items is None:
        return None
    pairs = tuple((key, value) for key, value in items if key is not None and value is not None)
    if len(pairs) != len(items):
        # The model leaves Key and Value optional; a pair is what the partner reads (unverified).
        raise InvalidParameterException(messages.EXTERNAL_METADATA_ITEM)
    return pairs


def _record(
    secret: Secret, token: str, function: RotationFunction, trigger: str, now: datetime
) -> RotationRecord:
    partner_type = function.name if function.partner else None
    return RotationRecord(secret.arn, token, function.arn, trigger, now, partner_type=partner_type)


def _failed_step(record: RotationRecord) -> str:
    if not record.steps:  # interrupted (KeyboardInterrupt...) before any step was recorded
        return "interrupted before any step returned"
    step = record.steps[-1].step
    errors = [s.error_type or "an error" for s in record.steps if s.step == step]
    attempts = "its only attempt" if len(errors) == 1 else f"all {len(errors)} attempts"
    raised = errors[0] if len(set(errors)) == 1 else ", ".join(errors)
    return f"{step} failed on {attempts}: {raised}"


def _left_pending(secret: Secret, token: str) -> str:
    pending, current = secret.labels[AWSPENDING], secret.labels[AWSCURRENT]
    if pending == token:
        where = f"still on version {token}"
    else:
        where = f"on version {pending} (this rotation's version is {token})"
    text = (
        f"finishSecret returned, but AWSPENDING is {where}, not on the AWSCURRENT version "
        f"{current}: RotateSecret is refused until AWSPENDING is removed or moved to the "
        "AWSCURRENT version"
    )
    version = secret.versions.get(token)
    if pending == token and version is not None and version.sealed is None:
        text += f"; version {token} holds no value either (createSecret stored none)"
    return text
