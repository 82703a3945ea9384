"""Secret and SecretVersion; the invariants of staging labels live here.

Label moves are planned first (a new label -> version map), checked, and only then applied,
so that a refused call leaves the secret exactly as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

from smfake._domain import messages
from smfake._domain.clock import Job
from smfake._domain.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from smfake._domain.ids import ARN_SUFFIX_LENGTH
from smfake._domain.kms import Sealed
from smfake._domain.schedule import RotationRules

AWSCURRENT = "AWSCURRENT"
AWSPREVIOUS = "AWSPREVIOUS"
AWSPENDING = "AWSPENDING"

# §4.1 and the quota table (§15)
MAX_LABELS_PER_SECRET = 20
MAX_VERSIONS = 100
DEPRECATED_MIN_AGE = timedelta(hours=24)

Labels = dict[str, str]  # staging label -> version id


@dataclass(frozen=True, slots=True)
class SecretValue:
    """A secret value in the clear, as callers give and get it; its repr never shows the data."""

    text: str | None = field(default=None, repr=False)
    binary: bytes | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        kind = "string" if self.text is not None else "binary"
        return f"SecretValue(<{kind}, redacted>)"

    def to_bytes(self) -> bytes:
        return self.binary if self.binary is not None else (self.text or "").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, *, binary: bool) -> SecretValue:
        return cls(binary=data) if binary else cls(text=data.decode("utf-8"))


# Most versions carry one of these: they share one tuple instead of holding one each.
_COMMON_STAGES = {
    stages: stages
    for stages in [(), (AWSCURRENT,), (AWSPREVIOUS,), (AWSPENDING,), (AWSCURRENT, AWSPENDING)]
}


def shared_stages(stages: Iterable[str]) -> tuple[str, ...]:
    found = tuple(stages)
    return _COMMON_STAGES.get(found, found)


@dataclass(slots=True)
class SecretVersion:
    version_id: str
    created: datetime
    # The value, sealed under the KMS key it was written with (kms.py); None for the empty
    # AWSPENDING placeholder that rotation creates before its first step.
    sealed: Sealed | None = field(repr=False)
    kms_key_id: str | None = None
    stages: tuple[str, ...] = ()  # set by Secret.apply_labels
    last_accessed: date | None = None


@dataclass(slots=True)
class Replica:
    """How a primary sees one of its replicas."""

    region: str
    kms_key_id: str | None
    status: str
    message: str | None = None
    secret: Secret | None = field(default=None, repr=False)  # the copy in that Region


_NO_REPLICAS: Mapping[str, Replica] = MappingProxyType({})


@dataclass(slots=True)
class CrossAccountPrimary:
    """How a cross-account replica sees its primary in another account (1.44 §A2)."""

    primary_arn: str
    status: str
    message: str | None = None


@dataclass(slots=True)
class CrossAccountReplica:
    """How a primary sees its cross-account replica (1.44 §A2): one entry per replica ARN."""

    replica_arn: str
    status: str
    role_arn: str | None = None
    restriction: str | None = None
    message: str | None = None


class _NoEntries(Mapping[str, CrossAccountReplica]):
    """The empty mapping that secrets without cross-account replicas share; hashable, as a
    dataclass default must be."""

    def __getitem__(self, key: str) -> CrossAccountReplica:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0


_NO_CROSS_ACCOUNT_REPLICAS: Mapping[str, CrossAccountReplica] = _NoEntries()


def is_arn_of(arn: str, name: str) -> bool:
    """Whether ``arn`` ends with ``name`` and a suffix, as a secret's ARN does (§2.2)."""
    cut = len(arn) - len(name) - ARN_SUFFIX_LENGTH - 1
    return cut >= 0 and arn[cut:] == f"{name}-{arn[-ARN_SUFFIX_LENGTH:]}"


