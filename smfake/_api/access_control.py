"""``fake.access``: opt-in authorization of every call, as AWS evaluates policies.

Off by default: while it is, every call passes without loading the engine. The questions AWS
asks and their evaluation are in smfake/_wire/authorization.py, imported on first use.
"""

from __future__ import annotations

import collections
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from smfake._domain.access import Decision
    from smfake._domain.backend import Backend
    from smfake._domain.conditions import ContextValue
    from smfake._domain.principals import Principal
    from smfake._domain.store import SecretStore
    from smfake._wire.dispatch import Call


class AccessControl:
    """Access control for one fake: off unless ``fake.enforce_access`` is True."""

    def __init__(self, account_id: str, backend: Backend | None = None) -> None:
        self._enabled = False
        self._account_id = account_id
        self._backend = backend
        self._decisions: collections.deque[Decision] = collections.deque(maxlen=100)

    def __repr__(self) -> str:
        state = "enforced" if self._enabled else "off"
        return f"<AccessControl: {state}, {len(self._decisions)} decisions>"

    @property
    def decisions(self) -> list[Decision]:
        """The latest decisions made on calls (up to 100), oldest first."""
        return list(self._decisions)

    @property
    def last_denial(self) -> Decision | None:
        """The most recent refusal; ``.explain()`` says which statements decided it."""
        return next((d for d in reversed(self._decisions) if not d.allowed), None)

    if not TYPE_CHECKING:  # type checkers see no such name, and so flag its use

        def __getattr__(self, name: str) -> Any:
            # Renamed in 0.x: the switch has one name, fake.enforce_access.
            if name == "enabled":
                _deprecated("fake.access.enabled", "fake.enforce_access")
                return self._enabled
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

        def __setattr__(self, name: str, value: Any) -> None:
            if name == "enabled":
                _deprecated("fake.access.enabled", "fake.enforce_access")
                name, value = "_enabled", bool(value)
            object.__setattr__(self, name, value)

    # -- on every call ----------------------------------------------------------------------

    def _authorize(self, call: Call, store: SecretStore) -> None:
        """Raise AccessDeniedException when a policy refuses ``call`` (nothing has run yet)."""
        backend = self._backend
        if not self._enabled:
            if backend is not None and backend.key_gate is not None:
                backend.key_gate = None
            return
        from smfake._wire import authorization

        if backend is not None and backend.key_gate is None:
            # Replication encrypts as the caller of the call that changed the primary (or its
            # role) may.
            backend.key_gate = authorization.ReplicationKeys(backend, self._decisions.append)
        authorization.authorize(call, store, self._decisions.append)

    def _review_batch(self, call: Call, store: SecretStore) -> None:
        """BatchGetSecretValue: each secret needs GetSecretValue (and kms:Decrypt); a refused
        one moves from SecretValues to Errors, as AWS reports it."""
        if not self._enabled:
            return
        from smfake._wire import authorization

        authorization.review_batch(call, store, self._decisions.append)

    # -- what-if ----------------------------------------------------------------------------

    def check(
        self,
        principal: Principal,
        action: str,
        resource: str = "*",
        *,
        resource_policy: str | None = None,
        context: Mapping[str, ContextValue] | None = None,
    ) -> Decision:
        """Evaluate one question without making a call, e.g. to explain a test's failure."""
        from smfake._wire import authorization

        return authorization.check(
            principal, action, resource, resource_policy=resource_policy, context=context or {}
        )


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated, use {new}", DeprecationWarning, stacklevel=3)
