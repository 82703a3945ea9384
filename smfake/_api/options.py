"""The options of a fake, one frozen object: their defaults, their meaning and their checks.

``mock_secretsmanager(...)``, ``SecretsManagerFake(...)``, the ``smfake`` pytest marker and
``smfake serve`` all take these options, by the same names; each builds an ``Options``, which
refuses a bad one when it is made. Imported by ``smfake.mock_secretsmanager`` itself, long
before the fake is built: keep it free of anything heavy (botocore, the domain, the wire).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Protocol, TypeAlias

from smfake.errors import UsageError, UsageTypeError

# A mapping is stored as its JSON text, so its values are whatever json.dumps accepts.
SeedValue: TypeAlias = "str | bytes | Mapping[str, object]"


class SharedFake(Protocol):
    """What options read of a fake given as ``fake=`` (a SecretsManagerFake: mock_secretsmanager
    checks that; this module imports nothing of the handle, which imports it)."""

    @property
    def account_id(self) -> str: ...

    @property
    def region(self) -> str: ...


DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"([a-z]+-)+\d+")


class Options:
    """What a fake is built with. Made by mock_secretsmanager(), SecretsManagerFake(), the
    pytest marker and ``smfake serve``; a bad option raises UsageError (UsageTypeError for a
    wrong type) as soon as it is made. Frozen. (A plain class: dataclasses would cost
    ``import smfake`` about 10 ms, for inspect.)"""

    __slots__ = NAMES = (
        "account_id",
        "region",
        "seed",
        "secrets",
        "fake",
        "verify_signatures",
        "enforce_access",
        "fast_path",
    )
    account_id: str
    """The account every request acts in (12 digits)."""
    region: str
    """Where ``secrets`` and ``fake.add_secret`` put secrets; clients keep their own."""
    seed: int | None
    """Seeds ARN suffixes and ids, so that a run can be replayed (None: a random one)."""
    secrets: Mapping[str, SeedValue] | None
    """Secrets created at every activation: name -> str, bytes or a JSON mapping."""
    fake: SharedFake | None
    """Share an existing fake's state instead of starting empty."""
    verify_signatures: bool
    """Strict mode: every request must be SigV4-signed by a key in ``fake.principals``."""
    enforce_access: bool
    """Every call is authorized against the caller's policies."""
    fast_path: bool
    """Answer successful botocore calls at before-call (False: botocore's whole way)."""

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: int | None = None,
        secrets: Mapping[str, SeedValue] | None = None,
        fake: SharedFake | None = None,
        verify_signatures: bool = False,
        enforce_access: bool = False,
        fast_path: bool = True,
    ) -> None:
        # A shared fake keeps its own account and Region.
        check_options(
            account_id=account_id if fake is None else fake.account_id,
            region=region if fake is None else fake.region,
            seed=seed,
            secrets=secrets,
            switches={
                "verify_signatures": verify_signatures,
                "enforce_access": enforce_access,
                "fast_path": fast_path,
            },
        )
        init = object.__setattr__
        init(self, "account_id", account_id)
        init(self, "region", region)
        init(self, "seed", seed)
        init(self, "secrets", secrets)
        init(self, "fake", fake)
        init(self, "verify_signatures", verify_signatures)
        init(self, "enforce_access", enforce_access)
        init(self, "fast_path", fast_path)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Options are frozen: cannot set {name}")

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.NAMES if name != "secrets"
        )
        return f"Options({shown})"


def check_options(
    *,
    account_id: object,
    region: object,
    seed: object = None,
    secrets: object = None,
    switches: Mapping[str, object] | None = None,
) -> None:
    """Refuse a bad option with a UsageError (or UsageTypeError), before anything is built."""
    check_account(account_id)
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


def check_account(account_id: object) -> None:
    if not isinstance(account_id, str) or not _ACCOUNT.fullmatch(account_id):
        raise UsageError(
            f"account_id must be 12 digits, got {account_id!r} (see docs/activation.md#options)"
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
