"""Cross-account replication (botocore 1.44; AWS_SPEC_1_44 §A2-§A6).

A replica is created in its own account with CreateSecret(CrossAccountPrimaryARN=...): it has
no value, names its primary and shows ``Pending``. The primary's owner then associates it; from
then on every change of the primary's versions and labels is copied to the replica, its values
sealed under the replica's own key, in the replica's store (same Region, another account).
Replication is synchronous here: the Associate response says ``InProgress``, every later look
says ``InSync``, or ``Failed`` with a message when the replica's key cannot be used or its key
policy refuses the identity that replicates (the write to the primary still succeeds).

Either side ends it: Disassociate on the primary removes its entry and leaves the replica
``Detached`` (still a replica); StopReplicationToReplica on the replica makes it standalone and
leaves the primary's entry ``Detached`` until the primary disassociates it. Neither secret can
be deleted while linked.

Unverified throughout (AWS publishes no error text for this surface and its docs leave the
order of checks open): see README Limitations and the [U] texts in messages.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from smfake._domain import messages
from smfake._domain.errors import (
    AccessDeniedException,
    EncryptionFailure,
    InvalidParameterException,
    InvalidRequestException,
    LimitExceededException,
    ResourceNotFoundException,
    ServiceError,
)
from smfake._domain.replication import (
    FAILED,
    IN_PROGRESS,
    IN_SYNC,
    copy_partner_type,
    copy_versions,
    to_seal,
)
from smfake._domain.secret import CrossAccountPrimary, CrossAccountReplica, Secret, SecretValue
from smfake._domain.store import KeyGate, SecretStore, partition_of

PENDING = "Pending"
DETACHED = "Detached"
# The model's StatusType (1.44 adds Pending and Detached).
STATUSES = (PENDING, IN_PROGRESS, IN_SYNC, FAILED, DETACHED)
__all__ = ["DETACHED", "FAILED", "IN_PROGRESS", "IN_SYNC", "PENDING", "STATUSES"]

SAME_ORG = "SameOrg"
NO_RESTRICTION = "NoRestriction"

# A full secret ARN: partition, Region, account, name and the six-character suffix (§2.2).
_SECRET_ARN = re.compile(
    r"arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:([A-Za-z0-9/_+=.@!-]+)"
    r"-[A-Za-z0-9]{6}"
)

StoreOfAccount = Callable[[str], SecretStore]  # account -> its store in the same Region


@dataclass(frozen=True, slots=True)
class SecretArn:
    partition: str
    region: str
    account: str


def parse_arn(arn: str, *, member: str) -> SecretArn:
    match = _SECRET_ARN.fullmatch(arn)
    if match is None:
        raise InvalidParameterException(messages.CROSS_ACCOUNT_ARN_INVALID, member=member, arn=arn)
    return SecretArn(match.group(1), match.group(2), match.group(3))


def check_other_account(store: SecretStore, arn: str, *, member: str) -> SecretArn:
    """``arn`` names a secret of another account in ``store``'s Region and partition."""
    parsed = parse_arn(arn, member=member)
    if parsed.partition != partition_of(store.region) or parsed.region != store.region:
        raise InvalidParameterException(
            messages.CROSS_ACCOUNT_REGION_MISMATCH,
            member=member,
            region=f"{parsed.region} ({parsed.partition})",
            here=f"{store.region} ({partition_of(store.region)})",
        )
    if parsed.account == store.account:
        raise InvalidParameterException(messages.CROSS_ACCOUNT_SAME_ACCOUNT, member=member)
    return parsed


# -- the replica's side -----------------------------------------------------------------------


def check_replica_creation(
    store: SecretStore, primary_arn: str, *, kms_key_id: str | None, given: set[str]
) -> None:
    """CreateSecret with CrossAccountPrimaryARN: everything is checked before anything is
    created (1.44 §A3). The primary's existence is not: its account is not the caller's."""
    for member in ("SecretString", "SecretBinary", "Description", "AddReplicaRegions", "Type"):
        if member in given:
            raise InvalidParameterException(messages.CROSS_ACCOUNT_FORBIDDEN_MEMBER, member=member)
    check_other_account(store, primary_arn, member="CrossAccountPrimaryARN")
    check_customer_key(store, kms_key_id)


