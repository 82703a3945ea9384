"""Backend: every (account, region) store of one fake, its clock, ids and lock."""

from __future__ import annotations

from collections.abc import Callable

from smfake._domain import replication
from smfake._domain.clock import FakeClock
from smfake._domain.ids import IdSource
from smfake._domain.locking import FakeLock
from smfake._domain.notices import Notice, Notify
from smfake._domain.principals import Principals
from smfake._domain.rotation import Invoke, RotationFunction, Rotator
from smfake._domain.secret import Secret
from smfake._domain.store import SecretStore


class Backend:
    def __init__(self, *, seed: int | None = None, invoke: Invoke | None = None) -> None:
        self.lock = FakeLock()
        self.clock = FakeClock(self.lock)
        self.ids = IdSource(seed)
        self._stores: dict[tuple[str, str], SecretStore] = {}
        self.rotator = Rotator(invoke=invoke or _cannot_invoke, new_id=self.ids.uuid)
        self.principals = Principals()
        # Set by the handle: receives the service's own events (rotation, deletion).
        self.notify: Notify | None = None

    def store(self, account: str, region: str) -> SecretStore:
        key = (account, region)
        store = self._stores.get(key)
        if store is None:
            with self.lock:
                store = self._stores.get(key)
                if store is None:
                    store = SecretStore(
                        account=account, region=region, clock=self.clock, ids=self.ids
                    )
                    store.on_change = self._syncer(store)
                    store.peers = self.regions_of(account)
                    store.on_new_current = self._rescheduler(store)
                    store.rotator = self.rotator
                    store.notify = self._notify
                    self._stores[key] = store
        return store

    def _notify(self, notice: Notice) -> None:
        if self.notify is not None:
            self.notify(notice)

    def regions_of(self, account: str) -> replication.StoreOf:
        return lambda region: self.store(account, region)

    def _syncer(self, store: SecretStore) -> Callable[[Secret], None]:
        store_of = self.regions_of(store.account)
        return lambda secret: replication.sync(store, secret, store_of=store_of)

    def stores(self) -> list[SecretStore]:
        return list(self._stores.values())

    def reset(self) -> None:
        with self.lock:
            self._stores.clear()
            self.clock.clear_jobs()
            self.rotator.records.clear()

    def _rescheduler(self, store: SecretStore) -> Callable[[Secret], None]:
        return lambda secret: self.rotator.written_by_hand(store, secret)


def _cannot_invoke(function: RotationFunction, event: dict[str, str]) -> None:
    raise RuntimeError(f"no way to invoke {function.arn} in this backend")
