"""The options of mock_secretsmanager() and SecretsManagerFake: defaults and their checks.

Imported by ``smfake.mock_secretsmanager`` itself, which refuses bad options when it is called,
long before the fake is built: keep it free of anything heavy (botocore, the domain, the wire).
"""

from __future__ import annotations

import re

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
