"""The options of mock_secretsmanager() and SecretsManagerFake: defaults and their checks.

Imported by ``smfake.mock_secretsmanager`` itself, which refuses bad options when it is called,
long before the fake is built: keep it free of anything heavy (botocore, the domain, the wire).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from smfake.errors import UsageError, UsageTypeError

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"([a-z]+-)+\d+")


def check_options(*, account_id: object, region: object) -> None:
    """Refuse a bad account id or region with a UsageError, before anything is built."""
    if not isinstance(account_id, str) or not _ACCOUNT.fullmatch(account_id):
        raise UsageError(
            f"account_id must be 12 digits, got {account_id!r} (see README.md#options)"
        )
    check_region(region)


def check_region(region: object) -> None:
    if not isinstance(region, str):
        raise UsageTypeError(f"a region is a str like 'us-east-1', got {region!r}")
    if not _REGION.fullmatch(region):
        raise UsageError(
            f"region must look like 'us-east-1', got {region!r} (see README.md#options)"
        )


def policy_text(
    document: object, *, kind: str, parse: Callable[[str], object], prefix: str = ""
) -> str:
    """A policy given to the fake (JSON text or a mapping) as JSON text, refused with a
    UsageError unless ``parse``, one of the domain's policy parsers, accepts it."""
    if isinstance(document, Mapping):
        document = json.dumps(document)
    if not isinstance(document, str):
        raise UsageTypeError(f"{prefix}expected {kind} as JSON text or a mapping, got {document!r}")
    from smfake._domain.errors import ServiceError  # loaded with the parser anyway

    try:
        parse(document)
    except ServiceError as error:
        raise UsageError(
            f"{prefix}not a valid {kind}: {error.message} (see README.md#access-control)"
        ) from None
    return document
