"""SecretsManagerFake: the object a test holds while the fake is active."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import TypeAlias

from smfake._domain.backend import Backend
from smfake._domain.clock import FakeClock
from smfake._domain.errors import ServiceError
from smfake._domain.secret import SecretValue
from smfake._wire.dispatch import Responder
from smfake.errors import UsageError, UsageTypeError

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"([a-z]+-)+\d+")

# A mapping is stored as its JSON text, so its values are whatever json.dumps accepts.
SeedValue: TypeAlias = "str | bytes | Mapping[str, object]"


class SecretsManagerFake:
    """An in-memory Secrets Manager: one state per (account, region), one clock."""

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: int | None = None,
    ) -> None:
        if not isinstance(account_id, str) or not _ACCOUNT.fullmatch(account_id):
            raise UsageError(
                f"account_id must be 12 digits, got {account_id!r} (see README.md#options)"
            )
        if not isinstance(region, str) or not _REGION.fullmatch(region):
            raise UsageError(
                f"region must look like 'us-east-1', got {region!r} (see README.md#options)"
            )
        self._backend = Backend(seed=seed)
        self.account_id = account_id
        self.region = region
        self._responder = Responder(self._backend, account_id)

    def __repr__(self) -> str:
        count = sum(len(store) for store in self._backend.stores())
        return f"SecretsManagerFake(account_id={self.account_id!r}, secrets={count})"

    @property
    def clock(self) -> FakeClock:
        """The fake's clock: ``now()``, ``advance(...)``, ``set(datetime)``, ``freeze()``."""
        return self._backend.clock

    @property
    def seed(self) -> int:
        """The seed of the fake's id generator (ARN suffixes, request ids)."""
        return self._backend.ids.seed

    def reset(self) -> None:
        """Forget every secret in every account and region; the fake stays active."""
        self._backend.reset()

    def add_secret(
        self,
        name: str,
        value: SeedValue | None = None,
        *,
        region: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Create a secret directly, as CreateSecret would; returns its ARN.

        A mapping value is stored as its JSON text, the usual shape of database secrets.
        """
        if isinstance(value, Mapping):
            value = json.dumps(value)
        if value is not None and not isinstance(value, (str, bytes)):
            raise UsageTypeError(
                f"a secret value is str, bytes or a JSON mapping, got {type(value).__name__}"
            )
        secret_value = None
        if isinstance(value, bytes):
            secret_value = SecretValue(binary=value)
        elif value:
            secret_value = SecretValue(text=value)
        store = self._backend.store(self.account_id, region or self.region)
        with self._backend.lock:
            try:
                secret, _ = store.create_secret(
                    name=name,
                    token=str(uuid.uuid4()),
                    value=secret_value,
                    description=description,
                    tag_list=list((tags or {}).items()) or None,
                )
            except ServiceError as error:
                raise UsageError(f"cannot add secret {name!r}: {error.message}") from None
        return secret.arn