@dataclass(init=False)
class Secret:
    """A store may hold 100,000 secrets, so a secret is kept small. The fields that most
    secrets set have slots. The rarely set ones, from `kms_key_id` on, are class-level
    defaults: a secret grows an instance __dict__ only once one of them is assigned (even
    None), so assign them only when they change. __init__ is written out to leave them unset.
    """

    __slots__ = (
        "name",
        "created",
        "last_changed",
        "description",
        "tags",
        "versions",
        "labels",
        "last_accessed",
        "replicas",
        "seq",
        "_arn_prefix",
        "_arn_suffix",
        "__dict__",
    )

    name: str
    created: datetime
    last_changed: datetime
    description: str | None
    # None until tags are first supplied; AWS then shows `Tags: []` even after removing all.
    tags: dict[str, str] | None
    versions: dict[str, SecretVersion]  # oldest first
    labels: Labels
    last_accessed: date | None
    # Replication (§10): a primary lists its replicas by Region (set_replica, drop_replica);
    # a replica names its primary.
    replicas: Mapping[str, Replica]
    # None stands for the AWS managed key (store.normalise_kms_key).
    kms_key_id: str | None = None
    primary_arn: str | None = None
    primary_region: str | None = None
    deleted_date: datetime | None = None
    deletion_date: datetime | None = None
    deletion_job: Job | None = field(default=None, repr=False)
    # The resource policy, as the JSON text it was given in (§11).
    policy: str | None = None
    # Rotation (§7): None until rotation is first configured; the rules as given.
    rotation_enabled: bool | None = None
    rotation_lambda_arn: str | None = None
    rotation_rules: RotationRules | None = None
    last_rotated: datetime | None = None
    next_rotation: datetime | None = None
    rotation_job: Job | None = field(default=None, repr=False)
    # Cross-account replication (1.44 §A2): a replica names its primary in another account;
    # a primary lists its replicas in other accounts by their ARNs.
    cross_account_primary: CrossAccountPrimary | None = None
    cross_account_replicas: Mapping[str, CrossAccountReplica] = _NO_CROSS_ACCOUNT_REPLICAS
    # Managed external secrets (Type, in botocore models from 1.43.11 on): the partner, and
    # what RotateSecret was last given for it, the metadata as (key, value) pairs in the order
    # given.
    partner_type: str | None = None
    external_rotation_metadata: tuple[tuple[str, str], ...] | None = None
    external_rotation_role_arn: str | None = None

    def __init__(
        self,
        *,
        arn: str,
        name: str,
        created: datetime,
        last_changed: datetime,
        description: str | None = None,
        kms_key_id: str | None = None,
        tags: dict[str, str] | None = None,
        last_accessed: date | None = None,
        primary_arn: str | None = None,
        primary_region: str | None = None,
        deleted_date: datetime | None = None,
        deletion_date: datetime | None = None,
        policy: str | None = None,
        rotation_enabled: bool | None = None,
        rotation_lambda_arn: str | None = None,
        last_rotated: datetime | None = None,
        next_rotation: datetime | None = None,
    ) -> None:
        if not is_arn_of(arn, name):
            raise ValueError(f"{arn!r} is not the ARN of a secret named {name!r}")
        cut = len(arn) - len(name) - ARN_SUFFIX_LENGTH - 1
        # The ARN is rebuilt when asked for, from the prefix, which the secrets of a Region
        # share (interned), the name and the suffix: not stored whole (§2.2).
        self._arn_prefix: str = sys.intern(arn[:cut])
        self._arn_suffix: str = arn[-ARN_SUFFIX_LENGTH:]
        self.name = name
        self.created = created
        self.last_changed = last_changed
        self.description = description
        self.tags = tags
        self.versions = {}
        self.labels = {}
        self.last_accessed = last_accessed
        self.replicas = _NO_REPLICAS
        self.seq: int = 0  # set by the listing index (listing.py): the order of registration
        rare = {
            "kms_key_id": kms_key_id,
            "primary_arn": primary_arn,
            "primary_region": primary_region,
            "deleted_date": deleted_date,
            "deletion_date": deletion_date,
            "policy": policy,
            "rotation_enabled": rotation_enabled,
            "rotation_lambda_arn": rotation_lambda_arn,
            "last_rotated": last_rotated,
            "next_rotation": next_rotation,
        }
        for field_name, value in rare.items():
            if value is not None:
                setattr(self, field_name, value)

    @property
    def arn(self) -> str:
        return f"{self._arn_prefix}{self.name}-{self._arn_suffix}"

    def set_replica(self, replica: Replica) -> None:
        # Copied on write: secrets without replicas share one empty mapping.
        self.replicas = {**self.replicas, replica.region: replica}

    def drop_replica(self, region: str) -> Replica | None:
        replicas = dict(self.replicas)
        dropped = replicas.pop(region, None)
        self.replicas = replicas or _NO_REPLICAS
        return dropped

    def set_cross_account_replica(self, entry: CrossAccountReplica) -> None:
        self.cross_account_replicas = {**self.cross_account_replicas, entry.replica_arn: entry}

    def drop_cross_account_replica(self, replica_arn: str) -> CrossAccountReplica | None:
        entries = dict(self.cross_account_replicas)
        dropped = entries.pop(replica_arn, None)
        self.cross_account_replicas = entries or _NO_CROSS_ACCOUNT_REPLICAS
        return dropped

    @property
    def is_replica(self) -> bool:
        """A replica in another Region of the same account (§10)."""
        return self.primary_arn is not None

    @property
    def is_cross_account_replica(self) -> bool:
        """A replica of a primary in another account, until StopReplicationToReplica."""
        return self.cross_account_primary is not None

    @property
    def scheduled_for_deletion(self) -> bool:
        return self.deleted_date is not None

    def holder(self, label: str) -> SecretVersion | None:
        version_id = self.labels.get(label)
        return None if version_id is None else self.versions[version_id]

    def version(self, version_id: str) -> SecretVersion | None:
        return self.versions.get(version_id)

    @property
    def rotation_in_progress(self) -> bool:
        """AWSPENDING sits on a version other than the current one (§7.1)."""
        pending = self.labels.get(AWSPENDING)
        return pending is not None and pending != self.labels.get(AWSCURRENT)

    def stages_by_version(self) -> dict[str, list[str]]:
        """Labelled versions only: deprecated ones are hidden, as in DescribeSecret."""
        return {vid: list(v.stages) for vid, v in self.versions.items() if v.stages}

    # -- planning label moves (pure: nothing changes until apply_labels) ------------------

    def plan_new_version(self, version_id: str, stages: Sequence[str] | None) -> Labels:
        """Labels after adding version ``version_id`` (PutSecretValue / UpdateSecret rules)."""
        new = dict(self.labels)
        if stages is None:
            current = new.get(AWSCURRENT)
            new[AWSCURRENT] = version_id
            if current is not None and current != version_id:
                new[AWSPREVIOUS] = current
            # A new current version written by hand abandons a rotation in progress (§4.2).
            if new.get(AWSPENDING) not in (None, version_id):
                del new[AWSPENDING]
            return new
        wanted = list(dict.fromkeys(stages))
        if not self.versions and AWSCURRENT not in wanted:
            wanted.append(AWSCURRENT)  # the first version of a secret is always current
        for label in wanted:
            previous_holder = new.get(label)
            new[label] = version_id
            if (
                label == AWSCURRENT
                and previous_holder is not None
                and previous_holder != version_id
                and AWSPREVIOUS not in wanted
            ):
                new[AWSPREVIOUS] = previous_holder
        return new

    def plan_move(self, label: str, *, move_to: str | None, remove_from: str | None) -> Labels:
        """Labels after UpdateSecretVersionStage."""
        for version_id in (move_to, remove_from):
            if version_id is not None and version_id not in self.versions:
                raise ResourceNotFoundException(messages.VERSION_NOT_FOUND, version_id=version_id)
        holder = self.labels.get(label)
        new = dict(self.labels)
        if move_to is not None:
            if holder is not None and holder != move_to:
                if remove_from is None:
                    raise InvalidParameterException(
                        messages.REMOVE_FROM_REQUIRED, label=label, version_id=holder
                    )
                if remove_from != holder:
                    raise InvalidParameterException(messages.REMOVE_FROM_MISMATCH, label=label)
            elif remove_from is not None and remove_from != move_to and remove_from != holder:
                raise InvalidParameterException(messages.REMOVE_FROM_MISMATCH, label=label)
            new[label] = move_to
            if label == AWSCURRENT and holder is not None and holder != move_to:
                new[AWSPREVIOUS] = holder
            return new
        if remove_from is None or holder != remove_from:
            raise InvalidParameterException(messages.REMOVE_FROM_MISMATCH, label=label)
        if label == AWSCURRENT:
            raise InvalidParameterException(messages.CURRENT_CANNOT_BE_REMOVED)
        del new[label]
        return new

    # -- applying ---------------------------------------------------------------------------

    def check_label_quota(self, new: Labels) -> None:
        if len(new) > MAX_LABELS_PER_SECRET:
            raise LimitExceededException(
                messages.STAGES_PER_SECRET_QUOTA, limit=MAX_LABELS_PER_SECRET
            )

    def prunable_versions(self, new: Labels, now: datetime, limit: int) -> list[str]:
        """The oldest ``limit`` deprecated versions (under ``new``) old enough for the
        service to delete. A secret at its quota meets this on every write: the walk stops
        as soon as it has enough, usually at the first version."""
        labelled = set(new.values())
        found: list[str] = []
        for vid, version in self.versions.items():
            if vid not in labelled and now - version.created >= DEPRECATED_MIN_AGE:
                found.append(vid)
                if len(found) == limit:
                    break
        return found

    def add_version(self, version: SecretVersion, new: Labels, now: datetime) -> None:
        """Add ``version`` and apply ``new`` labels; prunes old deprecated versions over quota.
        Raises before changing anything when the quota cannot be met."""
        self.check_label_quota(new)
        excess = len(self.versions) + 1 - MAX_VERSIONS
        doomed: list[str] = []
        if excess > 0:
            doomed = self.prunable_versions(new, now, excess)
            if len(doomed) < excess:
                raise LimitExceededException(messages.VERSION_QUOTA, limit=MAX_VERSIONS)
        self.versions[version.version_id] = version
        self.apply_labels(new)
        for vid in doomed:
            del self.versions[vid]

    def apply_labels(self, new: Labels) -> None:
        self.check_label_quota(new)
        held: dict[str, list[str]] = {}  # version id -> its labels under ``new``, in order
        for label, vid in new.items():
            held.setdefault(vid, []).append(label)
        touched = set(self.labels.values()) | held.keys()
        self.labels = new
        for vid in touched:
            version = self.versions[vid]
            labels = held.get(vid, [])
            # A version keeps its labels' order; labels it gains come after, in new's order.
            kept = [label for label in version.stages if label in labels]
            version.stages = shared_stages(kept + [label for label in labels if label not in kept])
