"""The options of mock_secretsmanager() and SecretsManagerFake: defaults and their checks.

Imported by ``smfake.mock_secretsmanager`` itself, which refuses bad options when it is called,
long before the fake is built: keep it free of anything heavy (botocore, the domain, the wire).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
from collections.abc import Callable, Mapping

from smfake.errors import UsageError, UsageTypeError

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"([a-z]+-)+\d+")


def check_options(
    *,
    account_id: object,
    region: object,
    seed: object = None,
    secrets: object = None,
    switches: Mapping[str, object] | None = None,
) -> None:
    """Refuse a bad option with a UsageError (or UsageTypeError), before anything is built."""
    if not isinstance(account_id, str) or not _ACCOUNT.fullmatch(account_id):
        raise UsageError(
            f"account_id must be 12 digits, got {account_id!r} (see docs/activation.md#options)"
        )
    check_region(region)
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise UsageTypeError(f"seed is an int (or None for a random one), got {seed!r}")
    check_secrets(secrets)
    for name, value in (switches or {}).items():
        if not isinstance(value, bool):
            raise UsageTypeError(f"{name} is True or False, got {value!r}")


def check_secrets(secrets: object) -> None:
    """``secrets=``: a mapping of names to values (str, bytes or a JSON mapping)."""
    if secrets is None:
        return
    if not isinstance(secrets, Mapping):
        raise UsageTypeError(
            "secrets= takes a mapping of names to values, like {'db': 'password'}, got "
            f"{type(secrets).__name__} (see docs/activation.md#options)"
        )
    for name, value in secrets.items():
        check_secret_value(check_secret_name(name), value)


def check_secret_name(name: object) -> str:
    if not isinstance(name, str):
        raise UsageTypeError(f"a secret's name is a str, got {name!r}")
    return name


def check_secret_value(name: str, value: object) -> None:
    """A value given to the test API: str, bytes, a JSON-serialisable mapping, or None."""
    if value is None or isinstance(value, (str, bytes)):
        return
    if isinstance(value, Mapping):
        try:
            json.dumps(value)
        except (TypeError, ValueError) as error:
            raise UsageTypeError(
                f"secret {name!r}: a mapping value must be JSON-serialisable ({error})"
            ) from None
        return
    raise UsageTypeError(
        f"secret {name!r}: a value is str, bytes or a JSON mapping, got {type(value).__name__}"
    )


def check_region(region: object) -> None:
    if not isinstance(region, str):
        raise UsageTypeError(f"a region is a str like 'us-east-1', got {region!r}")
    if not _REGION.fullmatch(region):
        raise UsageError(
            f"region must look like 'us-east-1', got {region!r} (see docs/activation.md#options)"
        )
    known = known_regions()
    if known and region not in known:
        import difflib

        close = difflib.get_close_matches(region, sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(
            f"no AWS Region is named {region!r}{hint}; the installed botocore knows "
            f"{', '.join(sorted(known))}. A Region newer than botocore needs a newer botocore "
            "(see docs/activation.md#options)"
        )


@functools.cache
def known_regions() -> frozenset[str]:
    """The Regions of every partition the installed botocore knows, read from its data file
    without importing botocore (empty if that file cannot be read: then any is accepted)."""
    spec = importlib.util.find_spec("botocore")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        try:
            with open(os.path.join(location, "data", "partitions.json"), "rb") as file:
                data = json.load(file)
        except (OSError, ValueError):
            continue
        return frozenset(
            region
            for partition in data.get("partitions", [])
            for region in partition.get("regions", {})
            if not region.startswith("aws-")  # aws-global, aws-cn-global: not Regions
        )
    return frozenset()


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
            f"{prefix}not a valid {kind}: {error.message} "
            "(see docs/access-control.md#access-control)"
        ) from None
    return document