def check_customer_key(store: SecretStore, kms_key_id: str | None) -> None:
    """A cross-account replica's key is a customer managed key: the AWS managed key serves
    its own account only (1.44 §A3). A key that does not exist is found out when a value is
    first sealed with it, as for any secret created without a value."""
    if store.is_aws_managed_key(kms_key_id):
        raise InvalidParameterException(messages.CROSS_ACCOUNT_KEY_REQUIRED)


def link_to_primary(replica: Secret, primary_arn: str) -> None:
    replica.cross_account_primary = CrossAccountPrimary(primary_arn, PENDING)


# -- the primary's side -----------------------------------------------------------------------


def associate(
    store: SecretStore,
    secret_id: str,
    replica_arn: str,
    *,
    role_arn: str | None,
    restriction: str,
    accounts: StoreOfAccount,
    same_organization: Callable[[str], bool],
    gate: KeyGate | None,
) -> Secret:
    """AssociateCrossAccountReplica: start (or repair) replication from the primary to the
    replica. Atomic: a refused call changes neither side (1.44 §A4)."""
    primary = store.get_live(secret_id)
    if primary.is_replica or primary.is_cross_account_replica:
        raise InvalidParameterException(messages.CROSS_ACCOUNT_SOURCE_IS_REPLICA, arn=primary.arn)
    parsed = check_other_account(store, replica_arn, member="CrossAccountReplicaARN")
    if role_arn is not None and not _is_role_of(role_arn, store):
        raise InvalidParameterException(messages.CROSS_ACCOUNT_ROLE_INVALID, arn=role_arn)
    replica_store = accounts(parsed.account)
    replica = replica_store.find(replica_arn)
    if replica is None or replica.arn != replica_arn:
        raise ResourceNotFoundException(messages.SECRET_NOT_FOUND)
    if replica.scheduled_for_deletion:
        raise InvalidRequestException(messages.MARKED_FOR_DELETION)
    link = replica.cross_account_primary
    if link is None or link.primary_arn != primary.arn:
        raise InvalidRequestException(
            messages.CROSS_ACCOUNT_NOT_REPLICA_OF, replica=replica_arn, primary=primary.arn
        )
    others = [arn for arn in primary.cross_account_replicas if arn != replica_arn]
    if others:
        raise LimitExceededException(
            messages.CROSS_ACCOUNT_REPLICA_LIMIT, arn=primary.arn, existing=others[0]
        )
    if restriction == SAME_ORG and not same_organization(parsed.account):
        raise InvalidRequestException(messages.CROSS_ACCOUNT_NOT_SAME_ORG, replica=replica_arn)
    # The dry run: the primary's values can be read, the replica's key can take them.
    clear, skip = _readable(store, primary, replica)
    key = replica.kms_key_id
    if replica_store.is_aws_managed_key(key) or not replica_store.keys.usable(key):
        raise EncryptionFailure(messages.ENCRYPTION_FAILURE)
    if gate is not None and gate.may_encrypt(replica_store, str(key), replica, role_arn=role_arn):
        raise AccessDeniedException(messages.KMS_ACCESS_DENIED)
    entry = CrossAccountReplica(replica_arn, IN_SYNC, role_arn, restriction)
    copied = copy_versions(store, primary, replica_store, replica, key, clear, skip)
    primary.set_cross_account_replica(entry)
    link.status, link.message = IN_SYNC, None
    replica.description = primary.description
    copy_partner_type(primary, replica)
    if copied:
        replica_store.set_last_changed(replica, replica_store.now())
    return primary


def disassociate(
    store: SecretStore, secret_id: str, replica_arn: str, *, accounts: StoreOfAccount
) -> Secret:
    """DisassociateCrossAccountReplica: the primary forgets the replica, which stays a
    replica, ``Detached``, with the values it has (1.44 §A5)."""
    primary = store.get_live(secret_id)
    parsed = parse_arn(replica_arn, member="CrossAccountReplicaARN")
    if primary.drop_cross_account_replica(replica_arn) is None:
        raise ResourceNotFoundException(
            messages.CROSS_ACCOUNT_NOT_ASSOCIATED, replica=replica_arn, primary=primary.arn
        )
    replica = accounts(parsed.account).find(replica_arn)
    link = None if replica is None else replica.cross_account_primary
    if link is not None and link.primary_arn == primary.arn:
        link.status, link.message = DETACHED, None
    return primary


