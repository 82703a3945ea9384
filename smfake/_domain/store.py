"""SecretStore: the secrets of one (account, region), and the operations on them.

Every method validates everything it needs before it changes anything, so that a refused
call leaves the store exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from smfake._domain import messages, notices, paging, tags
from smfake._domain.clock import FakeClock, Job
from smfake._domain.errors import (
    EncryptionFailure,
    InvalidParameterException,
    InvalidRequestException,
    ResourceExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from smfake._domain.ids import ARN_SUFFIX_LENGTH, IdSource
from smfake._domain.kms import AWS_MANAGED_ALIAS, KeyRing, Sealed
from smfake._domain.listing import SecretIndex
from smfake._domain.notices import Notice
from smfake._domain.rotation import Rotator
from smfake._domain.secret import (
    AWSCURRENT,
    AWSPENDING,
    AWSPREVIOUS,
    Secret,
    SecretValue,
    SecretVersion,
)

# §2.2/§2.3: the characters of a name. AWS's own message lists `!` too, so it is accepted.
_NAME = re.compile(r"[A-Za-z0-9/_+=.@!-]+")
# A trailing `-XXXXXX` makes AWS read an ARN as a full one (§2.2 ARN_secretnamehyphen).
_FULL_ARN_TAIL = re.compile(rf"-[A-Za-z0-9]{{{ARN_SUFFIX_LENGTH}}}$")

DEFAULT_RECOVERY_DAYS = 30
MIN_RECOVERY_DAYS = 7
MAX_RECOVERY_DAYS = 30
DEFAULT_KMS_ALIASES = frozenset({"alias/aws/secretsmanager"})


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


@dataclass(frozen=True, slots=True)
class Deletion:
    arn: str
    name: str
    deletion_date: datetime


class KeyGate(Protocol):
    """Whether the identity that replicates may encrypt with a KMS key (access control, when
    it is enforced; cross-account replication)."""

    def may_encrypt(
        self, store: SecretStore, key_id: str, secret: Secret, *, role_arn: str | None
    ) -> str | None:
        """None when allowed; else the ARN of the identity the key policy refused."""


class StoreServices(Protocol):
    """What a store needs from the rest of its fake, given at construction (the Backend)."""

    @property
    def rotator(self) -> Rotator: ...

    def store(self, account: str, region: str) -> SecretStore:
        """The store of ``account`` in ``region`` (replication)."""

    def replicate(self, store: SecretStore, secret: Secret) -> None:
        """Bring a primary's replicas in other Regions and other accounts up to date."""

    def current_written(self, store: SecretStore, secret: Secret) -> None:
        """A new AWSCURRENT written by hand reschedules rotation (§7.2)."""

    def notify(self, notice: Notice) -> None:
        """Receive one of the service's own events (§16)."""

    def same_organization(self, account: str, other: str) -> bool:
        """Whether two accounts are in one AWS Organization (ReplicaRestriction SameOrg)."""

    @property
    def key_gate(self) -> KeyGate | None:
        """Access control's say on KMS keys that replication encrypts with, if enforced."""


