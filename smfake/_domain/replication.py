"""Multi-Region secrets (§10): replicas are real secrets in other Regions' stores, kept in sync
with their primary after every change, read-only where they live."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException, ServiceError
from smfake._domain.secret import Replica, Secret, SecretValue, SecretVersion
from smfake._domain.store import SecretStore

IN_SYNC = "InSync"
IN_PROGRESS = "InProgress"
FAILED = "Failed"

StoreOf = Callable[[str], SecretStore]  # region -> the store of the same account there


@dataclass(frozen=True, slots=True)
class ReplicaRequest:
    region: str
    kms_key_id: str | None


def replica_arn(primary: Secret, region: str) -> str:
    """The primary's ARN with the Region swapped (§10)."""
    parts = primary.arn.split(":", 6)
    parts[3] = region
    return ":".join(parts)


def check_requests(primary_store: SecretStore, requests: Sequence[ReplicaRequest]) -> None:
    for request in requests:
        if request.region == primary_store.region:
            raise InvalidParameterException(messages.REPLICA_IN_OWN_REGION, region=request.region)


def add_replicas(
    primary_store: SecretStore,
    primary: Secret,
    requests: Sequence[ReplicaRequest],
    *,
    force_overwrite: bool,
    store_of: StoreOf,
) -> None:
    """Replicate ``primary`` to each requested Region. A Region that cannot take the replica
    (name taken, key unusable) is reported as Failed in the status, as AWS does."""
    check_requests(primary_store, requests)
    # Decrypt first: a primary whose values cannot be read changes nothing anywhere.
    clear = _clear_values(primary_store, primary)
    for request in requests:
        replica = Replica(
            request.region, request.kms_key_id, IN_SYNC, messages.REPLICATION_SUCCEEDED
        )
        primary.set_replica(replica)
        _create_replica(
            primary_store, primary, replica, force_overwrite, store_of(request.region), clear
        )
    primary.primary_region = primary_store.region


def remove_replicas(primary: Secret, regions: Sequence[str], *, store_of: StoreOf) -> None:
    """Delete the replicas in ``regions`` at once; Regions without one are ignored
    (unverified, see README)."""
    for region in regions:
        replica = primary.drop_replica(region)
        if replica is None:
            continue
        found = replica.secret
        if found is not None and found.primary_arn == primary.arn:
            store_of(region).purge(found)
    if not primary.replicas:
        primary.primary_region = None


def promote(replica_store: SecretStore, secret: Secret, *, store_of: StoreOf) -> None:
    """StopReplicationToReplica: the replica becomes a standalone secret of its Region."""
    if secret.primary_arn is None or secret.primary_region is None:
        raise InvalidParameterException(messages.NOT_A_REPLICA, name=secret.name)
    primary = store_of(secret.primary_region).find(secret.primary_arn)
    if primary is not None:
        primary.drop_replica(replica_store.region)
        if not primary.replicas:
            primary.primary_region = None
    secret.primary_arn = secret.primary_region = None


def sync(primary_store: SecretStore, primary: Secret, *, store_of: StoreOf) -> None:
    """Copy the primary's state to every healthy replica (values re-encrypted there)."""
    for region, replica in primary.replicas.items():
        if replica.status == FAILED:
            continue
        found = replica.secret
        if found is None or found.primary_arn != primary.arn:
            continue
        try:
            _copy(primary_store, primary, store_of(region), found, replica.kms_key_id)
        except ServiceError:
            replica.status, replica.message = FAILED, messages.REPLICA_KEY_UNUSABLE


def _clear_values(store: SecretStore, secret: Secret) -> dict[str, SecretValue]:
    return {
        version_id: store.reveal(secret, version)
        for version_id, version in secret.versions.items()
        if version.sealed is not None
    }


def _create_replica(
    primary_store: SecretStore,
    primary: Secret,
    replica: Replica,
    force_overwrite: bool,
    store: SecretStore,
    clear: dict[str, SecretValue],
) -> None:
    existing = store.find(primary.name)
    if not store.keys.usable(replica.kms_key_id):
        replica.status, replica.message = FAILED, messages.REPLICA_KEY_UNUSABLE
        return
    if existing is not None and existing.primary_arn != primary.arn:
        # A secret linked by cross-account replication cannot be deleted, so cannot be
        # overwritten either (unverified).
        linked = existing.is_cross_account_replica or bool(existing.cross_account_replicas)
        if not force_overwrite or linked:
            replica.status, replica.message = FAILED, messages.REPLICA_NAME_TAKEN
            return
        store.purge(existing)
    copy = existing if existing is not None and existing.primary_arn == primary.arn else None
    if copy is None:
        copy = Secret(
            arn=replica_arn(primary, store.region),
            name=primary.name,
            created=primary.created,
            last_changed=primary.last_changed,
            primary_arn=primary.arn,
            primary_region=primary_store.region,
        )
        store.adopt(copy)
    replica.secret = copy
    _copy(primary_store, primary, store, copy, replica.kms_key_id, clear)


def _copy(
    primary_store: SecretStore,
    primary: Secret,
    store: SecretStore,
    copy: Secret,
    kms_key_id: str | None,
    clear: dict[str, SecretValue] | None = None,
) -> None:
    copy_versions(primary_store, primary, store, copy, kms_key_id, clear)
    copy.description = primary.description
    copy.kms_key_id = kms_key_id
    copy.tags = None if primary.tags is None else dict(primary.tags)
    copy.policy = primary.policy
    copy_partner_type(primary, copy)
    store.set_last_changed(copy, primary.last_changed)


def copy_partner_type(primary: Secret, copy: Secret) -> None:
    """A replica shows its primary's Type (unverified)."""
    if copy.partner_type != primary.partner_type:  # a rare field (secret.py)
        copy.partner_type = primary.partner_type


def copy_versions(
    primary_store: SecretStore,
    primary: Secret,
    store: SecretStore,
    copy: Secret,
    kms_key_id: str | None,
    clear: dict[str, SecretValue] | None = None,
    skip: Collection[str] = (),
) -> bool:
    """Give ``copy`` the primary's versions (less ``skip``) and labels, values sealed under
    ``kms_key_id`` in ``store``; whether anything changed. Raises before changing anything
    when a value cannot be read or sealed."""
    # Versions are immutable once they hold a value, so only new or newly filled ones need
    # encrypting in the replica's store; everything is prepared before anything changes.
    sealed = {}
    for version_id in to_seal(primary, copy):
        if version_id in skip:
            continue
        value = (clear or {}).get(version_id) or primary_store.reveal(
            primary, primary.versions[version_id]
        )
        sealed[version_id] = store.seal_for(copy, version_id, value, kms_key_id)
    versions: dict[str, SecretVersion] = {}
    for version_id, version in primary.versions.items():
        if version_id in skip:
            continue
        mine = copy.versions.get(version_id)
        if mine is None:
            mine = SecretVersion(version_id, version.created, None, kms_key_id)
        if version_id in sealed:
            mine.sealed, mine.kms_key_id = sealed[version_id], kms_key_id
        mine.stages = version.stages
        versions[version_id] = mine
    changed = bool(sealed) or list(versions) != list(copy.versions) or copy.labels != primary.labels
    copy.versions = versions
    copy.labels = dict(primary.labels)
    return changed


def to_seal(primary: Secret, copy: Secret) -> list[str]:
    """The primary's versions whose values ``copy`` lacks (new, or newly filled)."""
    found = []
    for version_id, version in primary.versions.items():
        mine = copy.versions.get(version_id)
        if version.sealed is not None and (mine is None or mine.sealed is None):
            found.append(version_id)
    return found