def stop(replica_store: SecretStore, replica: Secret, *, accounts: StoreOfAccount) -> None:
    """StopReplicationToReplica on a cross-account replica: it becomes a standalone secret
    (its managed policy goes with the link); the primary's entry shows ``Detached``."""
    link = replica.cross_account_primary
    if link is None:
        return
    primary_account = parse_arn(link.primary_arn, member="PrimarySecretARN").account
    primary = accounts(primary_account).find(link.primary_arn)
    if primary is not None:
        entry = primary.cross_account_replicas.get(replica.arn)
        if entry is not None:
            entry.status, entry.message = DETACHED, None
    replica.cross_account_primary = None


def sync(
    store: SecretStore, primary: Secret, *, accounts: StoreOfAccount, gate: KeyGate | None
) -> None:
    """After a change of the primary: bring every attached replica up to date. Labels and
    the description need no key; new values are sealed under the replica's key, and a key
    that cannot take them marks the replica Failed on both sides. The primary's change
    stands (1.44 §A2.4)."""
    for entry in primary.cross_account_replicas.values():
        if entry.status == DETACHED:
            continue
        replica_store = accounts(parse_arn(entry.replica_arn, member="ReplicaSecretARN").account)
        replica = replica_store.find(entry.replica_arn)
        link = None if replica is None else replica.cross_account_primary
        if replica is None or link is None or link.primary_arn != primary.arn:
            # Gone without ending the link (nothing the service allows): say so.
            entry.status, entry.message = FAILED, messages.CROSS_ACCOUNT_REPLICA_GONE
            continue
        problem = None
        try:
            clear, skip = _readable(store, primary, replica)
        except ServiceError:
            problem, clear, skip = messages.CROSS_ACCOUNT_PRIMARY_UNREADABLE, {}, set()
        if problem is None and set(to_seal(primary, replica)) - skip:
            problem = _key_problem(replica_store, replica, entry.role_arn, gate)
        if problem is None:
            try:
                key = replica.kms_key_id
                if copy_versions(store, primary, replica_store, replica, key, clear, skip):
                    replica_store.set_last_changed(replica, replica_store.now())
                replica.description = primary.description
                copy_partner_type(primary, replica)
            except ServiceError:
                problem = messages.CROSS_ACCOUNT_KEY_UNUSABLE
        status = IN_SYNC if problem is None else FAILED
        entry.status = link.status = status
        entry.message = link.message = problem


def _readable(
    store: SecretStore, primary: Secret, replica: Secret
) -> tuple[dict[str, SecretValue], set[str]]:
    """The values the replica lacks, in the clear, and the versions left out: an unlabelled
    (deprecated) version whose key no longer opens it. A labelled one that cannot be read
    raises, as reading it would."""
    clear: dict[str, SecretValue] = {}
    skip: set[str] = set()
    for version_id in to_seal(primary, replica):
        version = primary.versions[version_id]
        try:
            clear[version_id] = store.reveal(primary, version)
        except ServiceError:
            if version.stages:
                raise
            skip.add(version_id)
    return clear, skip


def _is_role_of(role_arn: str, store: SecretStore) -> bool:
    """An IAM role of the primary's account (1.44 §A4 [M])."""
    prefix = f"arn:{partition_of(store.region)}:iam::{store.account}:role/"
    return role_arn.startswith(prefix) and len(role_arn) > len(prefix)


def _key_problem(
    store: SecretStore, replica: Secret, role_arn: str | None, gate: KeyGate | None
) -> str | None:
    key = replica.kms_key_id
    if key is None or store.is_aws_managed_key(key) or not store.keys.usable(key):
        return messages.CROSS_ACCOUNT_KEY_UNUSABLE
    if gate is not None:
        refused = gate.may_encrypt(store, key, replica, role_arn=role_arn)
        if refused is not None:
            return messages.CROSS_ACCOUNT_KEY_DENIED.format(identity=refused)
    return None