class SecretStore:
    def __init__(
        self,
        *,
        account: str,
        region: str,
        clock: FakeClock,
        ids: IdSource,
        services: StoreServices,
    ) -> None:
        self.account = account
        self.region = region
        self.arn_prefix = f"arn:{partition_of(region)}:secretsmanager:{region}:{account}:secret:"
        self._clock = clock
        self._ids = ids
        self._by_name: dict[str, Secret] = {}  # in the order of registration
        self._index = SecretIndex()
        self._services = services
        self.keys = KeyRing(
            account=account, region=region, partition=partition_of(region), clock=clock, ids=ids
        )

    def __len__(self) -> int:
        return len(self._by_name)

    # -- lookup -----------------------------------------------------------------------------

    def find(self, secret_id: str) -> Secret | None:
        """Resolve a name, full ARN or partial ARN (§2.2); None when nothing matches."""
        if secret_id.startswith("arn:"):
            # A full ARN ends with the name (which has no ":") and the suffix.
            name = secret_id[secret_id.rfind(":") + 1 : -ARN_SUFFIX_LENGTH - 1]
            found = self._by_name.get(name)
            if found is not None and found.arn == secret_id:
                return found
            if _FULL_ARN_TAIL.search(secret_id):
                return None
            if not secret_id.startswith(self.arn_prefix):
                return None
            candidate = self._by_name.get(secret_id[len(self.arn_prefix) :])
            if candidate is not None and candidate.arn[: -ARN_SUFFIX_LENGTH - 1] == secret_id:
                return candidate
            return None
        check_name(secret_id)
        return self._by_name.get(secret_id)

    def get(self, secret_id: str) -> Secret:
        secret = self.find(secret_id)
        if secret is None:
            raise ResourceNotFoundException(messages.SECRET_NOT_FOUND)
        return secret

    def get_live(self, secret_id: str) -> Secret:
        """The secret, refusing one that is scheduled for deletion (§6)."""
        secret = self.get(secret_id)
        if secret.scheduled_for_deletion:
            raise InvalidRequestException(messages.MARKED_FOR_DELETION)
        return secret

    def get_writable(self, secret_id: str, *, own_lifecycle: bool = False) -> Secret:
        """The secret, for an operation that changes it: refuses one scheduled for deletion
        and a replica, each with AWS's error. A cross-account replica keeps its own tags,
        policy and key (``own_lifecycle``); its value and metadata come from its primary
        (1.44 §A2.5, unverified)."""
        secret = self.get_live(secret_id)
        if secret.is_replica:
            raise InvalidParameterException(messages.REPLICA_READ_ONLY)
        link = secret.cross_account_primary
        if link is not None and not own_lifecycle:
            raise InvalidParameterException(
                messages.CROSS_ACCOUNT_REPLICA_READ_ONLY, primary=link.primary_arn
            )
        return secret

    def changed(self, secret: Secret) -> None:
        """Call after a successful change of ``secret``: its replicas follow."""
        if secret.replicas or secret.cross_account_replicas:
            self._services.replicate(self, secret)

    # -- create / write ---------------------------------------------------------------------

    def create_secret(
        self,
        *,
        name: str,
        token: str,
        value: SecretValue | None,
        description: str | None = None,
        kms_key_id: str | None = None,
        tag_list: Sequence[tuple[str, str]] | None = None,
        partner_type: str | None = None,
    ) -> tuple[Secret, SecretVersion | None]:
        check_name(name)
        existing = self._by_name.get(name)
        if existing is not None:
            if existing.scheduled_for_deletion:
                raise InvalidRequestException(messages.NAME_SCHEDULED_FOR_DELETION)
            replay = existing.versions.get(token)
            if value is not None and replay is not None:
                if replay.sealed is not None and self.reveal(existing, replay) == value:
                    return existing, replay
                raise ResourceExistsException(messages.TOKEN_IN_USE, token=token, arn=existing.arn)
            raise ResourceExistsException(messages.SECRET_EXISTS, name=name)
        new_tags = tags.merged(None, tag_list) if tag_list else None
        now = self._clock.now()
        secret = Secret(
            arn=self._new_arn(name),
            name=name,
            created=now,
            last_changed=now,
            description=description,
            kms_key_id=normalise_kms_key(kms_key_id),
            tags=new_tags,
        )
        if partner_type:  # "" is no partner (unverified): the model allows length 0
            secret.partner_type = partner_type
        version = None
        if value is not None:
            sealed = self.seal_for(secret, token, value, secret.kms_key_id)
            version = SecretVersion(token, now, sealed, secret.kms_key_id)
            secret.add_version(version, secret.plan_new_version(token, None), now)
        self._register(secret)
        return secret, version

    def put_value(
        self,
        secret_id: str,
        *,
        token: str,
        value: SecretValue,
        stages: Sequence[str] | None,
    ) -> tuple[Secret, SecretVersion]:
        secret = self.get_writable(secret_id)
        version = self._write_version(
            secret, token=token, value=value, stages=stages, kms_key_id=secret.kms_key_id
        )
        self.changed(secret)
        return secret, version

    def update_secret(
        self,
        secret_id: str,
        *,
        token: str,
        value: SecretValue | None,
        description: str | None,
        kms_key_id: str | None,
        partner_type: str | None = None,
    ) -> tuple[Secret, SecretVersion | None]:
        # A cross-account replica may change its key only: the rest comes from its primary.
        key_only = value is None and description is None and not partner_type
        secret = self.get_writable(secret_id, own_lifecycle=key_only)
        key = secret.kms_key_id if kms_key_id is None else normalise_kms_key(kms_key_id)
        if secret.is_cross_account_replica and self.is_aws_managed_key(key):
            # Its own key, but a customer managed one (1.44 §A3; unverified for UpdateSecret).
            raise InvalidParameterException(messages.CROSS_ACCOUNT_KEY_REQUIRED)
        # A new key re-encrypts the versions that carry the AWS labels (§13). Everything that
        # can fail (decrypting with the old key, encrypting with the new) happens first.
        resealed: list[tuple[SecretVersion, Sealed]] = []
        if key != secret.kms_key_id:
            if not self.keys.usable(key):
                raise EncryptionFailure(messages.ENCRYPTION_FAILURE)
            for label in (AWSCURRENT, AWSPENDING, AWSPREVIOUS):
                holder = secret.holder(label)
                if holder is not None and holder.sealed is not None:
                    clear = self.reveal(secret, holder)
                    resealed.append((holder, self.seal_for(secret, holder.version_id, clear, key)))
        version = None
        if value is not None:
            version = self._write_version(
                secret, token=token, value=value, stages=None, kms_key_id=key
            )
        if description is not None:
            secret.description = description
        for holder, sealed in resealed:
            holder.sealed, holder.kms_key_id = sealed, key
        if key != secret.kms_key_id:
            secret.kms_key_id = key  # set only on a change: a rare field (secret.py)
        # A Type may be set or changed, never removed ("" leaves it): all unverified.
        retyped = bool(partner_type) and partner_type != secret.partner_type
        if retyped:
            secret.partner_type = partner_type
        if description is not None or kms_key_id is not None or retyped:
            self.set_last_changed(secret, self._clock.now())
        self.changed(secret)
        return secret, version

    def _write_version(
        self,
        secret: Secret,
        *,
        token: str,
        value: SecretValue,
        stages: Sequence[str] | None,
        kms_key_id: str | None,
    ) -> SecretVersion:
        now = self._clock.now()
        existing = secret.versions.get(token)
        if existing is not None:
            if existing.sealed is None:
                # The rotation function fills the empty AWSPENDING placeholder (§5).
                sealed = self.seal_for(secret, token, value, kms_key_id)
                secret.apply_labels(secret.plan_new_version(token, stages))
                existing.sealed, existing.kms_key_id = sealed, kms_key_id
                self.set_last_changed(secret, now)
                return existing
            # AWS decrypts the stored value to compare (§5).
            if self.reveal(secret, existing) == value:
                return existing  # same token, same data: an idempotent replay
            raise ResourceExistsException(messages.TOKEN_IN_USE, token=token, arn=secret.arn)
        version = SecretVersion(
            token, now, self.seal_for(secret, token, value, kms_key_id), kms_key_id
        )
        rotating = secret.rotation_in_progress
        secret.add_version(version, secret.plan_new_version(token, stages), now)
        self.set_last_changed(secret, now)
        if rotating and AWSPENDING not in secret.labels:
            # AWS drops AWSPENDING so that later rotations can run, and says so (§16).
            self.emit(notices.ROTATION_ABANDONED, secret)
        if secret.labels.get(AWSCURRENT) == token:
            self._services.current_written(self, secret)
        return version

    # -- read -------------------------------------------------------------------------------

    def get_value(
        self, secret_id: str, *, version_id: str | None, stage: str | None
    ) -> tuple[Secret, SecretVersion, SecretValue]:
        secret = self.get_live(secret_id)
        if version_id is not None:
            found = secret.version(version_id)
            if found is None:
                raise ResourceNotFoundException(messages.VERSION_NOT_FOUND, version_id=version_id)
            if stage is not None and stage not in found.stages:
                raise InvalidRequestException(messages.STAGE_NOT_ON_VERSION)
        else:
            found = secret.holder(stage or AWSCURRENT)
            if found is None:
                raise ResourceNotFoundException(messages.STAGE_NOT_FOUND, label=stage or AWSCURRENT)
        if found.sealed is None:
            if stage is None and version_id is not None:
                raise ResourceNotFoundException(messages.VERSION_NOT_FOUND, version_id=version_id)
            raise ResourceNotFoundException(messages.STAGE_NOT_FOUND, label=stage or AWSCURRENT)
        value = self.reveal(secret, found)
        today = self._clock.now().date()
        found.last_accessed = today
        if secret.last_accessed != today:
            self._index.set_last_accessed(secret, today)
        return secret, found, value

    def reveal(self, secret: Secret, version: SecretVersion) -> SecretValue:
        """The version's value in the clear; DecryptionFailure if its key is not usable."""
        if version.sealed is None:
            raise ResourceNotFoundException(
                messages.VERSION_NOT_FOUND, version_id=version.version_id
            )
        data = self.keys.open(version.sealed, context=_context(secret, version.version_id))
        return SecretValue.from_bytes(data, binary=version.sealed.binary)

    def seal_for(
        self, secret: Secret, version_id: str, value: SecretValue, key: str | None
    ) -> Sealed:
        return self.keys.seal(
            key,
            value.to_bytes(),
            binary=value.binary is not None,
            context=_context(secret, version_id),
        )

    def list_versions(
        self,
        secret_id: str,
        *,
        include_deprecated: bool,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[Secret, list[SecretVersion], str | None]:
        # Allowed while the secret is scheduled for deletion: the model declares no
        # InvalidRequestException for this operation (unverified, see README).
        secret = self.get(secret_id)
        # Only versions that hold a value: the empty AWSPENDING placeholder of a running
        # rotation shows in DescribeSecret's VersionIdsToStages but not here (1.44 model).
        versions = [
            v
            for v in secret.versions.values()
            if v.sealed is not None and (include_deprecated or v.stages)
        ]
        scope = f"{secret.arn}\0versions\0{include_deprecated}"
        start = 0
        if next_token is not None:
            position = paging.decode(scope, next_token)
            ids = [v.version_id for v in versions]
            # Resume after the version named in the token, even if others came or went.
            start = ids.index(position) + 1 if position in ids else len(ids)
        limit = max_results or 100
        page = versions[start : start + limit]
        token = None
        if start + limit < len(versions):
            token = paging.encode(scope, page[-1].version_id)
        return secret, page, token

    # -- labels and tags --------------------------------------------------------------------

    def move_label(
        self, secret_id: str, *, label: str, move_to: str | None, remove_from: str | None
    ) -> Secret:
        secret = self.get_writable(secret_id)
        secret.apply_labels(secret.plan_move(label, move_to=move_to, remove_from=remove_from))
        self.set_last_changed(secret, self._clock.now())
        self.changed(secret)
        return secret

    def tag(self, secret_id: str, *, tag_list: Sequence[tuple[str, str]]) -> Secret:
        secret = self.get_writable(secret_id, own_lifecycle=True)
        if tag_list or secret.tags is not None:
            # LimitExceededException is not in TagResource's model, and botocore's standard
            # retry mode retries it: the error the model lists for a bad parameter instead.
            secret.tags = tags.merged(secret.tags, tag_list, too_many=InvalidParameterException)
            self.set_last_changed(secret, self._clock.now())
            self.changed(secret)
        return secret

    def untag(self, secret_id: str, *, keys: Sequence[str]) -> Secret:
        secret = self.get_writable(secret_id, own_lifecycle=True)
        if secret.tags is not None:
            secret.tags = tags.without(secret.tags, keys)
            self.set_last_changed(secret, self._clock.now())
            self.changed(secret)
        return secret

    # -- deletion (§6) ----------------------------------------------------------------------

    def delete_secret(self, secret_id: str, *, recovery_days: int | None, force: bool) -> Deletion:
        # The range is checked before the combination: AWS answers an out-of-range window
        # with the range error even alongside ForceDeleteWithoutRecovery (recorded, §6).
        if recovery_days is not None and not (
            MIN_RECOVERY_DAYS <= recovery_days <= MAX_RECOVERY_DAYS
        ):
            raise InvalidParameterException(messages.RECOVERY_WINDOW_RANGE)
        if force and recovery_days is not None:
            raise InvalidParameterException(messages.FORCE_WITH_WINDOW)
        now = self._clock.now()
        secret = self.find(secret_id)
        if secret is None:
            if not force:
                raise ResourceNotFoundException(messages.SECRET_NOT_FOUND)
            # Forced deletion of a missing secret succeeds (§6); what AWS echoes back for it
            # is unverified: smfake echoes the identifier it was given.
            return self._missing_deletion(secret_id, now)
        if secret.is_replica:
            raise InvalidParameterException(messages.REPLICA_READ_ONLY)
        if secret.replicas:
            raise InvalidParameterException(
                messages.PRIMARY_HAS_REPLICAS, arn=secret.arn, regions=", ".join(secret.replicas)
            )
        # Cross-account replication ends from both sides before either can go (1.44 §A2.5).
        if secret.cross_account_primary is not None:
            raise InvalidParameterException(
                messages.CROSS_ACCOUNT_REPLICA_UNDELETABLE, arn=secret.arn
            )
        if secret.cross_account_replicas:
            raise InvalidParameterException(
                messages.PRIMARY_HAS_CROSS_ACCOUNT_REPLICAS,
                arn=secret.arn,
                replicas=", ".join(secret.cross_account_replicas),
            )
        if force:
            self._delete_for_good(secret)
            return Deletion(secret.arn, secret.name, now)
        if secret.scheduled_for_deletion:
            raise InvalidRequestException(messages.MARKED_FOR_DELETION)
        deletion_date = now + timedelta(days=recovery_days or DEFAULT_RECOVERY_DAYS)
        secret.deleted_date = now
        secret.deletion_date = deletion_date
        secret.deletion_job = self._clock.schedule(
            deletion_date, lambda: self._delete_for_good(secret)
        )
        return Deletion(secret.arn, secret.name, deletion_date)

    def restore_secret(self, secret_id: str) -> Secret:
        secret = self.get(secret_id)
        # Restoring a secret that is not scheduled for deletion succeeds and changes nothing
        # (unverified, see README).
        if secret.deletion_job is not None:
            secret.deletion_job.cancel()
            self.emit(notices.CANCEL_VERSION_DELETE, secret)
        secret.deleted_date = secret.deletion_date = secret.deletion_job = None
        return secret

    def adopt(self, secret: Secret) -> None:
        """Take in a secret built elsewhere (a replica of another Region's primary)."""
        self._register(secret)

    def now(self) -> datetime:
        return self._clock.now()

    def schedule(self, due: datetime, action: Callable[[], None]) -> Job:
        return self._clock.schedule(due, action)

    def holds(self, secret: Secret) -> bool:
        """Whether ``secret`` is still in this store (not purged, not replaced)."""
        return self._by_name.get(secret.name) is secret

    def set_last_changed(self, secret: Secret, when: datetime) -> None:
        """A secret's change date only changes here: it decides its place in listings."""
        self._index.set_last_changed(secret, when)

    def _register(self, secret: Secret) -> None:
        self._by_name[secret.name] = secret
        self._index.add(secret)

    def emit(self, name: str, secret: Secret, token: str | None = None) -> None:
        """Report one of the service's own events about ``secret`` (§16)."""
        self._services.notify(
            Notice(name, self.account, self.region, secret.arn, self._clock.now(), token)
        )

    def _delete_for_good(self, secret: Secret) -> None:
        # The service's background deletion, as CloudTrail shows it: a start and an end.
        self.emit(notices.START_VERSION_DELETE, secret)
        self.purge(secret)
        self.emit(notices.END_VERSION_DELETE, secret)

    def purge(self, secret: Secret) -> None:
        """Remove ``secret`` for good, now."""
        if secret.deletion_job is not None:
            secret.deletion_job.cancel()
            secret.deletion_job = None
        if self._by_name.get(secret.name) is secret:
            del self._by_name[secret.name]
        self._index.discard(secret)

    def _missing_deletion(self, secret_id: str, now: datetime) -> Deletion:
        if secret_id.startswith("arn:"):
            name = secret_id.split(":secret:", 1)[-1]
            if _FULL_ARN_TAIL.search(secret_id):
                name = name[: -ARN_SUFFIX_LENGTH - 1]
            return Deletion(secret_id, name, now)
        return Deletion(self._new_arn(secret_id), secret_id, now)

    def _new_arn(self, name: str) -> str:
        # Unique, as the name is: no secret of this store has it.
        return f"{self.arn_prefix}{name}-{self._ids.arn_suffix()}"

    @property
    def rotator(self) -> Rotator:
        """The rotator of the store's fake (RotateSecret, CancelRotateSecret)."""
        return self._services.rotator

    def peers(self, region: str) -> SecretStore:
        """The store of the same account in ``region``."""
        return self._services.store(self.account, region)

    def is_aws_managed_key(self, kms_key_id: str | None) -> bool:
        """Whether ``kms_key_id`` (normalised: None for the alias) names the AWS managed key
        aws/secretsmanager, by alias ARN, key id or key ARN."""
        if kms_key_id is None or kms_key_id.endswith(":" + AWS_MANAGED_ALIAS):
            return True
        if kms_key_id.startswith("alias/"):
            return False  # a customer's alias (finding the managed key would create it)
        found = self.keys.find(kms_key_id)
        return found is not None and found.managed

    def other_account(self, account: str) -> SecretStore:
        """The store of ``account`` in this Region (cross-account replication)."""
        return self._services.store(account, self.region)

    def same_organization(self, account: str) -> bool:
        return self._services.same_organization(self.account, account)

    @property
    def key_gate(self) -> KeyGate | None:
        return self._services.key_gate

    @property
    def index(self) -> SecretIndex:
        """The secrets in listing order (listing.py), kept by _register and purge."""
        return self._index


def _context(secret: Secret, version_id: str) -> bytes:
    # Secrets Manager's encryption context: {"SecretARN": ..., "SecretVersionId": ...} (§13).
    return f"{secret.arn}\0{version_id}".encode()


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ValidationException(messages.INVALID_NAME)


def normalise_kms_key(kms_key_id: str | None) -> str | None:
    """None stands for the AWS managed key; "" reverts to it (§13)."""
    if not kms_key_id or kms_key_id in DEFAULT_KMS_ALIASES:
        return None
    return kms_key_id
