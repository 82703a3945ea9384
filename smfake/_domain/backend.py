"""Backend: every (account, region) store of one fake, its clock, ids and lock."""

from __future__ import annotations

from collections.abc import Callable

from smfake._domain import crossaccount, replication
from smfake._domain.clock import FakeClock
from smfake._domain.ids import IdSource
from smfake._domain.locking import FakeLock
from smfake._domain.notices import Notice, Notify
from smfake._domain.principals import Principals
from smfake._domain.rotation import Invoke, RotationFunction, Rotator
from smfake._domain.secret import Secret
from smfake._domain.store import KeyGate, SecretStore

# The organization every account of a fake is in until a test places it elsewhere.
DEFAULT_ORGANIZATION = "o-smfake0org"


class Backend:
    """Every store of one fake, built with what they share; it is each store's
    StoreServices (replication to peers, rotation, the service's own events)."""

    def __init__(
        self,
        *,
        seed: int | None = None,
        invoker: Callable[[FakeClock], Invoke] | None = None,
        notify: Notify | None = None,
    ) -> None:
        self.lock = FakeLock()
        self.clock = FakeClock(self.lock)
        self.ids = IdSource(seed)
        self._stores: dict[tuple[str, str], SecretStore] = {}
        invoke = invoker(self.clock) if invoker is not None else _cannot_invoke
        self.rotator = Rotator(invoke=invoke, new_id=self.ids.uuid)
        self.principals = Principals()
        # Receives the service's own events (rotation, deletion).
        self._notify = notify
        # Organizations (cross-account replication's SameOrg): every account belongs to
        # DEFAULT_ORGANIZATION unless placed elsewhere (None: in no organization).
        self.organizations: dict[str, str | None] = {}
        # Access control's say on the KMS keys replication encrypts with, while enforced.
        self.key_gate: KeyGate | None = None
        # The call being answered (the wire's Call), innermost first: replication encrypts as
        # its caller. A rotation function's calls nest inside the call that made it due.
        self.acting: object | None = None

    def store(self, account: str, region: str) -> SecretStore:
        key = (account, region)
        store = self._stores.get(key)
        if store is None:
            with self.lock:
                store = self._stores.get(key)
                if store is None:
                    store = SecretStore(
                        account=account,
                        region=region,
                        clock=self.clock,
                        ids=self.ids,
                        services=self,
                    )
                    self._stores[key] = store
        return store

    # -- StoreServices ----------------------------------------------------------------------

    def replicate(self, store: SecretStore, secret: Secret) -> None:
        if secret.replicas:
            replication.sync(store, secret, store_of=self.regions_of(store.account))
        if secret.cross_account_replicas:
            crossaccount.sync(
                store, secret, accounts=self.accounts_in(store.region), gate=self.key_gate
            )

    def organization_of(self, account: str) -> str | None:
        return self.organizations.get(account, DEFAULT_ORGANIZATION)

    def same_organization(self, account: str, other: str) -> bool:
        mine = self.organization_of(account)
        return mine is not None and mine == self.organization_of(other)

    def current_written(self, store: SecretStore, secret: Secret) -> None:
        self.rotator.written_by_hand(store, secret)

    def notify(self, notice: Notice) -> None:
        if self._notify is not None:
            self._notify(notice)

    def regions_of(self, account: str) -> replication.StoreOf:
        return lambda region: self.store(account, region)

    def accounts_in(self, region: str) -> crossaccount.StoreOfAccount:
        return lambda account: self.store(account, region)

    def stores(self) -> list[SecretStore]:
        return list(self._stores.values())

    def reset(self) -> None:
        with self.lock:
            self._stores.clear()
            self.clock.clear_jobs()
            self.rotator.records.clear()


def _cannot_invoke(function: RotationFunction, event: dict[str, str]) -> None:
    raise RuntimeError(f"no way to invoke {function.arn} in this backend")
