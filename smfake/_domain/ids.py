"""Identifiers the service invents: ARN suffixes and version ids, from a per-fake seeded RNG."""

from __future__ import annotations

import random
import string
import uuid

# Real suffixes mix letters and digits (`a1b2c3`, `nutBrk`); the exact alphabet is undocumented.
ARN_SUFFIX_ALPHABET = string.ascii_letters + string.digits
ARN_SUFFIX_LENGTH = 6


class IdSource:
    """Deterministic for a given seed, so that a Hypothesis run can be replayed and shrunk."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(64)
        self._rng = random.Random(self.seed)

    def arn_suffix(self) -> str:
        return "".join(self._rng.choices(ARN_SUFFIX_ALPHABET, k=ARN_SUFFIX_LENGTH))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
