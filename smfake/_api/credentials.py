"""Dummy credentials for machines with none configured, put in place and taken back exactly."""

from __future__ import annotations

import os

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "smfake-dummy-secret-key",
}
# Any of these means the user has a credential source botocore will find before the network.
_SOURCE_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
_FILE_KEYS = ("aws_access_key_id", "credential_process", "sso_", "role_arn", "web_identity")


def configured() -> bool:
    """Whether botocore would find credentials without asking the instance metadata service."""
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return True
    if any(env.get(var) for var in _SOURCE_VARS):
        return True
    for var, default in (
        ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        ("AWS_CONFIG_FILE", "~/.aws/config"),
    ):
        path = os.path.expanduser(env.get(var) or default)
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read().lower()
        except OSError:
            continue
        if any(key in text for key in _FILE_KEYS):
            return True
    return False


def supply() -> dict[str, str | None]:
    """Set dummy credentials if none are configured; returns what to restore."""
    if configured():
        return {}
    saved = {name: os.environ.get(name) for name in DUMMY_ENV}
    os.environ.update(DUMMY_ENV)
    return saved


def restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
