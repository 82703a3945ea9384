"""A stateful test: real boto3 calls against the fake, checked against a small reference model.

The reference model below is written from the behaviour reference (AWS_SPEC.md §4 versions
and staging labels, §5 idempotency, §6 deletion) and does not import smfake internals. For
every call it predicts either success (and the resulting state) or the set of acceptable AWS
error codes; the machine asserts the fake agrees, and that a refused call changed nothing.

Where the spec is silent the model follows smfake's documented choices, and says so.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from smfake import mock_secretsmanager

CUR, PREV, PEND = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"

NAMES = ("alpha", "beta", "gamma")
# Few labels, so that they collide; MANY makes the 20-labels-per-secret quota reachable.
LABELS = (CUR, PEND, PREV, "custom1", "custom2")
MANY = tuple(f"L{i:02d}" for i in range(24))
# ClientRequestToken / VersionId: 32-64 characters.
TOKENS = {k: f"token-{k}-".ljust(36, k.lower()) for k in ("A", "B", "C")}
UNKNOWN_VID = "unknown-version-".ljust(36, "0")
VALUES: tuple[tuple[str, str | bytes], ...] = (
    ("s", "v1"),
    ("s", "v2"),
    ("b", b"v1"),
    ("b", b"\x00\xff"),
)
EMPTY_BINARY: tuple[str, bytes] = ("b", b"")  # sent by botocore; AWS treats it as "no value"
DESCRIPTIONS = ("first description", "second description")
TAG_KEYS = ("k1", "k2", "k3")
RESERVED_TAG_KEY = "aws:reserved"

LIMIT_LABELS = 20
LIMIT_VERSIONS = 100
DEFAULT_WINDOW = 30
START = datetime(2030, 1, 1, tzinfo=timezone.utc)

RNF = "ResourceNotFoundException"
IRQ = "InvalidRequestException"
IPA = "InvalidParameterException"
REX = "ResourceExistsException"
LIM = "LimitExceededException"


# -- the reference model ----------------------------------------------------------------------


class Refused(Exception):
    """The model predicts the call fails with one of ``codes``."""

    def __init__(self, *codes: str) -> None:
        super().__init__(codes)
        self.codes = frozenset(codes)


Value = tuple[str, "str | bytes"]


@dataclass
class RefSecret:
    versions: dict[str, Value] = field(default_factory=dict)  # version id -> value, oldest first
    labels: dict[str, str] = field(default_factory=dict)  # label -> version id
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    deleted_at: datetime | None = None
    purge_at: datetime | None = None

    @property
    def scheduled(self) -> bool:
        return self.deleted_at is not None

    def stages_of(self, vid: str) -> set[str]:
        return {label for label, holder in self.labels.items() if holder == vid}


@dataclass
class Model:
    now: datetime = START
    secrets: dict[str, RefSecret] = field(default_factory=dict)

    # lookups

    def existing(self, name: str) -> RefSecret:
        ref = self.secrets.get(name)
        if ref is None:
            raise Refused(RNF)
        return ref

    def live(self, name: str) -> RefSecret:
        ref = self.existing(name)
        if ref.scheduled:
            raise Refused(IRQ)
        return ref


def labels_for_new_version(ref: RefSecret, vid: str, stages: list[str] | None) -> dict[str, str]:
    """§4.2: the label map after adding version ``vid`` (PutSecretValue / UpdateSecret)."""
    new = dict(ref.labels)
    old_current = ref.labels.get(CUR)
    if stages is None:
        new[CUR] = vid
        if old_current is not None:
            new[PREV] = old_current
        new.pop(PEND, None)  # a hand-made current version abandons a rotation
    else:
        wanted = list(stages)
        if not ref.versions and CUR not in wanted:
            wanted.append(CUR)  # the first version is always current
        for label in wanted:
            new[label] = vid
        if CUR in wanted and old_current is not None and PREV not in wanted:
            new[PREV] = old_current
    if len(new) > LIMIT_LABELS:
        raise Refused(LIM)
    return new


def write_version(
    ref: RefSecret, token: str | None, value: Value, stages: list[str] | None
) -> tuple[str | None, bool]:
    """Add a version to ``ref`` (in place). Returns (version id or None for an auto token,
    whether it was an idempotent replay)."""
    if token is not None and token in ref.versions:
        if ref.versions[token] == value:
            return token, True
        raise Refused(REX)
    assert len(ref.versions) < LIMIT_VERSIONS, "the machine never gets near the version quota"
    vid = token if token is not None else PLACEHOLDER
    ref.labels = labels_for_new_version(ref, vid, stages)
    ref.versions[vid] = value
    return token, False


PLACEHOLDER = "<version id chosen by botocore>"


def rename_placeholder(ref: RefSecret, vid: str) -> None:
    assert vid not in ref.versions, f"botocore's token {vid} collided with a known version"
    ref.versions = {(vid if k == PLACEHOLDER else k): v for k, v in ref.versions.items()}
    ref.labels = {k: (vid if v == PLACEHOLDER else v) for k, v in ref.labels.items()}


def move_label(ref: RefSecret, label: str, move_to: str | None, remove_from: str | None) -> None:
    """§4.2 UpdateSecretVersionStage, in place."""
    for vid in (move_to, remove_from):
        if vid is not None and vid not in ref.versions:
            raise Refused(RNF)
    holder = ref.labels.get(label)
    if move_to is None:
        if remove_from is None or holder != remove_from:
            raise Refused(IPA)
        if label == CUR:
            raise Refused(IPA)  # AWSCURRENT can only be moved
        del ref.labels[label]
        return
    if holder is not None and holder != move_to:
        if remove_from != holder:  # missing or naming another version
            raise Refused(IPA)
    elif remove_from is not None and remove_from not in (move_to, holder):
        # The label is on no other version, and RemoveFromVersionId names a version that
        # does not hold it. Spec-silent; smfake refuses, except when it names the target.
        raise Refused(IPA)
    new = dict(ref.labels)
    new[label] = move_to
    if label == CUR and holder is not None and holder != move_to:
        new[PREV] = holder
    if len(new) > LIMIT_LABELS:
        raise Refused(LIM)
    ref.labels = new


# -- strategies -------------------------------------------------------------------------------

names = st.sampled_from(NAMES)
values = st.sampled_from(VALUES)
# "A".."C": a small shared pool; "latest": the newest version id of the target secret (a
# replay with the same value, or a conflict with another); "fresh": unused; "auto": omitted.
token_kinds = st.sampled_from(("A", "B", "C", "latest", "fresh", "auto"))
labels = st.one_of(st.sampled_from(LABELS), st.sampled_from(MANY[:3]))
explicit_stages = st.lists(st.sampled_from(LABELS), min_size=1, max_size=3, unique=True)
# A run of many custom labels: two of these on one secret exceed the 20-label quota.
many_stages = st.builds(
    lambda start, n: list(MANY[start : start + n]), st.integers(0, 8), st.integers(8, 16)
)
# A version id: ("mine", i) = the i-th version of the target secret, ("holder", 0) = the
# version holding the label in play (AWSCURRENT for reads), ("any", i) = any id seen so far
# (maybe of another secret), ("unknown", 0) = an id no secret has.
version_refs = st.one_of(
    st.tuples(st.just("mine"), st.integers(0, 7)),
    st.just(("holder", 0)),
    st.tuples(st.just("mine"), st.integers(0, 7)),
    st.just(("holder", 0)),
    st.tuples(st.just("any"), st.integers(0, 15)),
    st.just(("unknown", 0)),
)
# None half of the time (st.one_of would flatten st.none() into one branch among many).
optional_refs = st.tuples(st.booleans(), version_refs).map(lambda t: t[1] if t[0] else None)
uvs_labels = st.sampled_from((CUR, CUR, PEND, PREV, "custom1", "custom2", "L00", "L01"))
windows = st.one_of(st.none(), st.integers(7, 30), st.sampled_from((-1, 0, 1, 6, 31, 365)))


def value_kwargs(value: Value) -> dict[str, Any]:
    kind, data = value
    return {"SecretString": data} if kind == "s" else {"SecretBinary": data}


def value_of(response: dict[str, Any]) -> Value:
    if "SecretString" in response:
        assert "SecretBinary" not in response
        return ("s", response["SecretString"])
    return ("b", response["SecretBinary"])


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def error_code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# -- the machine ------------------------------------------------------------------------------


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_secretsmanager(seed=0)
        self.fake = self.mock.start()
        self.fake.clock.set(START)  # frozen from here on: dates are exact
        # botocore counts LimitExceededException as throttling and would retry it with real
        # sleeps (§1 Retries): one attempt only.
        self.client = boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            config=Config(retries={"total_max_attempts": 1}),
        )
        self.model = Model()
        self.seen_vids: list[str] = []
        self.fresh = 0

    def teardown(self) -> None:
        self.mock.stop()

    # helpers

    def token(self, kind: str, name: str) -> str | None:
        if kind == "auto":
            return None  # botocore fills in a UUID4
        secret = self.model.secrets.get(name)
        if kind == "latest" and secret is not None and secret.versions:
            return list(secret.versions)[-1]
        if kind in ("fresh", "latest"):
            self.fresh += 1
            return f"fresh-token-{self.fresh:024d}"
        return TOKENS[kind]

    def vid(self, name: str, ref: tuple[str, int], label: str = CUR) -> str:
        kind, index = ref
        secret = self.model.secrets.get(name)
        if kind == "holder" and secret is not None and label in secret.labels:
            return secret.labels[label]
        if kind in ("mine", "holder"):
            ids = list(secret.versions) if secret is not None else []
            return ids[index % len(ids)] if ids else UNKNOWN_VID
        if kind == "any" and self.seen_vids:
            return self.seen_vids[index % len(self.seen_vids)]
        return UNKNOWN_VID

    def note_vid(self, vid: str) -> None:
        if vid not in self.seen_vids:
            self.seen_vids.append(vid)

    def snapshot(self, name: str) -> Any:
        """Everything DescribeSecret and ListSecretVersionIds show about one secret."""
        described: Any
        listed: Any
        try:
            described = body(self.client.describe_secret(SecretId=name))
        except ClientError as error:
            described = ("error", error_code(error))
        try:
            listed = body(
                self.client.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
            )
        except ClientError as error:
            listed = ("error", error_code(error))
        return described, listed

    def call(
        self,
        name: str,
        predict: Callable[[Model], Any],
        invoke: Callable[[], dict[str, Any]],
        *,
        unchanged_on_success: bool = False,
    ) -> tuple[dict[str, Any], Any, Model] | None:
        """Predict on a copy of the model; on predicted success run the call and return
        (response, prediction, new model) for the rule to check and commit; on predicted
        failure check the error code and that the secret did not change."""
        candidate = copy.deepcopy(self.model)
        try:
            predicted = predict(candidate)
        except Refused as refused:
            before = self.snapshot(name)
            try:
                response = invoke()
            except ClientError as error:
                code = error_code(error)
                assert code in refused.codes, (
                    f"expected one of {sorted(refused.codes)}, got {code}: "
                    f"{error.response['Error'].get('Message')}"
                )
            else:
                raise AssertionError(
                    f"expected one of {sorted(refused.codes)}, the call succeeded: {body(response)}"
                )
            assert self.snapshot(name) == before, "a refused call changed the secret"
            return None
        before = self.snapshot(name) if unchanged_on_success else None
        try:
            response = invoke()
        except ClientError as error:
            raise AssertionError(
                f"expected success, got {error_code(error)}: {error.response['Error']}"
            ) from None
        if unchanged_on_success:
            assert self.snapshot(name) == before, "an idempotent replay changed the secret"
        return response, predicted, candidate

    # -- rules ---------------------------------------------------------------------------------

    @initialize(
        seeds=st.tuples(*(st.tuples(st.booleans(), st.one_of(st.none(), values)) for _ in NAMES))
    )
    def seed_secrets(self, seeds: tuple[tuple[bool, Value | None], ...]) -> None:
        """Start with most names taken (with or without a value), so that most calls find a
        secret; the rules delete and re-create them."""
        for name, (present, value) in zip(NAMES, seeds, strict=True):
            if present or value is not None:
                self.create_secret(name, value, "fresh", None, [])

    @rule(
        name=names,
        value=st.one_of(st.none(), values),
        token_kind=token_kinds,
        description=st.one_of(st.none(), st.sampled_from(DESCRIPTIONS)),
        tag_keys=st.lists(st.sampled_from(TAG_KEYS), max_size=2, unique=True),
    )
    def create_secret(
        self,
        name: str,
        value: Value | None,
        token_kind: str,
        description: str | None,
        tag_keys: list[str],
    ) -> None:
        token = self.token(token_kind, name)
        kwargs: dict[str, Any] = {"Name": name}
        if token is not None:
            kwargs["ClientRequestToken"] = token
        if value is not None:
            kwargs.update(value_kwargs(value))
        if description is not None:
            kwargs["Description"] = description
        if tag_keys:
            kwargs["Tags"] = [{"Key": k, "Value": "v"} for k in tag_keys]

        def predict(model: Model) -> bool:
            ref = model.secrets.get(name)
            if ref is not None:
                if ref.scheduled:
                    raise Refused(IRQ)
                if value is not None and token is not None and token in ref.versions:
                    if ref.versions[token] == value:
                        return True  # idempotent replay (§5)
                    raise Refused(REX)
                raise Refused(REX)
            ref = model.secrets[name] = RefSecret(
                description=description, tags=dict.fromkeys(tag_keys, "v")
            )
            if value is not None:
                write_version(ref, token, value, None)
            return False

        replay = self._replays_create(name, value, token)
        outcome = self.call(
            name, predict, lambda: self.client.create_secret(**kwargs), unchanged_on_success=replay
        )
        if outcome is None:
            return
        response, _, model = outcome
        assert response["Name"] == name
        if value is None:
            assert "VersionId" not in response
        else:
            vid = response["VersionId"]
            if token is not None:
                assert vid == token
            else:
                rename_placeholder(model.secrets[name], vid)
            self.note_vid(vid)
        self.model = model

    def _replays_create(self, name: str, value: Value | None, token: str | None) -> bool:
        ref = self.model.secrets.get(name)
        return (
            ref is not None
            and not ref.scheduled
            and value is not None
            and token is not None
            and ref.versions.get(token) == value
        )

    @rule(
        name=names,
        value=st.one_of(values, st.just(EMPTY_BINARY)),
        token_kind=token_kinds,
        stages=st.one_of(st.none(), explicit_stages),
    )
    def put_secret_value(
        self, name: str, value: Value, token_kind: str, stages: list[str] | None
    ) -> None:
        token = self.token(token_kind, name)
        kwargs: dict[str, Any] = {"SecretId": name, **value_kwargs(value)}
        if token is not None:
            kwargs["ClientRequestToken"] = token
        if stages is not None:
            kwargs["VersionStages"] = stages

        def predict(model: Model) -> tuple[str | None, bool]:
            if value == EMPTY_BINARY:
                # "You must provide either SecretString or SecretBinary." Whether AWS looks the
                # secret up first is unknown, so a missing secret may give either code.
                if name not in model.secrets:
                    raise Refused(IRQ, RNF)
                raise Refused(IRQ)
            return write_version(model.live(name), token, value, stages)

        outcome = self.call(name, predict, lambda: self.client.put_secret_value(**kwargs))
        if outcome is None:
            return
        response, (vid, replay), model = outcome
        ref = model.secrets[name]
        if vid is None:
            vid = response["VersionId"]
            rename_placeholder(ref, vid)
        assert response["VersionId"] == vid
        assert set(response.get("VersionStages", [])) == ref.stages_of(vid), (
            "PutSecretValue echoed the wrong VersionStages"
        )
        if replay:
            assert ref.versions == self.model.secrets[name].versions
        self.note_vid(vid)
        self.model = model

    @rule(name=names, value=values, stages=st.one_of(many_stages, st.lists(labels, min_size=1)))
    def put_many_labels(self, name: str, value: Value, stages: list[str]) -> None:
        """PutSecretValue with many custom labels, to reach the label quota (§4.1)."""
        self.put_secret_value(name, value, "fresh", list(dict.fromkeys(stages)))

    @rule(
        name=names,
        description=st.one_of(st.none(), st.sampled_from(DESCRIPTIONS)),
        value=st.one_of(st.none(), values),
        token_kind=token_kinds,
    )
    def update_secret(
        self, name: str, description: str | None, value: Value | None, token_kind: str
    ) -> None:
        token = self.token(token_kind, name)
        kwargs: dict[str, Any] = {"SecretId": name}
        if token is not None:
            kwargs["ClientRequestToken"] = token
        if description is not None:
            kwargs["Description"] = description
        if value is not None:
            kwargs.update(value_kwargs(value))

        def predict(model: Model) -> str | None:
            ref = model.live(name)
            vid = None
            if value is not None:
                vid, _ = write_version(ref, token, value, None)
                vid = vid or PLACEHOLDER
            if description is not None:
                ref.description = description
            return vid

        outcome = self.call(name, predict, lambda: self.client.update_secret(**kwargs))
        if outcome is None:
            return
        response, vid, model = outcome
        assert response["Name"] == name
        if value is None:
            assert "VersionId" not in response
        else:
            if vid == PLACEHOLDER:
                vid = response["VersionId"]
                rename_placeholder(model.secrets[name], vid)
            assert response["VersionId"] == vid
            self.note_vid(vid)
        self.model = model

    @rule(
        name=names,
        stage=st.one_of(st.none(), labels),
        version=optional_refs,
    )
    def get_secret_value(
        self, name: str, stage: str | None, version: tuple[str, int] | None
    ) -> None:
        vid = None if version is None else self.vid(name, version, stage or CUR)
        kwargs: dict[str, Any] = {"SecretId": name}
        if stage is not None:
            kwargs["VersionStage"] = stage
        if vid is not None:
            kwargs["VersionId"] = vid

        def predict(model: Model) -> str:
            ref = model.live(name)
            if vid is not None:
                if vid not in ref.versions:
                    raise Refused(RNF)
                if stage is not None and ref.labels.get(stage) != vid:
                    raise Refused(IRQ)
                return vid
            holder = ref.labels.get(stage or CUR)
            if holder is None:
                raise Refused(RNF)
            return holder

        outcome = self.call(name, predict, lambda: self.client.get_secret_value(**kwargs))
        if outcome is None:
            return
        response, expected_vid, _ = outcome
        ref = self.model.secrets[name]
        assert response["VersionId"] == expected_vid
        assert value_of(response) == ref.versions[expected_vid]
        # botocore leaves out the empty list of a deprecated version
        stages = response.get("VersionStages", [])
        assert set(stages) == ref.stages_of(expected_vid)
        assert len(stages) == len(set(stages))

    @rule(name=names, label=uvs_labels, move_to=optional_refs, remove_from=optional_refs)
    def update_secret_version_stage(
        self,
        name: str,
        label: str,
        move_to: tuple[str, int] | None,
        remove_from: tuple[str, int] | None,
    ) -> None:
        move_vid = None if move_to is None else self.vid(name, move_to, label)
        remove_vid = None if remove_from is None else self.vid(name, remove_from, label)
        kwargs: dict[str, Any] = {"SecretId": name, "VersionStage": label}
        if move_vid is not None:
            kwargs["MoveToVersionId"] = move_vid
        if remove_vid is not None:
            kwargs["RemoveFromVersionId"] = remove_vid

        def predict(model: Model) -> None:
            move_label(model.live(name), label, move_vid, remove_vid)

        outcome = self.call(
            name, predict, lambda: self.client.update_secret_version_stage(**kwargs)
        )
        if outcome is None:
            return
        response, _, model = outcome
        assert body(response).keys() == {"ARN", "Name"}
        self.model = model

    @precondition(lambda self: any(r.versions for r in self.model.secrets.values()))
    @rule(data=st.data())
    def rotate_like_cycle(self, data: st.DataObject) -> None:
        """The rotation-function sequence of §4.3, by hand: put PENDING, move CURRENT onto
        it (the target keeps PENDING), then strip PENDING."""
        name = data.draw(st.sampled_from([n for n in NAMES if n in self.model.secrets]))
        value = data.draw(values)
        self.put_secret_value(name, value, "fresh", [PEND])
        pending = self.model.secrets.get(name)
        if pending is None or PEND not in pending.labels:
            return
        new = pending.labels[PEND]
        old = pending.labels.get(CUR)
        self._uvs_ids(name, CUR, new, old)
        self._uvs_ids(name, PEND, None, new)

    def _uvs_ids(self, name: str, label: str, move: str | None, remove: str | None) -> None:
        kwargs: dict[str, Any] = {"SecretId": name, "VersionStage": label}
        if move is not None:
            kwargs["MoveToVersionId"] = move
        if remove is not None:
            kwargs["RemoveFromVersionId"] = remove

        def predict(model: Model) -> None:
            move_label(model.live(name), label, move, remove)

        outcome = self.call(
            name, predict, lambda: self.client.update_secret_version_stage(**kwargs)
        )
        if outcome is not None:
            self.model = outcome[2]

    @rule(name=names, window=windows, force=st.sampled_from((False, False, False, True)))
    def delete_secret(self, name: str, window: int | None, force: bool) -> None:
        kwargs: dict[str, Any] = {"SecretId": name}
        if window is not None:
            kwargs["RecoveryWindowInDays"] = window
        if force:
            kwargs["ForceDeleteWithoutRecovery"] = True

        def predict(model: Model) -> datetime:
            if window is not None and not 7 <= window <= 30:
                # Parameter check vs. lookup order on a missing secret: unverified.
                raise Refused(IPA) if name in model.secrets else Refused(IPA, RNF)
            if force and window is not None:
                raise Refused(IPA)
            ref = model.secrets.get(name)
            if force:
                model.secrets.pop(name, None)  # a missing secret is fine (§6)
                return model.now
            if ref is None:
                raise Refused(RNF)
            if ref.scheduled:
                raise Refused(IRQ)
            ref.deleted_at = model.now
            ref.purge_at = model.now + timedelta(days=window or DEFAULT_WINDOW)
            return ref.purge_at

        outcome = self.call(name, predict, lambda: self.client.delete_secret(**kwargs))
        if outcome is None:
            return
        response, deletion_date, model = outcome
        assert response["Name"] == name
        assert response["DeletionDate"] == deletion_date
        self.model = model

    @rule(name=names, window=st.integers(7, 30))
    def delete_restore_wait(self, name: str, window: int) -> None:
        """Delete, restore, then wait the window out: the restored secret must survive."""
        self.delete_secret(name, window, False)
        self.restore_secret(name)
        self.advance_clock(window, 1)

    @rule(name=names)
    def restore_secret(self, name: str) -> None:
        def predict(model: Model) -> None:
            ref = model.existing(name)
            # Restoring a secret that is not scheduled: unverified; smfake succeeds (no-op).
            ref.deleted_at = ref.purge_at = None

        outcome = self.call(name, predict, lambda: self.client.restore_secret(SecretId=name))
        if outcome is None:
            return
        response, _, model = outcome
        assert body(response).keys() == {"ARN", "Name"}
        self.model = model

    @rule(
        name=names,
        keys=st.lists(
            st.sampled_from((*TAG_KEYS, RESERVED_TAG_KEY)), min_size=1, max_size=3, unique=True
        ),
        tag_value=st.sampled_from(("x", "y", "")),
    )
    def tag_resource(self, name: str, keys: list[str], tag_value: str) -> None:
        tags = [{"Key": k, "Value": tag_value} for k in keys]

        def predict(model: Model) -> None:
            ref = model.live(name)
            if RESERVED_TAG_KEY in keys:
                raise Refused(IPA)
            ref.tags.update(dict.fromkeys(keys, tag_value))

        outcome = self.call(
            name, predict, lambda: self.client.tag_resource(SecretId=name, Tags=tags)
        )
        if outcome is not None:
            assert body(outcome[0]) == {}
            self.model = outcome[2]

    @rule(name=names, keys=st.lists(st.sampled_from(TAG_KEYS), min_size=1, max_size=2))
    def untag_resource(self, name: str, keys: list[str]) -> None:
        def predict(model: Model) -> None:
            ref = model.live(name)
            for key in keys:
                ref.tags.pop(key, None)

        outcome = self.call(
            name, predict, lambda: self.client.untag_resource(SecretId=name, TagKeys=keys)
        )
        if outcome is not None:
            assert body(outcome[0]) == {}
            self.model = outcome[2]

    @rule(name=names, include_deprecated=st.booleans())
    def list_secret_version_ids(self, name: str, include_deprecated: bool) -> None:
        def predict(model: Model) -> None:
            model.existing(name)  # works while scheduled for deletion (smfake's choice)

        outcome = self.call(
            name,
            predict,
            lambda: self.client.list_secret_version_ids(
                SecretId=name, IncludeDeprecated=include_deprecated
            ),
        )
        if outcome is None:
            return
        ref = self.model.secrets[name]
        listed = {v["VersionId"]: set(v.get("VersionStages", [])) for v in outcome[0]["Versions"]}
        expected = {
            vid: ref.stages_of(vid)
            for vid in ref.versions
            if include_deprecated or ref.stages_of(vid)
        }
        assert listed == expected

    @rule(
        days=st.sampled_from((0, 1, 6, 7, 8, 29, 30, 31)),
        hours=st.sampled_from((0, 1, 23)),
    )
    def advance_clock(self, days: int, hours: int) -> None:
        self.fake.clock.advance(days=days, hours=hours)
        model = self.model
        model.now += timedelta(days=days, hours=hours)
        for name, ref in list(model.secrets.items()):
            if ref.purge_at is not None and ref.purge_at <= model.now:
                del model.secrets[name]

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def fake_agrees_with_model(self) -> None:
        assert self.fake.clock.now() == self.model.now
        for name in NAMES:
            ref = self.model.secrets.get(name)
            if ref is None:
                self._assert_gone(name)
            else:
                self._assert_matches(name, ref)

    def _assert_gone(self, name: str) -> None:
        for read in (self.client.describe_secret, self.client.get_secret_value):
            with pytest.raises(ClientError) as excinfo:
                read(SecretId=name)
            assert error_code(excinfo.value) == RNF, f"{name} should not exist"

    def _assert_matches(self, name: str, ref: RefSecret) -> None:
        try:
            described = self.client.describe_secret(SecretId=name)
        except ClientError as error:
            raise AssertionError(
                f"{name} should exist, DescribeSecret gave {error_code(error)}"
            ) from None
        to_stages: dict[str, list[str]] = described.get("VersionIdsToStages", {})
        holders: dict[str, str] = {}
        for vid, stages in to_stages.items():
            assert stages, f"{vid} is listed in VersionIdsToStages without labels"
            assert len(stages) == len(set(stages)), f"{vid} carries a label twice: {stages}"
            for label in stages:
                assert label not in holders, f"{label} is on {holders[label]} and {vid}"
                holders[label] = vid
        if ref.versions:
            assert list(holders).count(CUR) == 1, "a secret with a value has no AWSCURRENT"
        assert holders == ref.labels, "VersionIdsToStages disagrees with the model"
        assert described.get("Description") == ref.description
        assert {t["Key"]: t["Value"] for t in described.get("Tags", [])} == ref.tags
        assert described.get("DeletedDate") == ref.deleted_at

        listed = self.client.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
        versions = {v["VersionId"]: v for v in listed["Versions"]}
        assert len(versions) == len(listed["Versions"]), "a version is listed twice"
        assert set(versions) == set(ref.versions), "ListSecretVersionIds disagrees with the model"
        for vid, entry in versions.items():
            expected = ref.stages_of(vid)
            if expected:
                assert set(entry.get("VersionStages", [])) == expected
            else:
                assert "VersionStages" not in entry, f"deprecated {vid} shows VersionStages"

        if ref.scheduled:
            with pytest.raises(ClientError) as excinfo:
                self.client.get_secret_value(SecretId=name)
            assert error_code(excinfo.value) == IRQ


LifecycleMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLifecycle = LifecycleMachine.TestCase
TestLifecycle.pytestmark = [pytest.mark.slow]  # about 10 s: the suite's slowest test
