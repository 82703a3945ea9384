"""A stand-in for a database server: its users and their passwords, in memory.

A real rotation function talks to a real database; this one keeps the example self-contained.
"""

from __future__ import annotations

from collections.abc import Mapping

_passwords: dict[str, str] = {}


def reset(users: Mapping[str, str]) -> None:
    """Start over with exactly these users (name -> password)."""
    _passwords.clear()
    _passwords.update(users)


def can_log_in(username: str, password: str) -> bool:
    return _passwords.get(username) == password


def set_password(username: str, password: str) -> None:
    """Change a user's password, as the database's administrator would."""
    if username not in _passwords:
        raise KeyError(f"no database user {username!r}")
    _passwords[username] = password
