"""Who calls: access keys registered by a test, each naming an account and a principal.

A call signed with a registered key acts in that key's account, as on AWS. Keys nobody
registered act as the account's root principal in the fake's default account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

_ROLE_SESSION = re.compile(r"arn:[\w-]+:sts::\d{12}:assumed-role/")
_USER = re.compile(r"arn:[\w-]+:iam::\d{12}:user/")
_ROLE = re.compile(r"arn:[\w-]+:iam::\d{12}:role/")


@dataclass(frozen=True, slots=True)
class Principal:
    """An access key and the identity it stands for. Key material never appears in a repr."""

    access_key_id: str
    account_id: str
    arn: str
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    expires: datetime | None = None
    # Identity-based policies (JSON texts), the permissions boundary and the principal's tags,
    # for access control (smfake/_domain/access.py); checked when registered.
    policies: tuple[str, ...] = ()
    permissions_boundary: str | None = None
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def identity_type(self) -> str:
        """CloudTrail's userIdentity.type for this principal."""
        if _ROLE_SESSION.match(self.arn):
            return "AssumedRole"
        if _USER.match(self.arn):
            return "IAMUser"
        if _ROLE.match(self.arn):
            return "Role"
        if self.arn.endswith(":root"):
            return "Root"
        return "Unknown"


def root_arn(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:root"


class Principals:
    """The registered access keys of one fake."""

    def __init__(self) -> None:
        self._by_key: dict[str, Principal] = {}

    def add(self, principal: Principal) -> None:
        self._by_key[principal.access_key_id] = principal

    def get(self, access_key_id: str | None) -> Principal | None:
        return None if access_key_id is None else self._by_key.get(access_key_id)

    def remove(self, access_key_id: str) -> None:
        self._by_key.pop(access_key_id, None)

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Iterator[Principal]:
        return iter(list(self._by_key.values()))
