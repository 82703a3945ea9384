"""SigV4 verification (strict mode). Placeholder until the verifier lands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smfake._domain.clock import FakeClock
from smfake._domain.principals import Principal, Principals


def verify(
    method: str,
    url: str,
    headers: Mapping[str, Any],
    body: bytes | str | None,
    principals: Principals,
    clock: FakeClock,
) -> Principal:
    raise NotImplementedError
