"""Dummy credentials for machines with none configured, put in place while at least one
activation needs them and taken back exactly when the last one stops."""

from __future__ import annotations

import configparser
import functools
import os
import sys
import threading

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "smfake-dummy-secret-key",
}
# Any of these means the user has a credential source botocore will find before the network.
_SOURCE_VARS = (
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
_PROFILE_KEYS = (
    "aws_access_key_id",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "role_arn",
    "web_identity_token_file",
)

_lock = threading.Lock()
_holders = 0
_saved: dict[str, str | None] = {}


def configured() -> bool:
    """Whether botocore would find credentials without asking the instance metadata service."""
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return True
    if any(env.get(var) for var in _SOURCE_VARS):
        return True
    profile = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    files = (
        (env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", [profile]),
        # The config file names non-default profiles "profile <name>".
        (env.get("AWS_CONFIG_FILE") or "~/.aws/config", [profile, f"profile {profile}"]),
    )
    return any(_profile_has_credentials(path, sections) for path, sections in files)


def _profile_has_credentials(path: str, sections: list[str]) -> bool:
    # Every activation asks (the files may change between tests), so the answer is kept per
    # file version: a stat per activation instead of an INI parse (tens of microseconds).
    full = os.path.expanduser(path)
    try:
        stat = os.stat(full)
    except OSError:
        return False
    return _parsed_has_credentials(full, stat.st_mtime_ns, stat.st_size, tuple(sections))


@functools.lru_cache(maxsize=32)
def _parsed_has_credentials(path: str, mtime_ns: int, size: int, sections: tuple[str, ...]) -> bool:
    parser = configparser.RawConfigParser()
    try:
        read = parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return True  # unreadable as INI: let botocore decide, and leave the environment alone
    if not read:
        return False
    return any(
        parser.has_section(section)
        and any(parser.has_option(section, key) for key in _PROFILE_KEYS)
        for section in sections
    )


def acquire() -> bool:
    """Make sure credentials exist while an activation runs; True if this call holds the
    dummy ones (and must release them)."""
    global _holders, _saved
    with _lock:
        if _holders:
            _holders += 1
            return True
        if configured():
            return False
        _saved = {name: os.environ.get(name) for name in DUMMY_ENV}
        os.environ.update(DUMMY_ENV)
        _holders = 1
        return True


def release() -> None:
    """Give back one hold; the last one restores the environment exactly."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            return
        _holders -= 1
        if _holders:
            return
        for name, value in _saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _saved = {}
        _forget_cached_dummy_credentials()


def _forget_cached_dummy_credentials() -> None:
    # boto3's default session caches the credentials it resolved while the dummy ones were in
    # the environment; without this it would keep signing with them after the fake is gone.
    from smfake._wire import botocore_compat  # private parts of boto3's session

    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None)
    core = botocore_compat.core_session(session)
    cached = botocore_compat.cached_credentials(core)
    if core is not None and getattr(cached, "access_key", None) == DUMMY_ENV["AWS_ACCESS_KEY_ID"]:
        botocore_compat.forget_cached_credentials(core)
