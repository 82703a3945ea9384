"""Exceptions a test author may catch: misuse of smfake's own API, and what it does not support.

AWS service errors are not here: they reach callers as botocore ``ClientError`` exceptions,
exactly as the real service's errors do.
"""

from __future__ import annotations

__all__ = [
    "SmfakeError",
    "UnsupportedOperation",
    "UsageError",
    "UsageTypeError",
]

SUPPORTED_TABLE = "docs/operations.md#supported-operations"


class SmfakeError(Exception):
    """Base class of every exception smfake raises on its own behalf."""


class UsageError(SmfakeError, ValueError):
    """A value given to smfake's test API is not acceptable."""


class UsageTypeError(SmfakeError, TypeError):
    """A value given to smfake's test API has the wrong type."""


class UnsupportedOperation(SmfakeError, NotImplementedError):
    """The call uses an operation or parameter that smfake does not implement yet."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"smfake does not support {what} yet; nothing was changed. "
            f"See {SUPPORTED_TABLE} for what is supported."
        )
