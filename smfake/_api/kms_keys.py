"""KmsKeys: the test's side of the fake's KMS keys (create, alias, disable, delete)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from smfake._api.options import check_account, check_region, policy_text
from smfake._domain.kms import KeyRing, KmsKey
from smfake._wire.keypolicy import default_key_policy
from smfake.errors import UsageError

if TYPE_CHECKING:
    from smfake._domain.backend import Backend

_KMS_ARN = re.compile(r"arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):")


def _key_policy(policy: object) -> str:
    from smfake._domain.policy import parse  # only keys with a policy need it

    return policy_text(policy, kind="key policy", parse=parse)


class KmsKeys:
    """Customer managed KMS keys that secrets can be encrypted with.

    A key is named by its id, key ARN, ``alias/<name>`` or alias ARN; without an ARN the key
    lives in the fake's account and ``region`` (default: the fake's region).
    """

    def __init__(self, backend: Backend, account_id: str, region: str) -> None:
        self._backend = backend
        self._account_id = account_id
        self._region = region

    def create_key(
        self,
        *,
        alias: str | None = None,
        description: str = "",
        key_id: str | None = None,
        region: str | None = None,
        policy: str | Mapping[str, object] | None = None,
        account_id: str | None = None,
    ) -> str:
        """Create an enabled symmetric key; returns its ARN. ``key_id`` (a UUID, by default a
        generated one) makes the ARN predictable. ``policy`` is the key policy that access
        control evaluates (default: KMS's default key policy, which lets the account's IAM
        policies decide). Keys live per account and Region: ``account_id`` (default: the
        fake's account) and ``region`` say whose."""
        if account_id is not None:
            check_account(account_id)
        ring = self._ring(region, account=account_id)
        text = None if policy is None else _key_policy(policy)
        with self._backend.lock:
            try:
                key = ring.create_key(description=description, alias=alias, key_id=key_id)
            except ValueError as error:
                raise UsageError(f"cannot create a KMS key: {error}") from None
            key.policy = text
            return key.arn

    def put_key_policy(
        self, key: str, policy: str | Mapping[str, object], *, region: str | None = None
    ) -> None:
        """Replace the key policy of ``key`` (id, ARN or alias)."""
        text = _key_policy(policy)
        with self._key(key, region) as (_, found):
            found.policy = text

    def key_policy(self, key: str, *, region: str | None = None) -> str:
        """The key policy of ``key``: the one given, or KMS's default key policy."""
        with self._key(key, region) as (ring, found):
            return found.policy or default_key_policy(ring.account)

    def add_alias(self, alias: str, key: str, *, region: str | None = None) -> None:
        """Point ``alias`` (``alias/<name>``) at ``key``."""
        with self._key(key, region) as (ring, found):
            ring.add_alias(alias, found)

    def disable(self, key: str, *, region: str | None = None) -> None:
        """Values written with a disabled key can be neither read nor written."""
        with self._key(key, region) as (ring, found):
            ring.set_enabled(found, False)

    def enable(self, key: str, *, region: str | None = None) -> None:
        with self._key(key, region) as (ring, found):
            ring.set_enabled(found, True)

    def schedule_deletion(self, key: str, *, days: int = 30, region: str | None = None) -> datetime:
        """Schedule the key's deletion ``days`` (7 to 30) from now on the fake clock; returns
        the deletion date. Until then the key is unusable; after it, gone for good."""
        with self._key(key, region) as (ring, found):
            return ring.schedule_deletion(found, days)

    def cancel_deletion(self, key: str, *, region: str | None = None) -> None:
        """Cancel a scheduled deletion; the key is left disabled, as KMS does."""
        with self._key(key, region) as (ring, found):
            ring.cancel_deletion(found)

    def state(self, key: str, *, region: str | None = None) -> str:
        """``Enabled``, ``Disabled`` or ``PendingDeletion``."""
        with self._key(key, region) as (_, found):
            return found.state

    def _ring(
        self, region: str | None, key: str | None = None, *, account: str | None = None
    ) -> KeyRing:
        if region is not None:
            check_region(region)
        account = account or self._account_id
        match = _KMS_ARN.match(key or "")
        if match is not None:
            region, account = match.group(1), match.group(2)
        return self._backend.store(account, region or self._region).keys

    @contextmanager
    def _key(self, key: str, region: str | None) -> Iterator[tuple[KeyRing, KmsKey]]:
        ring = self._ring(region, key)
        with self._backend.lock:
            found = ring.find(key)
            if found is None or found.managed:
                raise UsageError(
                    f"no customer managed KMS key {key!r} in this fake; create one with "
                    "fake.kms.create_key() (see docs/kms-and-regions.md#kms-keys)"
                )
            try:
                yield ring, found
            except ValueError as error:
                raise UsageError(str(error)) from None
