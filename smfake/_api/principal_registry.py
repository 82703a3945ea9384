"""``fake.principals``: access keys a test registers, each acting as one principal."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import TypeAlias

from smfake._api.options import policy_text
from smfake._domain.backend import Backend
from smfake._domain.principals import Principal, root_arn
from smfake._domain.store import partition_of
from smfake.errors import UsageError, UsageTypeError

_ACCOUNT = re.compile(r"\d{12}")
_ACCESS_KEY = re.compile(r"[A-Z0-9]{16,128}")
_PRINCIPAL_ARN = re.compile(r"arn:aws[\w-]*:(iam|sts)::(\d{12}):\S+")


PolicyDocument: TypeAlias = "str | Mapping[str, object]"


def _documents(policies: object) -> Sequence[PolicyDocument]:
    if isinstance(policies, (str, Mapping)):
        return [policies]  # one policy given alone
    if not isinstance(policies, Sequence):
        raise UsageTypeError(f"policies is a list of policy documents, got {policies!r}")
    return policies


def _policy_text(document: object, name: str) -> str:
    """The policy as JSON text, checked as IAM checks an identity-based policy."""
    # Access control's engine, loaded by the first principal given a policy.
    from smfake._domain.access import parse_identity_policy

    return policy_text(
        document, kind="identity-based policy", parse=parse_identity_policy, prefix=f"{name}: "
    )


def _tag_pairs(tags: object) -> tuple[tuple[str, str], ...]:
    if tags is None:
        return ()
    if not isinstance(tags, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    ):
        raise UsageTypeError(f"tags is a mapping of str to str, got {tags!r}")
    return tuple(sorted(tags.items()))


class PrincipalRegistry:
    """Register access keys: a call signed with one acts as its principal, in its account."""

    def __init__(self, backend: Backend, account_id: str, region: str) -> None:
        self._backend = backend
        self._account_id = account_id
        self._partition = partition_of(region)

    def __repr__(self) -> str:
        return f"<PrincipalRegistry: {len(self._backend.principals)} access keys>"

    def add(
        self,
        access_key_id: str,
        secret_access_key: str | None = None,
        *,
        account_id: str | None = None,
        arn: str | None = None,
        session_token: str | None = None,
        expires: datetime | None = None,
        policies: Sequence[PolicyDocument] = (),
        permissions_boundary: PolicyDocument | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Principal:
        """Register ``access_key_id``. ``account_id`` defaults to the fake's account (or the
        one in ``arn``), ``arn`` to that account's root. ``secret_access_key`` is needed for
        signature verification; ``session_token`` and ``expires`` make it temporary
        credentials, refused with ExpiredTokenException once the fake clock passes
        ``expires``. ``policies`` (identity-based policies), ``permissions_boundary`` and
        ``tags`` (the principal's tags) are what access control evaluates (JSON text or a
        mapping each; see docs/access-control.md#access-control)."""
        if not isinstance(access_key_id, str) or not _ACCESS_KEY.fullmatch(access_key_id):
            raise UsageError(
                f"access_key_id is 16-128 capital letters and digits, got {access_key_id!r} "
                "(see docs/access-control.md#signatures)"
            )
        for name, value in (
            ("secret_access_key", secret_access_key),
            ("session_token", session_token),
        ):
            if value is not None and not isinstance(value, str):
                raise UsageTypeError(f"{name} is a str, got {type(value).__name__}")
        if arn is not None:
            match = _PRINCIPAL_ARN.fullmatch(arn) if isinstance(arn, str) else None
            if match is None:
                raise UsageError(
                    "arn is an IAM user, role or root ARN or an STS assumed-role ARN, "
                    f"got {arn!r} (see docs/access-control.md#signatures)"
                )
            if account_id is not None and account_id != match.group(2):
                raise UsageError(f"arn {arn!r} is not in account {account_id!r}")
            account_id = match.group(2)
        account = account_id or self._account_id
        if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
            raise UsageError(f"account_id must be 12 digits, got {account!r}")
        if expires is not None:
            if not isinstance(expires, datetime):
                raise UsageTypeError(f"expires is a datetime, got {type(expires).__name__}")
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=timezone.utc)
        principal = Principal(
            access_key_id,
            account,
            arn or root_arn(account, self._partition),
            secret_access_key,
            session_token,
            expires,
            tuple(_policy_text(document, "policies") for document in _documents(policies)),
            None
            if permissions_boundary is None
            else _policy_text(permissions_boundary, "permissions_boundary"),
            _tag_pairs(tags),
        )
        with self._backend.lock:
            self._backend.principals.add(principal)
        return principal

    def remove(self, access_key_id: str) -> None:
        """Forget a key: calls signed with it act as an unregistered caller again."""
        with self._backend.lock:
            self._backend.principals.remove(access_key_id)

    def get(self, access_key_id: str) -> Principal | None:
        return self._backend.principals.get(access_key_id)

    def __iter__(self) -> Iterator[Principal]:
        return iter(self._backend.principals)

    def __len__(self) -> int:
        return len(self._backend.principals)
