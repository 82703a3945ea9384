"""Backend: every (account, region) store of one fake, its clock, ids and lock."""

from __future__ import annotations

import threading

from smfake._domain.clock import FakeClock
from smfake._domain.ids import IdSource
from smfake._domain.store import SecretStore


class Backend:
    def __init__(self, *, seed: int | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = FakeClock(self.lock)
        self.ids = IdSource(seed)
        self._stores: dict[tuple[str, str], SecretStore] = {}

    def store(self, account: str, region: str) -> SecretStore:
        key = (account, region)
        store = self._stores.get(key)
        if store is None:
            with self.lock:
                store = self._stores.setdefault(
                    key, SecretStore(account=account, region=region, clock=self.clock, ids=self.ids)
                )
        return store

    def stores(self) -> list[SecretStore]:
        return list(self._stores.values())

    def reset(self) -> None:
        with self.lock:
            self._stores.clear()
            self.clock.clear_jobs()
