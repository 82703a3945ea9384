"""More than one account in one fake: ``fake.organizations`` and ``fake.client(account_id)``.

Every account of a fake shares its clock and Regions; a call acts in the account of the
principal whose access key signed it (``fake.principals``). These helpers make a second
account a line of test code (docs/cross-account.md).
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, Protocol

from smfake._api.options import check_account, check_region
from smfake._domain.backend import DEFAULT_ORGANIZATION
from smfake.errors import UsageError

if TYPE_CHECKING:
    from smfake._api.principal_registry import PrincipalRegistry
    from smfake._domain.backend import Backend  # noqa: F401  (a string annotation)


class _Fake(Protocol):
    """What ``client_for`` needs of the fake (its handle, which imports this module)."""

    account_id: str
    region: str
    principals: PrincipalRegistry


_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}")
_SESSION: Any = None


class Organizations:
    """Which AWS Organization each account is in, for cross-account replication's
    ``ReplicaRestriction=SameOrg``. Every account starts in one organization,
    ``DEFAULT_ORGANIZATION``; ``place`` moves an account to another, or out of any (None)."""

    DEFAULT_ORGANIZATION = DEFAULT_ORGANIZATION

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def __repr__(self) -> str:
        return f"<Organizations: {len(self._backend.organizations)} accounts placed>"

    def place(self, account_id: str, organization_id: str | None) -> None:
        """Put ``account_id`` in ``organization_id`` (``o-`` and 10 to 32 lowercase letters
        or digits), or in no organization with None."""
        check_account(account_id)
        if organization_id is not None and (
            not isinstance(organization_id, str) or not _ORGANIZATION.fullmatch(organization_id)
        ):
            raise UsageError(
                "an organization id is 'o-' and 10 to 32 lowercase letters or digits, got "
                f"{organization_id!r} (see docs/cross-account.md#organizations)"
            )
        with self._backend.lock:
            self._backend.organizations[account_id] = organization_id

    def of(self, account_id: str) -> str | None:
        """The organization ``account_id`` is in (None: none)."""
        check_account(account_id)
        return self._backend.organization_of(account_id)


def root_key(account_id: str) -> tuple[str, str]:
    """The access key pair that ``fake.client`` registers for an account's root user."""
    return f"SMFAKEROOT{account_id}", f"smfake-root-secret-{account_id}"


def client_for(
    fake: _Fake, account_id: str | None, region: str | None, client_kwargs: dict[str, Any]
) -> Any:
    account = fake.account_id if account_id is None else account_id
    check_account(account)
    if region is not None:
        check_region(region)
    served = "endpoint_url" in client_kwargs  # by a smfake.Server of the fake
    if not served and _active_fake() is not fake:
        raise UsageError(
            "fake.client() makes a client that this fake answers: activate the fake first "
            "(mock_secretsmanager(fake=...) or the smfake fixture), or pass endpoint_url= "
            "of its smfake.Server(fake) (see docs/cross-account.md#acting-as-another-account)"
        )
    for reserved in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
        if reserved in client_kwargs:
            raise UsageError(
                f"fake.client() signs as the account's root user; for other credentials "
                f"register them with fake.principals.add() (got {reserved}=)"
            )
    key, secret = root_key(account)
    if fake.principals.get(key) is None:
        fake.principals.add(key, secret, account_id=account)
    global _SESSION
    if _SESSION is None:
        import botocore.session

        _SESSION = botocore.session.get_session()
    client = _SESSION.create_client(
        "secretsmanager",
        region_name=region or fake.region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        **client_kwargs,
    )
    if not served:
        # Both where the fake answers: before-call (its fast path) and before-send.
        guard = _sent_only_to(fake)
        client.meta.events.register_first("before-call", guard)
        client.meta.events.register_first("before-send", guard)
    return client


def _active_fake() -> object:
    """The innermost activation's fake (no activation ever happened without the hook)."""
    hook = sys.modules.get("smfake._wire.hook")
    return getattr(hook.active_token(), "fake", None) if hook is not None else None


def _sent_only_to(fake: _Fake) -> Any:
    """A client of the fake is answered by its fake or by nothing: used while its fake is not
    the active one (stopped, or another one active), a request is refused before it is
    answered or sent."""

    def refuse_unless_active(**_: Any) -> None:
        if _active_fake() is not fake:
            raise UsageError(
                "this client was made by fake.client() and its fake is not the active one: "
                "the request was not sent (see docs/cross-account.md#acting-as-another-account)"
            )

    return refuse_unless_active
