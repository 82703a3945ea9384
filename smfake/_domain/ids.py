"""Identifiers the service invents: ARN suffixes and version ids, from a per-fake seeded RNG."""

from __future__ import annotations

import random
import string

# Real suffixes mix letters and digits (`a1b2c3`, `nutBrk`); the exact alphabet is undocumented.
ARN_SUFFIX_ALPHABET = string.ascii_letters + string.digits
ARN_SUFFIX_LENGTH = 6
_CLEAR_VERSION_AND_VARIANT = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_4_RFC_4122 = (4 << 76) | (0x8000 << 48)


class IdSource:
    """Deterministic for a given seed, so that a Hypothesis run can be replayed and shrunk."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(64)
        self._rng = random.Random(self.seed)

    def arn_suffix(self) -> str:
        return "".join(self._rng.choices(ARN_SUFFIX_ALPHABET, k=ARN_SUFFIX_LENGTH))

    def uuid(self) -> str:
        # The same bits uuid.UUID(int=..., version=4) sets, formatted directly: two ids per
        # call (request and event) made uuid.UUID a visible share of a call's cost.
        n = self._rng.getrandbits(128) & _CLEAR_VERSION_AND_VARIANT | _VERSION_4_RFC_4122
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
