"""KMS keys of one (account, region), and the envelope encryption of secret values (§13).

Each key holds a data key that only exists in memory; a value is sealed with AES-GCM under the
data key of the key it was written with, bound to its secret and version by the associated
data, exactly as Secrets Manager binds values with its encryption context. A version therefore
stays readable only while the key it was written with is usable.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from smfake._domain import messages
from smfake._domain.clock import FakeClock, Job
from smfake._domain.errors import DecryptionFailure, EncryptionFailure
from smfake._domain.ids import IdSource

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AWS_MANAGED_ALIAS = "alias/aws/secretsmanager"
ENABLED = "Enabled"
DISABLED = "Disabled"
PENDING_DELETION = "PendingDeletion"
MIN_PENDING_DAYS = 7
MAX_PENDING_DAYS = 30
_KEY_ID = re.compile(r"(mrk-)?[0-9a-fA-F-]{1,64}")
NONCE_SIZE = 12  # AES-GCM's standard nonce


@dataclass(slots=True)
class KmsKey:
    key_id: str
    arn: str
    description: str
    managed: bool
    state: str = ENABLED
    deletion_date: datetime | None = None
    deletion_job: Job | None = field(default=None, repr=False)
    # The key policy as JSON text; None is KMS's default key policy (the account's root,
    # which lets the account's IAM policies decide).
    policy: str | None = field(default=None, repr=False)
    # 256 bits from the OS's CSPRNG, as AESGCM.generate_key(bit_length=256) makes them.
    data_key: bytes = field(default_factory=lambda: os.urandom(32), repr=False)
    cipher: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built once: constructing the AEAD costs as much as using it.
        self.cipher = _crypto()[0](self.data_key)


class Sealed:
    """A secret value at rest: which key sealed it, the nonce and the ciphertext."""

    __slots__ = ("key_id", "binary", "_data")

    def __init__(self, key_id: str, binary: bool, nonce: bytes, ciphertext: bytes) -> None:
        self.key_id = key_id
        self.binary = binary
        # The nonce and the ciphertext in one bytes object: a second one cost ~50 bytes a value.
        self._data = nonce + ciphertext

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id!r}, binary={self.binary!r})"

    @property
    def nonce(self) -> bytes:
        return self._data[:NONCE_SIZE]

    @property
    def ciphertext(self) -> bytes:
        return self._data[NONCE_SIZE:]


class KeyRing:
    def __init__(
        self, *, account: str, region: str, partition: str, clock: FakeClock, ids: IdSource
    ) -> None:
        self.account = account
        self._prefix = f"arn:{partition}:kms:{region}:{account}:"
        self._clock = clock
        self._ids = ids
        self._keys: dict[str, KmsKey] = {}
        self._aliases: dict[str, str] = {}  # alias/name -> key id

    # -- lookup -----------------------------------------------------------------------------

    def find(self, ref: str | None) -> KmsKey | None:
        """A key by id, key ARN, alias name or alias ARN; None means the AWS managed key."""
        if ref is None or ref in (AWS_MANAGED_ALIAS, self._prefix + AWS_MANAGED_ALIAS):
            return self.managed_key()
        if ref.startswith(self._prefix):
            ref = ref[len(self._prefix) :]
            if ref.startswith("key/"):
                ref = ref[len("key/") :]
        if ref.startswith("alias/"):
            key_id = self._aliases.get(ref)
            return None if key_id is None else self._keys.get(key_id)
        return self._keys.get(ref)

    def managed_key(self) -> KmsKey:
        """`aws/secretsmanager`, created on first use as AWS does."""
        key_id = self._aliases.get(AWS_MANAGED_ALIAS)
        if key_id is None:
            key = self._new_key("Default key that protects my Secrets Manager data", managed=True)
            self._aliases[AWS_MANAGED_ALIAS] = key.key_id
            return key
        return self._keys[key_id]

    # -- envelope encryption ----------------------------------------------------------------

    def seal(self, ref: str | None, plaintext: bytes, *, binary: bool, context: bytes) -> Sealed:
        key = self.find(ref)
        if key is None or key.state != ENABLED:
            raise EncryptionFailure(messages.ENCRYPTION_FAILURE)
        nonce = os.urandom(NONCE_SIZE)
        ciphertext = key.cipher.encrypt(nonce, plaintext, context)
        return Sealed(key.key_id, binary, nonce, ciphertext)

    def open(self, sealed: Sealed, *, context: bytes) -> bytes:
        key = self._keys.get(sealed.key_id)
        if key is None or key.state != ENABLED:
            raise DecryptionFailure(messages.DECRYPTION_FAILURE)
        try:
            return key.cipher.decrypt(sealed.nonce, sealed.ciphertext, context)
        except _crypto()[1]:
            raise DecryptionFailure(messages.DECRYPTION_FAILURE) from None

    def usable(self, ref: str | None) -> bool:
        key = self.find(ref)
        return key is not None and key.state == ENABLED

    # -- key management (the test's side) ---------------------------------------------------

    def create_key(
        self, *, description: str = "", alias: str | None = None, key_id: str | None = None
    ) -> KmsKey:
        if alias is not None:
            self.check_new_alias(alias)
        if key_id is not None and (not _KEY_ID.fullmatch(key_id) or key_id in self._keys):
            raise ValueError(f"key id {key_id!r} is taken or not of the form of a KMS key id")
        key = self._new_key(description, managed=False, key_id=key_id)
        if alias is not None:
            self._aliases[alias] = key.key_id
        return key

    def check_new_alias(self, alias: str) -> None:
        if not alias.startswith("alias/") or alias.startswith("alias/aws/"):
            raise ValueError(f"an alias is 'alias/<name>' and not under alias/aws/, got {alias!r}")
        if alias in self._aliases:
            raise ValueError(f"alias {alias!r} already exists")

    def add_alias(self, alias: str, key: KmsKey) -> None:
        self.check_new_alias(alias)
        self._aliases[alias] = key.key_id

    def set_enabled(self, key: KmsKey, enabled: bool) -> None:
        if key.state == PENDING_DELETION:
            raise ValueError(f"key {key.key_id} is pending deletion; cancel the deletion first")
        key.state = ENABLED if enabled else DISABLED

    def schedule_deletion(self, key: KmsKey, days: int) -> datetime:
        if not MIN_PENDING_DAYS <= days <= MAX_PENDING_DAYS:
            raise ValueError(
                f"a key's deletion window is {MIN_PENDING_DAYS} to {MAX_PENDING_DAYS} days, "
                f"got {days}"
            )
        key.state = PENDING_DELETION
        key.deletion_date = self._clock.now() + timedelta(days=days)
        key.deletion_job = self._clock.schedule(key.deletion_date, lambda: self._delete(key))
        return key.deletion_date

    def cancel_deletion(self, key: KmsKey) -> None:
        if key.state != PENDING_DELETION:
            raise ValueError(f"key {key.key_id} is not pending deletion")
        if key.deletion_job is not None:
            key.deletion_job.cancel()
        # KMS leaves a key whose deletion was cancelled disabled.
        key.state, key.deletion_date, key.deletion_job = DISABLED, None, None

    def _delete(self, key: KmsKey) -> None:
        self._keys.pop(key.key_id, None)
        for alias in [a for a, k in self._aliases.items() if k == key.key_id]:
            del self._aliases[alias]

    def _new_key(self, description: str, *, managed: bool, key_id: str | None = None) -> KmsKey:
        key_id = key_id or self._ids.uuid()
        key = KmsKey(key_id, f"{self._prefix}key/{key_id}", description, managed)
        self._keys[key_id] = key
        return key


@functools.cache
def _crypto() -> tuple[Any, type[Exception]]:
    """AESGCM and InvalidTag, imported when the first key is made: importing cryptography
    costs about as much as the rest of smfake's domain, and a test may never seal a value."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM, InvalidTag
